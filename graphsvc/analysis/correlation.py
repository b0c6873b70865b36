"""Incident-to-problem correlation (SEMANTICS.md): clusters of incidents explained by one common dependency.

K(i) is what incident i affects and everything reachable from it; dist(i, c) the fewest edges from an affected
node to c. Greedily, the (candidate c, start t) whose window [t, t + W] covers the most unclustered incidents with
c in K(i) becomes a cluster (ties: the smallest summed distance, the nearest common dependency; then the smallest
id; then the earliest t), until the best cover has fewer than `min_incidents`.
"""

from __future__ import annotations

import bisect
import heapq
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from graphsvc.domain.changes import ChangeRecord, ChangeStatus
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.incidents import IncidentRecord, ProblemRecord
from graphsvc.domain.vocabulary import Kind

__all__ = ["Cluster", "cluster_incidents", "correlate", "evidence", "reach_distances"]

EVIDENCE_DAYS = 7


@dataclass(frozen=True)
class Cluster:
    root: str
    incidents: tuple[IncidentRecord, ...]  # by openedAt, then id
    window_start: datetime
    window_end: datetime
    distance: int  # the summed distances from the incidents' affected items to the root


def reach_distances(graph: DependencyGraph, sources: Sequence[str]) -> dict[str, int]:
    """dist from the nearest of `sources` to every node reachable from them (along edges), sources at 0."""
    dist = {s: 0 for s in sources if s in graph.nodes}
    queue = deque(dist)
    while queue:
        node = queue.popleft()
        for edge in graph.out.get(node, ()):
            if edge.target not in dist:
                dist[edge.target] = dist[node] + 1
                queue.append(edge.target)
    return dist


def correlate(
    graph: DependencyGraph, incidents: Sequence[IncidentRecord], window_minutes: int = 60, min_incidents: int = 2
) -> list[Cluster]:
    """The clusters, in the order they were found (largest cover first)."""
    distances = {i.id: reach_distances(graph, i.affects) for i in incidents}
    kinds = {n: graph.kind_of(n) for reached in distances.values() for n in reached}
    return cluster_incidents(incidents, distances, kinds, window_minutes, min_incidents)


def cluster_incidents(
    incidents: Sequence[IncidentRecord],
    distances: dict[str, dict[str, int]],
    kinds: dict[str, Kind],
    window_minutes: int = 60,
    min_incidents: int = 2,
) -> list[Cluster]:
    """The greedy clustering, given each incident's distances to everything it reaches (K(i) and dist)."""
    window = timedelta(minutes=window_minutes)
    by_id = {i.id: i for i in incidents}
    candidates = (Kind.CONFIGURATION_ITEM, Kind.SERVICE)
    entries: dict[str, list[tuple[datetime, str, int]]] = {}  # candidate -> (openedAt, incident, dist), by time
    for i in incidents:
        for node, d in distances[i.id].items():
            if kinds[node] in candidates:
                entries.setdefault(node, []).append((i.opened_at, i.id, d))
    for listed in entries.values():
        listed.sort()
    unclustered = set(by_id)
    times = sorted(i.opened_at for i in incidents)  # the unclustered incidents' times (a multiset, sorted)

    def best_for(c: str) -> tuple[tuple[int, int, str, datetime], list[str]] | None:
        """c's best window now: the largest cover, then the smallest summed distance, then the earliest t."""
        live = [e for e in entries[c] if e[1] in unclustered]
        if not live:
            return None
        opened = [e[0] for e in live]
        prefix = [0]
        for e in live:
            prefix.append(prefix[-1] + e[2])
        # The cover changes only as t passes an entry's time (that entry leaves) or an entry's time - W (it comes
        # in): the earliest incident time at or after each such point is the earliest t of each distinct cover.
        starts = set()
        for when in opened:
            for k in (bisect.bisect_left(times, when - window), bisect.bisect_right(times, when)):
                if k < len(times) and times[k] <= opened[-1]:
                    starts.add(times[k])
        best: tuple[tuple[int, int, str, datetime], list[str]] | None = None
        for t in sorted(starts):
            lo, hi = bisect.bisect_left(opened, t), bisect.bisect_right(opened, t + window)
            if hi > lo:
                key = (-(hi - lo), prefix[hi] - prefix[lo], c, t)
                if best is None or key < best[0]:
                    best = (key, [e[1] for e in live[lo:hi]])
        return best

    # Removing incidents can only make a candidate's best key worse (a smaller cover; for an equal cover, the same
    # one), so keys computed earlier are optimistic: a popped key that is still current is the true best.
    heap = [(best[0], c) for c in entries if (best := best_for(c)) is not None]
    heapq.heapify(heap)
    clusters: list[Cluster] = []
    while heap:
        key, c = heapq.heappop(heap)
        now = best_for(c)
        if now is None:
            continue
        if now[0] != key:
            heapq.heappush(heap, (now[0], c))
            continue
        if -key[0] < min_incidents:
            break
        members = sorted((by_id[i] for i in now[1]), key=lambda i: (i.opened_at, i.id))
        clusters.append(Cluster(c, tuple(members), members[0].opened_at, members[-1].opened_at, key[1]))
        for i in members:
            unclustered.discard(i.id)
            del times[bisect.bisect_left(times, i.opened_at)]
        heapq.heappush(heap, (key, c))  # c may still explain other incidents; it is recomputed when popped
    return clusters


def evidence(
    graph: DependencyGraph,
    cluster: Cluster,
    changes: Sequence[ChangeRecord],
    problems: Sequence[ProblemRecord],
) -> tuple[list[ChangeRecord], ProblemRecord | None]:
    """Changes implemented (or failed) on the root or below it within the 7 days before the window or inside it;
    the OPEN or KNOWN_ERROR problem (smallest id) already blamed on the root."""
    below = set(reach_distances(graph, [cluster.root]))
    since = cluster.window_start - timedelta(days=EVIDENCE_DAYS)
    recent = []
    for ch in changes:
        done = ch.implemented_at or ch.planned_end
        if ch.status not in (ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED) or done is None:
            continue
        if since <= done <= cluster.window_end and below.intersection(ch.modifies):
            recent.append(ch)
    blamed = [p for p in problems if p.status in ("OPEN", "KNOWN_ERROR") and cluster.root in p.caused_by]
    return sorted(recent, key=lambda ch: ch.id), min(blamed, key=lambda p: p.id, default=None)
