"""Reads for the analyses: the part of the dependency graph an origin set can reach, and facts about services."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.facts import ExposureFacts, Props, ServiceFacts, SlaFacts
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.packed import PackBuilder
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "DataFingerprint",
    "Fingerprint",
    "data_fingerprint",
    "exposure_facts",
    "fingerprint",
    "item_kinds",
    "owners",
    "service_facts",
    "site_cis",
    "upstream",
    "upstream_with_kinds",
    "whole_graph",
]


async def upstream(repo: ItemRepository, ids: Iterable[str]) -> DependencyGraph:
    """Every node that can reach one of `ids`, with all its outgoing edges: what the impact of `ids` needs."""
    return (await upstream_with_kinds(repo, ids))[0]


async def upstream_with_kinds(repo: ItemRepository, ids: Iterable[str]) -> tuple[DependencyGraph, dict[str, Kind]]:
    """`upstream`, plus the kind of each of `ids` that exists (any kind), read in the same round trip."""
    records = await repo.read(cypher("graph/upstream"), ids=sorted(set(ids)))
    kinds = {i: Kind(k) for i, k in records[0]["origins"]}
    nodes: list[Node] = []
    edges: list[Edge] = []
    live: dict[str, int] = {}
    for node_id, kind, name, status, criticality, tier, ci_type, min_healthy, members, out in records[0]["rows"]:
        nodes.append(Node(node_id, Kind(kind), name, status, criticality, tier, ci_type, min_healthy))
        if members is not None:
            live[node_id] = int(members)
        for target, membership, hard, retired in out:
            if retired:
                continue
            edges.append(Edge(node_id, target, hard=bool(hard), membership=bool(membership)))
    return DependencyGraph.build(nodes, edges, live), kinds


async def item_kinds(repo: ItemRepository, ids: Sequence[str]) -> dict[str, tuple[Kind, str | None]]:
    """(kind, lifecycle status) of each id that exists."""
    records = await repo.read(cypher("graph/kinds"), ids=list(ids))
    return {r["id"]: (Kind(r["kind"]), r["status"]) for r in records}


async def site_cis(repo: ItemRepository, site_id: str) -> list[str] | None:
    """The ids of the CIs at a site, or None if there is no such site."""
    records = await repo.read(cypher("graph/site_cis"), id=site_id)
    return sorted(records[0]["ids"]) if records[0]["found"] else None


def _unique(items: Iterable[Props], made: dict[str, Props]) -> list[Props]:
    """Each item once, in id order; an item `made` already has is that one (the same dict)."""
    seen: dict[str, Props] = {}
    for p in items:
        item_id = p["id"]
        if item_id not in seen:
            found = made.get(item_id)
            if found is None:
                found = made[item_id] = native_props(p)
            seen[item_id] = found
    return [seen[k] for k in sorted(seen)]


async def service_facts(
    repo: ItemRepository, ids: Sequence[str], made: dict[str, Props] | None = None
) -> dict[str, ServiceFacts]:
    """Consumers, SLAs, owners and requirements (with ancestors) of each service. A business unit, team or
    requirement met by several services is one dict, shared (also with the calls given the same `made`)."""
    if not ids:
        return {}
    records = await repo.read(cypher("graph/service_facts"), ids=list(ids))
    made = {} if made is None else made
    return {
        r["id"]: ServiceFacts(
            consumers=_unique(r["consumers"], made),
            slas=[SlaFacts(native_props(s["sla"]), _unique(s["units"], made)) for s in r["slas"]],
            owners=_unique(r["owners"], made),
            requirements=_unique(r["requirements"], made),
        )
        for r in records
    }


async def owners(repo: ItemRepository, ids: Sequence[str]) -> list[tuple[Props, list[str]]]:
    """The teams owning any of `ids`, each with the ids it owns among them, in team id order."""
    if not ids:
        return []
    records = await repo.read(cypher("graph/owners"), ids=list(ids))
    found = [(native_props(r["team"]), sorted(r["owns"])) for r in records]
    return sorted(found, key=lambda f: f[0]["id"])


async def exposure_facts(
    repo: ItemRepository,
    service_ids: Sequence[str],
    *,
    chunk: int = 5_000,
    same: Callable[[str], str] | None = None,
) -> ExposureFacts:
    """The facts of the given services (service_facts) and the owners of every service and CI, to keep: read in
    slices, so that no statement runs long on a large estate (46,666 services and 1M CIs at 1M).

    Kept for a million items, every copy counts: a team, business unit or requirement is one dict for every service
    that has it, a set of owning teams one tuple for every item it owns, and an item's id the string `same` gives
    for it (the kept graph's own)."""
    services: dict[str, ServiceFacts] = {}
    made: dict[str, Props] = {}
    for start in range(0, len(service_ids), chunk):
        services |= await service_facts(repo, service_ids[start : start + chunk], made)
    del made
    owned_by: dict[str, tuple[str, ...]] = {}
    owner_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
    after = ""
    while True:
        rows = (await repo.read(cypher("graph/owned_slice"), after=after, limit=chunk * 10))[0]["rows"]
        for item_id, owning in rows:
            if owning:
                owners = tuple(sorted(owning))
                owned_by[item_id if same is None else same(item_id)] = owner_sets.setdefault(owners, owners)
        if len(rows) < chunk * 10:
            break
        after = rows[-1][0]
    # The teams after their items: a team the slices name exists when this runs (unless deleted meanwhile, which
    # moves the fingerprint this copy is kept under).
    teams: dict[str, Props] = {}
    for record in await repo.read(cypher("graph/teams")):
        team = native_props(record["team"])
        teams[team["id"]] = team
    return ExposureFacts(services, teams, owned_by)


# (graph version, items, dependencies, memberships, counts of what an impact exposes: meta/graph_fingerprint.cypher)
Fingerprint = tuple[int | None, int, int, int, tuple[int, ...]]
DataFingerprint = tuple[int, str | None, int, int]  # (audit entries, newest entry's time, items, relationships)


async def fingerprint(repo: ItemRepository) -> Fingerprint:
    """(graph version, items, dependencies, memberships, exposure counts): changes whenever the dependency graph,
    or what its impacts expose, may have."""
    record = (await repo.read(cypher("meta/graph_fingerprint")))[0]
    exposure = tuple(int(n) for n in record["exposure"])
    return record["version"], int(record["items"]), int(record["deps"]), int(record["members"]), exposure


async def data_fingerprint(repo: ItemRepository) -> DataFingerprint:
    """(audit entries, newest entry's time, items, relationships): moves with every graphsvc write
    (graphql/response_cache.py)."""
    record = (await repo.read(cypher("meta/data_fingerprint")))[0]
    return int(record["entries"]), record["latest"], int(record["items"]), int(record["relationships"])


async def whole_graph(
    repo: ItemRepository, *, chunk: int = 50_000, progress: Callable[[int], None] | None = None
) -> DependencyGraph:
    """Every service, CI and group with every dependency and membership edge, read in id-ordered slices (`progress`
    hears how many nodes are read after each)."""
    builder = PackBuilder()  # kept as arrays (domain/packed.py): no Node or Edge object per row
    read = 0
    after = ""
    while True:
        records = await repo.read(cypher("graph/all_nodes"), after=after, limit=chunk)
        rows = records[0]["rows"]
        node, edge = builder.node, builder.edge
        for node_id, kind, name, status, criticality, tier, ci_type, min_healthy, out in rows:
            node(node_id, Kind(kind), name, status, criticality, tier, ci_type, min_healthy)
            for t, m, h in out:
                edge(node_id, t, bool(h), bool(m))
        read += len(rows)
        del records
        if progress is not None:
            progress(read)
        if len(rows) < chunk:
            # Off the event loop: at 1M CIs packing takes seconds, during which /readyz would go unanswered.
            return await asyncio.to_thread(lambda: DependencyGraph.of_packed(*builder.finish()))
        after = rows[-1][0]
