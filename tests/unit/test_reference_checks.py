"""`check_references` asks first whether each reference is well and only then makes paths and messages: it must find
exactly the problems, in the same order, that checking every reference the plain way finds (`plain_problems`)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.domain.exchange import ExchangeDocument
from graphsvc.domain.validation import (
    _REF_FIELDS,
    DocumentInvalid,
    Problem,
    _item_rules,
    _path_of,
    check_references,
    document_ids,
    document_items,
    validate_structure,
)
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, relationship
from tests.conftest import REPO, load_json

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")


def plain_document_ids(doc: ExchangeDocument) -> tuple[dict[str, Kind], list[Problem]]:
    """Every id with its path, a problem for each defined twice (document_ids as it was before it got fast)."""
    ids: dict[str, Kind] = {}
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


def plain_problems(doc: ExchangeDocument, existing: Mapping[str, Kind]) -> list[Problem]:
    """Every reference checked one by one, each with its path (check_references as it was before it got fast)."""
    defined, problems = plain_document_ids(doc)
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

    for kind, index, item in document_items(doc):
        base = f"{kind.collection}[{index}]"
        for field in _REF_FIELDS.get(kind, ()):
            rel = relationship(kind, field)
            value = getattr(item, field)
            if isinstance(value, list):
                seen: set[str] = set()
                for i, target in enumerate(value):
                    if target in seen:
                        problems.append(Problem(f"{base}.{field}[{i}]", f"{target!r} is listed twice"))
                    seen.add(target)
                    ref(f"{base}.{field}[{i}]", target, rel.target)
            elif value is not None:
                ref(f"{base}.{field}", value, rel.target)
        problems.extend(_item_rules(kind, base, item))

    seen_edges: set[tuple[str, str]] = set()
    for i, dep in enumerate(doc.dependencies):
        base = f"dependencies[{i}]"
        ref(f"{base}.from", dep.from_, DEPENDABLE)
        ref(f"{base}.to", dep.to, DEPENDABLE)
        if dep.from_ == dep.to:
            problems.append(Problem(base, f"{dep.from_!r} cannot depend on itself", dep.from_, "SELF"))
        if (dep.from_, dep.to) in seen_edges:
            problems.append(Problem(base, f"the dependency {dep.from_!r} -> {dep.to!r} is listed twice"))
        seen_edges.add((dep.from_, dep.to))
    seen_edges = set()
    for i, con in enumerate(doc.consumption):
        base = f"consumption[{i}]"
        ref(f"{base}.businessUnit", con.businessUnit, {Kind.BUSINESS_UNIT})
        ref(f"{base}.service", con.service, {Kind.SERVICE})
        if (con.businessUnit, con.service) in seen_edges:
            problems.append(Problem(base, f"{con.businessUnit!r} consuming {con.service!r} is listed twice"))
        seen_edges.add((con.businessUnit, con.service))
    for i, reading in enumerate(doc.utilizationReadings):
        ref(f"utilizationReadings[{i}].ci", reading.ci, {Kind.CONFIGURATION_ITEM})
    return problems


def found(doc: ExchangeDocument, existing: Mapping[str, Kind]) -> list[Problem]:
    try:
        check_references(doc, existing)
    except DocumentInvalid as exc:
        return exc.problems
    return []


# every id of the fixture, and some no item has
IDS = sorted({item["id"] for v in SMALL.values() if isinstance(v, list) for item in v if "id" in item})
TARGETS = st.sampled_from([*IDS, "CI-NOWHERE", "SVC-NOWHERE"])
# (collection, field) of every reference the fixture's items make, lists and single ids
REFERENCES = sorted(
    (kind.collection, field, isinstance(item.get(field), list))
    for kind, fields in _REF_FIELDS.items()
    for field in fields
    for item in SMALL.get(kind.collection, [])
    if item.get(field) is not None
)


@st.composite
def altered(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Kind]]:
    """The fixture with references pointed elsewhere (unknown ids, ids of other kinds), list entries repeated,
    dependencies and consumption repeated or turned on themselves, items listed twice, readings of other ids; and ids
    taken to be stored already, some as another kind."""
    doc = copy.deepcopy(SMALL)
    for collection, field, is_list in draw(st.lists(st.sampled_from(REFERENCES), max_size=6)):
        item = draw(st.sampled_from([i for i in doc[collection] if i.get(field) is not None]))
        if is_list:
            values = item[field]
            if draw(st.booleans()) and values:
                values.append(draw(st.sampled_from(values)))  # listed twice
            elif values:
                values[draw(st.integers(0, len(values) - 1))] = draw(TARGETS)
        else:
            item[field] = draw(TARGETS)
    for _ in range(draw(st.integers(0, 3))):
        dep = copy.deepcopy(draw(st.sampled_from(doc["dependencies"])))
        change = draw(st.sampled_from(["repeat", "self", "from", "to"]))
        if change == "self":
            dep["to"] = dep["from"]
        elif change in ("from", "to"):
            dep[change] = draw(TARGETS)
        doc["dependencies"].append(dep)
    for _ in range(draw(st.integers(0, 2))):
        con = copy.deepcopy(draw(st.sampled_from(doc["consumption"])))
        if draw(st.booleans()):
            con[draw(st.sampled_from(["businessUnit", "service"]))] = draw(TARGETS)
        doc["consumption"].append(con)
    for _ in range(draw(st.integers(0, 2))):  # an item listed twice (its id defined twice)
        collection = draw(st.sampled_from([kind.collection for kind in Kind if doc.get(kind.collection)]))
        doc[collection].append(copy.deepcopy(draw(st.sampled_from(doc[collection]))))
    readings = draw(st.lists(TARGETS, max_size=3))
    doc["utilizationReadings"] = [{"ci": ci, "at": "2026-01-01T00:00:00Z", "percent": 50} for ci in readings]
    stored = draw(st.dictionaries(st.sampled_from([*IDS, "CI-STORED", "SVC-STORED"]), st.sampled_from(list(Kind))))
    return doc, stored


@settings(max_examples=300, deadline=None)
@given(altered())
def test_the_fast_checks_find_what_the_plain_ones_find(case: tuple[dict[str, Any], dict[str, Kind]]) -> None:
    raw, existing = case
    doc = validate_structure(raw)
    assert found(doc, existing) == plain_problems(doc, existing)
    assert document_ids(doc) == plain_document_ids(doc)


def test_the_alterations_find_problems() -> None:
    """The strategy does make invalid documents (or the comparison above would compare empty lists)."""
    doc = copy.deepcopy(SMALL)
    doc["dependencies"].append(dict(doc["dependencies"][0]))
    doc["configurationItems"][0]["site"] = "CI-NOWHERE"
    problems = found(validate_structure(doc), {})
    assert [p.kind for p in problems] == ["UNKNOWN", None]
    assert problems == plain_problems(validate_structure(doc), {})
