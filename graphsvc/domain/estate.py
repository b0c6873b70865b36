"""The estate as data: every item's stored properties and outgoing relationships, as Neo4j holds them.

An `Estate` is what `estate(asOf:, edits:)` answers on (SEMANTICS.md, "The estate as of a time, and what-if"). It is
rebuilt by replaying the journal (graphsvc/db/journal.py): each write records the state of the items it touched
(their properties and outgoing relationships after it, `states`), and a state replaces the item's previous one.
What-if edits (`GraphEdit`) apply to a copy; nothing here is ever written back.

States travel as JSON text (`dump_states` / `load_states`); times are tagged so they come back as the same
`datetime` (and `date`) values the database hands out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graphsvc.domain.facts import Props
from graphsvc.domain.layered import Layered
from graphsvc.domain.stored_text import json_text, without
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "Estate",
    "EstateDiff",
    "ItemState",
    "RelKey",
    "diff",
    "dump_states",
    "load_states",
    "state_of",
    "states_of",
]

RelKey = tuple[str, str]  # (relationship type, target id)
# stored for graphsvc's own bookkeeping, not part of an item's state (a discovery run moves `lastSeenAt` and
# `discovered` on every item it sees: that is no change to the estate)
INTERNAL = frozenset({"hash", "_lock", "discovered", "lastSeenAt"})


@dataclass(frozen=True)
class ItemState:
    """An item as one write left it: its stored properties and its outgoing relationships to items."""

    props: Props
    out: dict[RelKey, Props]


# The time `_tag` was last given (that very object) and its tag: the items an import or an initial load creates share
# one `createdAt` and `updatedAt` (domain/rows.py created_item), most of the times their journal states hold.
_last_tag: tuple[Any, Any] = (None, None)


def _tag(value: Any) -> Any:
    """json's hook for what it cannot write itself: a time as a tagged object (`load_states` makes it a time again)."""
    global _last_tag
    last, tagged = _last_tag
    if value is last:
        return tagged
    if isinstance(value, datetime):
        tagged = {"$dt": value.isoformat()}
    elif isinstance(value, date):
        tagged = {"$d": value.isoformat()}
    else:
        raise TypeError(f"a {type(value).__name__} is not a stored value")
    _last_tag = (value, tagged)
    return tagged


def _props_json(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """`props` without the bookkeeping (INTERNAL): most relationships' have none, and are written as they are (a
    comprehension over each of an import's 590,000 property maps took 1.4 s of its 3.4 s of journal text at 100k)."""
    return without(props, INTERNAL)


def dump_states(states: Mapping[str, ItemState | None]) -> str:
    """The states of one write as JSON text: `{id: null}` for an item the write deleted."""
    shown: dict[str, Any] = {}
    for item_id, state in states.items():
        if state is None:
            shown[item_id] = None
            continue
        out = [[rel, target, _props_json(props)] for (rel, target), props in sorted(state.out.items())]
        shown[item_id] = {"props": _props_json(state.props), "out": out}
    return json_text(shown, sort_keys=True, default=_tag)


def _tagged(value: dict[str, Any]) -> Any:
    """json's object hook: a tagged time back to a `datetime` (or `date`); any other object as it is."""
    if len(value) == 1:
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
    return value


def load_states(text: str) -> dict[str, ItemState | None]:
    found: dict[str, ItemState | None] = {}
    for item_id, state in json.loads(text, object_hook=_tagged).items():
        found[item_id] = None if state is None else ItemState(state["props"], {(r, t): p for r, t, p in state["out"]})
    return found


@dataclass
class Estate:
    """Items by id (stored properties, `itemKind` among them) and each item's outgoing relationships.

    Copy on write: an item's properties and its relationship map are never changed in place, only replaced, and a
    target's set of sources is copied before its first change after a copy, so `copy()` copies three dicts (not the
    estate) and the copy may be changed freely: the server keeps the estate of now and every request's what-if
    starts from a copy of it."""

    items: MutableMapping[str, Props] = field(default_factory=dict)
    out: MutableMapping[str, dict[RelKey, Props]] = field(default_factory=dict)
    _into: MutableMapping[str, set[str]] = field(default_factory=dict)  # target -> sources with a relationship to it
    # the sets of _into this estate made itself since its last copy: those it may change in place (a replay adds to
    # a site's 30,000 sources one by one; copying the set each time would be quadratic)
    _owned: set[str] = field(default_factory=set)

    def _sources_to_change(self, target: str) -> set[str]:
        sources = self._into.get(target)
        if sources is None or target not in self._owned:
            sources = self._into[target] = set(sources or ())
            self._owned.add(target)
        return sources

    def apply(self, states: Mapping[str, ItemState | None]) -> None:
        """One write's states: each replaces what the item was; None deletes it with every relationship to it."""
        for item_id, state in states.items():
            self._drop_out(item_id)
            if state is None:
                self.items.pop(item_id, None)
                self._owned.discard(item_id)
                for source in self._into.pop(item_id, set()):
                    self.out[source] = {k: v for k, v in self.out[source].items() if k[1] != item_id}
                continue
            self.items[item_id] = state.props
            self.out[item_id] = state.out
            for target in {target for _rel, target in state.out}:
                self._sources_to_change(target).add(item_id)

    def _drop_out(self, item_id: str) -> None:
        for target in {target for _rel, target in self.out.pop(item_id, {})}:
            if target in self._into:
                self._sources_to_change(target).discard(item_id)

    def copy(self) -> Estate:
        """A copy that may be changed without touching this one (the sets both now share are copied on change)."""
        self._owned = set()
        return Estate(dict(self.items), dict(self.out), dict(self._into))

    def layer(self) -> Estate:
        """A copy for a few changes (a what-if's edits): they go to layers over this estate's maps (`Layered`), so it
        costs what they touch, not a copy of every map. This estate must not change while the layer is in use (the
        server's kept estates never change once made)."""
        self._owned = set()
        return Estate(Layered(self.items), Layered(self.out), Layered(self._into))

    def set_props(self, item_id: str, **changes: Any) -> None:
        """Change some of an item's properties (it must exist)."""
        self.items[item_id] = {**self.items[item_id], **changes}

    def kind(self, item_id: str) -> Kind | None:
        props = self.items.get(item_id)
        return None if props is None else Kind(props["itemKind"])

    def relationships(self) -> Iterable[tuple[str, str, str, Props]]:
        """(type, source, target) with the relationship's properties, for every relationship whose ends exist."""
        for source, out in self.out.items():
            for (rel, target), props in out.items():
                if target in self.items:
                    yield rel, source, target, props

    def outgoing(self, item_id: str, rel: str) -> list[tuple[str, Props]]:
        return [(t, p) for (r, t), p in self.out.get(item_id, {}).items() if r == rel and t in self.items]

    def incoming(self, item_id: str, rel: str) -> list[tuple[str, Props]]:
        found = []
        for source in self._into.get(item_id, ()):
            props = self.out.get(source, {}).get((rel, item_id))
            if props is not None and source in self.items:
                found.append((source, props))
        return found

    def sources(self, item_id: str) -> AbstractSet[str]:
        """The items with any relationship to `item_id` (to read, not to change)."""
        return self._into.get(item_id, _NONE)

    def set_relationship(self, source: str, rel: str, target: str, props: Props) -> None:
        self.out[source] = {**self.out.get(source, {}), (rel, target): props}
        self._sources_to_change(target).add(source)

    def remove_relationship(self, source: str, rel: str, target: str) -> bool:
        mine = self.out.get(source, {})
        if (rel, target) not in mine:
            return False
        self.out[source] = {k: v for k, v in mine.items() if k != (rel, target)}
        if not any(t == target for _r, t in self.out[source]):
            self._sources_to_change(target).discard(source)
        return True


@dataclass(frozen=True)
class EstateDiff:
    """What differs between two estates: items added, removed and changed (with the names of the fields whose
    values differ), and dependencies added and removed (source, target)."""

    added: list[str]
    removed: list[str]
    changed: list[tuple[str, list[str]]]
    dependencies_added: list[tuple[str, str]]
    dependencies_removed: list[tuple[str, str]]


# Kept by every write whatever else changed: a field list of "what changed" would always name them.
_NONE: frozenset[str] = frozenset()
BOOKKEEPING = frozenset({"version", "updatedAt"})


def diff(before: Estate, after: Estate, *, relationship: str = "DEPENDS_ON") -> EstateDiff:
    """Items and dependencies that differ from `before` to `after`, each list in id order."""
    added = sorted(set(after.items) - set(before.items))
    removed = sorted(set(before.items) - set(after.items))
    changed = []
    for item_id in sorted(set(before.items) & set(after.items)):
        old, new = before.items[item_id], after.items[item_id]
        fields = sorted(k for k in set(old) | set(new) if k not in BOOKKEEPING and old.get(k) != new.get(k))
        if fields:
            changed.append((item_id, fields))

    def edges(estate: Estate) -> set[tuple[str, str]]:
        return {(s, t) for r, s, t, _p in estate.relationships() if r == relationship}

    was, now = edges(before), edges(after)
    return EstateDiff(added, removed, changed, sorted(now - was), sorted(was - now))


StateRow = tuple[str, Props | None, Sequence[tuple[str, str, Props]]]  # (id, props or None, [(type, target, props)])


def state_of(props: Props, out: Iterable[tuple[str, str, Props]]) -> ItemState:
    """An item's state from its stored properties and its outgoing relationships [(type, target, props)]."""
    return ItemState({k: v for k, v in props.items() if k not in INTERNAL}, {(r, t): p for r, t, p in out})


def states_of(rows: Sequence[StateRow]) -> dict[str, ItemState | None]:
    """States from (id, props or None, [(type, target, props)]) as the database reads them."""
    return {i: None if props is None else state_of(props, out) for i, props, out in rows}
