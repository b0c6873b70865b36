"""Availability of a service over a period (SEMANTICS.md, "Availability of a service S over [from, to)").

At each moment the origin is the union of what every open OUTAGE incident affects and the degraded origin the union
of what every open DEGRADATION incident affects, so two incidents on two members of a cluster can take it down
together. The period is cut at every incident's start and end; each piece is judged by the impact of the incidents
open in it (memoised by origin sets, since the same sets recur).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graphsvc.analysis.continuity import closure, restrict
from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.graph import DependencyGraph, Status
from graphsvc.domain.incidents import IncidentRecord

__all__ = ["Availability", "IncidentShare", "availability"]


@dataclass(frozen=True)
class IncidentShare:
    """One incident's part in a service's unavailability: the minutes S was out, and degraded, while it was open.
    Out time counts for the OUTAGE incidents open then (a degradation never takes anything DOWN); degraded time for
    every incident open then. Incidents open together each count the whole of the time they share."""

    incident: str
    effect: str  # OUTAGE or DEGRADATION
    outage_minutes: float
    degraded_minutes: float


@dataclass(frozen=True)
class Availability:
    outage_minutes: float
    degraded_minutes: float
    percent: float
    incidents: tuple[str, ...]  # the incidents that made S DOWN or DEGRADED at some moment
    shares: tuple[IncidentShare, ...] = ()  # those incidents' parts, most outage minutes first


def availability(
    graph: DependencyGraph,
    service: str,
    incidents: Sequence[IncidentRecord],
    start: datetime,
    end: datetime,
    now: datetime,
) -> Availability:
    """Out and degraded minutes of `service` in [start, end) and its availability percent."""
    reach = closure(graph, service) | {service}
    sub = restrict(graph, reach)
    spans = []
    for i in incidents:
        a, b = max(i.opened_at, start), min(i.resolved_at or now, end)
        relevant = tuple(x for x in i.affects if x in reach)
        if a < b and relevant:
            spans.append((a, b, i, relevant))
    cuts = sorted({start, end, *(a for a, _, _, _ in spans), *(b for _, b, _, _ in spans)})
    memo: dict[tuple[frozenset[str], frozenset[str]], Status] = {}
    out = degraded = 0.0
    minutes_of: dict[str, list[float]] = {}  # incident -> [out, degraded]
    for a, b in itertools.pairwise(cuts):
        open_now = [s for s in spans if s[0] <= a and b <= s[1]]
        origin = frozenset(x for s in open_now if s[2].outage for x in s[3])
        worse = frozenset(x for s in open_now if not s[2].outage for x in s[3])
        if not origin and not worse:
            continue
        key = (origin, worse)
        if key not in memo:
            memo[key] = compute_impact(sub, origin, worse).status.get(service, Status.OK)
        status = memo[key]
        if status is Status.OK:
            continue
        minutes = (b - a).total_seconds() / 60
        column = 0 if status is Status.DOWN else 1
        if column == 0:
            out += minutes
        else:
            degraded += minutes
        for s in open_now:
            if column == 1 or s[2].outage:
                minutes_of.setdefault(s[2].id, [0.0, 0.0])[column] += minutes
    effects = {i.id: i.effect for i in incidents}
    shares = tuple(
        sorted(
            (IncidentShare(i, effects[i], o, d) for i, (o, d) in minutes_of.items()),
            key=lambda share: (-share.outage_minutes, -share.degraded_minutes, share.incident),
        )
    )
    length = (end - start).total_seconds() / 60
    return Availability(out, degraded, 100.0 * (1 - out / length), tuple(sorted(minutes_of)), shares)
