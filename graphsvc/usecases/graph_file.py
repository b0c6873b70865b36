"""The kept dependency graph as one file that every server process maps read-only.

A packed graph (domain/packed.py) is columns of numbers plus the id and name strings; the impact search's arrays
(analysis/impact_arrays.py) are more columns. `write` puts them all in one file; `mapped` gives back a
`DependencyGraph` whose columns are views into the file mapped read-only (`mmap`): the pages are the operating
system's page cache, so `--workers N` processes mapping the same file share one copy, and none of them holds the
memory a load passes through (the load runs in a process of its own: usecases/graph_share.py).

What each process still holds itself is what Python needs as objects: the ids (a `str` each, in a list) and the
id -> number dict. The names stay bytes in the file and are decoded when a node is made.

The layout: 8 bytes of magic, the length of a JSON manifest (8 bytes, little-endian), the manifest (each array's
numpy type, offset and length; the text values; each group's live members; the RETIRED ids), then the arrays, each
at an offset that is a multiple of 64. The ids and names are UTF-8 text with the offsets of each string (in
characters for the ids, which are decoded whole; in bytes for the names, decoded one by one).

A file is written under another name and renamed into place, so a reader never maps half of one; a file that is
not one of ours, or of another layout, is refused (`GraphFileError`).
"""

from __future__ import annotations

import itertools
import json
import mmap
import os
from collections.abc import Iterator, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from graphsvc.analysis.impact_arrays import ImpactArrays
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.packed import PackedGraph

__all__ = ["GraphFileError", "mapped", "write"]

MAGIC = b"GSVCGRF1"
ALIGN = 64
# the packed graph's columns: their array typecodes, as numpy types
_PACKED = {
    "kind": "b",
    "status": "h",
    "tier": "h",
    "type": "h",
    "criticality": "q",
    "min_healthy": "q",
    "out_start": "q",
    "out_target": "i",
    "out_flags": "b",
    "in_start": "q",
    "in_source": "i",
    "in_flags": "b",
}
_IMPACT = tuple(f.name for f in fields(ImpactArrays) if f.name not in ("ids", "index"))


class GraphFileError(Exception):
    """A file that is not a graph file of this layout."""


def write(path: Path, graph: DependencyGraph) -> int:
    """Write `graph` (packed, with its impact arrays) to `path`, atomically; its size in bytes."""
    packed: PackedGraph = graph.derived["packed"]
    impact: ImpactArrays = graph.derived["impact_arrays"]
    arrays: dict[str, npt.NDArray[Any]] = {}
    for name in _PACKED:
        arrays[name] = np.frombuffer(getattr(packed, name), dtype=np.dtype(_PACKED[name]))
    for name in _IMPACT:
        arrays["impact." + name] = np.ascontiguousarray(getattr(impact, name))
    ids_text = "".join(packed.ids)
    arrays["ids"] = np.frombuffer(ids_text.encode(), dtype=np.uint8)
    arrays["ids_at"] = np.cumsum([0, *map(len, packed.ids)], dtype=np.int64)
    names = [n.encode() for n in packed.names]
    arrays["names"] = np.frombuffer(b"".join(names), dtype=np.uint8)
    arrays["names_at"] = np.cumsum([0, *map(len, names)], dtype=np.int64)
    del names
    table: dict[str, Any] = {}
    at = 0
    for name, values in arrays.items():
        table[name] = [values.dtype.str, at, len(values)]
        at += -(-values.nbytes // ALIGN) * ALIGN
    manifest = json.dumps(
        {
            "arrays": table,
            "texts": list(packed.texts),
            "counted": graph.members_total,
            "retired": sorted(graph.retired),
        }
    ).encode()
    head = MAGIC + len(manifest).to_bytes(8, "little") + manifest
    base = -(-len(head) // ALIGN) * ALIGN
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            out.write(head.ljust(base, b"\0"))
            for values in arrays.values():
                data = values.tobytes()
                out.write(data)
                out.write(b"\0" * (-len(data) % ALIGN))
            size = out.tell()
            out.flush()
            os.fsync(out.fileno())  # on disk before it has the name a reader maps
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return size


class _Texts(Sequence[str]):
    """Strings stored as UTF-8 bytes with their byte offsets, each decoded when asked."""

    __slots__ = ("_at", "_data")

    def __init__(self, data: memoryview, at: memoryview[int]) -> None:
        self._data = data
        self._at = at

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        at = self._at
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("string index out of range")
        return str(self._data[at[i] : at[i + 1]], "utf-8")

    def __len__(self) -> int:
        return len(self._at) - 1

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


def mapped(path: Path) -> DependencyGraph:
    """The graph in the file at `path`, its columns mapped read-only (the file may be removed afterwards)."""
    with path.open("rb") as f:
        try:
            view = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        except ValueError as exc:  # an empty file
            raise GraphFileError(f"{path} is empty") from exc
    if bytes(view[:8]) != MAGIC:
        raise GraphFileError(f"{path} is not a graphsvc graph file of this version")
    length = int.from_bytes(view[8:16], "little")
    if 16 + length > len(view):
        raise GraphFileError(f"{path} is cut short (manifest)")
    try:
        manifest = json.loads(bytes(view[16 : 16 + length]))
    except ValueError as exc:
        raise GraphFileError(f"{path}: its manifest is not JSON") from exc
    base = -(-(16 + length) // ALIGN) * ALIGN

    def part(name: str) -> memoryview:
        dtype, at, count = manifest["arrays"][name]
        width = np.dtype(dtype).itemsize
        start = base + at
        if start + width * count > len(view):
            raise GraphFileError(f"{path} is cut short ({name})")
        return view[start : start + width * count]

    ids_text = str(part("ids"), "utf-8")
    ids_at = np.frombuffer(part("ids_at"), dtype=np.int64).tolist()
    ids = [ids_text[a:b] for a, b in itertools.pairwise(ids_at)]
    del ids_text, ids_at
    index = dict(zip(ids, range(len(ids)), strict=True))
    packed = PackedGraph(
        ids=ids,
        index=index,
        names=_Texts(part("names"), part("names_at").cast("q")),
        texts=tuple(manifest["texts"]),
        **{name: part(name).cast(code) for name, code in _PACKED.items()},  # type: ignore[call-overload]
    )
    graph = DependencyGraph.of_packed(packed, dict(manifest["counted"]), set(manifest["retired"]))
    table = manifest["arrays"]
    impact = {name: np.frombuffer(part("impact." + name), dtype=table["impact." + name][0]) for name in _IMPACT}
    graph.derived["impact_arrays"] = ImpactArrays(ids=ids, index=index, **impact)
    return graph
