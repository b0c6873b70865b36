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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graphsvc.domain.facts import Props
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "Estate",
    "EstateDiff",
    "ItemState",
    "RelKey",
    "diff",
    "dump_states",
    "load_states",
    "states_of",
]

RelKey = tuple[str, str]  # (relationship type, target id)
INTERNAL = frozenset({"hash", "_lock"})  # stored for graphsvc's own bookkeeping, not part of an item's state


@dataclass(frozen=True)
class ItemState:
    """An item as one write left it: its stored properties and its outgoing relationships to items."""

    props: Props
    out: dict[RelKey, Props]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _native(value: Any) -> Any:
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
    if isinstance(value, list):
        return [_native(v) for v in value]
    return value


def _props_json(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(v) for k, v in props.items() if k not in INTERNAL}


def dump_states(states: Mapping[str, ItemState | None]) -> str:
    """The states of one write as JSON text: `{id: null}` for an item the write deleted."""
    shown: dict[str, Any] = {}
    for item_id, state in states.items():
        if state is None:
            shown[item_id] = None
            continue
        out = [[rel, target, _props_json(props)] for (rel, target), props in sorted(state.out.items())]
        shown[item_id] = {"props": _props_json(state.props), "out": out}
    return json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def load_states(text: str) -> dict[str, ItemState | None]:
    found: dict[str, ItemState | None] = {}
    for item_id, state in json.loads(text).items():
        if state is None:
            found[item_id] = None
            continue
        props = {k: _native(v) for k, v in state["props"].items()}
        out = {(rel, target): {k: _native(v) for k, v in p.items()} for rel, target, p in state["out"]}
        found[item_id] = ItemState(props, out)
    return found


@dataclass
class Estate:
    """Items by id (stored properties, `itemKind` among them) and each item's outgoing relationships."""

    items: dict[str, Props] = field(default_factory=dict)
    out: dict[str, dict[RelKey, Props]] = field(default_factory=dict)
    _into: dict[str, set[str]] = field(default_factory=dict)  # target -> sources with a relationship to it

    def apply(self, states: Mapping[str, ItemState | None]) -> None:
        """One write's states: each replaces what the item was; None deletes it with every relationship to it."""
        for item_id, state in states.items():
            self._drop_out(item_id)
            if state is None:
                self.items.pop(item_id, None)
                for source in self._into.pop(item_id, set()):
                    self.out[source] = {k: v for k, v in self.out[source].items() if k[1] != item_id}
                continue
            self.items[item_id] = dict(state.props)
            self.out[item_id] = dict(state.out)
            for _rel, target in state.out:
                self._into.setdefault(target, set()).add(item_id)

    def _drop_out(self, item_id: str) -> None:
        for _rel, target in self.out.pop(item_id, {}):
            sources = self._into.get(target)
            if sources is not None:
                sources.discard(item_id)

    def copy(self) -> Estate:
        """A copy that edits may change without touching this one (items and edge maps copied one level deep)."""
        return Estate(
            {i: dict(p) for i, p in self.items.items()},
            {i: dict(o) for i, o in self.out.items()},
            {i: set(s) for i, s in self._into.items()},
        )

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

    def set_relationship(self, source: str, rel: str, target: str, props: Props) -> None:
        self.out.setdefault(source, {})[(rel, target)] = props
        self._into.setdefault(target, set()).add(source)

    def remove_relationship(self, source: str, rel: str, target: str) -> bool:
        removed = self.out.get(source, {}).pop((rel, target), None) is not None
        if removed and not any(t == target for _r, t in self.out[source]):
            self._into.get(target, set()).discard(source)
        return removed


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


def states_of(rows: Sequence[StateRow]) -> dict[str, ItemState | None]:
    """States from (id, props or None, [(type, target, props)]) as the database reads them."""
    return {
        i: None
        if props is None
        else ItemState({k: v for k, v in props.items() if k not in INTERNAL}, {(r, t): p for r, t, p in out})
        for i, props, out in rows
    }
