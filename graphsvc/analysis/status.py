"""Service status now: the service desk's board (SEMANTICS.md, "Service status now").

At the moment asked, the origin is what every open OUTAGE incident affects and the degraded origin what every open
DEGRADATION incident affects (as in "Availability"); one impact of the two gives each service's status. Each service
DOWN or DEGRADED is listed with the open incidents that reach it (an affected item is the service itself or in its
closure) and `since`, the earliest opening among them.

Which incidents reach which service is one upward pass from every affected item at once, carrying a bit per incident
(an int as a bit set): a node's set only grows, so each node is queued again only when it gains a bit, at most once
per incident. Fifty open incidents over a 100,000-CI estate cost one pass over what they reach, not fifty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.graph import DependencyGraph, Status
from graphsvc.domain.incidents import IncidentRecord
from graphsvc.domain.vocabulary import Kind

__all__ = ["ServiceState", "open_at", "service_status"]


@dataclass(frozen=True)
class ServiceState:
    service: str
    status: Status  # DOWN or DEGRADED
    since: datetime  # the earliest openedAt among `incidents`
    incidents: tuple[str, ...]  # the open incidents that reach it, earliest opened first (then id)


def open_at(incidents: Sequence[IncidentRecord], now: datetime) -> list[IncidentRecord]:
    """The incidents open at `now`: opened at or before it and not resolved by then."""
    return [i for i in incidents if i.opened_at <= now and (i.resolved_at is None or i.resolved_at > now)]


def service_status(graph: DependencyGraph, incidents: Sequence[IncidentRecord], now: datetime) -> list[ServiceState]:
    """Every service DOWN or DEGRADED at `now`: DOWN first, then DEGRADED; within each the most critical first
    (criticality 1 before 4, none last), then the longest affected (earliest `since`), then id."""
    live = sorted(open_at(incidents, now), key=lambda i: (i.opened_at, i.id))
    origin = {x for i in live if i.outage for x in i.affects}
    degraded = {x for i in live if not i.outage for x in i.affects}
    impact = compute_impact(graph, origin, degraded)
    hit = [(s, status) for s, status, _ in impact.of_kind(Kind.SERVICE) if status is not Status.OK]
    if not hit:
        return []
    reach = _reaching(graph, live)
    states = []
    for service, status in hit:
        mask = reach.get(service, 0)
        reaching = []
        while mask:  # the set bits only, lowest (earliest opened) first
            low = mask & -mask
            reaching.append(live[low.bit_length() - 1])
            mask ^= low
        if not reaching:  # cannot happen: an impacted node has a path to an origin; kept safe all the same
            continue
        states.append(ServiceState(service, status, reaching[0].opened_at, tuple(i.id for i in reaching)))
    nodes = graph.nodes

    def order(state: ServiceState) -> tuple[int, int, datetime, str]:
        criticality = nodes[state.service].criticality
        return (-state.status, criticality if criticality is not None else 99, state.since, state.service)

    return sorted(states, key=order)


def _reaching(graph: DependencyGraph, live: Sequence[IncidentRecord]) -> dict[str, int]:
    """Node -> the bit set of the incidents (bit k: live[k]) with an affected item the node is or depends on."""
    masks: dict[str, int] = {}
    queue: deque[str] = deque()
    for bit, incident in enumerate(live):
        for item in incident.affects:
            if item in graph.nodes:
                masks[item] = masks.get(item, 0) | 1 << bit
                queue.append(item)
    into = graph.into
    while queue:
        node = queue.popleft()
        mask = masks[node]
        for edge in into.get(node, ()):
            before = masks.get(edge.source, 0)
            if before | mask != before:
                masks[edge.source] = before | mask
                queue.append(edge.source)
    return masks
