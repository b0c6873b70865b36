"""Impact over a large graph in numpy: the same answers as `compute_impact`'s loops, a level at a time.

A hub of a 1,000,000-CI estate reaches 280,000 nodes; a Python loop per edge took 3 s for that. Here the graph is
kept as arrays once (`ImpactArrays`, built when the graph is loaded) and each search runs a few array operations per
breadth-first level:

- Nodes are numbered in id order. For each node, the sources of the edges into it are one sorted slice of a flat
  array (compressed sparse rows), so "each `into` list in source id order" holds as in the loops.
- The breadth-first search takes a whole level at once. Its next level is the not-yet-seen sources of the level's
  edges, in the order they are first met walking the level in queue order: exactly the order in which the
  queue-based search appends them, with the same first finder as `next_hop`.
- The least fixpoint is a threshold propagation. A node is DOWN when enough of its "down-carrying" edges lead to
  DOWN nodes: one HARD dependency for a service or CI, more than `members - quorum` members for a group. Every
  other node the origins or the degraded origins reach along the edges that carry impact is DEGRADED.

A what-if's graph differs from the kept graph in a few nodes (usecases/estate_reads.rewired). Its arrays are the
kept ones patched (`ImpactArrays.patched`): the rows of the nodes near an edit are written again at the end of the
edge arrays and pointed to, every other row is shared, so a what-if at 100,000 CIs costs a few array copies, not a
build (about 0.4 s).

tests/unit/test_impact_arrays.py checks, over random graphs (hypothesis), that every field of the answer is the
loops' answer, with arrays built and with arrays patched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from graphsvc.domain.graph import DependencyGraph, Status
from graphsvc.domain.packed import HARD, KINDS, MEMBERSHIP, PackedGraph, numpy
from graphsvc.domain.vocabulary import Kind

__all__ = ["Found", "ImpactArrays", "NodeMap", "SearchResult", "arrays_of", "down_members", "search"]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
V = TypeVar("V")
STATUSES = (Status.OK, Status.DEGRADED, Status.DOWN)  # by value


def _rows(targets: Ints, sources: Ints, size: int) -> tuple[Ints, Ints, Ints]:
    """Edges as rows by target: the sources into node t are `src[first[t]:last[t]]`, ascending. Built, the rows lie
    end to end (compressed sparse rows); patched, a row written again lies at the end of `src`."""
    order = np.lexsort((sources, targets))
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(targets, minlength=size), out=start[1:])
    return start[:-1], start[1:], sources[order]


@dataclass(frozen=True)
class ImpactArrays:
    """The graph as the array search needs it; built once per graph and kept with it (`arrays_of`)."""

    ids: list[str]  # node i's id, in id order (patched: also nodes the graph no longer has, with no edges)
    index: dict[str, int]
    carry_first: Ints  # edges that carry impact: memberships, and dependencies out of services and CIs
    carry_last: Ints
    carry_src: Ints
    down_first: Ints  # edges that carry DOWN: memberships, and HARD dependencies out of services and CIs
    down_last: Ints
    down_src: Ints
    needed: Ints  # DOWN edges that make node i DOWN: 1, or for a group its live members - quorum + 1
    member_group: Ints  # membership edges, as (group, member) pairs
    member_node: Ints
    kind: npt.NDArray[np.int8]  # node i's kind, as its position in KINDS

    @classmethod
    def of(cls, graph: DependencyGraph) -> ImpactArrays:
        packed: PackedGraph | None = graph.derived.get("packed")
        if packed is not None:
            return cls.of_packed(graph, packed)
        ids = sorted(graph.nodes)
        index = dict(zip(ids, range(len(ids)), strict=True))
        size = len(ids)
        groups = graph.groups
        carry_t: list[int] = []  # edge k carries impact from carry_t[k] to carry_s[k]
        carry_s: list[int] = []
        down_t: list[int] = []
        down_s: list[int] = []
        member_g: list[int] = []
        member_m: list[int] = []
        for source, edges in graph.out.items():
            s = index[source]
            grouped = source in groups
            for edge in edges:
                t = index[edge.target]
                if edge.membership:
                    carry_t.append(t)
                    carry_s.append(s)
                    down_t.append(t)
                    down_s.append(s)
                    member_g.append(s)
                    member_m.append(t)
                elif not grouped:
                    carry_t.append(t)
                    carry_s.append(s)
                    if edge.hard:
                        down_t.append(t)
                        down_s.append(s)
        needed = np.ones(size, dtype=np.int64)
        for g in groups:
            needed[index[g]] = _needed(graph, g)
        kind = np.array([KINDS.index(graph.nodes[n].kind) for n in ids], dtype=np.int8)
        return cls(
            ids,
            index,
            *_rows(_ints(carry_t), _ints(carry_s), size),
            *_rows(_ints(down_t), _ints(down_s), size),
            needed,
            _ints(member_g),
            _ints(member_m),
            kind,
        )

    @classmethod
    def of_packed(cls, graph: DependencyGraph, packed: PackedGraph) -> ImpactArrays:
        """What `of` makes, from a packed graph's arrays: its ids and index shared, its rows by target filtered (they
        are already by source number), no pass over the edges in Python."""
        size = len(packed.ids)
        group = KINDS.index(Kind.REDUNDANCY_GROUP)
        kind, in_flags, out_flags = numpy(packed.kind), numpy(packed.in_flags), numpy(packed.out_flags)
        kind.flags.writeable = False  # the packed graph's own column: `patched` changes a copy
        membership = (in_flags & MEMBERSHIP) != 0
        targets = np.repeat(np.arange(size, dtype=np.int64), np.diff(numpy(packed.in_start)))
        sources = numpy(packed.in_source).astype(np.int64)
        plain = kind[sources] != group  # a group's own dependencies carry nothing
        carry = membership | plain
        down = membership | (plain & ((in_flags & HARD) != 0))
        needed = np.ones(size, dtype=np.int64)
        for g in graph.groups:
            needed[packed.index[g]] = _needed(graph, g)
        out_member = (out_flags & MEMBERSHIP) != 0
        out_sources = np.repeat(np.arange(size, dtype=np.int64), np.diff(numpy(packed.out_start)))
        return cls(
            packed.ids,
            packed.index,
            *_rows(targets[carry], sources[carry], size),
            *_rows(targets[down], sources[down], size),
            needed,
            out_sources[out_member],
            numpy(packed.out_target)[out_member].astype(np.int64),
            kind,
        )

    def patched(self, graph: DependencyGraph, near: Iterable[str]) -> ImpactArrays | None:
        """These arrays made to answer for `graph`, which differs from their graph only in the nodes `near` (which
        ones there are, their kinds and quorums, and the edges into them), as `rewired` makes it: those rows are
        written again at the end of the edge arrays; the rest are shared. A node `graph` no longer has keeps its
        number, with no edges into or out of it, so no search reaches it.

        None when building afresh serves better: `graph` has a node these arrays do not number, or the rows
        written again would make the edge arrays twice as long as the edges they hold."""
        index = self.index
        nodes, groups = graph.nodes, graph.groups
        rows = sorted({index[x] for x in near if x in index})
        if any(x in nodes and x not in index for x in near):
            return None
        carry_first, carry_last = self.carry_first.copy(), self.carry_last.copy()
        down_first, down_last = self.down_first.copy(), self.down_last.copy()
        needed, kind = self.needed.copy(), self.kind.copy()
        carry: list[int] = []
        down: list[int] = []
        member_g: list[int] = []
        member_m: list[int] = []
        ids = self.ids
        carry_at, down_at = len(self.carry_src), len(self.down_src)
        for t in rows:
            target = ids[t]
            carry_first[t], down_first[t] = carry_at + len(carry), down_at + len(down)
            node = nodes.get(target)
            if node is not None:
                kind[t] = KINDS.index(node.kind)
                for edge in graph.into.get(target, ()):  # in source id order, as the built rows
                    s = index.get(edge.source)
                    if s is None:
                        return None
                    if edge.membership:
                        carry.append(s)
                        down.append(s)
                    elif edge.source not in groups:
                        carry.append(s)
                        if edge.hard:
                            down.append(s)
                grouped = target in groups
                needed[t] = _needed(graph, target) if grouped else 1
                for edge in graph.out.get(target, ()) if grouped else ():
                    if edge.membership:
                        member_g.append(t)
                        member_m.append(index[edge.target])
            carry_last[t], down_last[t] = carry_at + len(carry), down_at + len(down)
        carry_src = np.concatenate((self.carry_src, _ints(carry)))
        if len(carry_src) > 2 * int((carry_last - carry_first).sum()) + 1_000:
            return None
        kept = ~np.isin(self.member_group, _ints(rows))
        return ImpactArrays(
            ids,
            index,
            carry_first,
            carry_last,
            carry_src,
            down_first,
            down_last,
            np.concatenate((self.down_src, _ints(down))),
            needed,
            np.concatenate((self.member_group[kept], _ints(member_g))),
            np.concatenate((self.member_node[kept], _ints(member_m))),
            kind,
        )


def _needed(graph: DependencyGraph, group: str) -> int:
    """How many of a group's members must be DOWN for it to be DOWN: more than its live members less its quorum."""
    return graph.members_total.get(group, 0) - graph.quorum(group) + 1


def _ints(values: list[int]) -> Ints:
    return np.array(values, dtype=np.int64)


def _gather(starts: Ints, ends: Ints, src: Ints, nodes: Ints) -> tuple[Ints, Ints]:
    """The sources of the edges into `nodes`, slice after slice in the order of `nodes`, with the node each came
    from."""
    first, last = starts[nodes], ends[nodes]
    lengths = last - first
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    positions = np.repeat(first - offsets, lengths) + np.arange(total, dtype=np.int64)
    return src[positions], np.repeat(nodes, lengths)


def _first_met(found: Ints, via: Ints) -> tuple[Ints, Ints]:
    """Each distinct entry of `found` once, in the order first met, with the `via` of that first meeting."""
    _, first = np.unique(found, return_index=True)
    first.sort()
    return found[first], via[first]


@dataclass(frozen=True)
class SearchResult:
    """Node numbers (ImpactArrays.ids) of one search."""

    levels: list[Ints]  # breadth-first from both kinds of origin: level d holds the nodes at depth d, in queue order
    hops: list[Ints]  # hops[d][k]: the node levels[d][k] was first found from (d >= 1)
    down: Bools  # DOWN in the fixpoint (origins included)
    reached: Bools  # not OK: reached from an origin or a degraded origin along edges that carry impact


def search(arrays: ImpactArrays, origins: list[str], degraded: list[str]) -> SearchResult:
    """Breadth-first levels from `origins` and `degraded` (disjoint) and the fixpoint's statuses."""
    size = len(arrays.ids)
    index = arrays.index
    seen = np.zeros(size, dtype=np.bool_)
    level = np.array(sorted(index[o] for o in (*origins, *degraded)), dtype=np.int64)  # numbered in id order
    seen[level] = True
    levels, hops = [level], [np.empty(0, dtype=np.int64)]
    while True:
        found, via = _gather(arrays.carry_first, arrays.carry_last, arrays.carry_src, level)
        fresh = ~seen[found]
        if not fresh.any():
            break
        level, hop = _first_met(found[fresh], via[fresh])
        seen[level] = True
        levels.append(level)
        hops.append(hop)
    reached = seen

    # DOWN: the least fixpoint, as counts of DOWN edges against what each node needs. Origins are DOWN already.
    down = np.zeros(size, dtype=np.bool_)
    frontier = np.array(sorted({index[n] for n in origins}), dtype=np.int64)
    down[frontier] = True
    count = np.zeros(size, dtype=np.int64)
    while frontier.size:
        found, _ = _gather(arrays.down_first, arrays.down_last, arrays.down_src, frontier)
        if not found.size:
            break
        nodes, times = np.unique(found, return_counts=True)
        count[nodes] += times
        newly = nodes[(count[nodes] >= arrays.needed[nodes]) & ~down[nodes]]
        down[newly] = True
        frontier = newly
    return SearchResult(levels, hops, down, reached)


def down_members(arrays: ImpactArrays, result: SearchResult, origins: set[str]) -> dict[str, set[str]]:
    """Each not-OK group's DOWN members (origin groups follow no rule, so they have none)."""
    pairs = result.down[arrays.member_node] & result.reached[arrays.member_group]
    out: dict[str, set[str]] = {}
    ids = arrays.ids
    for g, m in zip(arrays.member_group[pairs].tolist(), arrays.member_node[pairs].tolist(), strict=True):
        group = ids[g]
        if group not in origins:
            out.setdefault(group, set()).add(ids[m])
    return out


class NodeMap(Mapping[str, V]):
    """A read-only id -> value mapping over node numbers: what a search found, without building a dict of 280,000
    entries that most questions never look at. Node n is a key when `present(n)`; iteration follows `order`."""

    def __init__(
        self, arrays: ImpactArrays, order: Ints, present: Callable[[int], bool], value: Callable[[int], V]
    ) -> None:
        self._ids, self._index = arrays.ids, arrays.index
        self._order, self._present, self._value = order, present, value

    def __getitem__(self, key: str) -> V:
        n = self._index.get(key)
        if n is None or not self._present(n):
            raise KeyError(key)
        return self._value(n)

    def __contains__(self, key: object) -> bool:
        n = self._index.get(key) if isinstance(key, str) else None
        return n is not None and self._present(n)

    def __iter__(self) -> Iterator[str]:
        ids = self._ids
        return iter([ids[n] for n in self._order.tolist()])

    def __len__(self) -> int:
        return len(self._order)


class Found:
    """One search's answer as arrays, with the read-only mappings `Impact` shows and the counts its totals need.

    It keeps about 9 bytes per node of the graph (depth and first hop as int32, status as int8): 10 MB at 1M nodes,
    whatever the reach (the array search runs only for reaches over ARRAYS_REACH)."""

    def __init__(self, arrays: ImpactArrays, result: SearchResult) -> None:
        size = len(arrays.ids)
        self.arrays = arrays
        self.order = np.concatenate(result.levels)  # breadth-first order
        self.depth_of = np.full(size, -1, dtype=np.int32)
        self.hop_of = np.full(size, -1, dtype=np.int32)
        for d, (level, hops) in enumerate(zip(result.levels, result.hops, strict=True)):
            self.depth_of[level] = d
            if d:
                self.hop_of[level] = hops
        self.code = result.reached.astype(np.int8) + result.down  # 0 OK, 1 DEGRADED, 2 DOWN
        self.depth: NodeMap[int] = NodeMap(arrays, self.order, self._in_depth, self._depth)
        after_origins = self.order[len(result.levels[0]) :]
        self.next_hop: NodeMap[str] = NodeMap(arrays, after_origins, self._has_hop, self._hop)
        self.status: NodeMap[Status] = NodeMap(arrays, self.order, self._in_depth, self._status)
        reached = np.flatnonzero(result.reached)
        self.every_status: NodeMap[Status] = NodeMap(arrays, reached, self._reached, self._status)
        ids = arrays.ids
        self.ordered = [ids[n] for level in result.levels for n in np.sort(level).tolist()]  # numbered in id order

    def _in_depth(self, n: int) -> bool:
        return bool(self.depth_of[n] >= 0)

    def _depth(self, n: int) -> int:
        return int(self.depth_of[n])

    def _has_hop(self, n: int) -> bool:
        return bool(self.hop_of[n] >= 0)

    def _hop(self, n: int) -> str:
        return self.arrays.ids[int(self.hop_of[n])]

    def _reached(self, n: int) -> bool:
        return bool(self.code[n] > 0)

    def _status(self, n: int) -> Status:
        return STATUSES[self.code[n]]

    def of_kind(self, kinds: tuple[Kind, ...]) -> list[tuple[str, Status, int]]:
        """The impacted nodes of these kinds, in breadth-first order, each with its status and depth."""
        arrays = self.arrays
        nodes = self.order[np.isin(arrays.kind[self.order], [KINDS.index(k) for k in kinds])]
        ids = arrays.ids
        return [
            (ids[n], STATUSES[c], d)
            for n, c, d in zip(nodes.tolist(), self.code[nodes].tolist(), self.depth_of[nodes].tolist(), strict=True)
        ]

    def count(self, status: Status) -> int:
        return int(np.count_nonzero(self.code[self.order] == status.value))


def arrays_of(graph: DependencyGraph) -> ImpactArrays:
    """The graph's arrays, made on first use and kept with the graph (the server builds them when it loads one).

    A graph rewired from another (`graph.derived["rewired_from"]`: that graph and the nodes near the change, as
    usecases/estate_reads.rewired records it) gets the other's arrays patched, when that serves."""
    found: ImpactArrays | None = graph.derived.get("impact_arrays")
    if found is None:
        origin = graph.derived.get("rewired_from")
        if origin is not None:
            base, near = origin
            found = arrays_of(base).patched(graph, near)
        if found is None:
            found = ImpactArrays.of(graph)
        graph.derived["impact_arrays"] = found
        graph.derived.pop("rewired_from", None)  # the other graph may go
    return found
