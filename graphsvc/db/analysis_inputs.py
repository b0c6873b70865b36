"""What some analyses read besides the dependency graph, each one named statement in cypher/: the CIs over a
utilization threshold, the requirements with their metrics and satisfiers, the policy subjects, and the cost
allocation's three columnar reads. The use cases call these; none of them runs Cypher itself."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from graphsvc.analysis.health import CiFacts, GroupFacts, ServiceFacts
from graphsvc.analysis.requirements import MetricFacts, RequirementFacts
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.facts import Props

__all__ = [
    "cost_inputs",
    "health_facts",
    "health_facts_of",
    "hot_cis",
    "policy_subjects",
    "requirement_facts",
    "requirement_facts_of",
]


async def hot_cis(repo: ItemRepository, threshold: float) -> list[Props]:
    """CIs whose utilization is above `threshold` percent, hottest first."""
    return [native_props(r["props"]) for r in await repo.read(cypher("graph/hot_cis"), threshold=threshold)]


async def requirement_facts(repo: ItemRepository) -> tuple[dict[str, RequirementFacts], dict[str, list[str]]]:
    """Facts per requirement, and every service (any status) that satisfies each."""
    return requirement_facts_of(await repo.read(cypher("graph/requirements")))


def requirement_facts_of(
    records: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, RequirementFacts], dict[str, list[str]]]:
    """The facts from graph/requirements' columns: props, metrics [id, target, comparator, current], services
    [id, status], children (ids)."""
    facts: dict[str, RequirementFacts] = {}
    satisfiers: dict[str, list[str]] = {}
    for r in records:
        props = native_props(r["props"])
        rid = props["id"]
        facts[rid] = RequirementFacts(
            rid,
            [
                MetricFacts(m[0], float(m[1]), str(m[2] or "GTE"), None if m[3] is None else float(m[3]))
                for m in r["metrics"]
            ],
            sorted(s for s, status in r["services"] if status == "ACTIVE"),
            sorted(r["children"]),
            props,
        )
        satisfiers[rid] = sorted(s for s, _ in r["services"])
    return facts, satisfiers


async def policy_subjects(repo: ItemRepository) -> Mapping[str, Any]:
    """The items policies govern (`items`: id, kind and the facts rules check) and the changes (`changes`)."""
    record: Mapping[str, Any] = (await repo.read(cypher("policies/subjects")))[0]
    return record


async def cost_inputs(repo: ItemRepository) -> Mapping[str, Any]:
    """Everything the allocation reads (cypher/cost/*.cypher): nodes, deps, memberships, consumption and units.

    Three statements run at once, so Neo4j reads the nodes and the edges on two cores (at 100,000 CIs: 1.7 s rather
    than 2.5 s). They are three transactions, so a write landing between them may be half seen (an edge whose end
    is not among the nodes is dropped); the server's cache keys on the version read before them, so the next
    request after such a write computes again from a consistent state."""
    nodes, deps, rest = await asyncio.gather(
        repo.read(cypher("cost/nodes")), repo.read(cypher("cost/dependencies")), repo.read(cypher("cost/consumers"))
    )
    return {**nodes[0], **deps[0], **rest[0]}


async def health_facts(
    repo: ItemRepository,
) -> tuple[list[ServiceFacts], list[CiFacts], list[GroupFacts], list[tuple[str, str]]]:
    """What the CMDB health check measures: live services and CIs with their expected fields, groups with their
    live members, and the dependencies of live items on RETIRED ones."""
    (r,) = await repo.read(cypher("health/facts"))
    return health_facts_of(r)


def health_facts_of(
    r: Mapping[str, Any],
) -> tuple[list[ServiceFacts], list[CiFacts], list[GroupFacts], list[tuple[str, str]]]:
    """The facts from health/facts' four columns."""
    services = [ServiceFacts(i, bool(o), bool(c), bool(t)) for i, o, c, t in r["services"]]
    cis = [CiFacts(i, bool(o), bool(s), bool(m), bool(linked)) for i, o, s, m, linked in r["cis"]]
    groups = [GroupFacts(i, int(k or 1), int(n)) for i, k, n in r["groups"]]
    return services, cis, groups, [(a, b) for a, b in r["retired"]]
