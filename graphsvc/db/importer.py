"""Import of an exchange document: validate everything, then upsert by id in batched UNWIND writes.

Validation comes first (structure, then every reference against the document and the database), so an invalid
document writes nothing. Items the document describes exactly as they are stored are not touched (compared by
content hash, db/stored.py), whichever write stored them: a second import of the same document, or of an export,
is a no-op. An updated item's owned relationships (and, for an item the document describes, its dependencies or
consumption) are replaced by what the document lists, and its audit entry holds it as stored before and after. A
created item's entry holds what it stored; an import that creates CREATED_PER_BATCH_FROM items or more (and every
bulk load) records its created items one entry per batch (db/audit.py `created_entry`): an item's history still
shows its creation, and the event feed each created item (db/audit_feed.py).

Imports take an import lock before they look at the database, so two at once run one after the other and the
second finds the first's work done.

Documents up to `single_tx_rows` rows are written in one transaction; larger ones (bulk loads) commit batch by batch
after validation, node batches and then relationship batches two at a time (`_SIDE_BY_SIDE`). Items are written
with their content hash, ahead of their relationships: a bulk load marks the database while it writes, and the next
import after one cut short clears the hashes of what it wrote (`_after_cut_load`) before it looks, so that it
compares those items with what is stored and writes what is missing: a retry converges to the same graph.

The journal's states of the items an import creates are recorded as it wrote them, not read back (see `_Journal` for
a bulk load); each step's rows and audit entries are made in a thread ahead of the write (`_Ahead`).

`utilizationReadings` are checked with the rest (each names a CI; none in the future) and written after the items
(db/utilization.py): in the same transaction, or in transactions of READINGS_BATCH readings in a bulk load.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from itertools import chain, groupby, islice
from typing import Any, Literal
from uuid import uuid4

from neo4j import (
    AsyncDriver,
    AsyncManagedTransaction,
    AsyncSession,
    AsyncTransaction,
)
from neo4j.exceptions import ConstraintError, DriverError, Neo4jError

from graphsvc.db.audit import SYSTEM, Audit, Change, Entries, KnownStates, created_entry, entries, tx_clock
from graphsvc.db.connection import translate_unavailable
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.db.journal import head as journal_head
from graphsvc.db.stored import existing_in, existing_kinds, item_count, stored_digests
from graphsvc.db.utilization import record_readings_in
from graphsvc.db.writes import bump_graph_state
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import ItemState, dump_states, state_of
from graphsvc.domain.exchange import Consumption, Dependency, ExchangeDocument
from graphsvc.domain.readings import CiReading, check_readings
from graphsvc.domain.rows import (
    by_owner,
    consumption_props,
    content_hash,
    created_item,
    dependency_props,
    item_props,
    node_row,
    outgoing,
    outgoing_count,
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
from graphsvc.errors import RequestError
from graphsvc.telemetry import metrics
from graphsvc.util import cyclic_gc_paused

__all__ = [  # existing_kinds and item_count are db/stored.py's
    "READINGS_BATCH",
    "ImportSummary",
    "existing_kinds",
    "import_document",
    "item_count",
    "write_readings",
]

Progress = Callable[[int, int], None]
# (statement name, argument, parameters); the argument is the statement's template argument (a kind, a relationship
# type), or what the step's audit needs, made with it (created items' entries; a seal's created items' states)
Step = tuple[str, Any, dict[str, Any]]
# Steps whose batches a bulk load commits side by side, each kind in a run of its own (a run is written to its end
# before the next begins: relationships after the nodes they join): node batches touch disjoint items (one per id);
# relationship batches share ends (hubs, teams, sites), which Neo4j locks for each relationship created, but two at a
# once wrote the 100k load's 451,000 relationships in two thirds of the time of one, with no deadlock (a deadlock
# would be retried by the driver: a batch is written whole or not at all). Dropping an updated item's relationships
# and merging onto items the document does not describe go one by one, and so do seals: each asks which journal
# positions the ones before it took (`_Journal`); they are the only steps that take positions.
_SIDE_BY_SIDE = {
    "import/create_nodes": "nodes",
    "import/update_nodes": "nodes",
    "import/create_typed_rels": "relationships",
}
# Concurrent transactions for those steps in a bulk load. Neo4j runs one transaction on one core, and during a
# single writer's import the server used about one of this machine's two cores: two writers cut the 100k import
# by 2 to 8 s (docs/benchmarks.md).
_WRITERS = 2
# Seal steps made ahead while the relationships are written (`_Plan.steps`).
_SEALS_AHEAD = 32
# An import creating at least this many items records them one audit entry per batch of `batch_size` (db/audit.py
# `created_entry`) rather than one per item: at 10k CIs (13,792 items, one transaction) the per-item entries were a
# fifth of Neo4j's CPU for the import (docs/benchmarks.md). Smaller imports (a team's few items through the API) keep
# an entry per item, which the audit log shows one by one.
CREATED_PER_BATCH_FROM = 1_000
# Utilization readings per transaction in a bulk load (a single-transaction import writes them all at once).
READINGS_BATCH = 50_000
# Items whose journal states are recorded per transaction after a bulk load cut short (`_journal_after_cut_load`).
_REPAIR_BATCH = 5_000


@dataclass
class ImportSummary:
    """What an import did: items created, updated (content changed) and unchanged, relationships written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    relationships: int = 0
    readings: int = 0  # utilization readings written (db/utilization.py)


_Sealing = Literal["created", "updated", "hash only"]


@dataclass(frozen=True)
class _Sealed:
    """A seal step's items whose content the import wrote (their states go to the journal), and the states of those
    it created, as written; `also`: items the document does not describe that merged relationships onto (their
    states go to the journal too, read)."""

    ids: list[str]
    known: KnownStates
    also: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    """What an import writes, in order. Node rows and the hashes of new items are made as their batch is taken
    (`steps` is lazy), so that Python's share of the work overlaps Neo4j's when two writers take turns."""

    deps_by_from: dict[str, list[tuple[int, Dependency]]]  # (index in the document, dependency) by `from`
    cons_by_bu: dict[str, list[tuple[int, Consumption]]]  # (index in the document, share) by business unit
    now: datetime  # the import's time: its created items' `createdAt`
    # created items recorded one audit entry per batch (`created_entry`): a bulk load, or CREATED_PER_BATCH_FROM of them
    batch_entries: bool = False
    created: list[tuple[Kind, Any]] = field(default_factory=list)  # items of every kind: one statement
    updated: dict[Kind, list[Any]] = field(default_factory=dict)
    drop: dict[Rel, list[str]] = field(default_factory=dict)
    # items whose relationships are created (of every type: one statement), and how many: their rows are made as
    # their batch is taken (`rel_rows`), while the nodes before them are written
    sources: list[tuple[Kind, Any]] = field(default_factory=list)
    rel_count: int = 0
    merged: dict[Rel, list[dict[str, Any]]] = field(default_factory=dict)  # onto items the document does not describe
    # every item the import writes, for its last step: created, updated (their states go to the journal, a created
    # item's as `created_item` says, without reading it back), or unchanged but stored without a hash (it is stored)
    seal: list[tuple[Kind, Any, _Sealing]] = field(default_factory=list)
    # content hashes by id: an existing item's made when planning, a created item's when its node row is made
    hashes: dict[str, str] = field(default_factory=dict)
    # the stored version of each unchanged item stored without a hash: its hash is stored only if it is still that one
    versions: dict[str, Any] = field(default_factory=dict)
    # created items' `item_props`, kept from their node rows for the seal's states of them (taken there): for the
    # seals made ahead (_SEALS_AHEAD batches' worth of items at most), so that a 1M load does not hold them all
    props: dict[str, dict[str, Any]] = field(default_factory=dict)

    def digest(self, item: Any) -> str:
        deps = [d for _, d in self.deps_by_from.get(item.id, [])]
        return content_hash(item, deps, [c for _, c in self.cons_by_bu.get(item.id, [])])

    def steps(self, batch: int) -> Iterator[Step]:
        """(statement name, template argument, parameters) in write order, each batch's rows made when taken."""
        at = self.now.isoformat()
        keep = _SEALS_AHEAD * batch  # created items whose props are kept for the seal
        for chunk in _chunks(self.created, batch):
            rows = []
            for kind, item in chunk:
                digest = self.hashes[item.id] = self.digest(item)
                props = item_props(kind, item)
                if len(self.props) < keep:
                    self.props[item.id] = props
                rows.append(node_row(item.id, kind, digest, props))
            # their audit entries, made here too (see _Ahead): before, nothing; after, what the row stores
            stored = [(r["id"], {**r["props"], **r["times"], "id": r["id"], "itemKind": r["kind"]}) for r in rows]
            made = created_entry(stored) if self.batch_entries else entries([(i, None, after) for i, after in stored])
            yield "import/create_nodes", made, {"rows": rows, "at": at}
        for kind, items in self.updated.items():
            for chunk in _chunks(items, batch):
                yield (
                    "import/update_nodes",
                    kind,
                    {"rows": [node_row(i.id, kind, self.hashes[i.id], item_props(kind, i)) for i in chunk]},
                )
        for rel, ids in self.drop.items():
            for chunk in _chunks(ids, batch):
                yield "import/delete_owned_rels", rel, {"ids": chunk}
        # The seal's steps (created items' journal states, 4 s of Python at 100k) are made between relationship
        # batches, spread over them: in the steps' thread (`_Ahead`) while Neo4j writes the relationships. At most
        # _SEALS_AHEAD of them (a 100k load has 28 of 5,000 items, about 3 MB of journal text each): the rest are made
        # as the seal's run goes, as before, so that a 1M load does not hold its whole journal at once.
        seals = (self._seal(sealed) for sealed in _chunks(self.seal, batch))
        seals_made: list[Step] = []
        ahead = min(_SEALS_AHEAD, -(-len(self.seal) // batch))
        every = max(1, -(-self.rel_count // batch) // max(1, ahead))
        rel_rows = self.rel_rows()
        for n, chunk in enumerate(iter(lambda: list(islice(rel_rows, batch)), [])):
            yield "import/create_typed_rels", None, {"rows": chunk}
            if n % every == every - 1 and len(seals_made) < ahead:
                seals_made.extend(islice(seals, 1))
        for rel, rows in self.merged.items():
            for chunk in _chunks(rows, batch):
                yield "import/merge_rels", rel, {"rows": chunk}
        # The states of the items merged onto go with the seals, batch by batch (a seal of their own when there are
        # more of them than seals): the journal positions of a bulk load are all taken after its last audit entry
        # of an item has committed, so the event feed, which tells the load at its first position, tells it whole.
        merged = iter(_chunks(list(dict.fromkeys(r["from"] for rows in self.merged.values() for r in rows)), batch))
        for seal in chain(seals_made, seals):
            _name, sealed, _params = seal
            sealed.also.extend(next(merged, []))
            yield seal
        for also in merged:
            yield "import/seal_hashes", _Sealed([], KnownStates({}), also), {"rows": []}

    def rel_rows(self) -> Iterator[dict[str, Any]]:
        """The relationships created out of the items the document describes, in order, each made when taken."""
        for kind, item in self.sources:
            deps, cons = self.deps_by_from.get(item.id, []), self.cons_by_bu.get(item.id, [])
            for rel, to, props in outgoing(kind, item, deps, cons):
                yield {"type": rel, "from": item.id, "to": to, "props": props}

    def _seal(self, sealed: list[tuple[Kind, Any, _Sealing]]) -> Step:
        """The last step for a batch of the items written: the journal states of those it created, as written (their
        relationships are all known from the document), and the hashes of unchanged items stored without one."""
        unhashed = []  # unchanged items stored without a hash: it is stored now
        written: list[str] = []
        created: dict[str, ItemState | None] = {}
        for kind, item, how in sealed:
            if how == "hash only":
                unhashed.append({"id": item.id, "hash": self.hashes[item.id], "version": self.versions[item.id]})
                continue
            written.append(item.id)
            if how == "created":
                deps, cons = self.deps_by_from.get(item.id, []), self.cons_by_bu.get(item.id, [])
                kept = self.props.pop(item.id, None)
                props, out = created_item(kind, item, deps, cons, self.now, self.hashes[item.id], kept)
                created[item.id] = state_of(props, out)
        # when every item written was created (a first load), their journal text is made here as well
        first_load = len(created) == len(written)
        known = KnownStates(created, dump_states(created) if first_load else None)
        return "import/seal_hashes", _Sealed(written, known), {"rows": unhashed}

    def size(self) -> int:
        return (
            len(self.created)
            + sum(len(items) for items in self.updated.values())
            + sum(len(v) for v in self.drop.values())
            + self.rel_count
            + sum(len(v) for v in self.merged.values())
            + len(self.seal)
        )


def _chunks(rows: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _plan(
    tx: AsyncManagedTransaction,
    doc: ExchangeDocument,
    existing: dict[str, dict[str, Any]],
    summary: ImportSummary,
    now: datetime,
) -> _Plan:
    deps_by_from, cons_by_bu = by_owner(doc)
    plan = _Plan(deps_by_from, cons_by_bu, now)

    # An existing item is unchanged when the document's hash of it is the one its last import stored, or else (the
    # hash cleared by another write, or the item changed since) the hash of what is stored now (db/stored.py).
    digests = {item.id: plan.digest(item) for _, _, item in document_items(doc) if item.id in existing}
    stale = [i for i, digest in digests.items() if existing[i]["hash"] != digest]
    stored: dict[str, str | None] = {}
    for chunk in _chunks(stale, 5_000):
        stored.update(await stored_digests(tx, chunk))

    described: set[str] = set()
    for kind, _index, item in document_items(doc):
        described.add(item.id)
        old = existing.get(item.id)
        # A new item's hash is made with its node row (`steps`); an existing item's tells whether it changed.
        if old is None:
            plan.created.append((kind, item))
            plan.seal.append((kind, item, "created"))
            summary.created += 1
        else:
            digest = plan.hashes[item.id] = digests[item.id]
            if old["hash"] == digest or stored.get(item.id) == digest:
                summary.unchanged += 1
                if old["hash"] != digest:  # the same content, but no hash of it: stored for the next import
                    plan.seal.append((kind, item, "hash only"))
                    plan.versions[item.id] = old["version"]
                continue
            plan.updated.setdefault(kind, []).append(item)
            plan.seal.append((kind, item, "updated"))
            summary.updated += 1
            for rel, _targets in owned_relationships(kind, item):
                plan.drop.setdefault(rel.type, []).append(item.id)
            if kind in DEPENDABLE:
                plan.drop.setdefault(Rel.DEPENDS_ON, []).append(item.id)
            if kind is Kind.BUSINESS_UNIT:
                plan.drop.setdefault(Rel.CONSUMES, []).append(item.id)
        plan.sources.append((kind, item))
        plan.rel_count += outgoing_count(kind, item, deps_by_from.get(item.id, []), cons_by_bu.get(item.id, []))
    # Dependencies and consumption of items the document does not describe: upserted, nothing removed.
    for i, dep in enumerate(doc.dependencies):
        if dep.from_ not in described:
            plan.merged.setdefault(Rel.DEPENDS_ON, []).append(
                {"from": dep.from_, "to": dep.to, "props": dependency_props(dep, i)}
            )
    for i, con in enumerate(doc.consumption):
        if con.businessUnit not in described:
            plan.merged.setdefault(Rel.CONSUMES, []).append(
                {"from": con.businessUnit, "to": con.service, "props": consumption_props(con, i)}
            )
    summary.relationships = plan.rel_count + sum(len(v) for v in plan.merged.values())
    return plan


def _audited(
    name: str, arg: Any, params: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> list[Change]:
    """The audit entries of one import step: items updated (before and after as stored), relationships merged onto
    others (created items' are made with their step: `_Plan.steps`)."""
    if name == "import/update_nodes":
        return [(r["id"], before.get(r["id"]), after.get(r["id"])) for r in params["rows"]]
    if name == "import/merge_rels":
        return [
            (r["from"], None, {arg.value if isinstance(arg, Rel) else str(arg): r["to"], **r["props"]})
            for r in params["rows"]
        ]
    return []


def _all_joined(rows: list[dict[str, Any]], created: int) -> None:
    """Every relationship of a batch was written: an end checked when the document was validated can have been
    deleted by another write since (a relationship to nothing is not written). The import fails rather than leave
    the relationship out: in one transaction nothing is written; a bulk load leaves its mark, and the next import
    compares what it wrote with what is stored and writes what is missing (`_after_cut_load`)."""
    if created != len(rows):
        missing = len(rows) - created
        raise DocumentInvalid(
            [
                Problem(
                    "",
                    f"{missing} of {len(rows)} relationships could not be written: an item they join was deleted "
                    "while the import ran (import again)",
                )
            ]
        )


def _runs(steps: Iterable[Step]) -> Iterator[tuple[bool, Iterator[Step]]]:
    """Consecutive steps grouped into runs that may go side by side (True) or must go one by one (False); each run
    is taken to its end before the next is looked at."""
    for side_by_side, run in groupby(steps, key=lambda step: _SIDE_BY_SIDE.get(step[0])):
        yield side_by_side is not None, run


@dataclass
class _Journal:
    """The journal positions a bulk load's committed transactions took, from the position it started at.

    A bulk load's created items are visible to other writes from their batch's commit on, and its seal step records
    their states for the journal (db/audit.py) once their relationships are written. It records them as the import
    wrote them (`created_item`) when no other write has taken a journal position since the load started: every
    write that changes an item records its states, and the seal's position, taken before it asks, holds the journal
    until it commits, so a write recorded before it has committed. Otherwise it reads them, as any write does."""

    start: int
    ours: set[int] = field(default_factory=set)

    def alone_until(self, position: int) -> bool:
        return all(p in self.ours for p in range(self.start + 1, position))


def _known(created: KnownStates, own: Callable[[int], bool], position: int) -> KnownStates | None:
    """A seal's created items' states as written, if they are still the import's own at `position`."""
    return created if own(position) else None


_END: Any = object()


class _Ahead:
    """The steps of an iterator, made in a thread up to `depth` ahead of the one being written, so that Python's
    share of an import (node rows, their hashes and audit entries, created items' states) overlaps Neo4j's.
    Writers may share one: they take turns.

    A bulk load's runs (`_runs`) are groupby groups: the thread takes a group to its end, the one item past it
    included, before the event loop asks groupby for the next group, and an ended group's iterator answers at once
    (CPython's groupby runs no Python code there), so the two threads never advance it together."""

    def __init__(self, steps: Iterator[Step], depth: int = 4) -> None:
        self._steps = steps
        self._depth = depth
        self._made: deque[asyncio.Future[Any]] = deque()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-steps")  # one: in order
        self._turn = asyncio.Lock()

    def _fill(self) -> None:
        loop = asyncio.get_running_loop()
        while len(self._made) < self._depth:
            self._made.append(loop.run_in_executor(self._thread, next, self._steps, _END))

    def __aiter__(self) -> _Ahead:
        return self

    async def __anext__(self) -> Step:
        async with self._turn:
            self._fill()
            step = await self._made[0]
            if step is _END:  # and so for every later call: the first future stays
                raise StopAsyncIteration
            self._made.popleft()
            self._fill()
            return step  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop making steps (one being made is finished unseen)."""
        for made in self._made:
            if made.done() and not made.cancelled():
                made.exception()  # seen: an error making a step nobody took is not the writer's to raise
            made.cancel()
        self._thread.shutdown(wait=False, cancel_futures=True)


async def _each(steps: Iterable[Step] | AsyncIterable[Step]) -> AsyncIterator[Step]:
    if isinstance(steps, AsyncIterable):
        async for step in steps:
            yield step
    else:
        for step in steps:
            yield step


async def _write_each(
    driver: AsyncDriver,
    database: str,
    session: AsyncSession,
    run: Callable[[AsyncManagedTransaction, list[Step]], Awaitable[list[int]]],
    steps: Iterable[Step] | AsyncIterator[Step],
    writers: int,
    journal: _Journal,
) -> None:
    """Each step in its own transaction, by `writers` sessions taking the next step as they finish one; the journal
    positions of those that commit go to `journal`."""
    # a plain iterator's steps are taken without a pause, so writers can share one generator over it
    pending = steps if isinstance(steps, AsyncIterator) else _each(steps)
    if writers == 1:
        async for step in pending:
            journal.ours.update(await session.execute_write(run, [step]))
        return

    async def writer() -> None:
        async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as own:
            async for step in pending:
                journal.ours.update(await own.execute_write(run, [step]))

    tasks = [asyncio.create_task(writer()) for _ in range(writers)]
    try:
        await asyncio.gather(*tasks)
    finally:  # one writer failed: stop the others before the error goes up
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _document_rows(doc: ExchangeDocument) -> int:
    """Items and relationships the document lists: what decides between one transaction and a bulk load."""
    rows = len(doc.dependencies) + len(doc.consumption) + len(doc.utilizationReadings)
    for kind, _index, item in document_items(doc):
        rows += 1 + sum(len(targets) for _rel, targets in owned_relationships(kind, item))
    return rows


async def _lock(tx: AsyncManagedTransaction | AsyncTransaction) -> datetime:
    """Take the import lock; the database's time once it is held: the import's time (its created items'
    `createdAt`), from the clock the rest of the writes' times come from."""
    record = await (await tx.run(cypher("import/lock"))).single(strict=True)
    return as_utc(record["now"].to_native())


class _CutLoad(Exception):
    """Raised by a one-transaction import that finds a bulk load was cut short: that is dealt with first
    (`_after_cut_load`), in transactions of its own, and the import is tried again."""


async def _cut_load(tx: AsyncManagedTransaction) -> Any:
    """The mark of a bulk load cut short: `since` (when it began, a Neo4j DateTime; None if no load was cut short)
    and `load` (its id)."""
    return (await (await tx.run(cypher("import/load_marker"))).single(strict=True)).data()


async def _after_cut_load(session: AsyncSession, say: Callable[[str], None]) -> None:
    """With the import lock held: if a bulk load was cut short, the hashes of the items it wrote are cleared (their
    relationships may not all be written: the next import compares them with what is stored), then its mark.

    A bulk load writes each item's content hash with the item, ahead of its relationships, and marks the database
    while it writes (cypher/import/mark_load.cypher); only a load that stops part-way leaves the mark."""
    mark = await session.execute_read(_cut_load)
    if mark["since"] is None:
        return
    say("completing what a bulk load cut short left")  # (every item looked at once: at 1M, a minute or so)
    await (await session.run(cypher("import/clear_cut_hashes"), since=mark["since"])).consume()
    repaired = False
    if mark["tx"] is not None:  # (a mark of a load from before the journal's repair has none)
        load = Audit(mark["actorId"], mark["actorName"], mark["action"], tx=mark["tx"])
        repaired = await _journal_after_cut_load(session, load)
    await session.execute_write(_unmark_cut_load, mark["load"], repaired)


async def _journal_after_cut_load(session: AsyncSession, load: Audit) -> bool:
    """The journal's states of every item a cut-short load touched, as they stand now, batch by batch, recorded as
    the load's own (its actor, action and clock: the event feed tells the load, whole, at the first of them, unless
    a seal of its own told it already); whether there were any. The load records its items' states only in its last
    steps (the seals), after their relationships, so one that stopped before them left items whose journal states
    lag behind the database (the estate as of a time, drift)."""
    found = await session.run(cypher("import/cut_load_items"), tx=load.tx)
    ids = [r["id"] async for r in found]
    for chunk in _chunks(ids, _REPAIR_BATCH):
        await session.execute_write(load.record_states, chunk)
    return bool(ids)


async def _unmark_cut_load(tx: AsyncManagedTransaction, load: str, repaired: bool) -> None:
    """The cut load's mark removed; the graph's version moved if the load wrote items (it stopped, perhaps before
    its first seal, which moves it, with nothing after it to move it)."""
    await _run_statement(tx, "import/unmark_load", load=load)
    if repaired:
        await bump_graph_state(tx)


async def _run_statement(tx: AsyncManagedTransaction, name: str, /, **params: Any) -> None:
    await (await tx.run(cypher(name), params)).consume()


async def _finish_load(tx: AsyncManagedTransaction, wrote: bool, load: str | None) -> None:
    """A bulk load's last transaction: the graph's version bumped if it wrote content, its mark (if it made one:
    `load`) removed."""
    if wrote:
        await bump_graph_state(tx)
    if load is not None:
        await _run_statement(tx, "import/unmark_load", load=load)


@asynccontextmanager
async def _lock_held(driver: AsyncDriver, database: str) -> AsyncIterator[datetime]:
    """The import lock, held by a transaction of its own while a bulk load commits batch by batch beside it; the
    database's time once it is held."""
    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        tx = await session.begin_transaction()
        try:
            yield await _lock(tx)
        finally:
            # The lock is all it wrote. If Neo4j went away meanwhile the lock went with it: the error that says so
            # is the one to raise, not the rollback's.
            with suppress(DriverError, Neo4jError):
                await tx.rollback()


async def _readings_step(tx: AsyncManagedTransaction, chunk: list[CiReading], audit: Audit, now: datetime) -> None:
    # Positions in the messages are the chunk's, but the whole document was checked before the first write.
    await record_readings_in(tx, chunk, audit, now=now, base="utilizationReadings")


async def write_readings(
    session: AsyncSession,
    readings: list[CiReading],
    audit: Audit,
    now: datetime,
    progress: Progress | None = None,
) -> int:
    """A bulk load's utilization readings, READINGS_BATCH a transaction (the document checked before); how many."""
    written = 0
    for start in range(0, len(readings), READINGS_BATCH):
        chunk = readings[start : start + READINGS_BATCH]
        await session.execute_write(_readings_step, chunk, audit, now)
        written += len(chunk)
        if progress is not None:
            progress(written, len(readings))
    return written


# counted by outcome: a rejected document or run is the user's (nothing written), anything else an error
@metrics.counted(metrics.IMPORTS, rejected=(RequestError, ValueError))
@translate_unavailable
async def import_document(
    driver: AsyncDriver,
    database: str,
    raw: Any,
    *,
    batch_size: int = 5000,
    single_tx_rows: int = 60_000,
    created_per_batch_from: int = CREATED_PER_BATCH_FROM,
    progress: Progress | None = None,
    phase: Callable[[str], None] | None = None,
    audit: Audit = SYSTEM,
    gc_paused_while_writing: bool = True,
) -> ImportSummary:
    """Validate and import a decoded exchange document; raises DocumentInvalid and writes nothing if invalid.

    `progress(done, total)` follows the rows written; `phase(name)` names each step as it starts (for a CLI).
    Each created or updated item, and each dependency or consumption added to an item the document does not
    describe, gets an audit entry by `audit` in the transaction that writes it; an import creating
    `created_per_batch_from` items or more records those one entry per batch (see CREATED_PER_BATCH_FROM).

    Imports take the import lock (cypher/import/lock.cypher) before they look at the database, so two imports at
    once run one after the other; a document of up to `single_tx_rows` items and relationships is looked up,
    planned and written in that one transaction (retried whole if Neo4j asks), a larger one commits batch by batch
    while a transaction of its own holds the lock.

    Python's cyclic garbage collector is paused while validating and planning, and while writing unless
    `gc_paused_while_writing` is False: a server passes False, so that its other requests' garbage is collected
    meanwhile (the pause is process-wide).
    """
    say = phase or (lambda _name: None)
    writing = cyclic_gc_paused if gc_paused_while_writing else nullcontext
    # The document and the plan are millions of small dicts and lists with no reference cycles: see gc_pause.
    with cyclic_gc_paused():
        say("validating")
        doc = validate_structure(raw)
        bulk = _document_rows(doc) > single_tx_rows
        readings = [CiReading(r.ci, r.at, r.percent) for r in doc.utilizationReadings]
    now = datetime.now(UTC)  # until the lock is held: then the database's time (`_lock`)
    done = 0

    async def prepare(tx: AsyncManagedTransaction) -> tuple[_Plan, ImportSummary]:
        """Look up what is stored, check every reference, plan: in the transaction that holds the lock (or after)."""
        with cyclic_gc_paused():
            say("resolving references")
            existing = await existing_in(tx, sorted(referenced_ids(doc)))
            check_references(doc, {k: v["kind"] for k, v in existing.items()})
            future = check_readings(readings, None, now, "utilizationReadings")
            if future:
                raise DocumentInvalid(future)
            say("planning")
            summary = ImportSummary()
            plan = await _plan(tx, doc, existing, summary, now)
            plan.batch_entries = bulk or len(plan.created) >= created_per_batch_from
            return plan, summary

    wrote = False  # content, not only hashes: the graph's version is bumped (once for a bulk load)

    async def run(
        tx: AsyncManagedTransaction, chunk: Iterable[Step] | AsyncIterable[Step], total: int, own: Callable[[int], bool]
    ) -> list[int]:
        """Write `chunk`; the journal positions it took. `own(position)`: whether the states this import wrote of
        the items it created are still theirs when the write takes that position (see `_Journal`)."""
        nonlocal done, wrote
        content = False
        taken: list[int] = []
        async for name, arg, params in _each(chunk):
            if isinstance(arg, Kind):
                statement = cypher(name, label=arg)
            else:
                statement = cypher(name, rel=arg) if isinstance(arg, Rel) else cypher(name)
            content = content or name != "import/seal_hashes"
            after: dict[str, Any] = {}
            before: dict[str, Any] = {}
            if name == "import/update_nodes":
                found = await tx.run(cypher("items/by_ids"), ids=[r["id"] for r in params["rows"]])
                before = {r["id"]: native_props(r["props"]) async for r in found}
                after = {r["id"]: native_props(r["props"]) async for r in await tx.run(statement, params)}
            elif name != "import/seal_hashes" or params["rows"]:
                outcome = await (await tx.run(statement, params)).consume()
                if name == "import/create_typed_rels":
                    _all_joined(params["rows"], outcome.counters.relationships_created)
            if isinstance(arg, _Sealed):  # the last step for every item written: its state for the journal
                if bulk and wrote and not journal.ours and (arg.ids or arg.also):  # (it takes a position)
                    # The first seal of a bulk load: everything it writes but the journal's states has committed,
                    # and the event feed tells the load at this position (db/audit_feed.py): the graph's version
                    # moves now, so that what the event prompts (a service board) is read from the loaded graph.
                    await bump_graph_state(tx)
                pos = await audit.record_states(tx, [*arg.ids, *arg.also], partial(_known, arg.known, own))
                done += len(arg.ids)
            else:  # nodes (their relationships are written by later steps) and merges: their states wait for the seals
                changes = arg if isinstance(arg, Entries) else _audited(name, arg, params, before, after)
                pos = await audit.record(tx, changes, states=False)
            if pos is not None:
                taken.append(pos)
            done += len(params.get("rows") or params.get("ids") or [])
            if progress:
                progress(min(done, total), total)
        if content and not bulk:
            await bump_graph_state(tx)
        wrote = wrote or content
        return taken

    async def import_whole(tx: AsyncManagedTransaction) -> tuple[ImportSummary, int]:
        nonlocal done, now
        done = 0  # a retried transaction starts again from the lock
        now = await _lock(tx)
        if (await _cut_load(tx))["since"] is not None:
            raise _CutLoad
        plan, summary = await prepare(tx)
        with writing():
            say("writing")
            # one transaction: no other write sees the created items before it ends
            steps = _Ahead(plan.steps(batch_size))
            try:
                await run(tx, steps, plan.size(), lambda _at: True)
            finally:
                steps.close()
            if readings:
                say("writing readings")
                await record_readings_in(tx, readings, audit, now=now, base="utilizationReadings")
                summary.readings = len(readings)
        return summary, plan.size()

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        try:
            if not bulk:
                while True:
                    try:
                        summary, total = await session.execute_write(import_whole)
                        break
                    except _CutLoad:
                        async with _lock_held(driver, database):
                            await _after_cut_load(session, say)
            else:
                async with _lock_held(driver, database) as now:
                    # one write for the event feed, though it commits batch by batch (`run` reads `audit` when
                    # it records): its transactions' entries share the load's clock (Audit.tx)
                    audit = replace(audit, tx=tx_clock(now))
                    await _after_cut_load(session, say)
                    journal = _Journal(await journal_head(ItemRepository(driver, database)))
                    plan, summary = await session.execute_read(prepare)
                    total = plan.size()
                    # items are written with their content hash, ahead of their relationships, and their journal
                    # states last: marked until the last batch, so that if the load stops part-way the next import
                    # does not trust those hashes and records those states (`_after_cut_load`)
                    load = uuid4().hex if plan.created or plan.updated or plan.merged else None
                    if load is not None:
                        await session.execute_write(
                            _run_statement,
                            "import/mark_load",
                            since=now,
                            load=load,
                            tx=audit.tx,
                            actorId=audit.actor_id,
                            actorName=audit.actor_name,
                            action=audit.action,
                        )
                    with writing():
                        say("writing")

                        async def run_bulk(tx: AsyncManagedTransaction, chunk: list[Step]) -> list[int]:
                            return await run(tx, chunk, total, journal.alone_until)

                        # The graph's version is bumped once, in the first seal's transaction (`run`: all the graph
                        # is written by then, and the event feed tells the load there) or else after the last batch,
                        # rather than in every batch's transaction, where the two writers waited on each other for it
                        # (meanwhile kept graphs answer as before the load); and also when the load stops part-way,
                        # after some batches.
                        finished = False
                        try:
                            for parallel, run_steps in _runs(plan.steps(batch_size)):
                                ahead = _Ahead(run_steps)
                                try:
                                    await _write_each(
                                        driver, database, session, run_bulk, ahead, _WRITERS if parallel else 1, journal
                                    )
                                finally:
                                    ahead.close()
                            finished = True
                        finally:
                            if finished:  # the version moved with the first seal, if one took a position
                                await session.execute_write(_finish_load, wrote and not journal.ours, load)
                            elif wrote:  # if Neo4j went away, the error that says so is the one to raise
                                with suppress(DriverError, Neo4jError):
                                    await session.execute_write(bump_graph_state)
                        if readings:
                            say("writing readings")
                        summary.readings += await write_readings(session, readings, audit, now)
        except ConstraintError as exc:
            # Someone created one of these ids between our lookup and our write (not an import: those wait).
            raise DocumentInvalid(
                [Problem("", f"{exc.message} (another write got there first: import again)")]
            ) from exc
        if total:
            say("indexing for search")
            await (await session.run(cypher("import/await_search_index"))).consume()
    return summary
