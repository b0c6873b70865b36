"""Impact: which nodes an origin set takes DOWN or leaves DEGRADED (SEMANTICS.md, "Impact").

The statuses are the least fixpoint of the rules, computed by a worklist: every node starts OK, the origins DOWN,
and a node is re-evaluated whenever something it depends on gets worse. Statuses only ever rise and each rule is
monotone, so the order of the work does not matter and every node is re-evaluated at most twice per edge: the
answer is the least fixpoint exactly, in O(nodes + edges).

Every node with a path to an origin is impacted: a non-group node with an edge to a non-OK node is at least
DEGRADED, and so is a group with a non-OK member. (A group's own dependency edges carry nothing: a group follows
its rule, which looks at its members only.) So the impacted set is the reverse reachability of the origin along
the edges that carry impact, and `depth`/`path` come from one breadth-first search over it.

A group whose `minHealthy` exceeds its non-RETIRED members ("broken": say two of a quorum-2 cluster were retired)
is DOWN by the rule whatever the origin. It counts as DOWN for everything that needs it, but only nodes the origin
reaches are reported: a pre-existing outage is not something this origin caused.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphsvc.domain.graph import DependencyGraph, Edge, Status

__all__ = ["Impact", "compute_impact"]


@dataclass
class Impact:
    """The not-OK nodes of one origin set, with depth and one shortest path each."""

    graph: DependencyGraph
    origin: tuple[str, ...]
    status: dict[str, Status] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)
    next_hop: dict[str, str] = field(default_factory=dict)  # one step along a shortest path to the origin
    down_members: dict[str, set[str]] = field(default_factory=dict)
    every_status: dict[str, Status] = field(default_factory=dict)  # also broken groups the origin does not reach

    def ids(self) -> list[str]:
        """Impacted ids, nearest first (depth, then id)."""
        return sorted(self.status, key=lambda i: (self.depth[i], i))

    def path(self, node_id: str) -> list[str]:
        """One shortest path from the node to an origin, as ids."""
        path = [node_id]
        while path[-1] in self.next_hop:
            path.append(self.next_hop[path[-1]])
        return path

    def group_counts(self, group_id: str) -> tuple[int, int, int]:
        """(members up, members in all, minHealthy) of a group."""
        total = self.graph.members_total.get(group_id, 0)
        up = total - len(self.down_members.get(group_id, ()))
        return up, total, self.graph.nodes[group_id].min_healthy or 1

    def _describe(self, dep: str) -> str:
        if self.graph.is_group(dep):
            up, total, need = self.group_counts(dep)
            return f"{dep}, which has {up} of {total} members up and needs {need}"
        return f"{dep}, which is {self.every_status[dep].name}"

    def _cause(self, node_id: str) -> Edge | None:
        """The edge that justifies the node's status; the nearest such dependency, then the smallest id."""
        mine = self.status[node_id]
        causes = []
        group = self.graph.is_group(node_id)
        for edge in self.graph.out.get(node_id, ()):
            dep = self.every_status.get(edge.target, Status.OK)
            if dep is Status.OK or (group and not edge.membership):
                continue
            gives = Status.DOWN if dep is Status.DOWN and edge.hard else Status.DEGRADED
            if edge.membership or gives is mine:
                causes.append(edge)
        if not causes:
            return None
        return min(causes, key=lambda e: (self.depth.get(e.target, len(self.graph.nodes)), e.target))

    def explanation(self, node_id: str) -> str:
        """Why the node has its status, in words: "DOWN: needs RG-DB, which has 1 of 3 members up and needs 2"."""
        status = self.status[node_id]
        if node_id in self.origin:
            return f"{status.name}: in the origin set"
        if self.graph.is_group(node_id):
            up, total, need = self.group_counts(node_id)
            if total < need:
                return f"DOWN: only {total} live members, needs {need} (already down before this origin)"
            if status is Status.DOWN:
                return f"DOWN: {up} of {total} members up, needs {need}"
            cause = self._cause(node_id)
            worst = f"; {self._describe(cause.target).replace(', which is', ' is')}" if cause else ""
            return f"DEGRADED: {up} of {total} members up (needs {need}){worst}"
        cause = self._cause(node_id)
        if cause is None:  # cannot happen for a fixpoint; kept so a bug reads as a message, not a crash
            return status.name
        verb = "needs" if cause.hard else "uses (SOFT)"
        return f"{status.name}: {verb} {self._describe(cause.target)}"


def compute_impact(graph: DependencyGraph, origin: Iterable[str]) -> Impact:
    """The impact of an origin set; ids that are not (or no longer: RETIRED) in the graph are ignored."""
    origins = tuple(sorted({o for o in origin if o in graph.nodes}))
    result = Impact(graph=graph, origin=origins)
    status = result.every_status
    origin_set = set(origins)

    # A group follows its own rule (its members), so a dependency edge out of a group carries no impact.
    def carries(edge: Edge) -> bool:
        return edge.membership or not graph.is_group(edge.source)

    # Depth and a shortest path: breadth-first along reversed edges.
    queue: deque[str] = deque(origins)
    for o in origins:
        result.depth[o] = 0
    while queue:
        node = queue.popleft()
        for edge in sorted(graph.into.get(node, ()), key=lambda e: e.source):
            if carries(edge) and edge.source not in result.depth:
                result.depth[edge.source] = result.depth[node] + 1
                result.next_hop[edge.source] = node
                queue.append(edge.source)

    # Statuses: the least fixpoint by worklist.
    broken = [g for g in graph.broken_groups if g not in origin_set]
    for o in (*origins, *broken):
        status[o] = Status.DOWN
    work: deque[str] = deque((*origins, *broken))
    while work:
        node = work.popleft()
        mine = status[node]
        for edge in graph.into.get(node, ()):
            src = edge.source
            if src in origin_set or not carries(edge):
                continue
            before = status.get(src, Status.OK)
            if edge.membership:
                down = result.down_members.setdefault(src, set())
                if mine is Status.DOWN:
                    down.add(node)
                up, _, need = result.group_counts(src)
                after = Status.DOWN if up < need else Status.DEGRADED
            else:
                after = Status.DOWN if mine is Status.DOWN and edge.hard else Status.DEGRADED
            if after > before:
                status[src] = after
                work.append(src)
    result.status = {n: s for n, s in status.items() if n in result.depth}
    return result
