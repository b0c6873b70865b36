"""What-if edits: changes to an estate that are applied in memory, in order, and never written.

Each edit is checked against the estate as the edits before it left it; the first that cannot apply is an
`InvalidEdit` naming its index, and nothing is answered (SEMANTICS.md, "The estate as of a time, and what-if").
An edit writes what the matching graphsvc write would: a dependency added by `addDependency` carries the properties
the `addDependency` mutation stores, a member the ones an import stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from graphsvc.domain.estate import Estate
from graphsvc.domain.exchange import Dependency
from graphsvc.domain.rows import dependency_props
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, Rel
from graphsvc.errors import InvalidEdit

__all__ = [
    "AddDependency",
    "AddMember",
    "Edit",
    "RemoveDependency",
    "RemoveMember",
    "Retire",
    "SetMinHealthy",
    "apply_edits",
    "edit_json",
    "edit_of",
    "touched_by",
]

# Items with a lifecycle status that can be RETIRED (the exchange format's services and configuration items).
RETIRABLE = frozenset({Kind.SERVICE, Kind.CONFIGURATION_ITEM})
MEMBERS = frozenset({Kind.CONFIGURATION_ITEM, Kind.SERVICE})
ADDED_DEPENDENCY_ORDER = 1_000_000  # as the addDependency mutation stores it (db/writes.py): after the listed ones


@dataclass(frozen=True)
class Retire:
    id: str


@dataclass(frozen=True)
class SetMinHealthy:
    group: str
    min_healthy: int


@dataclass(frozen=True)
class AddDependency:
    from_: str
    to: str
    strength: Literal["HARD", "SOFT"] = "HARD"


@dataclass(frozen=True)
class RemoveDependency:
    from_: str
    to: str


@dataclass(frozen=True)
class AddMember:
    group: str
    member: str


@dataclass(frozen=True)
class RemoveMember:
    group: str
    member: str


Edit = Retire | SetMinHealthy | AddDependency | RemoveDependency | AddMember | RemoveMember

NAMES: dict[type, str] = {
    Retire: "retire",
    SetMinHealthy: "setMinHealthy",
    AddDependency: "addDependency",
    RemoveDependency: "removeDependency",
    AddMember: "addMember",
    RemoveMember: "removeMember",
}


class _Check:
    def __init__(self, estate: Estate, index: int, edit: Edit) -> None:
        self.estate, self.index, self.name = estate, index, NAMES[type(edit)]

    def fail(self, problem: str) -> InvalidEdit:
        return InvalidEdit(self.index, self.name, problem)

    def item(self, field: str, item_id: str, kinds: frozenset[Kind], expected: str) -> Kind:
        kind = self.estate.kind(item_id)
        if kind is None:
            raise self.fail(f"{field}: unknown id {item_id!r}")
        if kind not in kinds:
            raise self.fail(f"{field}: {item_id!r} is a {kind.value}; expected {expected}")
        return kind


def apply_edits(estate: Estate, edits: Sequence[Edit]) -> Estate:
    """A copy of `estate` with `edits` applied in order (`estate` itself is never changed, and must not change
    while the copy is in use: the copy is a layer over it)."""
    if not edits:
        return estate
    edited = estate.layer()
    for index, edit in enumerate(edits):
        _apply(edited, index, edit)
    return edited


def _apply(estate: Estate, index: int, edit: Edit) -> None:
    check = _Check(estate, index, edit)
    dependable = "a SERVICE, CONFIGURATION_ITEM or REDUNDANCY_GROUP"
    match edit:
        case Retire(item_id):
            check.item("id", item_id, RETIRABLE, "a SERVICE or CONFIGURATION_ITEM (groups have no lifecycle status)")
            estate.set_props(item_id, status="RETIRED")
        case SetMinHealthy(group, k):
            check.item("group", group, frozenset({Kind.REDUNDANCY_GROUP}), "a REDUNDANCY_GROUP")
            if k < 1:
                raise check.fail(f"minHealthy: must be at least 1, got {k}")
            estate.set_props(group, minHealthy=k)
        case AddDependency(source, target, strength):
            check.item("from", source, DEPENDABLE, dependable)
            check.item("to", target, DEPENDABLE, dependable)
            if source == target:
                raise check.fail(f"{source!r} cannot depend on itself")
            dep = Dependency.model_validate({"from": source, "to": target, "strength": strength})
            estate.set_relationship(source, Rel.DEPENDS_ON, target, dependency_props(dep, ADDED_DEPENDENCY_ORDER))
        case RemoveDependency(source, target):
            check.item("from", source, DEPENDABLE, dependable)
            check.item("to", target, DEPENDABLE, dependable)
            if not estate.remove_relationship(source, Rel.DEPENDS_ON, target):
                raise check.fail(f"{source!r} does not depend on {target!r}")
        case AddMember(group, member):
            check.item("group", group, frozenset({Kind.REDUNDANCY_GROUP}), "a REDUNDANCY_GROUP")
            check.item("member", member, MEMBERS, "a SERVICE or CONFIGURATION_ITEM")
            members = estate.outgoing(group, Rel.HAS_MEMBER)
            if any(m == member for m, _ in members):
                raise check.fail(f"{member!r} is already a member of {group!r}")
            order = max((p.get("i") or 0 for _, p in members), default=-1) + 1
            estate.set_relationship(group, Rel.HAS_MEMBER, member, {"i": order})
        case RemoveMember(group, member):
            check.item("group", group, frozenset({Kind.REDUNDANCY_GROUP}), "a REDUNDANCY_GROUP")
            check.item("member", member, MEMBERS, "a SERVICE or CONFIGURATION_ITEM")
            if not estate.remove_relationship(group, Rel.HAS_MEMBER, member):
                raise check.fail(f"{member!r} is not a member of {group!r}")


def touched_by(edits: Sequence[Edit]) -> set[str]:
    """The items whose properties or outgoing relationships the edits change (what the graph must see again)."""
    found: set[str] = set()
    for edit in edits:
        match edit:
            case Retire(item_id):
                found.add(item_id)
            case SetMinHealthy(group, _):
                found.add(group)
            case AddDependency(source, target, _) | RemoveDependency(source, target):
                found.update((source, target))
            case AddMember(group, member) | RemoveMember(group, member):
                found.update((group, member))
    return found


def edit_json(edit: Edit) -> dict[str, Any]:
    """An edit as the GraphEdit input spells it (how a saved scenario keeps it)."""
    match edit:
        case Retire(item_id):
            return {"retire": item_id}
        case SetMinHealthy(group, k):
            return {"setMinHealthy": {"group": group, "minHealthy": k}}
        case AddDependency(source, target, strength):
            return {"addDependency": {"from": source, "to": target, "strength": strength}}
        case RemoveDependency(source, target):
            return {"removeDependency": {"from": source, "to": target}}
        case AddMember(group, member):
            return {"addMember": {"group": group, "member": member}}
        case RemoveMember(group, member):
            return {"removeMember": {"group": group, "member": member}}
    raise AssertionError(edit)  # pragma: no cover - every Edit is matched above


def edit_of(data: dict[str, Any]) -> Edit:
    """The edit a saved scenario keeps as JSON (edit_json's inverse)."""
    [(name, value)] = data.items()
    match name:
        case "retire":
            return Retire(str(value))
        case "setMinHealthy":
            return SetMinHealthy(str(value["group"]), int(value["minHealthy"]))
        case "addDependency":
            return AddDependency(str(value["from"]), str(value["to"]), value.get("strength", "HARD"))
        case "removeDependency":
            return RemoveDependency(str(value["from"]), str(value["to"]))
        case "addMember":
            return AddMember(str(value["group"]), str(value["member"]))
        case "removeMember":
            return RemoveMember(str(value["group"]), str(value["member"]))
    raise ValueError(f"not an edit: {name!r}")
