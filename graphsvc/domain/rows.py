"""Mapping between exchange items and what is stored in the graph: node properties and owned relationships.

Pure functions, used by the importer (item -> rows) and the exporter (rows -> item), so that
import(export(x)) round-trips exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel

from graphsvc.domain.exchange import Consumption, Dependency, ExchangeDocument
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, Rel, Relationship, owned_fields

__all__ = [
    "Listed",
    "StoredRel",
    "by_owner",
    "content_hash",
    "created_item",
    "dependency_from_props",
    "dependency_props",
    "item_from_props",
    "item_props",
    "node_row",
    "outgoing",
    "to_rfc3339",
]

# Stored on every item by the importer; not part of the exchange format. `discovered`: what each discovery source
# last wrote to the item and when it last saw it (graphsvc/discovery/reconcile.py). `utilizationAt`: the time of the
# reading a CI's `utilization` came from (db/utilization.py).
SYSTEM_PROPS = frozenset(
    {"id", "itemKind", "hash", "version", "createdAt", "updatedAt", "ruleType", "discovered", "utilizationAt"}
)
_JSON_PROPS = frozenset({"attributes", "rule"})
# Stored under another name where the exchange field would clash with a system property.
_RENAMED = {"version": "releaseVersion"}
_UNRENAMED = {v: k for k, v in _RENAMED.items()}
_DEPENDS_ON, _CONSUMES = Rel.DEPENDS_ON.value, Rel.CONSUMES.value


@cache
def _ref_fields(kind: Kind) -> frozenset[str]:
    return frozenset(r.field for r in owned_fields(kind) if r.field) | {"id"}


@cache
def _listed(kind: Kind) -> tuple[tuple[str, str], ...]:
    """(field, relationship type) of each relationship an item of `kind` lists, for `outgoing` (called for every
    item an import writes: the enum's `.value` was a fifth of its time)."""
    return tuple((r.field, r.type.value) for r in owned_fields(kind) if r.field)


def _listed_targets(kind: Kind, item: Any) -> Iterator[tuple[str, list[str]]]:
    """(relationship type, target ids in listing order) of each relationship `item` lists: `owned_relationships`
    by type name, without the ones it leaves empty."""
    for name, rel in _listed(kind):
        value = getattr(item, name)
        if value is not None:
            yield rel, value if isinstance(value, list) else [value]


def item_props(kind: Kind, item: BaseModel) -> dict[str, Any]:
    """The node properties of an item (its scalar fields; references become relationships)."""
    props: dict[str, Any] = item.model_dump(exclude=set(_ref_fields(kind)), exclude_none=True)
    for name, value in props.items():
        if isinstance(value, Decimal):
            props[name] = str(value)
    if "rule" in props:
        props["ruleType"] = props["rule"]["type"]
        rule = item.model_dump(mode="json", by_alias=True, include={"rule"})["rule"]
        props["rule"] = json.dumps(rule, sort_keys=True, separators=(",", ":"))
    if "attributes" in props:
        props["attributes"] = json.dumps(props["attributes"], sort_keys=True, separators=(",", ":"))
    for old, new in _RENAMED.items():
        if old in props:
            props[new] = props.pop(old)
    return props


def node_row(item_id: str, kind: Kind, digest: str | None, props: dict[str, Any]) -> dict[str, Any]:
    """The parameters of one node for cypher/import/create_nodes and update_nodes. (create_nodes also takes `$at`,
    ISO text or None: the created items' `createdAt` and `updatedAt`, the statement's time when None.)

    Timestamps travel as ISO text in `times` and Cypher makes them datetimes: the driver's own conversion of a
    Python datetime goes through pytz and cost a bulk import seconds (about 85 us a value on the bench machine)."""
    times = {k: v.isoformat() for k, v in props.items() if isinstance(v, datetime)}
    if times:
        props = {k: v for k, v in props.items() if k not in times}
    return {"id": item_id, "kind": kind.value, "label": kind.label, "hash": digest, "props": props, "times": times}


def owned_relationships(kind: Kind, item: BaseModel) -> list[tuple[Relationship, list[str]]]:
    """The relationships an item lists, each with its target ids in listing order."""
    out = []
    for rel in owned_fields(kind):
        assert rel.field is not None
        value = getattr(item, rel.field)
        targets = value if isinstance(value, list) else [value] if value is not None else []
        out.append((rel, list(targets)))
    return out


def dependency_props(dep: Dependency, index: int) -> dict[str, Any]:
    props: dict[str, Any] = {"i": index, "kind": dep.kind, "strength": dep.strength, "weight": dep.weight}
    if dep.source is not None:
        props["source"] = dep.source
    if dep.lastSeenAt is not None:
        props["lastSeenAt"] = dep.lastSeenAt
    if dep.attributes:
        props["attributes"] = json.dumps(dep.attributes, sort_keys=True, separators=(",", ":"))
    return props


def dependency_from_props(source: str, target: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """The exchange form of a stored dependency (the inverse of `dependency_props`, less its listing order)."""
    out: dict[str, Any] = {
        "from": source,
        "to": target,
        "kind": props["kind"],
        "strength": props["strength"],
        "weight": props["weight"],
    }
    if props.get("source") is not None:
        out["source"] = props["source"]
    if props.get("lastSeenAt") is not None:
        out["lastSeenAt"] = to_rfc3339(props["lastSeenAt"])
    if props.get("attributes"):
        out["attributes"] = json.loads(props["attributes"])
    return out


def consumption_props(con: Consumption, index: int) -> dict[str, Any]:
    return {"i": index, "share": con.share}


# (index in the document, dependency) by `from`, and (index in the document, share) by business unit
Listed = tuple[dict[str, list[tuple[int, Dependency]]], dict[str, list[tuple[int, Consumption]]]]


def by_owner(doc: ExchangeDocument) -> Listed:
    """The document's dependencies by the item they go out of and its consumption by business unit, each with its
    index in the document (the relationship's `i`): an item's content hash and its relationships read them."""
    deps: dict[str, list[tuple[int, Dependency]]] = {}
    for i, dep in enumerate(doc.dependencies):
        deps.setdefault(dep.from_, []).append((i, dep))
    cons: dict[str, list[tuple[int, Consumption]]] = {}
    for i, con in enumerate(doc.consumption):
        cons.setdefault(con.businessUnit, []).append((i, con))
    return deps, cons


StoredRel = tuple[str, str, dict[str, Any]]  # (relationship type, target id, the relationship's properties)


def created_item(
    kind: Kind,
    item: Any,
    deps: list[tuple[int, Dependency]],
    cons: list[tuple[int, Consumption]],
    now: datetime,
    digest: str | None = None,
    props: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[StoredRel]]:
    """What an item the document creates is stored as: its properties (as cypher/import/create_nodes leaves them,
    at `now`) and its outgoing relationships, as the importer (create_rels) and the initial load write them.

    `deps` and `cons` are the item's own dependencies and consumption (`by_owner`); `digest` its content hash and
    `props` its `item_props` (not changed: copied), made here when not given."""
    props = item_props(kind, item) if props is None else dict(props)
    props.update(
        id=item.id,
        itemKind=kind.value,
        hash=digest or content_hash(item, [d for _, d in deps], [c for _, c in cons]),
        version=1,
        createdAt=now,
        updatedAt=now,
    )
    return props, outgoing(kind, item, deps, cons)


def outgoing(
    kind: Kind, item: Any, deps: list[tuple[int, Dependency]], cons: list[tuple[int, Consumption]]
) -> list[StoredRel]:
    """The relationships an import writes out of an item the document describes: its owned references, and its own
    dependencies and consumption (`by_owner`), each with its properties."""
    out: list[StoredRel] = []
    for rel, targets in _listed_targets(kind, item):
        out.extend((rel, target, {"i": i}) for i, target in enumerate(targets))
    if kind in DEPENDABLE:
        out.extend((_DEPENDS_ON, dep.to, dependency_props(dep, i)) for i, dep in deps)
    if kind is Kind.BUSINESS_UNIT:
        out.extend((_CONSUMES, con.service, consumption_props(con, i)) for i, con in cons)
    return out


def outgoing_count(
    kind: Kind, item: Any, deps: list[tuple[int, Dependency]], cons: list[tuple[int, Consumption]]
) -> int:
    """How many relationships `outgoing` gives, without making them."""
    count = sum(len(targets) for _rel, targets in _listed_targets(kind, item))
    if kind in DEPENDABLE:
        count += len(deps)
    if kind is Kind.BUSINESS_UNIT:
        count += len(cons)
    return count


def content_hash(
    item: BaseModel, dependencies: list[Dependency] | None = None, consumption: list[Consumption] | None = None
) -> str:
    """A hash of everything the document says about an item, to tell changed items from unchanged ones."""
    digest = hashlib.blake2b(item.model_dump_json(by_alias=True, exclude_none=True).encode(), digest_size=16)
    for dep in dependencies or ():  # (fields left out are no content: a field added later keeps old hashes)
        digest.update(dep.model_dump_json(by_alias=True, exclude_none=True).encode())
    for con in consumption or ():
        digest.update(con.model_dump_json().encode())
    return digest.hexdigest()


def to_rfc3339(value: Any) -> str:
    """A stored timestamp as RFC 3339 in UTC (`2026-11-20T10:00:00Z`)."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    assert isinstance(value, datetime)
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def item_from_props(kind: Kind, props: Mapping[str, Any], refs: Mapping[str, list[str]]) -> dict[str, Any]:
    """The exchange form of a stored item: its properties plus the ids of its owned relationships."""
    out: dict[str, Any] = {"id": props["id"]}
    for name, value in props.items():
        if name in SYSTEM_PROPS:
            continue
        if name in _JSON_PROPS:
            value = json.loads(value)
        elif hasattr(value, "to_native") or isinstance(value, datetime):
            value = to_rfc3339(value)
        out[_UNRENAMED.get(name, name)] = value
    for rel in owned_fields(kind):
        assert rel.field is not None
        targets = refs.get(rel.field, [])
        if rel.many:
            if targets:
                out[rel.field] = list(targets)
        elif targets:
            out[rel.field] = targets[0]
    return out
