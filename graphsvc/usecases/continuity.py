"""Continuity of a service, its availability over a period, and incident correlation: the whole dependency graph
(from the server's copy when current, else read from Neo4j) and the records each needs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphsvc.analysis.availability import Availability, availability
from graphsvc.analysis.continuity import Continuity, closure, continuity
from graphsvc.analysis.correlation import EVIDENCE_DAYS, Cluster, correlate, evidence
from graphsvc.domain.changes import ChangeRecord
from graphsvc.domain.facts import Props, SlaFacts
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.incidents import ProblemRecord
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument, NotFound
from graphsvc.usecases import sources
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph
from graphsvc.usecases.sources import Source

__all__ = [
    "AvailabilityReport",
    "ContinuityReport",
    "CorrelatedCluster",
    "availability_of",
    "continuity_of",
    "continuity_reports",
    "correlation",
    "estate_continuity",
    "sla_report",
]

MAX_WINDOW_MINUTES = 7 * 24 * 60


async def _service(repo: Source, service_id: str) -> Props:
    props = (await repo.by_ids([service_id]))[0]
    if props is None:
        raise NotFound(f"serviceId: unknown id {service_id!r}")
    if props["itemKind"] != Kind.SERVICE.value:
        raise NotFound(f"serviceId: {service_id!r} is a {props['itemKind']}, not a SERVICE")
    return props


@dataclass(frozen=True)
class ContinuityReport:
    service: Props
    result: Continuity
    items: dict[str, Props]  # stored properties of the service and its closure


def _report(graph: DependencyGraph, service: Props, props: dict[str, Props]) -> ContinuityReport:
    """Continuity of one service, given the stored properties of (at least) it and its closure."""
    service_id = service["id"]
    if service_id not in graph.nodes:  # RETIRED: absent from every analysis
        empty = Continuity(service_id, frozenset(), (), (), (), (), (), ((service_id,),))
        return ContinuityReport(service, empty, {service_id: service})
    mine = {i: props[i] for i in closure(graph, service_id) | {service_id} if i in props}
    rto = {i: p.get("rtoMinutes") for i, p in mine.items()}
    rpo = {i: p.get("rpoMinutes") for i, p in mine.items()}
    return ContinuityReport(service, continuity(graph, service_id, rto, rpo), mine)


async def _props(repo: Source, ids: set[str]) -> dict[str, Props]:
    return {p["id"]: p for p in await repo.by_ids(sorted(ids)) if p is not None}


async def continuity_of(repo: Source, service_id: str, cache: GraphCache | None = None) -> ContinuityReport:
    service = await _service(repo, service_id)
    graph = await whole_graph(repo, cache)
    reach = await asyncio.to_thread(closure, graph, service_id) if service_id in graph.nodes else set()
    props = await _props(repo, reach) | {service_id: service}
    return await asyncio.to_thread(_report, graph, service, props)


ESTATE_SERVICES = 200


async def estate_continuity(
    repo: Source, cache: GraphCache | None = None, limit: int = ESTATE_SERVICES
) -> tuple[list[ContinuityReport], int]:
    """Continuity of the live services, most critical first (then by id), at most `limit`; and how many there are."""
    graph = await whole_graph(repo, cache)
    services = sorted(graph.of_kind(Kind.SERVICE), key=lambda n: (n.criticality or 4, n.id))
    shown = services[:limit]

    def reaches() -> set[str]:
        wanted = {s.id for s in shown}
        for s in shown:
            wanted |= closure(graph, s.id)
        return wanted

    props = await _props(repo, await asyncio.to_thread(reaches))  # one read for every service and its dependencies
    reports = await asyncio.to_thread(lambda: [_report(graph, props[s.id], props) for s in shown])
    return reports, len(services)


@dataclass(frozen=True)
class AvailabilityReport:
    service: Props
    result: Availability
    slas: list[SlaFacts]


def _period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidArgument(f"to ({end.isoformat()}) must be after from ({start.isoformat()})")


async def availability_of(
    repo: Source, service_id: str, start: datetime, end: datetime, cache: GraphCache | None = None
) -> AvailabilityReport:
    _period(start, end)
    service = await _service(repo, service_id)
    graph = await whole_graph(repo, cache)
    incidents = await sources.incidents_open_during(repo, start, end)
    result = availability(graph, service_id, incidents, start, end, datetime.now(UTC))
    facts = (await sources.service_facts(repo, [service_id])).get(service_id)
    return AvailabilityReport(service, result, sorted(facts.slas, key=lambda s: s.sla["id"]) if facts else [])


@dataclass(frozen=True)
class SlaFigure:
    sla: Props
    service: Props | None
    unit: Props | None
    result: Availability | None  # None when the SLA covers no service (or a RETIRED one)
    target: float | None
    breached: bool | None

    @property
    def margin(self) -> float:
        if self.result is None or self.target is None:
            return float("inf")
        return self.result.percent - self.target


async def sla_report(repo: Source, start: datetime, end: datetime, cache: GraphCache | None = None) -> list[SlaFigure]:
    """Every SLA against its service's availability over [start, end): breaches first, then the thinnest margin."""
    _period(start, end)
    graph = await whole_graph(repo, cache)
    incidents = await sources.incidents_open_during(repo, start, end)
    now = datetime.now(UTC)
    measured: dict[str, Availability] = {}
    figures = []
    for sla, service, unit in await sources.slas(repo):
        result = None
        if service is not None and service["id"] in graph.nodes:
            if service["id"] not in measured:
                measured[service["id"]] = availability(graph, service["id"], incidents, start, end, now)
            result = measured[service["id"]]
        target = sla.get("availabilityTarget")
        breached = None if result is None or target is None else result.percent < target
        figures.append(SlaFigure(sla, service, unit, result, target, breached))
    return sorted(figures, key=lambda f: (f.breached is not True, f.margin, f.sla["id"]))


@dataclass(frozen=True)
class CorrelatedCluster:
    cluster: Cluster
    root: Props
    changes: list[ChangeRecord]
    problem: ProblemRecord | None


async def correlation(
    repo: Source,
    since: datetime,
    until: datetime,
    window_minutes: int = 60,
    min_incidents: int = 2,
    cache: GraphCache | None = None,
) -> list[CorrelatedCluster]:
    _period(since, until)
    if not 1 <= window_minutes <= MAX_WINDOW_MINUTES:
        raise InvalidArgument(f"windowMinutes must be between 1 and {MAX_WINDOW_MINUTES}, got {window_minutes}")
    if min_incidents < 1:
        raise InvalidArgument(f"minIncidents must be at least 1, got {min_incidents}")
    graph = await whole_graph(repo, cache)
    incidents = await sources.incidents_opened_between(repo, since, until)
    clusters = await asyncio.to_thread(correlate, graph, incidents, window_minutes, min_incidents)
    if not clusters:
        return []
    changes = await sources.changes_done_between(repo, since - timedelta(days=EVIDENCE_DAYS), until)
    problems = await sources.open_problems(repo)
    roots = {p["id"]: p for p in await repo.by_ids([c.root for c in clusters]) if p is not None}
    found = []
    for cluster in clusters:
        recent, problem = evidence(graph, cluster, changes, problems)
        found.append(CorrelatedCluster(cluster, roots[cluster.root], recent, problem))
    return found


async def continuity_reports(
    repo: Source, service: str | None, cache: GraphCache | None
) -> tuple[list[ContinuityReport], int]:
    """One service's continuity, or the estate's (most critical first)."""
    if service:
        return [await continuity_of(repo, service, cache)], 1
    return await estate_continuity(repo, cache)
