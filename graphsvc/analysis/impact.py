"""Impact: which nodes an origin set takes DOWN or leaves DEGRADED (SEMANTICS.md, "Impact").

The statuses are the least fixpoint of the rules, computed by a worklist: every node starts OK, the origins DOWN,
and a node is re-evaluated whenever something it depends on gets worse. Statuses only ever rise and each rule is
monotone, so the order of the work does not matter and every node is re-evaluated at most twice per edge: the
answer is the least fixpoint exactly, in O(nodes + edges).

Every node with a path to an origin is impacted: a non-group node with an edge to a non-OK node is at least
DEGRADED, and so is a group with a non-OK member. (A group's own dependency edges carry nothing: a group follows
its rule, which looks at its members only.) So the impacted set is the reverse reachability of the origin along
the edges that carry impact, and `depth`/`path` come from one breadth-first search over it.

A group's quorum is capped at its live members (`DependencyGraph.quorum`), so with nothing failed every node is OK
and an answer holds only what its origin causes. Degraded origins (items that work, but badly) start DEGRADED and
carry DEGRADED to what uses them; the rules may still make one DOWN.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphsvc.analysis.impact_arrays import Found, arrays_of, down_members, search
from graphsvc.domain.graph import DependencyGraph, Edge, Status
from graphsvc.domain.vocabulary import Kind

__all__ = ["ARRAYS_FROM", "ARRAYS_REACH", "Impact", "ReachTooLarge", "compute_impact", "impact_with_arrays"]

# The search runs on arrays in a graph of ARRAYS_FROM nodes or more (below that, building them costs more than the
# loops) when it reaches more than ARRAYS_REACH nodes: each array search has a fixed cost in the size of the graph
# (about 20 ms at 1M nodes), while the loops cost about 10 us per node reached.
ARRAYS_FROM = 20_000
ARRAYS_REACH = 5_000


@dataclass
class Impact:
    """The not-OK nodes of one origin set, with depth and one shortest path each."""

    graph: DependencyGraph
    origin: tuple[str, ...]
    degraded_origin: tuple[str, ...] = ()  # the degraded origins that count (not also in `origin`)
    status: Mapping[str, Status] = field(default_factory=dict)
    depth: Mapping[str, int] = field(default_factory=dict)
    next_hop: Mapping[str, str] = field(default_factory=dict)  # one step along a shortest path to the origin
    down_members: dict[str, set[str]] = field(default_factory=dict)
    every_status: Mapping[str, Status] = field(default_factory=dict)  # every not-OK node
    found: Found | None = None  # the array search's answer, when it was used
    # What is derived from the impact once it is computed, made on first use and kept (exposure.impacted_services)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def of_kind(self, *kinds: Kind) -> list[tuple[str, Status, int]]:
        """The impacted nodes of these kinds, each with its status and depth."""
        if self.found is not None:
            return self.found.of_kind(kinds)
        kind_of, depth = self.graph.kind_of, self.depth
        return [(i, s, depth[i]) for i, s in self.status.items() if kind_of(i) in kinds]

    def count(self, status: Status) -> int:
        """How many impacted nodes have this status."""
        if self.found is not None:
            return self.found.count(status)
        return sum(1 for s in self.status.values() if s is status)

    def ids(self) -> list[str]:
        """Impacted ids, nearest first (depth, then id).

        `depth` was filled breadth-first, so its order is already by depth: only each depth's ids need sorting
        (at 280,000 ids this halves the time of one sort by (depth, id))."""
        if self.found is not None:
            return list(self.found.ordered)
        ordered: list[str] = []
        level: list[str] = []
        current = 0
        for node, d in self.depth.items():
            if node not in self.status:
                continue
            if d != current:
                level.sort()
                ordered += level
                level, current = [], d
            level.append(node)
        level.sort()
        ordered += level
        return ordered

    def path(self, node_id: str) -> list[str]:
        """One shortest path from the node to an origin, as ids."""
        path = [node_id]
        while path[-1] in self.next_hop:
            path.append(self.next_hop[path[-1]])
        return path

    def group_counts(self, group_id: str) -> tuple[int, int, int]:
        """(members up, live members, quorum) of a group."""
        total = self.graph.members_total.get(group_id, 0)
        up = total - len(self.down_members.get(group_id, ()))
        return up, total, self.graph.quorum(group_id)

    def _describe(self, dep: str) -> str:
        if self.graph.is_group(dep):
            up, total, need = self.group_counts(dep)
            return f"{dep}, which has {up} of {total} members up and needs {need}"
        return f"{dep}, which is {self.every_status[dep].name}"

    def _cause(self, node_id: str, group: bool) -> Edge | None:
        """The edge that justifies the status of the node (a group, or not); the nearest such dependency, then the
        smallest id."""
        mine = self.status[node_id]
        causes = []
        every_status = self.every_status
        for edge in self.graph.out.get(node_id, ()):
            dep = every_status.get(edge.target, Status.OK)
            if dep is Status.OK or (group and not edge.membership):
                continue
            gives = Status.DOWN if dep is Status.DOWN and edge.hard else Status.DEGRADED
            if edge.membership or gives is mine:
                causes.append(edge)
        if len(causes) < 2:
            return causes[0] if causes else None
        return min(causes, key=lambda e: (self.depth.get(e.target, len(self.graph.nodes)), e.target))

    def explanation(self, node_id: str) -> str:
        """Why the node has its status, in words: "DOWN: needs RG-DB, which has 1 of 3 members up and needs 2"."""
        status = self.status[node_id]
        if node_id in self.origin:
            return f"{status.name}: in the origin set"
        if status is Status.DEGRADED and node_id in self.degraded_origin:
            return "DEGRADED: in the degraded origin set"
        if self.graph.is_group(node_id):
            up, total, need = self.group_counts(node_id)
            if status is Status.DOWN:
                return f"DOWN: {up} of {total} members up, needs {need}"
            cause = self._cause(node_id, True)
            worst = f"; {self._describe(cause.target).replace(', which is', ' is')}" if cause else ""
            return f"DEGRADED: {up} of {total} members up (needs {need}){worst}"
        cause = self._cause(node_id, False)
        if cause is None:  # cannot happen for a fixpoint; kept so a bug reads as a message, not a crash
            return status.name
        verb = "needs" if cause.hard else "uses (SOFT)"
        return f"{status.name}: {verb} {self._describe(cause.target)}"


class ReachTooLarge(Exception):
    """compute_impact's search found more nodes than its caller's `most`: it stopped, having computed nothing."""


def compute_impact(
    graph: DependencyGraph, origin: Iterable[str], degraded: Iterable[str] = (), most: int | None = None
) -> Impact:
    """The impact of an origin set and a set of degraded origins; ids that are not (or no longer: RETIRED) in the
    graph are ignored, and so is a degraded origin that is also an origin (DOWN wins).

    With `most`, it raises ReachTooLarge, having computed nothing, as soon as the search could reach more than `most`
    nodes (the nodes found, and the edges into the next one to walk): a caller on the event loop answers a small
    impact at once and hands a large one to a thread.

    A large graph's search moves to arrays (`impact_with_arrays`, the same answers) once its breadth-first search
    has found more than ARRAYS_REACH nodes.

    Both loops run once per edge reached (a hub of a 1,000,000-CI estate reaches 280,000 nodes), so they are written
    with local names and no calls per edge."""
    origins = tuple(sorted({o for o in origin if o in graph.nodes}))
    origin_set = set(origins)
    degraded_origins = tuple(sorted({d for d in degraded if d in graph.nodes and d not in origin_set}))
    starts = tuple(sorted((*origins, *degraded_origins)))  # depth 0: both kinds of origin
    large = len(graph.nodes) >= ARRAYS_FROM
    status: dict[str, Status] = {}
    depth: dict[str, int] = {}
    next_hop: dict[str, str] = {}
    result = Impact(
        graph=graph,
        origin=origins,
        degraded_origin=degraded_origins,
        depth=depth,
        next_hop=next_hop,
        every_status=status,
    )
    groups = graph.groups  # a group follows its own rule (its members): a dependency edge out of one carries nothing
    into = graph.into
    no_edges: list[Edge] = []

    # Depth and a shortest path: breadth-first along reversed edges (each `into` list is in source id order).
    queue: deque[str] = deque(starts)
    for o in starts:
        depth[o] = 0
    # With `most`: stopped before a node's edges are walked (or made) if they could take the reach past it, so a hub
    # with 100,000 dependents costs no more than its count.
    count = getattr(into, "count", None) or (lambda key: len(into.get(key, no_edges)))
    if most is not None and len(starts) > most:
        raise ReachTooLarge(f"more than {most} origins")
    walked: dict[str, list[Edge]] = {}  # each node's edges in, made once for both loops
    while queue:
        node = queue.popleft()
        if most is not None and len(depth) + count(node) > most:
            raise ReachTooLarge(f"the search may reach more than {most} nodes")
        below = depth[node] + 1
        edges = walked[node] = into.get(node, no_edges)
        for edge in edges:
            src = edge.source
            if src not in depth and (edge.membership or src not in groups):
                depth[src] = below
                next_hop[src] = node
                queue.append(src)
        if large and len(depth) > ARRAYS_REACH:  # a large reach: the arrays answer it
            return impact_with_arrays(graph, origins, degraded_origins)

    # Statuses: the least fixpoint by worklist.
    down_members, members_total, quorum = result.down_members, graph.members_total, graph.quorum
    for o in origins:
        status[o] = Status.DOWN
    for d in degraded_origins:
        status[d] = Status.DEGRADED
    work: deque[str] = deque(starts)
    DOWN, DEGRADED, OK = Status.DOWN, Status.DEGRADED, Status.OK
    while work:
        node = work.popleft()
        is_down = status[node] is DOWN
        edges_in = walked.get(node)
        for edge in into.get(node, no_edges) if edges_in is None else edges_in:
            src = edge.source
            if src in origin_set:
                continue
            if edge.membership:
                down = down_members.get(src)
                if down is None:
                    down = down_members[src] = set()
                if is_down:
                    down.add(node)
                # the group's rule: DOWN with fewer members up than its quorum (see Impact.group_counts)
                up = members_total.get(src, 0) - len(down)
                after = DOWN if up < quorum(src) else DEGRADED
            elif src in groups:
                continue
            else:
                after = DOWN if is_down and edge.hard else DEGRADED
            if after > status.get(src, OK):
                status[src] = after
                work.append(src)
    result.status = {n: s for n, s in status.items() if n in depth}
    return result


def impact_with_arrays(
    graph: DependencyGraph, origins: tuple[str, ...], degraded_origins: tuple[str, ...] = ()
) -> Impact:
    """`compute_impact` by the array search (graphsvc.analysis.impact_arrays); `origins` and `degraded_origins`
    sorted, disjoint and all in the graph.

    Its mappings read the search's arrays rather than being dicts: at 280,000 impacted nodes, filling dicts took
    longer than the search."""
    arrays = arrays_of(graph)
    origin_set = set(origins)
    result = search(arrays, list(origins), list(degraded_origins))
    found = Found(arrays, result)
    return Impact(
        graph=graph,
        origin=origins,
        degraded_origin=degraded_origins,
        status=found.status,
        depth=found.depth,
        next_hop=found.next_hop,
        down_members=down_members(arrays, result, origin_set),
        every_status=found.every_status,
        found=found,
    )
