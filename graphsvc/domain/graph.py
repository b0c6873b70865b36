"""The dependency graph the analyses run on: services, CIs and redundancy groups with their edges.

A `DependencyGraph` may be a part of the CMDB: the loader (`graphsvc.db.graph`) fetches the nodes that can reach
an origin set, each with all of its outgoing edges, and for each group the number of its members that are not
RETIRED. That is everything the impact of that origin set depends on: a node outside the part cannot reach the
origin, so it stays OK.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

from graphsvc.domain.vocabulary import Kind

if TYPE_CHECKING:
    from graphsvc.domain.packed import PackedGraph

__all__ = ["DependencyGraph", "Edge", "Node", "Status"]


class Status(IntEnum):
    """Impact status, ordered so that `max` is "worse"."""

    OK = 0
    DEGRADED = 1
    DOWN = 2


@dataclass(frozen=True, slots=True)  # slots: a 1M-CI estate holds a million of these and two million edges
class Node:
    """A service, CI or redundancy group, with the fields the analyses read."""

    id: str
    kind: Kind
    name: str
    status: str | None = None  # the item's lifecycle status (ACTIVE, RETIRED, ...); None for groups
    criticality: int | None = None
    tier: str | None = None  # services: BUSINESS or TECHNICAL
    type: str | None = None  # CIs: APPLICATION, DATABASE, ...
    min_healthy: int | None = None  # groups

    @property
    def retired(self) -> bool:
        return self.status == "RETIRED"


@dataclass(frozen=True, slots=True)
class Edge:
    """`source -> target`: a dependency (HARD or SOFT) or a group's membership edge to a member."""

    source: str
    target: str
    hard: bool = True
    membership: bool = False


def _source(edge: Edge) -> str:
    return edge.source


@dataclass
class DependencyGraph:
    """Nodes, the edges out of them, and the reverse index the traversals need.

    RETIRED nodes are left out as if absent (SEMANTICS.md): they and their edges are dropped on the way in.
    `members_total[g]` is the number of g's members that are not RETIRED, including members outside this graph.
    """

    # dicts when built; a what-if's graph has `Layered` maps over the kept graph's (usecases/estate_reads.rewired)
    nodes: MutableMapping[str, Node] = field(default_factory=dict)
    out: MutableMapping[str, list[Edge]] = field(default_factory=dict)
    into: MutableMapping[str, list[Edge]] = field(default_factory=dict)  # each list in source id order
    members_total: dict[str, int] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)  # RETIRED ids seen on the way in (absent from `nodes`)
    # what analyses derive from the graph once and keep with it (the impact search's arrays)
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(
        cls, nodes: Iterable[Node], edges: Iterable[Edge], members_total: dict[str, int] | None = None
    ) -> DependencyGraph:
        """A graph from nodes and edges; edges touching unknown or RETIRED nodes are dropped.

        Without `members_total` each group's membership is counted from the edges given (the whole graph).
        """
        graph = cls()
        retired = graph.retired
        for node in nodes:
            if node.retired:
                retired.add(node.id)
            else:
                graph.nodes[node.id] = node
        counted: dict[str, int] = {}
        seen: set[tuple[str, str, bool]] = set()
        for edge in edges:
            key = (edge.source, edge.target, edge.membership)
            if edge.source not in graph.nodes or key in seen:
                continue  # a member listed twice is one member
            seen.add(key)
            if edge.membership and edge.target not in retired:
                counted[edge.source] = counted.get(edge.source, 0) + 1
            if edge.target not in graph.nodes:
                continue
            graph.out.setdefault(edge.source, []).append(edge)
            graph.into.setdefault(edge.target, []).append(edge)
        for incoming in graph.into.values():
            incoming.sort(key=_source)  # once here, so a breadth-first search need not sort at every node
        # members outside the graph add to what the edges show, never take from it
        given = members_total if members_total is not None else {}
        graph.members_total = {g: max(n, given.get(g, 0)) for g, n in counted.items()} | {
            g: n for g, n in given.items() if n > counted.get(g, 0)
        }
        return graph

    @classmethod
    def packed(cls, nodes: Iterable[Node], edges: Iterable[Edge]) -> DependencyGraph:
        """The graph `build` makes of a whole estate's nodes and edges, kept as arrays (domain/packed.py): the same
        maps to read, in about half the memory at 1M CIs, read-only (a what-if layers its edits over them)."""
        from graphsvc.domain.packed import pack

        return cls.of_packed(*pack(nodes, edges))

    @classmethod
    def of_packed(cls, arrays: PackedGraph, counted: dict[str, int], retired: set[str]) -> DependencyGraph:
        """The graph over packed arrays (`PackBuilder.finish`'s three parts)."""
        from graphsvc.domain.packed import PackedEdges, PackedNodes

        graph = cls(
            nodes=PackedNodes(arrays),
            out=PackedEdges(arrays, outgoing=True),
            into=PackedEdges(arrays, outgoing=False),
            members_total=counted,
            retired=retired,
        )
        graph.derived["packed"] = arrays
        return graph

    def is_group(self, node_id: str) -> bool:
        return self.kind_of(node_id) is Kind.REDUNDANCY_GROUP

    def kind_of(self, node_id: str) -> Kind:
        """A node's kind (KeyError for no node), without making the node of a packed graph."""
        packed = self.derived.get("packed")  # only on the graph `packed` made: its maps are the packed ones
        return packed.kind_of(node_id) if packed is not None else self.nodes[node_id].kind

    def name_of(self, node_id: str) -> str:
        """A node's name (KeyError for no node), without making the node of a packed graph."""
        packed: PackedGraph | None = self.derived.get("packed")
        return packed.names[packed.index[node_id]] if packed is not None else self.nodes[node_id].name

    def of_kind(self, kind: Kind) -> list[Node]:
        """The nodes of one kind, in the maps' order (a packed graph's: id order), without making the others."""
        packed = self.derived.get("packed")
        if packed is not None:
            return [packed.node(i) for i in packed.numbered(kind)]
        return [n for n in self.nodes.values() if n.kind is kind]

    @cached_property
    def groups(self) -> frozenset[str]:
        """The redundancy groups' ids."""
        packed: PackedGraph | None = self.derived.get("packed")
        if packed is not None:
            return packed.groups()
        return frozenset(g for g, node in self.nodes.items() if node.kind is Kind.REDUNDANCY_GROUP)

    def quorum(self, group_id: str) -> int:
        """k = min(minHealthy, live members) (SEMANTICS.md, "The dependency graph"): a quorum set above the live
        members (members retired, or a stale setting) is capped rather than making the group DOWN whatever fails;
        the CMDB health check reports such a group as UNDER_PROVISIONED_GROUP."""
        return min(self._min_healthy(group_id) or 1, self.members_total.get(group_id, 0))

    def _min_healthy(self, group_id: str) -> int | None:
        packed: PackedGraph | None = self.derived.get("packed")  # a packed graph's column: no node made
        if packed is None:
            return self.nodes[group_id].min_healthy
        return packed.min_healthy_of(packed.index[group_id])

    def under_provisioned(self, group_id: str) -> bool:
        """The group's `minHealthy` exceeds its live members."""
        return (self._min_healthy(group_id) or 1) > self.members_total.get(group_id, 0)
