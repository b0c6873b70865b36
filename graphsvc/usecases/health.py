"""CMDB health: the facts and the policy violations are read here; analysis/health.py measures."""

from __future__ import annotations

from graphsvc.analysis.health import Health, cmdb_health
from graphsvc.domain.changes import RULE_TYPES
from graphsvc.usecases import sources
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.policies import policy_violations
from graphsvc.usecases.sources import Source

__all__ = ["health_of"]


async def health_of(repo: Source, cache: GraphCache | None = None) -> Health:
    """Completeness, correctness and compliance of the CMDB now, with the findings."""
    services, cis, groups, retired = await sources.health_facts(repo)
    policies = await sources.policies(repo, RULE_TYPES)
    violations = await policy_violations(repo, cache=cache, policies=policies)
    violated = {v.policy.id for v in violations}
    return cmdb_health(services, cis, groups, retired, len(policies), len(violated))
