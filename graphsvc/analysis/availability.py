"""Availability of a service over a period (SEMANTICS.md, "Availability of a service S over [from, to)").

At each moment the origin is the union of what every open incident affects, so two incidents on two members of a
cluster can take it down together. The period is cut at every incident's start and end; each piece is judged by
the impact of the incidents open in it (memoised by origin set, since the same sets recur).
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

__all__ = ["Availability", "availability"]


@dataclass(frozen=True)
class Availability:
    outage_minutes: float
    degraded_minutes: float
    percent: float
    incidents: tuple[str, ...]  # the incidents that made S DOWN or DEGRADED at some moment


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
            spans.append((a, b, i.id, relevant))
    cuts = sorted({start, end, *(a for a, _, _, _ in spans), *(b for _, b, _, _ in spans)})
    memo: dict[frozenset[str], Status] = {}
    out = degraded = 0.0
    involved: set[str] = set()
    for a, b in itertools.pairwise(cuts):
        open_now = [s for s in spans if s[0] <= a and b <= s[1]]
        origin = frozenset(x for s in open_now for x in s[3])
        if not origin:
            continue
        if origin not in memo:
            memo[origin] = compute_impact(sub, origin).status.get(service, Status.OK)
        status = memo[origin]
        minutes = (b - a).total_seconds() / 60
        if status is Status.DOWN:
            out += minutes
        elif status is Status.DEGRADED:
            degraded += minutes
        if status is not Status.OK:
            involved.update(s[2] for s in open_now)
    length = (end - start).total_seconds() / 60
    return Availability(out, degraded, 100.0 * (1 - out / length), tuple(sorted(involved)))
