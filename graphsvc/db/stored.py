"""What an import looks up of what is stored: each id's kind, hash and version, and where needed the content hash
of the stored item, computed the way an import computes a document item's.

An item's `hash` property is the content hash its last import wrote; every other write to the item's content (the
mutations, a dependency added or removed, an item it lists deleted) clears it. An import compares a document item
with the stored hash first, and where that is missing or differs, with the hash of what is stored read back as the
exporter writes it: so an item is "updated" only when the document says something the database does not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from neo4j import READ_ACCESS, AsyncDriver, AsyncManagedTransaction, RoutingControl
from pydantic import ValidationError

from graphsvc.db.cypher import cypher
from graphsvc.domain.exchange import FORMAT, Consumption, Dependency, ExchangeDocument
from graphsvc.domain.rows import content_hash, item_from_props
from graphsvc.domain.vocabulary import Kind, Rel, owned_fields

__all__ = ["existing_in", "existing_kinds", "item_count", "stored_digests"]


# A lookup of more ids than this first asks whether the database holds any item at all (a document's import does;
# a single write's few ids do not pay the extra read).
COUNT_FIRST = 100
# A lookup of at least this share of the items the database holds reads them all in id order instead of seeking each
# id: at 100k CIs (137,644 ids, all the estate) 0.5 s against 1.4 s, so it pays from about a third; half, to be sure.
SCAN_FROM_SHARE = 0.5
_SCAN_CHUNK = 50_000


async def existing_kinds(driver: AsyncDriver, database: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each of `ids` already in the database: its kind, hash and version."""
    async with driver.session(
        database=database, bookmark_manager=driver.execute_query_bookmark_manager, default_access_mode=READ_ACCESS
    ) as session:
        return await session.execute_read(existing_in, sorted(set(ids)))


async def existing_in(tx: AsyncManagedTransaction, ids: list[str]) -> dict[str, dict[str, Any]]:
    """`existing_kinds` in a transaction of the caller's (an import's, under its lock); `ids` sorted, unique."""
    out: dict[str, dict[str, Any]] = {}
    if len(ids) > COUNT_FIRST:
        # a first import: one count (constant time) instead of an index seek per id (24 s at 1M CIs)
        record = await (await tx.run(cypher("meta/item_count"))).single(strict=True)
        if record["items"] == 0:
            return out
        if len(ids) >= SCAN_FROM_SHARE * record["items"]:  # a re-import of most of the estate
            return await _scanned(tx, set(ids))
    for chunk in _chunks(ids, 20_000):
        found = await (await tx.run(cypher("import/existing_items"), ids=chunk)).single(strict=True)
        for item_id, kind, digest, version in found["found"]:
            out[item_id] = {"kind": Kind(kind), "hash": digest, "version": version}
    return out


async def _scanned(tx: AsyncManagedTransaction, wanted: set[str]) -> dict[str, dict[str, Any]]:
    """`existing_in` by reading every item in id order, _SCAN_CHUNK at a time, keeping those `wanted`."""
    out: dict[str, dict[str, Any]] = {}
    after = ""  # every id is longer than the empty string (Id's pattern)
    while True:
        record = await (await tx.run(cypher("import/all_items_after"), after=after, limit=_SCAN_CHUNK)).single(
            strict=True
        )
        found = record["found"]
        for item_id, kind, digest, version in found:
            if item_id in wanted:
                out[item_id] = {"kind": Kind(kind), "hash": digest, "version": version}
        if len(found) < _SCAN_CHUNK:
            return out
        after = found[-1][0]


async def item_count(driver: AsyncDriver, database: str) -> int:
    """How many items the database holds (a count the store keeps: constant time)."""
    records, _, _ = await driver.execute_query(
        cypher("meta/item_count"), database_=database, routing_=RoutingControl.READ
    )
    return int(records[0]["items"])


def _chunks(rows: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _ordered(rels: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    # The exporter's order (cypher/export/rels.cypher): listing order, then target id.
    return sorted(rels, key=lambda r: (r["props"].get("i", 0), r["to"]))


def stored_digest(item_id: str, kind: Kind, props: Mapping[str, Any], rels: list[Mapping[str, Any]]) -> str | None:
    """The content hash of one stored item and its outgoing relationships; None if it is no valid exchange item
    (written behind graphsvc's back): an import then rewrites it."""
    by_type: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for rel in rels:
        by_type[rel["type"]].append(rel)
    refs = {}
    for owned in owned_fields(kind):
        assert owned.field is not None
        refs[owned.field] = [r["to"] for r in _ordered(by_type.get(owned.type.value, []))]
    try:
        doc = ExchangeDocument.model_validate({"format": FORMAT, kind.collection: [item_from_props(kind, props, refs)]})
        deps = [
            Dependency.model_validate({"from": item_id, "to": r["to"], **{k: r["props"].get(k) for k in _DEP_FIELDS}})
            for r in _ordered(by_type.get(Rel.DEPENDS_ON.value, []))
        ]
        cons = [
            Consumption(businessUnit=item_id, service=r["to"], share=r["props"].get("share"))
            for r in _ordered(by_type.get(Rel.CONSUMES.value, []))
        ]
    except (ValidationError, KeyError, TypeError, ValueError):
        return None
    return content_hash(getattr(doc, kind.collection)[0], deps, cons)


_DEP_FIELDS = ("kind", "strength", "weight")


async def stored_digests(tx: AsyncManagedTransaction, ids: Iterable[str]) -> dict[str, str | None]:
    """For each of `ids` that exists: the content hash of what is stored (see `stored_digest`)."""
    result = await tx.run(cypher("import/stored_items"), ids=list(ids))
    return {r["id"]: stored_digest(r["id"], Kind(r["kind"]), r["props"], r["rels"]) async for r in result}
