"""Validation of an exchange document before anything is written.

`validate_structure` checks the document against the pydantic models; `check_references` resolves every
reference against the document itself and the ids already in the database. Each problem is one `Problem`, named by
its JSON path (`services[3].owner: unknown id 'T-9'`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any

from pydantic import ValidationError

from graphsvc.domain.changes import RULE_TYPES
from graphsvc.domain.exchange import ExchangeDocument
from graphsvc.domain.text import printable
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, relationship

__all__ = ["DocumentInvalid", "Problem", "check_references", "document_items", "validate_structure"]

_RULE_TAGS = frozenset(RULE_TYPES)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (a JSON path) and what; `reference` names the id at fault when the
    problem is a reference (UNKNOWN: no such id; WRONG_KIND: an id of another kind) or a SELF dependency, so callers
    map problems to typed errors without reading the message."""

    path: str
    message: str
    reference: str | None = None
    kind: str | None = None  # "UNKNOWN", "WRONG_KIND" or "SELF" when `reference` is set

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DocumentInvalid(ValueError):
    """The document was rejected; nothing was written. `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"the document is invalid ({len(problems)} problem(s)); nothing was written:\n{shown}{more}")


def json_path(loc: Iterable[int | str]) -> str:
    """`("services", 3, "owner")` -> `services[3].owner`; a key shown `printable` (a problem is printed and logged),
    and pydantic's mark of a refused key (`"[key]"` after it) as ` (the key)`."""
    out = ""
    parts = list(loc)
    for i, part in enumerate(parts):
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _RULE_TAGS and i > 0 and parts[i - 1] == "rule":
            continue  # pydantic adds the union tag to the location; the document has no such level
        elif part == "[key]" and i > 0:
            out += " (the key)"
        else:
            shown = printable(str(part))
            out += f".{shown}" if out else shown
    return out


def validate_structure(raw: Any) -> ExchangeDocument:
    """Parse a decoded JSON document; raises DocumentInvalid with one Problem per structural error."""
    if not isinstance(raw, dict):
        raise DocumentInvalid([Problem("", f"the document must be a JSON object, got {type(raw).__name__}")])
    try:
        return ExchangeDocument.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            msg = err["msg"]
            if err["type"] in {"literal_error", "string_pattern_mismatch", "enum"}:
                msg = f"{msg} (got {err['input']!r})"
            problems.append(Problem(json_path(err["loc"]), msg))
        raise DocumentInvalid(problems) from None


def document_items(doc: ExchangeDocument) -> Iterable[tuple[Kind, int, Any]]:
    """Every item of the document with its kind and index in its list."""
    for kind in Kind:
        for index, item in enumerate(getattr(doc, kind.collection)):
            yield kind, index, item


def document_ids(doc: ExchangeDocument) -> tuple[dict[str, Kind], list[Problem]]:
    """The ids the document defines, and a Problem for each id defined twice."""
    # Nearly always no id is defined twice: then the ids alone, without a path made for each (1.2 million at 1M CIs)
    ids: dict[str, Kind] = {}
    listed = 0
    for kind in Kind:
        items = getattr(doc, kind.collection)
        listed += len(items)
        ids.update(dict.fromkeys([item.id for item in items], kind))
    if len(ids) == listed:
        return ids, []
    ids = {}
    where: dict[str, str] = {}
    problems = []
    for kind, index, item in document_items(doc):
        path = f"{kind.collection}[{index}].id"
        if item.id in ids:
            problems.append(Problem(path, f"duplicate id {item.id!r} (already used at {where[item.id]})"))
        else:
            ids[item.id] = kind
            where[item.id] = path
    return ids, problems


def referenced_ids(doc: ExchangeDocument) -> set[str]:
    """Every id the document refers to (to be looked up in the database)."""
    refs: set[str] = set()
    for kind, _index, item in document_items(doc):
        refs.add(item.id)
        for field in _REF_FIELDS.get(kind, ()):
            value = getattr(item, field)
            refs.update(value if isinstance(value, list) else [value] if value else [])
    for dep in doc.dependencies:
        refs.update((dep.from_, dep.to))
    for con in doc.consumption:
        refs.update((con.businessUnit, con.service))
    refs.update(r.ci for r in doc.utilizationReadings)
    return refs


def check_references(doc: ExchangeDocument, existing: Mapping[str, Kind]) -> None:
    """Raise DocumentInvalid unless every reference resolves to an item of an allowed kind.

    `existing` maps ids already in the database to their kind (only the ids the document mentions are needed).
    """
    defined, problems = document_ids(doc)
    for item_id, kind in defined.items():
        old = existing.get(item_id)
        if old is not None and old is not kind:
            path = _path_of(doc, item_id)
            problems.append(Problem(path, f"id {item_id!r} already exists as a {old.value}, not a {kind.value}"))
    known = {**existing, **defined}

    def ref(path: str, target: str, allowed: Iterable[Kind]) -> None:
        found = known.get(target)
        allowed = frozenset(allowed)
        if found is None:
            problems.append(Problem(path, f"unknown id {target!r}", target, "UNKNOWN"))
        elif found not in allowed:
            names = " or ".join(sorted(k.value for k in allowed))
            problems.append(Problem(path, f"{target!r} is a {found.value}; expected a {names}", target, "WRONG_KIND"))

    # Each check first asks whether all is well, and only makes the paths and messages of what is not (a 100k
    # document's half a million references: the paths alone took most of a second). The items' references are asked
    # of all items of a kind at once; if any is wrong, every item is looked at in order, its problems and its rules'.
    if _references_well(doc, known):
        for kind in _RULED_IN_ORDER:
            for index, item in enumerate(getattr(doc, kind.collection)):
                problems.extend(_item_rules(kind, f"{kind.collection}[{index}]", item))
    else:
        _item_problems(doc, known, ref, problems)
    if not _dependencies_well(doc, known):
        _dependency_problems(doc, known, ref, problems)
    if not _consumption_well(doc, known):
        _consumption_problems(doc, known, ref, problems)
    for i, reading in enumerate(doc.utilizationReadings):
        if known.get(reading.ci) is not Kind.CONFIGURATION_ITEM:
            ref(f"utilizationReadings[{i}].ci", reading.ci, {Kind.CONFIGURATION_ITEM})
    if problems:
        raise DocumentInvalid(problems)


_Ref = Callable[[str, str, Iterable[Kind]], None]  # check_references's `ref`: a problem with one reference


def _references_well(doc: ExchangeDocument, known: Mapping[str, Kind]) -> bool:
    """Whether every reference an item makes is to an item of an allowed kind, and no list names an id twice."""
    for kind, fields in _REF_FIELDS.items():
        items = getattr(doc, kind.collection)
        for field in fields:
            values = list(map(operator.attrgetter(field), items))
            lists = [value for value in values if type(value) is list]
            if not all(len(set(value)) == len(value) for value in lists):
                return False
            single = [value for value in values if value is not None and type(value) is not list]
            if not set(map(known.get, chain(single, chain.from_iterable(lists)))) <= _ALLOWED[(kind, field)]:
                return False
    return True


def _item_problems(doc: ExchangeDocument, known: Mapping[str, Kind], ref: _Ref, problems: list[Problem]) -> None:
    for kind, index, item in document_items(doc):
        for field in _REF_FIELDS.get(kind, ()):
            allowed = _ALLOWED[(kind, field)]
            value = getattr(item, field)
            if isinstance(value, list):
                if len(set(value)) == len(value) and all(known.get(t) in allowed for t in value):
                    continue
                base = f"{kind.collection}[{index}]"
                seen: set[str] = set()
                for i, target in enumerate(value):
                    if target in seen:
                        problems.append(Problem(f"{base}.{field}[{i}]", f"{target!r} is listed twice"))
                    seen.add(target)
                    ref(f"{base}.{field}[{i}]", target, allowed)
            elif value is not None and known.get(value) not in allowed:
                ref(f"{kind.collection}[{index}].{field}", value, allowed)
        if kind in _RULED:
            problems.extend(_item_rules(kind, f"{kind.collection}[{index}]", item))


def _dependencies_well(doc: ExchangeDocument, known: Mapping[str, Kind]) -> bool:
    """Whether every dependency joins two items that may depend, neither on itself, none listed twice: asked of all
    of them at once, in C loops (2 million dependencies at 1M CIs), before each is looked at for what is wrong."""
    froms = [dep.from_ for dep in doc.dependencies]
    tos = [dep.to for dep in doc.dependencies]
    return (
        set(map(known.get, froms)) <= DEPENDABLE
        and set(map(known.get, tos)) <= DEPENDABLE
        and not any(map(operator.eq, froms, tos))
        and len(set(zip(froms, tos, strict=True))) == len(froms)
    )


def _consumption_well(doc: ExchangeDocument, known: Mapping[str, Kind]) -> bool:
    """Whether every consumption joins a business unit to a service, none listed twice (as `_dependencies_well`)."""
    units = [con.businessUnit for con in doc.consumption]
    services = [con.service for con in doc.consumption]
    return (
        set(map(known.get, units)) <= {Kind.BUSINESS_UNIT}
        and set(map(known.get, services)) <= {Kind.SERVICE}
        and len(set(zip(units, services, strict=True))) == len(units)
    )


def _dependency_problems(doc: ExchangeDocument, known: Mapping[str, Kind], ref: _Ref, problems: list[Problem]) -> None:
    seen_edges: set[tuple[str, str]] = set()
    for i, dep in enumerate(doc.dependencies):
        edge = (dep.from_, dep.to)
        if known.get(dep.from_) in DEPENDABLE and known.get(dep.to) in DEPENDABLE and dep.from_ != dep.to:
            if edge not in seen_edges:
                seen_edges.add(edge)
                continue
        base = f"dependencies[{i}]"
        ref(f"{base}.from", dep.from_, DEPENDABLE)
        ref(f"{base}.to", dep.to, DEPENDABLE)
        if dep.from_ == dep.to:
            problems.append(Problem(base, f"{dep.from_!r} cannot depend on itself", dep.from_, "SELF"))
        if (dep.from_, dep.to) in seen_edges:
            problems.append(Problem(base, f"the dependency {dep.from_!r} -> {dep.to!r} is listed twice"))
        seen_edges.add((dep.from_, dep.to))


def _consumption_problems(doc: ExchangeDocument, known: Mapping[str, Kind], ref: _Ref, problems: list[Problem]) -> None:
    seen_edges: set[tuple[str, str]] = set()
    for i, con in enumerate(doc.consumption):
        edge = (con.businessUnit, con.service)
        if known.get(con.businessUnit) is Kind.BUSINESS_UNIT and known.get(con.service) is Kind.SERVICE:
            if edge not in seen_edges:
                seen_edges.add(edge)
                continue
        base = f"consumption[{i}]"
        ref(f"{base}.businessUnit", con.businessUnit, {Kind.BUSINESS_UNIT})
        ref(f"{base}.service", con.service, {Kind.SERVICE})
        if (con.businessUnit, con.service) in seen_edges:
            problems.append(Problem(base, f"{con.businessUnit!r} consuming {con.service!r} is listed twice"))
        seen_edges.add((con.businessUnit, con.service))


_REF_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.REQUIREMENT: ("refines", "raisedBy"),
    Kind.METRIC: ("requirement",),
    Kind.SERVICE: ("owner", "satisfies"),
    Kind.CONFIGURATION_ITEM: ("site", "owner"),
    Kind.REDUNDANCY_GROUP: ("members",),
    Kind.SLA: ("service", "businessUnit"),
    Kind.POLICY: ("governs",),
    Kind.PROCESS: ("interfacesWith",),
    Kind.INCIDENT: ("affects", "problem"),
    Kind.PROBLEM: ("causedBy",),
    Kind.CHANGE: ("modifies", "release", "resolves"),
}


# the allowed kinds of each reference field's targets
_ALLOWED: dict[tuple[Kind, str], frozenset[Kind]] = {
    (kind, field): frozenset(relationship(kind, field).target)
    for kind, fields in _REF_FIELDS.items()
    for field in fields
}
# the kinds `_item_rules` has rules for
_RULED = frozenset({Kind.REDUNDANCY_GROUP, Kind.REQUIREMENT, Kind.PROCESS, Kind.CHANGE, Kind.INCIDENT, Kind.POLICY})
_RULED_IN_ORDER = [kind for kind in Kind if kind in _RULED]  # in the document's order, as document_items


def _item_rules(kind: Kind, base: str, item: Any) -> list[Problem]:
    """Checks on one item that the JSON Schema cannot express (only asked for the kinds in `_RULED`)."""
    out = []
    if kind is Kind.REDUNDANCY_GROUP and item.minHealthy > len(set(item.members)):
        count = len(set(item.members))  # a member listed twice is one member
        out.append(Problem(f"{base}.minHealthy", f"minHealthy {item.minHealthy} exceeds the group's {count} member(s)"))
    if kind in (Kind.REQUIREMENT, Kind.PROCESS):
        field = "refines" if kind is Kind.REQUIREMENT else "interfacesWith"
        if item.id in getattr(item, field):
            out.append(Problem(f"{base}.{field}", f"{item.id!r} cannot refer to itself"))
    if kind is Kind.CHANGE and item.plannedStart and item.plannedEnd and item.plannedEnd <= item.plannedStart:
        out.append(Problem(f"{base}.plannedEnd", "plannedEnd must be after plannedStart"))
    if kind is Kind.INCIDENT and item.resolvedAt is not None and item.resolvedAt < item.openedAt:
        out.append(Problem(f"{base}.resolvedAt", "resolvedAt must not be before openedAt"))
    if kind is Kind.POLICY and item.rule is not None:
        rule = item.rule
        if rule.type == "CHANGE_FREEZE" and rule.to <= rule.from_:
            out.append(Problem(f"{base}.rule.to", "the freeze must end after it starts"))
        if rule.type == "MAINTENANCE_WINDOW":
            if rule.endHour <= rule.startHour:
                out.append(Problem(f"{base}.rule.endHour", "endHour must be after startHour"))
            if not _known_timezone(rule.timezone):
                out.append(Problem(f"{base}.rule.timezone", f"unknown time zone {rule.timezone!r}"))
    return out


def _known_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _path_of(doc: ExchangeDocument, item_id: str) -> str:
    for kind, index, item in document_items(doc):
        if item.id == item_id:
            return f"{kind.collection}[{index}].id"
    return ""
