"""Single-item writes behind the mutations: create, checked update, delete, dependencies.

Each runs in one transaction. Updates take the item's write lock before comparing versions, so two clients
updating the same version cannot both succeed (optimistic concurrency without lost updates).
"""

from __future__ import annotations

from collections.abc import Sequence

from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError
from pydantic import BaseModel

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import native_props
from graphsvc.db.stored import existing_in
from graphsvc.domain.exchange import FORMAT, Dependency, ExchangeDocument
from graphsvc.domain.facts import Props
from graphsvc.domain.rows import content_hash, dependency_props, item_props, node_row, owned_relationships
from graphsvc.domain.validation import DocumentInvalid, Problem, check_references, referenced_ids
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, Rel, owned_fields
from graphsvc.errors import DuplicateId, NotFound, StaleVersion, StillReferenced

__all__ = [
    "add_dependency",
    "bump_graph_state",
    "check_refs_in",
    "create_item",
    "create_items_in",
    "current_refs",
    "delete_item",
    "remove_dependency",
    "update_item",
]


# What the graph version covers: the dependency graph (impact), the business units whose consumption cost flows to
# (cost allocation is remembered under the version too), and what an impact exposes (SLAs, teams, requirements: kept
# in memory beside the graph, usecases/graph_cache.py).
VERSIONED = DEPENDABLE | {Kind.BUSINESS_UNIT, Kind.SLA, Kind.TEAM, Kind.REQUIREMENT}


async def bump_graph_state(tx: AsyncManagedTransaction) -> None:
    """Mark the dependency graph changed, in the writing transaction (in-memory copies reload)."""
    await (await tx.run(cypher("meta/bump_graph_state"))).consume()


async def check_refs_in(tx: AsyncManagedTransaction, doc: ExchangeDocument, *, new_ids: set[str]) -> None:
    """Every reference of `doc` must name an existing item of the right kind (or one of `new_ids`): checked in the
    writing transaction, so a referenced item cannot vanish between the check and the write."""
    existing = await existing_in(tx, sorted(referenced_ids(doc) - new_ids))
    check_references(doc, {k: v["kind"] for k, v in existing.items()})


async def _write_rels(tx: AsyncManagedTransaction, kind: Kind, item: BaseModel, *, replace: bool) -> None:
    for rel, targets in owned_relationships(kind, item):
        if replace:
            await (await tx.run(cypher("import/delete_owned_rels", rel=rel.type), ids=[item.id])).consume()  # type: ignore[attr-defined]
        rows = [{"from": item.id, "to": t, "props": {"i": i}} for i, t in enumerate(targets)]  # type: ignore[attr-defined]
        if rows:
            await (await tx.run(cypher("import/create_rels", rel=rel.type), rows=rows)).consume()


async def create_items_in(tx: AsyncManagedTransaction, kind: Kind, items: Sequence[BaseModel]) -> list[Props]:
    """Create items of one kind in the caller's transaction (which records the audit): DuplicateId if an id is
    taken, DocumentInvalid for unresolved references; what is stored, in the order of `items`."""
    ids: list[str] = [item.id for item in items]  # type: ignore[attr-defined]
    if not ids:
        return []
    doc = ExchangeDocument.model_validate({"format": FORMAT, kind.collection: list(items)})
    found = await existing_in(tx, sorted(set(ids)))
    for item_id in ids:
        if item_id in found:
            raise DuplicateId(item_id, found[item_id]["kind"].value)
    await check_refs_in(tx, doc, new_ids=set(ids))
    rows = [node_row(i, kind, content_hash(item), item_props(kind, item)) for i, item in zip(ids, items, strict=True)]
    await (await tx.run(cypher("import/create_nodes"), rows=rows, at=None)).consume()
    for item in items:
        await _write_rels(tx, kind, item, replace=False)
    if kind in VERSIONED:
        await bump_graph_state(tx)
    stored = {r["id"]: native_props(r["props"]) async for r in await tx.run(cypher("items/by_ids"), ids=ids)}
    return [stored[i] for i in ids]


@translate_unavailable
async def create_item(driver: AsyncDriver, database: str, kind: Kind, item: BaseModel, *, audit: Audit) -> Props:
    """Create one item; DuplicateId if the id is taken, DocumentInvalid for unresolved references."""
    item_id: str = item.id  # type: ignore[attr-defined]

    async def work(tx: AsyncManagedTransaction) -> Props:
        [props] = await create_items_in(tx, kind, [item])
        await audit.record(tx, [(item_id, None, props)])
        return props

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        try:
            return await session.execute_write(with_timeout(work))
        except ConstraintError:
            raise DuplicateId(item_id, kind.value) from None


@translate_unavailable
async def current_refs(driver: AsyncDriver, database: str, kind: Kind, item_id: str) -> dict[str, list[str]]:
    """The ids an item lists, field by field (to merge a patch into)."""
    out: dict[str, list[str]] = {}
    for rel in owned_fields(kind):
        assert rel.field is not None
        records, _, _ = await driver.execute_query(
            cypher("items/owned_refs", rel=rel.type), id=item_id, database_=database
        )
        out[rel.field] = [r["id"] for r in records]
    return out


@translate_unavailable
async def update_item(
    driver: AsyncDriver, database: str, kind: Kind, item: BaseModel, version: int, *, audit: Audit
) -> Props:
    """Replace an item's fields and owned relationships if its version is still `version`."""
    item_id: str = item.id  # type: ignore[attr-defined]
    doc = ExchangeDocument.model_validate({"format": FORMAT, kind.collection: [item]})

    async def work(tx: AsyncManagedTransaction) -> Props:
        record = await (await tx.run(cypher("items/lock"), id=item_id)).single()
        if record is None or record["kind"] != kind.value:
            raise NotFound.item(item_id, kind.value)
        if record["version"] != version:
            raise StaleVersion(item_id, version, int(record["version"]))
        await check_refs_in(tx, doc, new_ids=set())
        result = await tx.run(cypher("items/replace_props"), id=item_id, props=item_props(kind, item))
        props = native_props((await result.single(strict=True))["props"])
        await _write_rels(tx, kind, item, replace=True)
        if kind in VERSIONED:
            await bump_graph_state(tx)
        await audit.record(tx, [(item_id, native_props(record["props"]), props)])
        return props

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


@translate_unavailable
async def delete_item(
    driver: AsyncDriver, database: str, item_id: str, version: int | None, *, detach: bool, audit: Audit
) -> Kind:
    """Delete an item; refuses while others refer to it unless `detach`."""

    async def work(tx: AsyncManagedTransaction) -> Kind:
        record = await (await tx.run(cypher("items/lock"), id=item_id)).single()
        if record is None:
            raise NotFound.item(item_id)
        if version is not None and record["version"] != version:
            raise StaleVersion(item_id, version, int(record["version"]))
        refs = await (await tx.run(cypher("items/incoming"), id=item_id)).single(strict=True)
        if refs["total"] and not detach:
            raise StillReferenced(item_id, int(refs["total"]), [(r["source"], r["rel"]) for r in refs["sample"]])
        await (await tx.run(cypher("items/delete"), id=item_id)).consume()
        if Kind(record["kind"]) is Kind.CONFIGURATION_ITEM:  # its utilization readings (db/utilization.py)
            await (await tx.run(cypher("utilization/delete_of"), id=item_id)).consume()
        if Kind(record["kind"]) in VERSIONED:
            await bump_graph_state(tx)
        await audit.record(tx, [(item_id, native_props(record["props"]), None)])
        return Kind(record["kind"])

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


@translate_unavailable
async def add_dependency(driver: AsyncDriver, database: str, dep: Dependency, *, audit: Audit) -> int:
    """Add (or update) one dependency; returns the dependent's new version."""
    if dep.from_ == dep.to:
        raise DocumentInvalid([Problem("from", f"{dep.from_!r} cannot depend on itself", dep.from_, "SELF")])

    async def work(tx: AsyncManagedTransaction) -> int:
        await _check_ends(tx, dep)
        props = dependency_props(dep, 1_000_000)
        rows = [{"from": dep.from_, "to": dep.to, "props": props}]
        await (await tx.run(cypher("import/merge_rels", rel=Rel.DEPENDS_ON), rows=rows)).consume()
        record = await (await tx.run(cypher("items/bump_version"), id=dep.from_)).single(strict=True)
        await bump_graph_state(tx)
        await audit.record(tx, [(dep.from_, None, {"dependsOn": dep.to, **props})])
        return int(record["version"])

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


@translate_unavailable
async def remove_dependency(driver: AsyncDriver, database: str, source: str, target: str, *, audit: Audit) -> bool:
    """Remove one dependency; False if there was none."""

    async def work(tx: AsyncManagedTransaction) -> bool:
        record = await (await tx.run(cypher("items/remove_dependency"), {"from": source, "to": target})).single()
        removed = bool(record and record["removed"])
        if removed:
            await (await tx.run(cypher("items/bump_version"), id=source)).consume()
            await bump_graph_state(tx)
            await audit.record(tx, [(source, {"dependsOn": target}, None)])
        return removed

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


async def _check_ends(tx: AsyncManagedTransaction, dep: Dependency) -> None:
    found = await existing_in(tx, sorted({dep.from_, dep.to}))
    problems = []
    for field, value in (("from", dep.from_), ("to", dep.to)):
        if value not in found:
            problems.append(Problem(field, f"unknown id {value!r}", value, "UNKNOWN"))
        elif found[value]["kind"] not in DEPENDABLE:
            problems.append(
                Problem(
                    field,
                    f"{value!r} is a {found[value]['kind'].value}; "
                    "expected a CONFIGURATION_ITEM or REDUNDANCY_GROUP or SERVICE",
                    value,
                    "WRONG_KIND",
                )
            )
    if problems:
        raise DocumentInvalid(problems)
