"""A mapping that is another one with a few changes: what a what-if makes of the server's kept estate and graph.

A what-if changes a handful of the 100,000s of entries of the kept estate's and graph's maps. Copying each map
costs about 5 ms per 100,000 entries, and each fresh copy is a large young container the cyclic collector walks at
every young collection until it ages: at 100,000 CIs that was most of a what-if's time. `Layered` keeps the changes
in a small layer over the base map instead, so a what-if costs what its edits touch.

The base must not change while a layer is over it (the kept estates and graphs never change once made).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import TypeVar, overload

__all__ = ["Layered"]

K = TypeVar("K")
V = TypeVar("V")
D = TypeVar("D")


class Layered(MutableMapping[K, V]):
    """`base` with the entries set or deleted since: reads look in the layer first. Iteration follows the base's
    order (an entry set again keeps its place), then the entries the base does not have, as a dict copy would."""

    __slots__ = ("_added", "_base", "_gone", "_moved", "_over")

    def __init__(self, base: Mapping[K, V]) -> None:
        self._base = base
        self._over: dict[K, V] = {}  # set since (the base may or may not have the key)
        self._gone: set[K] = set()  # keys of the base deleted since (never in _over)
        self._moved: set[K] = set()  # keys of the base deleted and set again: they iterate last, as in a dict
        self._added = 0  # keys of _over that iterate after the base's: not in the base, or moved

    def __getitem__(self, key: K) -> V:
        over = self._over
        if key in over:
            return over[key]
        if key in self._gone:
            raise KeyError(key)
        return self._base[key]

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | D, /) -> V | D: ...
    def get(self, key: K, default: object = None, /) -> object:  # on every lookup of a search: no exception raised
        over = self._over
        if key in over:
            return over[key]
        if key in self._gone:
            return default
        return self._base.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._over or (key not in self._gone and key in self._base)

    def __setitem__(self, key: K, value: V) -> None:
        if key not in self._over:
            if key in self._gone:
                self._gone.remove(key)
                self._moved.add(key)
                self._added += 1
            elif key not in self._base:
                self._added += 1
        self._over[key] = value

    def __delitem__(self, key: K) -> None:
        if key not in self:
            raise KeyError(key)
        if key in self._over:
            del self._over[key]
            if key in self._base and key not in self._moved:  # it was in the base's place
                self._gone.add(key)
                return
            self._added -= 1
            if key in self._moved:
                self._moved.remove(key)
                self._gone.add(key)
            return
        self._gone.add(key)

    def __iter__(self) -> Iterator[K]:
        base, gone, moved = self._base, self._gone, self._moved
        if gone or moved:
            yield from (k for k in base if k not in gone and k not in moved)
        else:
            yield from base
        if self._added:
            yield from (k for k in self._over if k in moved or k not in base)

    def __len__(self) -> int:
        return len(self._base) - len(self._gone) - len(self._moved) + self._added

    def __repr__(self) -> str:
        return f"Layered({len(self)} entries; over its base, {len(self._over)} set and {len(self._gone)} deleted)"
