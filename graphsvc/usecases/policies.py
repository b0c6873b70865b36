"""Policy violations: the policies with a rule, the items they may govern, the graph and the pending changes are
read here; analysis/policy_checks.py finds the violations."""

from __future__ import annotations

import asyncio

from graphsvc.analysis import change_rules as rules
from graphsvc.analysis.policy_checks import Subject, violations
from graphsvc.db import changes as dbc
from graphsvc.domain.changes import RULE_TYPES, PolicyRule
from graphsvc.errors import NotFound
from graphsvc.usecases import sources
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph
from graphsvc.usecases.sources import Source

__all__ = ["policy_violations"]


async def policy_violations(
    repo: Source,
    policy_id: str | None = None,
    rule_type: str | None = None,
    cache: GraphCache | None = None,
    *,
    policies: list[PolicyRule] | None = None,
) -> list[rules.Violation]:
    """Violations of every policy with a rule (or of one policy, or one rule type), by policy, then subject.
    `policies`, when the caller has already read them, saves reading them again."""
    if policies is None:
        policies = await sources.policies(repo, [rule_type] if rule_type else RULE_TYPES)
    if policy_id is not None:
        policies = [p for p in policies if p.id == policy_id]
        if not policies:
            raise NotFound(f"policyId: no policy with a rule has id {policy_id!r}")
    record = await sources.policy_subjects(repo)
    items = {row[0]: Subject(*row) for row in record["items"]}
    graph = await whole_graph(repo, cache)
    changes = sorted(map(dbc.change_record, record["changes"]), key=lambda c: c.id)

    # off the event loop: every change's impact, over the whole graph
    return await asyncio.to_thread(violations, policies, items, graph, changes)
