"""Exchange items <-> stored node properties (graphsvc/domain/rows.py), without a database.

The importer stores `item_props` (plus its system properties) on the node and writes each reference as a
relationship; the exporter reads the properties back and collects the relationships into `refs` by exchange field.
Both directions together must give the exchange item back, and `content_hash` must tell changed items apart.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any, get_args

import neo4j.time
import pytest
from pydantic import BaseModel

from graphsvc.domain import exchange as x
from graphsvc.domain.rows import (
    SYSTEM_PROPS,
    consumption_props,
    content_hash,
    dependency_props,
    item_from_props,
    item_props,
    owned_relationships,
)
from graphsvc.domain.validation import document_items, validate_structure
from graphsvc.domain.vocabulary import Kind, owned_fields
from tests.unit.test_exchange_agreement import DEFS, DEMO_PATH, FULL, SCHEMA, _ref, _target, leaf_pools, small

NOW = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)


@cache
def demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    return data


DOCUMENTS = {"small.json": small, "demo.json": demo, "every-optional-field": lambda: FULL}


def model_of(kind: Kind) -> type[BaseModel]:
    model: type[BaseModel] = get_args(x.ExchangeDocument.model_fields[kind.collection].annotation)[0]
    return model


def def_name(kind: Kind) -> str:
    name = _ref(SCHEMA["properties"][kind.collection]["items"])
    assert name is not None
    return name


def store(kind: Kind, item: Any, *, driver_types: bool = False) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """What the importer writes for an item, as the exporter reads it back: node properties and refs by field."""
    props = item_props(kind, item) | {
        "id": item.id,
        "itemKind": kind.value,
        "hash": content_hash(item),
        "version": 7,
        "createdAt": NOW,
        "updatedAt": NOW,
    }
    if driver_types:  # the driver returns neo4j.time.DateTime for stored datetimes
        props = {k: neo4j.time.DateTime.from_native(v) if isinstance(v, datetime) else v for k, v in props.items()}
    refs = {rel.field: list(targets) for rel, targets in owned_relationships(kind, item) if targets}
    assert all(field is not None for field in refs)
    return props, refs  # type: ignore[return-value]


def exchange_form(item: BaseModel) -> dict[str, Any]:
    """The item as an export writes it: JSON values, nulls and empty reference lists left out, defaults filled in."""
    out = item.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {k: v for k, v in out.items() if v != []}


def items(doc: dict[str, Any]) -> Iterator[tuple[Kind, dict[str, Any], Any]]:
    """(kind, raw item, parsed item) for every item of a document."""
    parsed = validate_structure(doc)
    for kind, index, item in document_items(parsed):
        yield kind, doc[kind.collection][index], item


# ---------------------------------------------------------------------------------------------------------------------
# Round trips.


@pytest.mark.parametrize("driver_types", [False, True], ids=["datetime", "neo4j-DateTime"])
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_item_from_props_gives_the_exchange_item_back(name: str, driver_types: bool) -> None:
    seen: set[Kind] = set()
    for kind, raw, item in items(DOCUMENTS[name]()):
        seen.add(kind)
        props, refs = store(kind, item, driver_types=driver_types)
        back = item_from_props(kind, props, refs)
        assert back == exchange_form(item), (kind, item.id)
        assert model_of(kind).model_validate(back) == item, (kind, item.id)
        assert model_of(kind).model_validate(raw) == item
        # and it is a valid exchange item again, whose properties are the same
        again = validate_structure({"format": x.FORMAT, kind.collection: [back]})
        assert item_props(kind, getattr(again, kind.collection)[0]) == item_props(kind, item)
    assert seen == set(Kind), f"{name} lacks {set(Kind) - seen}"


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_props_are_what_a_neo4j_node_can_hold(name: str) -> None:
    scalar = (str, int, float, bool, datetime)
    for kind, _raw, item in items(DOCUMENTS[name]()):
        props = item_props(kind, item)
        fields = {f.alias or n for n, f in type(item).model_fields.items()}
        refs = {rel.field for rel in owned_fields(kind)}
        assert "id" not in props
        assert not set(props) & refs, "references are relationships, not properties"
        assert set(props) <= (fields | SYSTEM_PROPS | {"releaseVersion"}) - {"version"}, set(props) - fields
        for key, value in props.items():
            assert isinstance(value, scalar) and not isinstance(value, Decimal), (kind, key, value)
            if isinstance(value, datetime):
                assert value.utcoffset() is not None and value.utcoffset().total_seconds() == 0, (kind, key)


def test_a_release_version_does_not_clash_with_the_system_version() -> None:
    release = x.Release.model_validate({"id": "REL-1", "name": "r", "version": "2026.11"})
    props = item_props(Kind.RELEASE, release)
    assert props["releaseVersion"] == "2026.11"
    assert "version" not in props
    stored, _ = store(Kind.RELEASE, release)
    assert stored["version"] == 7
    assert item_from_props(Kind.RELEASE, stored, {})["version"] == "2026.11"


def test_rules_and_attributes_are_stored_as_canonical_json() -> None:
    for kind, raw, item in items(FULL):
        props = item_props(kind, item)
        if "rule" in raw:
            assert props["ruleType"] == raw["rule"]["type"]
            assert json.loads(props["rule"])["type"] == raw["rule"]["type"]
            assert props["rule"] == json.dumps(json.loads(props["rule"]), sort_keys=True, separators=(",", ":"))
        if raw.get("attributes"):
            assert json.loads(props["attributes"]) == raw["attributes"]
            assert list(json.loads(props["attributes"])) == sorted(raw["attributes"])


def test_dependency_and_consumption_props_give_the_exchange_edge_back() -> None:
    parsed = validate_structure(small())
    for i, dep in enumerate(parsed.dependencies):
        props = dependency_props(dep, i)
        assert props["i"] == i
        # what the exporter writes for a DEPENDS_ON relationship
        back = {"from": dep.from_, "to": dep.to, **{k: props[k] for k in ("kind", "strength", "weight")}}
        assert x.Dependency.model_validate(back) == dep
    for i, con in enumerate(parsed.consumption):
        props = consumption_props(con, i)
        assert props["i"] == i
        back = {"businessUnit": con.businessUnit, "service": con.service, "share": props["share"]}
        assert x.Consumption.model_validate(back) == con


# ---------------------------------------------------------------------------------------------------------------------
# content_hash.


def _same_content_variants(kind: Kind, raw: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The same content written differently."""
    yield copy.deepcopy(raw)
    yield dict(reversed(list(raw.items())))
    if kind is Kind.CONFIGURATION_ITEM and raw.get("attributes"):
        yield raw | {"attributes": dict(reversed(list(raw["attributes"].items())))}
    if kind is Kind.SERVICE and "status" not in raw:
        yield raw | {"status": "ACTIVE"}
    if kind is Kind.INCIDENT and "resolvedAt" not in raw:
        yield raw | {"resolvedAt": None}
    if kind is Kind.INCIDENT:
        opened = datetime.fromisoformat(raw["openedAt"]).astimezone(UTC)
        yield raw | {"openedAt": opened.isoformat().replace("+00:00", "Z")}
    if kind is Kind.SERVICE and "criticality" in raw:
        yield raw | {"criticality": float(raw["criticality"])}


@pytest.mark.parametrize("name", ["small.json", "every-optional-field"])
def test_the_hash_is_equal_for_equal_content(name: str) -> None:
    for kind, raw, item in items(DOCUMENTS[name]()):
        for variant in _same_content_variants(kind, raw):
            assert content_hash(model_of(kind).model_validate(variant)) == content_hash(item), (kind, variant)


def test_attribute_order_does_not_change_the_hash() -> None:
    base = {"id": "CI-1", "name": "ci", "type": "SERVER"}
    attributes = {"hostname": "h", "ip": "10.0.0.1", "cores": 8, "ratio": 0.5, "virtual": True, "rack": None}
    one = x.ConfigurationItem.model_validate(base | {"attributes": attributes})
    other = x.ConfigurationItem.model_validate(base | {"attributes": dict(reversed(list(attributes.items())))})
    assert content_hash(one) == content_hash(other)
    assert item_props(Kind.CONFIGURATION_ITEM, one) == item_props(Kind.CONFIGURATION_ITEM, other)
    changed = x.ConfigurationItem.model_validate(base | {"attributes": attributes | {"cores": 16}})
    assert content_hash(changed) != content_hash(one)


def _valid_values(prop: dict[str, Any], current: Any) -> list[Any]:
    """Values the schema accepts at a place (the agreement tests check that the models accept them too)."""
    target = _target(prop)
    if "oneOf" in target:  # a rule: every rule type
        return [p["rule"] for p in FULL["policies"]]
    if "anyOf" in target:
        return [None, *leaf_pools(DEFS["Timestamp"] | {"$ref": "#/$defs/Timestamp"})[0]]
    if target.get("type") == "array":
        goods = _valid_values(target["items"], None)[-2:]
        out: list[Any] = [[], goods[:1], goods]
        if current:
            out += [current[:-1], [*current, goods[-1]], list(reversed(current))]
        return [v for v in out if len(v) >= target.get("minItems", 0)]
    if target.get("type") == "object":  # attributes
        out = [{}, {"k": "v"}, {"k": 1}, {"k": 1.5}, {"k": True}, {"k": None}]
        if current:
            out += [current | {"new": 1}, {k: "changed" for k in current}]
        return out
    good = list(leaf_pools(prop)[0])
    return [*good, "NEW-ID"] if _ref(prop) == "Id" else good


def _changes(schema: dict[str, Any], raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every single-field change the schema allows: a field set to another value, or an optional field dropped."""
    for key, prop in schema["properties"].items():
        if key in raw and key not in schema.get("required", ()):
            yield f"drop {key}", {k: v for k, v in raw.items() if k != key}
        for value in _valid_values(prop, raw.get(key)):
            yield f"{key}={value!r}", raw | {key: value}
        if "oneOf" in _target(prop) and isinstance(raw.get(key), dict):  # inside the rule
            branch = next(b for b in _target(prop)["oneOf"] if b["properties"]["type"]["const"] == raw[key]["type"])
            for what, rule in _changes(branch, raw[key]):
                yield f"{key}.{what}", raw | {key: rule}


@pytest.mark.parametrize("name", ["small.json", "every-optional-field"])
def test_the_hash_changes_whenever_the_content_does(name: str) -> None:
    changed = 0
    for kind, raw, item in items(DOCUMENTS[name]()):
        model, before = model_of(kind), content_hash(item)
        for what, variant in _changes(DEFS[def_name(kind)], raw):
            other = model.model_validate(variant)
            assert (content_hash(other) != before) == (other != item), (kind, item.id, what)
            changed += other != item
    assert changed > 100


def test_the_hash_covers_the_items_dependencies_and_consumption() -> None:
    parsed = validate_structure(small())
    app = next(c for c in parsed.configurationItems if c.id == "CI-APP-1")
    deps = [d for d in parsed.dependencies if d.from_ == app.id]
    assert len(deps) == 2
    base = content_hash(app, deps)
    assert (
        content_hash(app, [x.Dependency.model_validate(d.model_dump(by_alias=True, exclude_none=True)) for d in deps])
        == base
    )
    assert content_hash(app) != base
    assert content_hash(app, deps[:1]) != base
    for change in ({"to": "CI-DB-1"}, {"kind": "RUNS_ON"}, {"strength": "SOFT"}, {"weight": 2.5}):
        other = x.Dependency.model_validate(deps[0].model_dump(by_alias=True, exclude_none=True) | change)
        assert content_hash(app, [other, deps[1]]) != base, change

    bu = parsed.businessUnits[0]
    cons = [c for c in parsed.consumption if c.businessUnit == bu.id]
    base = content_hash(bu, [], cons)
    assert content_hash(bu) != base
    more = x.Consumption.model_validate(cons[0].model_dump() | {"share": 4})
    assert content_hash(bu, [], [more]) != base
    other_service = x.Consumption.model_validate(cons[0].model_dump() | {"service": "SVC-ORDERS"})
    assert content_hash(bu, [], [other_service]) != base


def test_the_hash_of_each_kind_differs_between_items() -> None:
    hashes = [content_hash(item) for _, _, item in items(demo())]
    assert len(set(hashes)) == len(hashes)
