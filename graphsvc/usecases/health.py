"""CMDB health: the facts and the policy violations are read here; analysis/health.py measures."""

from __future__ import annotations

from graphsvc.analysis.health import Health, cmdb_health
from graphsvc.db import changes as dbc
from graphsvc.db.analysis_inputs import health_facts
from graphsvc.db.items import ItemRepository
from graphsvc.domain.changes import RULE_TYPES
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.policies import policy_violations

__all__ = ["health_of"]


async def health_of(repo: ItemRepository, cache: GraphCache | None = None) -> Health:
    """Completeness, correctness and compliance of the CMDB now, with the findings."""
    services, cis, groups, retired = await health_facts(repo)
    policies = await dbc.policies(repo, RULE_TYPES)
    violations = await policy_violations(repo, cache=cache, policies=policies)
    violated = {v.policy.id for v in violations}
    return cmdb_health(services, cis, groups, retired, len(policies), len(violated))
