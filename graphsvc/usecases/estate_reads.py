"""The reads the analyses make, answered from an `Estate` in memory rather than from Neo4j.

Each method is the twin of one database read (named in its docstring) and returns the same models in the same
order, so a use case runs unchanged on the estate as of a time or with what-if edits. tests/api/test_contract_estate.py
holds each twin to its original: the same analysis on an estate and on a database built to match answers alike
(tests/integration/test_estate_change_reads.py also compares the change reads with their Cypher directly).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from graphsvc.analysis.health import CiFacts, GroupFacts
from graphsvc.analysis.health import ServiceFacts as HealthService
from graphsvc.analysis.requirements import RequirementFacts
from graphsvc.db.analysis_inputs import health_facts_of, requirement_facts_of
from graphsvc.db.changes import change_record, policy_rule
from graphsvc.db.incidents import incident_record, problem_record
from graphsvc.db.items import Page, Related
from graphsvc.domain.changes import ChangeRecord, ChangeStatus, History, PolicyRule
from graphsvc.domain.estate import Estate
from graphsvc.domain.facts import Props, ServiceFacts, SlaFacts
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.incidents import IncidentRecord, ProblemRecord
from graphsvc.domain.layered import Layered
from graphsvc.domain.neighbours import Neighbourhood, neighbourhood_of
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, Rel

__all__ = ["EstateReads"]

LIGHT = ("id", "itemKind", "name", "title")


def _listing_order(end: tuple[str, Props]) -> tuple[bool, int, str]:
    """(target, relationship properties) in the order the relationship lists them (`i`), then by id, as
    cypher/items/related_out.cypher orders them."""
    return end[1].get("i") is None, end[1].get("i") or 0, end[0]


def _node(props: Props) -> Node:
    return Node(
        props["id"],
        Kind(props["itemKind"]),
        props.get("name") or props["id"],
        props.get("status"),
        props.get("criticality"),
        props.get("tier"),
        props.get("type"),
        props.get("minHealthy"),
    )


GRAPH_RELS = (Rel.DEPENDS_ON.value, Rel.HAS_MEMBER.value)


def _before(a: Any, b: Any) -> bool:
    """`a < b` as Cypher compares: false when either is null."""
    return a is not None and b is not None and bool(a < b)


def _within(value: Any, since: datetime | None, until: datetime | None) -> bool:
    """`value` in [since, until), a null bound being no bound, as changes/history.cypher compares."""
    return (since is None or (value is not None and value >= since)) and (until is None or _before(value, until))


def _edge(source: str, rel: str, target: str, props: Props) -> Edge:
    return Edge(source, target, hard=(props.get("strength") or "HARD") == "HARD", membership=rel == "HAS_MEMBER")


def rewired(base: DependencyGraph, estate: Estate, touched: set[str]) -> DependencyGraph:
    """The graph of `estate`, which differs from the estate of `base` only in the items `touched` (their properties
    and outgoing relationships): `base` copied, with the nodes touched and the edge lists of every node next to them
    made again as `DependencyGraph.build` makes them, in layers over base's maps (`Layered`). A what-if's few edits
    cost what they touch, not a copy of the graph, let alone a build; its
    impact arrays, when a large reach needs them, are base's patched around the same nodes (never a chain of
    patches: a graph rewired from one still waiting for its arrays builds its own)."""
    graph = DependencyGraph(
        nodes=Layered(base.nodes),
        out=Layered(base.out),
        into=Layered(base.into),
        members_total=dict(base.members_total),  # one entry per group, and a set of the few RETIRED
        retired=set(base.retired),
    )
    for item_id in touched:
        props = estate.items.get(item_id)
        graph.nodes.pop(item_id, None)
        graph.retired.discard(item_id)
        if props is not None and Kind(props["itemKind"]) in DEPENDABLE:
            node = _node(props)
            if node.retired:
                graph.retired.add(item_id)
            else:
                graph.nodes[item_id] = node
    near = set(touched)
    for item_id in touched:
        near.update(e.target for e in base.out.get(item_id, ()))
        near.update(e.source for e in base.into.get(item_id, ()))
        near.update(target for _rel, target in estate.out.get(item_id, {}))
        near.update(estate.sources(item_id))
    nodes, retired = graph.nodes, graph.retired
    for x in near:  # each node's own edges first: the lists into its neighbours are made of them
        graph.out.pop(x, None)
        graph.members_total.pop(x, None)
        if x not in nodes:
            continue
        mine: list[Edge] = []
        seen: set[tuple[str, bool]] = set()
        members = 0
        for (rel, target), props in estate.out.get(x, {}).items():
            if rel not in GRAPH_RELS or target not in estate.items or (target, rel == "HAS_MEMBER") in seen:
                continue
            seen.add((target, rel == "HAS_MEMBER"))
            if rel == "HAS_MEMBER" and target not in retired:
                members += 1
            if target in nodes:
                mine.append(_edge(x, rel, target, props))
        if mine:
            graph.out[x] = mine
        if members:
            graph.members_total[x] = members
    for x in near:
        graph.into.pop(x, None)
        if x not in nodes:
            continue
        coming = [e for s in estate.sources(x) if s in nodes for e in graph.out.get(s, ()) if e.target == x]
        if coming:
            graph.into[x] = sorted(coming, key=lambda e: e.source)
    groups = set(base.groups).difference(touched)
    groups.update(x for x in touched if x in nodes and nodes[x].kind is Kind.REDUNDANCY_GROUP)
    graph.__dict__["groups"] = frozenset(groups)  # DependencyGraph.groups, without a pass over every node
    if "rewired_from" not in base.derived:  # its impact arrays are base's patched (impact_arrays.arrays_of)
        graph.derived["rewired_from"] = (base, frozenset(near))
    return graph


class EstateReads:
    """Reads over one estate (never changed once made: edits apply to a copy before this is built).

    `base` and `touched`: the estate is `base`'s with only the items `touched` changed (a what-if), so its graph is
    `base`'s rewired rather than built."""

    def __init__(self, estate: Estate, base: EstateReads | None = None, touched: set[str] | None = None) -> None:
        self.estate = estate
        self.base = base
        self.touched = touched
        self.round_trips = 0  # as ItemRepository's: no database read is ever made

    def _kind_is(self, item_id: str, kind: Kind) -> bool:
        props = self.estate.items.get(item_id)
        return props is not None and props["itemKind"] == kind.value

    # -- items (db/items.py) ----------------------------------------------------------------------------------
    async def by_ids(self, ids: Sequence[str]) -> list[Props | None]:
        """items/lookup"""
        found = self.estate.items
        return [dict(found[i]) if i in found else None for i in ids]

    async def related(
        self, rel: Rel, ids: Sequence[str], *, outgoing: bool, light: bool = False, limit: int | None = None
    ) -> list[list[Related]]:
        """items/related_{out,in}[_light]: in listing order (the relationship's `i`, then id)."""
        items = self.estate.items
        lists: list[list[Related]] = []
        for item_id in ids:
            if item_id not in items:
                lists.append([])
                continue
            ends = self.estate.outgoing(item_id, rel) if outgoing else self.estate.incoming(item_id, rel)
            ends.sort(key=_listing_order)
            shown = []
            for other, rel_props in ends[:limit]:
                props = items[other]
                shown.append(Related({k: props.get(k) for k in LIGHT} if light else dict(props), dict(rel_props)))
            lists.append(shown)
        return lists

    async def neighbours(self, rel: Rel, ids: Sequence[str], *, outgoing: bool, first: int) -> list[Neighbourhood]:
        """items/neighbours_{out,in}: each id's neighbours over `rel`, counted, the first `first` kept."""
        estate, items = self.estate, self.estate.items
        found = []
        for item_id in ids:
            ends: list[tuple[str, Props]] = []
            if item_id in items:
                ends = estate.outgoing(item_id, rel) if outgoing else estate.incoming(item_id, rel)
            found.append(neighbourhood_of(((items[other], props) for other, props in ends), first))
        return found

    async def page(
        self,
        kind: Kind,
        *,
        first: int,
        after: str | None,
        props: Mapping[str, Any],
        site: str | None = None,
        owner: str | None = None,
    ) -> Page:
        """items/page: items of `kind` after `after`, in id order, matching every filter."""
        found = self._matching(kind, props, site, owner)
        shown = [p for p in found if after is None or p["id"] > after][: first + 1]
        return Page([dict(p) for p in shown[:first]], len(shown) > first)

    async def count(
        self, kind: Kind, *, props: Mapping[str, Any], site: str | None = None, owner: str | None = None
    ) -> int:
        """items/count"""
        return len(self._matching(kind, props, site, owner))

    def _matching(self, kind: Kind, props: Mapping[str, Any], site: str | None, owner: str | None) -> list[Props]:
        estate = self.estate
        found = []
        for item_id in sorted(estate.items):
            p = estate.items[item_id]
            if p["itemKind"] != kind.value or any(p.get(k) != v for k, v in props.items()):
                continue
            if site is not None and (Rel.LOCATED_AT.value, site) not in estate.out.get(item_id, {}):
                continue
            if owner is not None and (Rel.OWNED_BY.value, owner) not in estate.out.get(item_id, {}):
                continue
            found.append(p)
        return found

    # -- the dependency graph (db/graph.py) -------------------------------------------------------------------
    @cached_property
    def graph(self) -> DependencyGraph:
        """graph/all_nodes: every service, CI and group with its dependency and membership edges."""
        base, touched = self.base, self.touched
        if base is not None and touched is not None:
            self.base = None  # the estate it was rewired from may go once this graph is made
            return rewired(base.graph, self.estate, touched)
        estate = self.estate
        nodes = [_node(p) for p in estate.items.values() if Kind(p["itemKind"]) in DEPENDABLE]
        edges = [_edge(s, rel, t, props) for rel, s, t, props in estate.relationships() if rel in GRAPH_RELS]
        return DependencyGraph.packed(nodes, edges)  # kept as arrays, as the server's copy (domain/packed.py)

    async def whole_graph(self) -> DependencyGraph:
        return await asyncio.to_thread(lambda: self.graph)  # built once, off the event loop

    async def upstream_with_kinds(self, ids: Sequence[str]) -> tuple[DependencyGraph, dict[str, Kind]]:
        """graph/upstream: the whole graph serves (a node outside the upstream part cannot reach the origin)."""
        graph = await self.whole_graph()
        return graph, {i: Kind(self.estate.items[i]["itemKind"]) for i in ids if i in self.estate.items}

    async def item_kinds(self, ids: Sequence[str]) -> dict[str, tuple[Kind, str | None]]:
        """graph/kinds"""
        items = self.estate.items
        return {i: (Kind(items[i]["itemKind"]), items[i].get("status")) for i in ids if i in items}

    async def site_cis(self, site_id: str) -> list[str] | None:
        """graph/site_cis"""
        if not self._kind_is(site_id, Kind.SITE):
            return None
        located = self.estate.incoming(site_id, Rel.LOCATED_AT)
        return sorted(c for c, _ in located if self._kind_is(c, Kind.CONFIGURATION_ITEM))

    def _props_of(self, ids: Sequence[str], kind: Kind) -> list[Props]:
        return [dict(self.estate.items[i]) for i in sorted(set(ids)) if self._kind_is(i, kind)]

    async def service_facts(self, ids: Sequence[str]) -> dict[str, ServiceFacts]:
        """graph/service_facts: consumers, SLAs (with their units), owners and requirements with their ancestors."""
        estate = self.estate
        facts = {}
        for sid in ids:
            if not self._kind_is(sid, Kind.SERVICE):
                continue
            slas = [
                SlaFacts(
                    dict(estate.items[a]),
                    self._props_of([u for u, _ in estate.outgoing(a, Rel.AGREED_WITH)], Kind.BUSINESS_UNIT),
                )
                for a, _ in estate.incoming(sid, Rel.COVERS)
                if self._kind_is(a, Kind.SLA)
            ]
            wanted: set[str] = set()
            frontier = [r for r, _ in estate.outgoing(sid, Rel.SATISFIES) if self._kind_is(r, Kind.REQUIREMENT)]
            while frontier:
                r = frontier.pop()
                if r not in wanted:
                    wanted.add(r)
                    frontier.extend(q for q, _ in estate.outgoing(r, Rel.REFINES) if self._kind_is(q, Kind.REQUIREMENT))
            facts[sid] = ServiceFacts(
                consumers=self._props_of([b for b, _ in estate.incoming(sid, Rel.CONSUMES)], Kind.BUSINESS_UNIT),
                slas=slas,
                owners=self._props_of([t for t, _ in estate.outgoing(sid, Rel.OWNED_BY)], Kind.TEAM),
                requirements=self._props_of(sorted(wanted), Kind.REQUIREMENT),
            )
        return facts

    async def owners(self, ids: Sequence[str]) -> list[tuple[Props, list[str]]]:
        """graph/owners: each owning team with the ids it owns among `ids`, in team id order."""
        owns: dict[str, list[str]] = {}
        for item_id in ids:
            if item_id in self.estate.items:
                for team, _ in self.estate.outgoing(item_id, Rel.OWNED_BY):
                    if self._kind_is(team, Kind.TEAM):
                        owns.setdefault(team, []).append(item_id)
        return [(dict(self.estate.items[t]), sorted(owns[t])) for t in sorted(owns)]

    # -- cost allocation (db/analysis_inputs.py) --------------------------------------------------------------
    async def cost_inputs(self) -> Mapping[str, Any]:
        """cost/nodes, cost/dependencies, cost/consumers: the same columns."""
        estate = self.estate
        live = [
            p
            for _, p in sorted(estate.items.items())
            if Kind(p["itemKind"]) in DEPENDABLE and p.get("status") != "RETIRED"
        ]
        units = [p for _, p in sorted(estate.items.items()) if p["itemKind"] == Kind.BUSINESS_UNIT.value]
        deps = [(s, t, p) for r, s, t, p in estate.relationships() if r == Rel.DEPENDS_ON.value]
        members = [
            (s, t)
            for r, s, t, _ in estate.relationships()
            if r == Rel.HAS_MEMBER.value and self._kind_is(s, Kind.REDUNDANCY_GROUP)
        ]
        consumed = [
            (s, t, p)
            for r, s, t, p in estate.relationships()
            if r == Rel.CONSUMES.value and self._kind_is(s, Kind.BUSINESS_UNIT) and self._kind_is(t, Kind.SERVICE)
        ]
        return {
            "ids": [p["id"] for p in live],
            "kinds": [p.get("itemKind") or "" for p in live],
            "costs": [p.get("monthlyCost") if p.get("monthlyCost") is not None else 0 for p in live],
            "names": [p.get("name") or p["id"] for p in live],
            "dep_sources": [t for _, t, _ in deps],
            "dep_targets": [s for s, _, _ in deps],
            "dep_weights": [p.get("weight") if p.get("weight") is not None else 1.0 for _, _, p in deps],
            "member_ids": [m for _, m in members],
            "group_ids": [g for g, _ in members],
            "consumed_ids": [t for _, t, _ in consumed],
            "consumer_ids": [s for s, _, _ in consumed],
            "shares": [p.get("share") if p.get("share") is not None else 1.0 for _, _, p in consumed],
            "unit_ids": [u["id"] for u in units],
            "unit_names": [u.get("name") or u["id"] for u in units],
        }

    # -- incidents, problems, SLAs and changes carried out (db/incidents.py) -----------------------------------
    def _of_kind(self, kind: Kind) -> list[Props]:
        return [p for _, p in sorted(self.estate.items.items()) if p["itemKind"] == kind.value]

    def _targets(self, item_id: str, rel: Rel) -> list[str]:
        ends = self.estate.outgoing(item_id, rel)
        return [t for t, _ in sorted(ends, key=_listing_order)]

    def _incidents(self, keep: Callable[[Props], bool]) -> list[IncidentRecord]:
        found = [
            incident_record({"props": dict(p), "affects": self._targets(p["id"], Rel.AFFECTS)})
            for p in self._of_kind(Kind.INCIDENT)
            if p.get("openedAt") is not None and keep(p)
        ]
        return sorted(found, key=lambda i: (i.opened_at, i.id))

    async def incidents_opened_between(self, start: datetime, end: datetime) -> list[IncidentRecord]:
        """incidents/opened_between"""
        return self._incidents(lambda p: start <= p["openedAt"] < end)

    async def incidents_open_during(self, start: datetime, end: datetime) -> list[IncidentRecord]:
        """incidents/open_during"""
        return self._incidents(
            lambda p: p["openedAt"] < end and (p.get("resolvedAt") is None or p["resolvedAt"] > start)
        )

    async def open_problems(self) -> list[ProblemRecord]:
        """incidents/open_problems"""
        return [
            problem_record({"props": dict(p), "causedBy": self._targets(p["id"], Rel.CAUSED_BY)})
            for p in self._of_kind(Kind.PROBLEM)
            if p.get("status") in ("OPEN", "KNOWN_ERROR")
        ]

    async def slas(self) -> list[tuple[Props, Props | None, Props | None]]:
        """incidents/slas: (SLA, its service, its business unit), by SLA id."""

        def first(item_id: str, rel: Rel, kind: Kind) -> Props | None:
            found = [t for t in self._targets(item_id, rel) if self._kind_is(t, kind)]
            return dict(self.estate.items[found[0]]) if found else None

        return [
            (dict(a), first(a["id"], Rel.COVERS, Kind.SERVICE), first(a["id"], Rel.AGREED_WITH, Kind.BUSINESS_UNIT))
            for a in self._of_kind(Kind.SLA)
        ]

    async def changes_done_between(self, start: datetime, end: datetime) -> list[ChangeRecord]:
        """changes/done_between: IMPLEMENTED or FAILED with implementedAt (else plannedEnd) in [start, end]."""
        found = []
        for p in self._of_kind(Kind.CHANGE):
            when = p.get("implementedAt") if p.get("implementedAt") is not None else p.get("plannedEnd")
            if p.get("status") not in ("IMPLEMENTED", "FAILED") or when is None or not start <= when <= end:
                continue
            found.append(change_record(self._change_row(p)))
        return found

    def _change_row(self, change: Props) -> dict[str, Any]:
        """A change as changes/by_ids.cypher reads it: props, modifies [[i, id]], its release's id."""
        modifies = [[props.get("i"), x] for x, props in self.estate.outgoing(change["id"], Rel.MODIFIES)]
        releases = [r for r in self._targets(change["id"], Rel.PART_OF) if self._kind_is(r, Kind.RELEASE)]
        return {"props": dict(change), "modifies": modifies, "release": releases[0] if releases else None}

    # -- changes, releases and the history of items (db/changes.py) --------------------------------------------
    def _changes(self, keep: Callable[[Props], bool]) -> list[ChangeRecord]:
        return [change_record(self._change_row(p)) for p in self._of_kind(Kind.CHANGE) if keep(p)]

    async def changes_by_ids(self, ids: Sequence[str]) -> dict[str, ChangeRecord]:
        """changes/by_ids"""
        return {i: change_record(self._change_row(self.estate.items[i])) for i in ids if self._kind_is(i, Kind.CHANGE)}

    async def changes_overlapping(
        self, start: datetime, end: datetime, statuses: Iterable[ChangeStatus]
    ) -> list[ChangeRecord]:
        """changes/overlapping: in `statuses`, with a planned window overlapping [start, end), by id."""
        wanted = {s.value for s in statuses}
        return self._changes(
            lambda p: (
                p.get("status") in wanted
                and _before(p.get("plannedStart"), end)
                and _before(start, p.get("plannedEnd"))
            )
        )

    async def changes_starting(
        self, start: datetime, end: datetime, statuses: Iterable[ChangeStatus]
    ) -> list[ChangeRecord]:
        """changes/starting: in `statuses`, planned to start in [start, end), by planned start, then id."""
        wanted = {s.value for s in statuses}
        found = self._changes(
            lambda p: (
                p.get("status") in wanted
                and not _before(p.get("plannedStart"), start)
                and _before(p.get("plannedStart"), end)
            )
        )
        return sorted(found, key=lambda c: c.planned_start or start)  # stable: by id within one start

    async def release_changes(self, release_id: str) -> list[str] | None:
        """changes/of_release: the ids of a release's changes, in id order; None if there is no such release."""
        if not self._kind_is(release_id, Kind.RELEASE):
            return None
        return sorted(c for c, _ in self.estate.incoming(release_id, Rel.PART_OF) if self._kind_is(c, Kind.CHANGE))

    async def history(
        self,
        ids: Sequence[str],
        *,
        incidents_since: datetime | None,
        changes_since: datetime | None,
        until: datetime | None,
    ) -> History:
        """changes/history: incidents on, and FAILED changes to, any of `ids` in the periods (each id once, sorted)."""
        estate, items = self.estate, self.estate.items
        incidents: set[str] = set()
        failed: set[str] = set()
        for x in ids:
            if x not in items:
                continue
            incidents.update(
                i
                for i, _ in estate.incoming(x, Rel.AFFECTS)
                if self._kind_is(i, Kind.INCIDENT) and _within(items[i].get("openedAt"), incidents_since, until)
            )
            for c, _ in estate.incoming(x, Rel.MODIFIES):
                p = items[c]
                when = p.get("implementedAt") if p.get("implementedAt") is not None else p.get("plannedEnd")
                if (
                    self._kind_is(c, Kind.CHANGE)
                    and p.get("status") == "FAILED"
                    and _within(when, changes_since, until)
                ):
                    failed.add(c)
        return History(tuple(sorted(incidents)), tuple(sorted(failed)))

    # -- capacity and requirements (db/analysis_inputs.py) -----------------------------------------------------
    async def hot_cis(self, threshold: float) -> list[Props]:
        """graph/hot_cis: live CIs above the threshold, hottest first."""
        hot = [
            dict(p)
            for p in self._of_kind(Kind.CONFIGURATION_ITEM)
            if p.get("utilization") is not None and p["utilization"] > threshold and p.get("status") != "RETIRED"
        ]
        return sorted(hot, key=lambda p: (-p["utilization"], p["id"]))

    async def requirement_facts(self) -> tuple[dict[str, RequirementFacts], dict[str, list[str]]]:
        """graph/requirements"""
        estate = self.estate
        records = []
        for r in self._of_kind(Kind.REQUIREMENT):
            rid = r["id"]
            metrics = [
                [m, estate.items[m].get("target"), estate.items[m].get("comparator"), estate.items[m].get("current")]
                for m, _ in estate.incoming(rid, Rel.MEASURES)
                if self._kind_is(m, Kind.METRIC)
            ]
            services = [
                [s, estate.items[s].get("status") or "ACTIVE"]
                for s, _ in estate.incoming(rid, Rel.SATISFIES)
                if self._kind_is(s, Kind.SERVICE)
            ]
            children = [c for c, _ in estate.incoming(rid, Rel.REFINES) if self._kind_is(c, Kind.REQUIREMENT)]
            records.append({"props": dict(r), "metrics": metrics, "services": services, "children": children})
        return requirement_facts_of(records)

    # -- policies and CMDB health (db/changes.py, db/analysis_inputs.py) ----------------------------------------
    def _live(self, props: Props) -> bool:
        return props.get("status") != "RETIRED"

    async def policies(self, rule_types: Iterable[str]) -> list[PolicyRule]:
        """policies/with_rules: policies with a rule of one of `rule_types`, by id."""
        wanted = set(rule_types)
        return [
            policy_rule({"props": dict(p), "governs": [x for x, _ in self.estate.outgoing(p["id"], Rel.GOVERNS)]})
            for p in self._of_kind(Kind.POLICY)
            if p.get("ruleType") in wanted
        ]

    async def policy_subjects(self) -> Mapping[str, Any]:
        """policies/subjects: live services and CIs with the facts rules check, and the pending changes."""
        estate = self.estate
        items = [
            [
                p["id"],
                p["itemKind"],
                p.get("name") or p["id"],
                p.get("criticality"),
                p.get("utilization"),
                p.get("rtoMinutes"),
                p.get("rpoMinutes"),
                any(self._kind_is(t, Kind.TEAM) for t, _ in estate.outgoing(p["id"], Rel.OWNED_BY)),
            ]
            for _, p in sorted(estate.items.items())
            if p["itemKind"] in (Kind.SERVICE.value, Kind.CONFIGURATION_ITEM.value) and self._live(p)
        ]
        changes = [
            self._change_row(c)
            for c in self._of_kind(Kind.CHANGE)
            if c.get("status") in ("DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED")
            and c.get("plannedStart") is not None
            and c.get("plannedEnd") is not None
        ]
        return {"items": items, "changes": changes}

    async def health_facts(
        self,
    ) -> tuple[list[HealthService], list[CiFacts], list[GroupFacts], list[tuple[str, str]]]:
        """health/facts"""
        estate, items = self.estate, self.estate.items

        def has(item_id: str, rel: Rel, kind: Kind) -> bool:
            return any(self._kind_is(t, kind) for t, _ in estate.outgoing(item_id, rel))

        def live(item_id: str) -> bool:
            return item_id in items and self._live(items[item_id])

        services = [
            [s["id"], has(s["id"], Rel.OWNED_BY, Kind.TEAM), s.get("criticality") is not None,
             s.get("rtoMinutes") is not None]
            for s in self._of_kind(Kind.SERVICE)
            if self._live(s)
        ]  # fmt: skip
        cis = []
        for c in self._of_kind(Kind.CONFIGURATION_ITEM):
            if not self._live(c):
                continue
            i = c["id"]
            linked = (
                any(live(x) for x, _ in estate.outgoing(i, Rel.DEPENDS_ON))
                or any(live(x) for x, _ in estate.incoming(i, Rel.DEPENDS_ON))
                or any(self._kind_is(g, Kind.REDUNDANCY_GROUP) for g, _ in estate.incoming(i, Rel.HAS_MEMBER))
            )
            located = has(i, Rel.LOCATED_AT, Kind.SITE)
            cis.append([i, has(i, Rel.OWNED_BY, Kind.TEAM), located, c.get("monthlyCost") is not None, linked])
        groups = [
            [g["id"], g.get("minHealthy"), len({m for m, _ in estate.outgoing(g["id"], Rel.HAS_MEMBER) if live(m)})]
            for g in self._of_kind(Kind.REDUNDANCY_GROUP)
        ]
        retired = [
            [a, b]
            for rel, a, b, _ in estate.relationships()
            if rel == Rel.DEPENDS_ON.value and items[b].get("status") == "RETIRED" and self._live(items[a])
        ]
        return health_facts_of({"services": services, "cis": cis, "groups": groups, "retired": retired})
