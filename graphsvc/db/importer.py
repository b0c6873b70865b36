"""Import of an exchange document: validate everything, then upsert by id in batched UNWIND writes.

Validation comes first (structure, then every reference against the document and the database), so an invalid
document writes nothing. Items whose content hash is unchanged are not touched, which makes a second import of the
same document a no-op. An updated item's owned relationships (and, for an item the document describes, its
dependencies or consumption) are replaced by what the document lists.

Documents up to `single_tx_rows` rows are written in one transaction; larger ones (bulk loads) commit batch by batch
after validation, two batches at a time where they touch disjoint items (nodes, hashes). Content hashes are written
last, so an import cut short leaves the items it touched without one, and a retry rewrites them with all their
relationships: it converges to the same graph.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction, AsyncSession, RoutingControl
from neo4j.exceptions import ConstraintError

from graphsvc.db.audit import SYSTEM, Audit, Change
from graphsvc.db.connection import translate_unavailable
from graphsvc.db.cypher import cypher
from graphsvc.db.items import native_props
from graphsvc.domain.exchange import Consumption, Dependency, ExchangeDocument
from graphsvc.domain.rows import (
    consumption_props,
    content_hash,
    dependency_props,
    item_props,
    node_row,
    owned_relationships,
)
from graphsvc.domain.validation import (
    DocumentInvalid,
    Problem,
    check_references,
    document_items,
    referenced_ids,
    validate_structure,
)
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, Rel
from graphsvc.gc_pause import cyclic_gc_paused

__all__ = ["ImportSummary", "existing_kinds", "import_document", "item_count"]

Progress = Callable[[int, int], None]
Step = tuple[str, Any, dict[str, Any]]  # (statement name, template argument, parameters)
# Steps whose batches touch disjoint items (one per id) and so can commit side by side without waiting on each
# other's locks. Relationship batches are not among them: they lock both ends, and hubs and teams are the end of
# most batches.
_DISJOINT_STEPS = frozenset({"import/create_nodes", "import/update_nodes", "import/seal_hashes"})
# Concurrent transactions for those steps in a bulk load. Neo4j runs one transaction on one core, and during a
# single writer's import the server used about one of this machine's two cores: two writers cut the 100k import
# by 2 to 8 s (docs/benchmarks.md).
_WRITERS = 2


@dataclass
class ImportSummary:
    """What an import did: items created, updated (content changed) and unchanged, relationships written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    relationships: int = 0


@dataclass
class _Plan:
    """What an import writes, in order. Node rows and the hashes of new items are made as their batch is taken
    (`steps` is lazy), so that Python's share of the work overlaps Neo4j's when two writers take turns."""

    deps_by_from: dict[str, list[tuple[int, Dependency]]]  # (index in the document, dependency) by `from`
    cons_by_bu: dict[str, list[tuple[int, Consumption]]]  # (index in the document, share) by business unit
    nodes: list[tuple[Kind, str, list[Any]]] = field(default_factory=list)  # (kind, statement, items)
    drop: dict[Rel, list[str]] = field(default_factory=dict)
    rels: dict[tuple[Rel, str], list[dict[str, Any]]] = field(default_factory=dict)  # (rel, statement) -> rows
    # every item written, with its content hash when planning needed it (an updated item), set last
    seal: list[tuple[Any, str | None]] = field(default_factory=list)

    def digest(self, item: Any) -> str:
        deps = [d for _, d in self.deps_by_from.get(item.id, [])]
        return content_hash(item, deps, [c for _, c in self.cons_by_bu.get(item.id, [])])

    def steps(self, batch: int) -> Iterator[Step]:
        """(statement name, template argument, parameters) in write order, each batch's rows made when taken."""
        for kind, name, items in self.nodes:
            for chunk in _chunks(items, batch):
                yield name, kind, {"rows": [node_row(i.id, kind, None, item_props(kind, i)) for i in chunk]}
        for rel, ids in self.drop.items():
            for chunk in _chunks(ids, batch):
                yield "import/delete_owned_rels", rel, {"ids": chunk}
        for (rel, name), rows in self.rels.items():
            for chunk in _chunks(rows, batch):
                yield name, rel, {"rows": chunk}
        for sealed in _chunks(self.seal, batch):
            rows = [{"id": item.id, "hash": digest or self.digest(item)} for item, digest in sealed]
            yield "import/seal_hashes", None, {"rows": rows}

    def size(self) -> int:
        return (
            sum(len(items) for _, _, items in self.nodes)
            + sum(len(v) for v in self.drop.values())
            + sum(len(v) for v in self.rels.values())
            + len(self.seal)
        )


def _chunks(rows: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# A lookup of more ids than this first asks whether the database holds any item at all (a document's import does;
# a single write's few ids do not pay the extra read).
COUNT_FIRST = 100


async def existing_kinds(driver: AsyncDriver, database: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each of `ids` already in the database: its kind, hash and version."""
    out: dict[str, dict[str, Any]] = {}
    id_list = sorted(set(ids))
    if len(id_list) > COUNT_FIRST and await item_count(driver, database) == 0:
        return out  # a first import: one count (constant time) instead of an index seek per id (24 s at 1M CIs)
    for chunk in _chunks(id_list, 20_000):
        records, _, _ = await driver.execute_query(
            cypher("import/existing_items"), ids=chunk, database_=database, routing_=RoutingControl.READ
        )
        for r in records:
            out[r["id"]] = {"kind": Kind(r["kind"]), "hash": r["hash"], "version": r["version"]}
    return out


async def item_count(driver: AsyncDriver, database: str) -> int:
    """How many items the database holds (a count the store keeps: constant time)."""
    records, _, _ = await driver.execute_query(
        cypher("meta/item_count"), database_=database, routing_=RoutingControl.READ
    )
    return int(records[0]["items"])


def _plan(doc: ExchangeDocument, existing: dict[str, dict[str, Any]], summary: ImportSummary) -> _Plan:
    deps_by_from: dict[str, list[tuple[int, Dependency]]] = defaultdict(list)
    for i, dep in enumerate(doc.dependencies):
        deps_by_from[dep.from_].append((i, dep))
    cons_by_bu: dict[str, list[tuple[int, Consumption]]] = defaultdict(list)
    for i, con in enumerate(doc.consumption):
        cons_by_bu[con.businessUnit].append((i, con))
    plan = _Plan(deps_by_from, cons_by_bu)

    creates: dict[Kind, list[Any]] = defaultdict(list)
    updates: dict[Kind, list[Any]] = defaultdict(list)
    described: set[str] = set()
    for kind, _index, item in document_items(doc):
        described.add(item.id)
        old = existing.get(item.id)
        # No hash until the whole import is written (the seal step): see cypher/import/seal_hashes.cypher. A new
        # item's hash is only needed then, so it is made then; an existing item's tells whether it changed.
        if old is None:
            creates[kind].append(item)
            plan.seal.append((item, None))
            summary.created += 1
        else:
            digest = plan.digest(item)
            if old["hash"] == digest:
                summary.unchanged += 1
                continue
            updates[kind].append(item)
            plan.seal.append((item, digest))
            summary.updated += 1
            for rel, _targets in owned_relationships(kind, item):
                plan.drop.setdefault(rel.type, []).append(item.id)
            if kind in DEPENDABLE:
                plan.drop.setdefault(Rel.DEPENDS_ON, []).append(item.id)
            if kind is Kind.BUSINESS_UNIT:
                plan.drop.setdefault(Rel.CONSUMES, []).append(item.id)
        for rel, targets in owned_relationships(kind, item):
            rows = plan.rels.setdefault((rel.type, "import/create_rels"), [])
            rows.extend({"from": item.id, "to": t, "props": {"i": i}} for i, t in enumerate(targets))
        for i, dep in deps_by_from.get(item.id, []) if kind in DEPENDABLE else []:
            plan.rels.setdefault((Rel.DEPENDS_ON, "import/create_rels"), []).append(
                {"from": dep.from_, "to": dep.to, "props": dependency_props(dep, i)}
            )
        for i, con in cons_by_bu.get(item.id, []) if kind is Kind.BUSINESS_UNIT else []:
            plan.rels.setdefault((Rel.CONSUMES, "import/create_rels"), []).append(
                {"from": con.businessUnit, "to": con.service, "props": consumption_props(con, i)}
            )
    for kind in Kind:
        if creates.get(kind):
            plan.nodes.append((kind, "import/create_nodes", creates[kind]))
        if updates.get(kind):
            plan.nodes.append((kind, "import/update_nodes", updates[kind]))
    # Dependencies and consumption of items the document does not describe: upserted, nothing removed.
    for i, dep in enumerate(doc.dependencies):
        if dep.from_ not in described:
            plan.rels.setdefault((Rel.DEPENDS_ON, "import/merge_rels"), []).append(
                {"from": dep.from_, "to": dep.to, "props": dependency_props(dep, i)}
            )
    for i, con in enumerate(doc.consumption):
        if con.businessUnit not in described:
            plan.rels.setdefault((Rel.CONSUMES, "import/merge_rels"), []).append(
                {"from": con.businessUnit, "to": con.service, "props": consumption_props(con, i)}
            )
    summary.relationships = sum(len(v) for v in plan.rels.values())
    return plan


def _audited(name: str, arg: Any, params: dict[str, Any], before: dict[str, Any]) -> list[Change]:
    """The audit entries of one import step: items created or updated, relationships merged onto others."""
    if name in ("import/create_nodes", "import/update_nodes"):
        return [
            (r["id"], before.get(r["id"]), {**r["props"], **r["times"], "id": r["id"], "itemKind": r["kind"]})
            for r in params["rows"]
        ]
    if name == "import/merge_rels":
        return [
            (r["from"], None, {arg.value if isinstance(arg, Rel) else str(arg): r["to"], **r["props"]})
            for r in params["rows"]
        ]
    return []


def _runs(steps: Iterable[Step]) -> Iterator[tuple[bool, Iterator[Step]]]:
    """Consecutive steps grouped into runs that may go side by side (True) or must go one by one (False); each run
    is taken to its end before the next is looked at."""
    yield from groupby(steps, key=lambda step: step[0] in _DISJOINT_STEPS)


async def _write_each(
    driver: AsyncDriver,
    database: str,
    session: AsyncSession,
    run: Callable[[AsyncManagedTransaction, list[Step]], Awaitable[None]],
    steps: Iterable[Step],
    writers: int,
) -> None:
    """Each step in its own transaction, by `writers` sessions taking the next step as they finish one."""
    if writers == 1:
        for step in steps:
            await session.execute_write(run, [step])
        return
    pending = iter(steps)

    async def writer() -> None:
        async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as own:
            for step in pending:
                await own.execute_write(run, [step])

    tasks = [asyncio.create_task(writer()) for _ in range(writers)]
    try:
        await asyncio.gather(*tasks)
    finally:  # one writer failed: stop the others before the error goes up
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@translate_unavailable
async def import_document(
    driver: AsyncDriver,
    database: str,
    raw: Any,
    *,
    batch_size: int = 5000,
    single_tx_rows: int = 60_000,
    progress: Progress | None = None,
    phase: Callable[[str], None] | None = None,
    audit: Audit = SYSTEM,
    gc_paused_while_writing: bool = True,
) -> ImportSummary:
    """Validate and import a decoded exchange document; raises DocumentInvalid and writes nothing if invalid.

    `progress(done, total)` follows the rows written; `phase(name)` names each step as it starts (for a CLI).
    Each created or updated item, and each dependency or consumption added to an item the document does not
    describe, gets an audit entry by `audit` in the transaction that writes it.

    Python's cyclic garbage collector is paused while validating and planning, and while writing unless
    `gc_paused_while_writing` is False: a server passes False, so that its other requests' garbage is collected
    meanwhile (the pause is process-wide).
    """
    # The document and the plan are millions of small dicts and lists with no reference cycles: see gc_pause.
    with cyclic_gc_paused():
        say = phase or (lambda _name: None)
        say("validating")
        doc = validate_structure(raw)
        say("resolving references")
        existing = await existing_kinds(driver, database, referenced_ids(doc))
        check_references(doc, {k: v["kind"] for k, v in existing.items()})
        say("planning")
        summary = ImportSummary()
        plan = _plan(doc, existing, summary)
    with cyclic_gc_paused() if gc_paused_while_writing else nullcontext():
        say("writing")
        total = plan.size()
        steps = plan.steps(batch_size)  # lazy: each batch's rows are made as a writer takes it
        done = 0

        async def run(tx: AsyncManagedTransaction, chunk: list[Step]) -> None:
            nonlocal done
            for name, arg, params in chunk:
                if isinstance(arg, Kind):
                    statement = cypher(name, label=arg)
                else:
                    statement = cypher(name, rel=arg) if isinstance(arg, Rel) else cypher(name)
                before: dict[str, Any] = {}
                if name == "import/update_nodes":
                    found = await tx.run(cypher("items/by_ids"), ids=[r["id"] for r in params["rows"]])
                    before = {r["id"]: native_props(r["props"]) async for r in found}
                await (await tx.run(statement, params)).consume()
                await audit.record(tx, _audited(name, arg, params, before))
                done += len(params.get("rows") or params.get("ids") or [])
                if progress:
                    progress(min(done, total), total)
            await (await tx.run(cypher("meta/bump_graph_state"))).consume()

        async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
            try:
                if total <= single_tx_rows:
                    await session.execute_write(run, list(steps))
                else:
                    for parallel, run_steps in _runs(steps):
                        await _write_each(driver, database, session, run, run_steps, _WRITERS if parallel else 1)
            except ConstraintError as exc:
                # Someone created one of these ids between our lookup and our write.
                raise DocumentInvalid(
                    [Problem("", f"{exc.message} (another write got there first: import again)")]
                ) from exc
            if total:
                say("indexing for search")
                await (await session.run(cypher("import/await_search_index"))).consume()
        return summary
