"""The kept dependency graph as arrays: what `DependencyGraph.build` makes, without an object per node and edge.

A 1,000,000-CI estate is about a million nodes and two million edges. As objects (a `Node` each, an `Edge` each, a
dict entry and a list per node in `nodes`, `out` and `into`, and the impact search's own copy of the ids) the server
held 1,372 MiB more once it was loaded; packed, 625 MiB (docs/benchmarks.md, "Memory"): the id and name strings,
one id -> number dict, and a few bytes a node and an edge:

- nodes are numbered in id order (`ids`, `index`); their fields are columns (`kind`, `status`, ...), the text ones
  as small codes into a table of the values seen;
- edges are rows by source (`out_*`, in the order they were given for each source, as `build` appends them) and by
  target (`in_*`, by source number: "each `into` list in source id order"), each a slice of flat arrays
  (compressed sparse rows); an edge's kind (HARD, membership) is two bits.

`PackedNodes` and `PackedEdges` are read-only mappings over them that make a `Node` or a list of `Edge`s when asked,
so every analysis reads a packed graph exactly as it reads a built one (`DependencyGraph.packed`;
tests/unit/test_packed_graph.py compares the two over random graphs). The estate kept for `asOf` and what-ifs packs
its graph too, and a what-if layers its edits over those maps as over dicts (domain/layered.py).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from graphsvc.domain.graph import Edge, Node
from graphsvc.domain.vocabulary import Kind

__all__ = ["PackBuilder", "PackedEdges", "PackedGraph", "PackedNodes", "pack"]

KINDS = tuple(Kind)  # a kind as its position here: the packed column and the impact search's arrays
HARD, MEMBERSHIP = 1, 2  # an edge's flags
NONE = -1  # a missing number (criticality, minHealthy)

Ints = npt.NDArray[np.int64]
if TYPE_CHECKING:  # a column built here, or mapped from a graph file (usecases/graph_file.py)
    Column = array[int] | memoryview[int]
_NUMPY = {"b": np.int8, "h": np.int16, "i": np.int32, "q": np.int64}


def _array(code: str, values: npt.NDArray[Any]) -> array[int]:
    """Python's own array of numpy's values: indexed from Python, it hands back ints without numpy's per-item cost
    (a search reads a few of them per node), and numpy reads it again without a copy (`numpy`)."""
    found: array[int] = array(code)
    found.frombytes(values.astype(_NUMPY[code]).tobytes())
    return found


def numpy(values: Column) -> npt.NDArray[Any]:
    """A numpy view of a packed column (no copy): an `array`, or a typed view into a mapped graph file
    (usecases/graph_file.py), read-only."""
    code = values.typecode if isinstance(values, array) else values.format
    return np.frombuffer(values, dtype=_NUMPY[code])


@dataclass(frozen=True)
class PackedGraph:
    """Nodes and edges as columns (`array`s: typecode b, h: 8 and 16 bits, i: 32, q: 64; or views of the same types
    into a mapped file: usecases/graph_file.py); see the module's docstring."""

    ids: list[str]  # node i's id, ascending
    index: dict[str, int]
    names: Sequence[str]  # a list, or a mapped file's strings decoded when asked
    kind: Column  # b: position in KINDS
    status: Column  # h: position in `texts` (0: None)
    tier: Column  # h
    type: Column  # h
    criticality: Column  # q: NONE for None
    min_healthy: Column  # q
    texts: tuple[str | None, ...]  # the text values seen, `None` first
    out_start: Column  # q: the out edges of node i are out_target[out_start[i]:out_start[i + 1]]
    out_target: Column  # i
    out_flags: Column  # b: HARD | MEMBERSHIP
    in_start: Column  # q: the edges into node i are in_source[in_start[i]:in_start[i + 1]], by source number
    in_source: Column  # i
    in_flags: Column  # b

    def node(self, i: int) -> Node:
        texts = self.texts
        criticality, min_healthy = self.criticality[i], self.min_healthy[i]
        return Node(
            self.ids[i],
            KINDS[self.kind[i]],
            self.names[i],
            texts[self.status[i]],
            None if criticality == NONE else criticality,
            texts[self.tier[i]],
            texts[self.type[i]],
            None if min_healthy == NONE else min_healthy,
        )

    def min_healthy_of(self, i: int) -> int | None:
        value = self.min_healthy[i]
        return None if value == NONE else int(value)

    def out_edges(self, i: int) -> list[Edge]:
        start = self.out_start
        first, last = start[i], start[i + 1]
        ids, source = self.ids, self.ids[i]
        return [
            Edge(source, ids[t], f & HARD != 0, f & MEMBERSHIP != 0)
            for t, f in zip(self.out_target[first:last], self.out_flags[first:last], strict=True)
        ]

    def in_edges(self, i: int) -> list[Edge]:
        start = self.in_start
        first, last = start[i], start[i + 1]
        ids, target = self.ids, self.ids[i]
        return [
            Edge(ids[s], target, f & HARD != 0, f & MEMBERSHIP != 0)
            for s, f in zip(self.in_source[first:last], self.in_flags[first:last], strict=True)
        ]

    def kind_of(self, node_id: str) -> Kind:
        return KINDS[self.kind[self.index[node_id]]]

    def numbered(self, kind: Kind) -> list[int]:
        """The numbers of the nodes of one kind, ascending."""
        found: list[int] = np.flatnonzero(numpy(self.kind) == KINDS.index(kind)).tolist()
        return found

    def groups(self) -> frozenset[str]:
        """The redundancy groups' ids."""
        return frozenset(self.ids[i] for i in self.numbered(Kind.REDUNDANCY_GROUP))

    def nbytes(self) -> int:
        """The columns' bytes (not the id and name strings, nor the index)."""
        columns = (self.kind, self.status, self.tier, self.type, self.criticality, self.min_healthy)
        edges = (self.out_start, self.out_target, self.out_flags, self.in_start, self.in_source, self.in_flags)
        return sum(len(a) * a.itemsize for a in (*columns, *edges))


class _ReadOnly:
    __slots__ = ()

    def __setitem__(self, key: str, value: object) -> None:
        raise TypeError("a packed graph is read-only: layer changes over it (domain/layered.py)")

    def __delitem__(self, key: str) -> None:
        raise TypeError("a packed graph is read-only: layer changes over it (domain/layered.py)")


class PackedNodes(_ReadOnly, MutableMapping[str, "Node"]):  # mutable in type only: as `build`'s dicts are typed
    """id -> Node over a packed graph, made when asked."""

    __slots__ = ("_graph",)

    def __init__(self, graph: PackedGraph) -> None:
        self._graph = graph

    def __getitem__(self, key: str) -> Node:
        return self._graph.node(self._graph.index[key])

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        i = self._graph.index.get(key)
        return default if i is None else self._graph.node(i)

    def __contains__(self, key: object) -> bool:
        return key in self._graph.index

    def __iter__(self) -> Iterator[str]:
        return iter(self._graph.ids)

    def __len__(self) -> int:
        return len(self._graph.ids)


class PackedEdges(_ReadOnly, MutableMapping[str, list["Edge"]]):
    """id -> its edges out (or in) over a packed graph, made when asked; as `build`'s dicts, a node without such
    edges is no key."""

    __slots__ = ("_degree", "_edges", "_graph", "_index", "_start")

    def __init__(self, graph: PackedGraph, outgoing: bool) -> None:
        self._graph = graph
        self._index = graph.index
        self._start = graph.out_start if outgoing else graph.in_start
        self._edges = graph.out_edges if outgoing else graph.in_edges
        self._degree: int | None = None

    def _at(self, key: object) -> int | None:
        i = self._index.get(key) if isinstance(key, str) else None
        if i is None or self._start[i] == self._start[i + 1]:
            return None
        return i

    def __getitem__(self, key: str) -> list[Edge]:
        i = self._at(key)
        if i is None:
            raise KeyError(key)
        return self._edges(i)

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        # on every step of a search: `_at` written out
        i = self._index.get(key) if isinstance(key, str) else None
        if i is None:
            return default
        start = self._start
        return default if start[i] == start[i + 1] else self._edges(i)

    def __contains__(self, key: object) -> bool:
        return self._at(key) is not None

    def count(self, key: str) -> int:
        """How many edges `key` has (0 for no such node), without making them."""
        i = self._index.get(key)
        return 0 if i is None else int(self._start[i + 1] - self._start[i])

    def __iter__(self) -> Iterator[str]:
        ids = self._graph.ids
        return (ids[i] for i in np.flatnonzero(np.diff(numpy(self._start))).tolist())

    def __len__(self) -> int:
        if self._degree is None:
            self._degree = int(np.count_nonzero(np.diff(numpy(self._start))))
        return self._degree


class PackBuilder:
    """Nodes and edges taken one by one (a loader's rows), packed at the end: no `Node` or `Edge` object is made,
    and an edge's ends are held as id strings (one string per id) until every node is known."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.names: list[str] = []
        self.kinds: list[Kind] = []
        self.statuses: list[str | None] = []
        self.tiers: list[str | None] = []
        self.types: list[str | None] = []
        self.criticalities: list[int | None] = []
        self.min_healthies: list[int | None] = []
        self.retired: set[str] = set()
        self.sources: list[str] = []
        self.targets: list[str] = []
        self.flags: list[int] = []
        # each id once: a target's string is the node's own (a dict of the builder's, not sys.intern's table, which
        # would keep a million entries after the load)
        self._strings: dict[str, str] = {}

    def node(
        self,
        node_id: str,
        kind: Kind,
        name: str,
        status: str | None = None,
        criticality: int | None = None,
        tier: str | None = None,
        ci_type: str | None = None,
        min_healthy: int | None = None,
    ) -> None:
        node_id = self._strings.setdefault(node_id, node_id)
        if status == "RETIRED":  # as Node.retired
            self.retired.add(node_id)
            return
        self.ids.append(node_id)
        self.names.append(name)
        self.kinds.append(kind)
        self.statuses.append(status)
        self.criticalities.append(criticality)
        self.tiers.append(tier)
        self.types.append(ci_type)
        self.min_healthies.append(min_healthy)

    def edge(self, source: str, target: str, hard: bool = True, membership: bool = False) -> None:
        strings = self._strings
        self.sources.append(strings.setdefault(source, source))
        self.targets.append(strings.setdefault(target, target))
        self.flags.append((HARD if hard else 0) | (MEMBERSHIP if membership else 0))

    def finish(self) -> tuple[PackedGraph, dict[str, int], set[str]]:
        """The packed graph, each group's count of members that are not RETIRED (members unknown to the graph
        included, a member listed twice once) and the RETIRED ids. A builder finishes once: its edges are let go."""
        size = len(self.ids)
        order = sorted(range(size), key=self.ids.__getitem__)
        ids = [self.ids[i] for i in order]
        index = dict(zip(ids, range(size), strict=True))
        if len(index) != size:
            raise ValueError("a node id is given twice")
        texts: dict[str | None, int] = {None: 0}

        def column(values: list[Any]) -> list[Any]:
            return [values[i] for i in order]

        retired = self.retired
        unknown: dict[str, int] = {}  # ends the graph does not have: numbered -1, -2, ...
        dead: set[int] = set()  # those of them that are RETIRED

        def number(end: str) -> int:
            found = index.get(end)
            if found is not None:
                return found
            code = unknown.get(end)
            if code is None:
                code = unknown[end] = -len(unknown) - 1
                if end in retired:
                    dead.add(code)
            return code

        src = np.fromiter((number(x) for x in self.sources), dtype=np.int64, count=len(self.sources))
        tgt = np.fromiter((number(x) for x in self.targets), dtype=np.int64, count=len(self.targets))
        flg = np.array(self.flags, dtype=np.int8)
        self.sources, self.targets, self.flags, self._strings = [], [], [], {}
        # as `build`: edges out of nodes the graph does not have are dropped; an edge given twice (the same ends and
        # membership) is one, at its first place
        known = src >= 0
        membership = (flg & MEMBERSHIP) != 0
        key = (src * (2 * (len(unknown) + size + 1)) + (tgt + len(unknown))) * 2 + membership
        _, first = np.unique(np.where(known, key, -1), return_index=True)
        keep = np.zeros(len(src), dtype=bool)
        keep[first] = True
        keep &= known
        members = keep & membership & ~np.isin(tgt, np.array(sorted(dead), dtype=np.int64))
        counts = np.bincount(src[members], minlength=size) if size else np.zeros(0, dtype=np.int64)
        counted = {ids[g]: int(counts[g]) for g in np.flatnonzero(counts).tolist()}
        keep &= tgt >= 0
        sources, targets, flags = src[keep].astype(np.int32), tgt[keep].astype(np.int32), flg[keep]
        by_source = np.argsort(sources, kind="stable")  # each source's edges in the order given
        by_target = np.lexsort((sources, targets))  # each target's edges by source number
        graph = PackedGraph(
            ids=ids,
            index=index,
            names=column(self.names),
            kind=_array("b", np.fromiter((KINDS.index(k) for k in column(self.kinds)), dtype=np.int8, count=size)),
            status=_array("h", _code(column(self.statuses), texts)),
            tier=_array("h", _code(column(self.tiers), texts)),
            type=_array("h", _code(column(self.types), texts)),
            criticality=_array("q", _number(column(self.criticalities))),
            min_healthy=_array("q", _number(column(self.min_healthies))),
            texts=tuple(texts),
            out_start=_array("q", _starts(sources, size)),
            out_target=_array("i", targets[by_source]),
            out_flags=_array("b", flags[by_source]),
            in_start=_array("q", _starts(targets, size)),
            in_source=_array("i", sources[by_target]),
            in_flags=_array("b", flags[by_target]),
        )
        return graph, counted, retired


def pack(nodes: Iterable[Node], edges: Iterable[Edge]) -> tuple[PackedGraph, dict[str, int], set[str]]:
    """The packed graph of `nodes` and `edges` as `DependencyGraph.build` makes it (RETIRED nodes and their edges
    left out, an edge given twice kept once, edges to unknown nodes dropped), with each group's count of members that
    are not RETIRED (members unknown to the graph included) and the RETIRED ids."""
    builder = PackBuilder()
    for n in nodes:
        builder.node(n.id, n.kind, n.name, n.status, n.criticality, n.tier, n.type, n.min_healthy)
    for e in edges:
        builder.edge(e.source, e.target, e.hard, e.membership)
    return builder.finish()


def _code(values: Sequence[str | None], texts: dict[str | None, int]) -> npt.NDArray[np.int16]:
    return np.fromiter((texts.setdefault(v, len(texts)) for v in values), dtype=np.int16, count=len(values))


def _number(values: Sequence[int | None]) -> Ints:
    return np.fromiter((NONE if v is None else v for v in values), dtype=np.int64, count=len(values))


def _starts(ends: npt.NDArray[np.int32], size: int) -> Ints:
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=size), out=start[1:])
    return start
