"""An initial load: an exchange document into an empty managed database with Neo4j's own bulk importer
(`neo4j-admin database import full`, from the same Maven Central jars the server runs on): `graphsvc import
--initial-load`.

What it writes is what `graphsvc import` (db/importer.py) would write into the same empty database, and nothing is
written unless all of it can be:
- the database must be empty: nothing but an empty migrated database's bookkeeping (applied migrations, graph
  versions, the journal's head). Anything else (items, API tokens, audit entries, scenarios) is named and the load
  refused, since the bulk importer replaces the whole database;
- the document is validated exactly as an import validates it (structure, every reference, the readings), while
  Neo4j stops for the bulk importer; a document refused leaves Neo4j started again (if it ran before the load)
  and nothing changed;
- every item carries the properties, labels, content hash, version and times an import gives it, and every
  relationship its properties (`i`, a dependency's kind, strength and weight, a share); values are typed per
  column, each CSV file holding the items of one kind that have the same properties, so no value is coerced and no
  property is made up for an item that has none;
- the audit trail records the load as one import: one entry (action `import`, subject `IMPORT`, `after` its
  counts) and the journal's states of every item as the load left them, in entries of STATES_PER_ENTRY items,
  so the estate as of any time since the load is known (db/journal.py) and before it is the empty estate.

The server is stopped for the bulk importer (it writes a stopped database's files) and started again after it;
the schema (constraints, indexes, the search index) is then made by the migrations, as on a new database, and the
document's utilization readings are written through the usual path (db/utilization.py), batch by batch.
"""

from __future__ import annotations

import asyncio
import csv
import json
import multiprocessing
import random
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from neo4j import AsyncDriver, RoutingControl

from graphsvc.db.audit import Audit, tx_clock
from graphsvc.db.connection import Connection, open_async_driver
from graphsvc.db.cypher import cypher
from graphsvc.db.importer import write_readings
from graphsvc.db.local_server import LocalNeo4j, LocalNeo4jError
from graphsvc.db.migrate import schema_after_bulk_import
from graphsvc.domain.estate import ItemState, dump_states
from graphsvc.domain.exchange import ExchangeDocument
from graphsvc.domain.readings import CiReading, check_readings
from graphsvc.domain.rows import Listed, StoredRel, by_owner, created_item
from graphsvc.domain.validation import DocumentInvalid, check_references, document_items, validate_structure
from graphsvc.domain.vocabulary import Kind
from graphsvc.util import cyclic_gc_paused

__all__ = ["InitialLoadRefused", "LoadSummary", "initial_load", "read_buffer", "write_csv"]

DATABASE = "neo4j"  # the managed server's one database
STATES_PER_ENTRY = 1_000  # items whose journal states one audit entry carries (about 0.8 MB of JSON)
# The bulk importer's read buffer (`--read-buffer-size`) must hold the longest row. It is also what the importer
# samples of every file before it starts, parsing each value, so it is no larger than that row needs: at 1M CIs a
# 64 MiB buffer made the sampling 15 s (it parsed nearly every file whole), its default 4 MiB 5 s.
READ_BUFFER_MIN = 4 << 20  # the importer's default

Phase = Callable[[str], None]
Progress = Callable[[int, int], None]


class InitialLoadRefused(Exception):
    """An initial load that cannot be done here; nothing was changed. The message says what to do instead."""


@dataclass
class LoadSummary:
    """What an initial load wrote, and how long each phase took (seconds, in order)."""

    items: int = 0
    relationships: int = 0
    readings: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)


@dataclass
class CsvFiles:
    """The files the bulk importer reads: `--nodes` and `--relationships` arguments, in order."""

    directory: Path
    arguments: list[str] = field(default_factory=list)
    multiline: bool = False  # a string holds a line break: the importer must be told
    longest: int = 0  # characters of the longest entry of journal states, which no row of the files is longer than
    items: int = 0
    relationships: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


_TYPES: dict[type, str] = {
    str: "string",
    int: "long",
    float: "double",
    bool: "boolean",
    datetime: "datetime",
    date: "date",
}
_MADE_HERE = (bool, datetime, date)  # cells written as text made here; the csv module writes the others


def _type_name(name: str, kind: type) -> str:
    """The importer's type for a value of a Python type (the header's `name:type`)."""
    for known, typ in _TYPES.items():
        if issubclass(kind, known) and not (known is int and issubclass(kind, bool)):
            return typ
    raise InitialLoadRefused(
        f"property {name!r} holds a {kind.__name__}, which the initial load does not write: use `graphsvc import`"
    )


# The time `_cell` was last given (that very object) and its text: every item's `createdAt` and `updatedAt` is the
# load's one time (domain/rows.py created_item).
_last_cell: tuple[Any, str] = (None, "")


def _cell(value: Any) -> Any:
    global _last_cell
    if isinstance(value, bool):
        return "true" if value else "false"
    last, text = _last_cell
    if value is last:
        return text
    text = value.isoformat()
    _last_cell = (value, text)
    return text


@dataclass
class _File:
    path: Path
    handle: IO[str]
    write: Callable[[Iterable[Any]], Any]
    made_here: tuple[int, ...]  # positions (among the row's cells) of values written as text made here
    rows: int = 0


class _Writer:
    """CSV files grouped by what they hold and their header: one file per kind (or relationship type) and set of
    typed properties, each value in a column of its own type (so no file has an empty cell)."""

    def __init__(self, files: CsvFiles) -> None:
        self.files = files
        self._open: dict[tuple[Any, ...], _File] = {}

    def row(
        self,
        option: str,
        what: str,
        fixed: tuple[str, ...],
        values: tuple[Any, ...],
        props: dict[str, Any],
        *,
        long_text: bool = False,
    ) -> None:
        """One row of `--<option>=<what>=file`: `fixed` header cells with `values`, then `props` typed. A row of
        `long_text` (strings and integers only) is written as the csv module would write it, without it."""
        key = (option, what, fixed, tuple(props), tuple(map(type, props.values())))
        file = self._open.get(key)
        if file is None:
            file = self._open[key] = self._new(option, what, fixed, props)
        cells = [*values, *props.values()]
        for n in file.made_here:
            cells[n] = _cell(cells[n])
        if long_text:
            file.handle.write(plain_line(cells))
        else:
            file.write(cells)
        file.rows += 1

    def _new(self, option: str, what: str, fixed: tuple[str, ...], props: dict[str, Any]) -> _File:
        path = self.files.directory / f"{option}-{len(self._open):04d}.csv"
        handle = path.open("w", newline="", encoding="utf-8")
        writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow([*fixed, *(f"{name}:{_type_name(name, type(v))}" for name, v in props.items())])
        made_here = tuple(len(fixed) + n for n, v in enumerate(props.values()) if isinstance(v, _MADE_HERE))
        self.files.arguments.append(f"--{option}={what}={path}")
        return _File(path, handle, writer.writerow, made_here)

    def close(self) -> None:
        """Close every file; a file with more line breaks than rows holds a value with one (the importer is told)."""
        for file in self._open.values():
            file.handle.close()
            if _line_breaks(file.path) != file.rows + 1:
                self.files.multiline = True
        self._open.clear()


def plain_line(cells: list[Any]) -> str:
    """A CSV line of strings and integers as the files' csv writer writes it (QUOTE_NONNUMERIC: every string quoted,
    its quotes doubled). An entry of journal states is 0.6 million characters of JSON, a quarter of them quotes: the
    csv module, going character by character, took 4.7 ms an entry where `str.replace` takes 1.3 ms."""
    parts = []
    for cell in cells:
        if type(cell) is str:
            parts.append('"' + cell.replace('"', '""') + '"')
        elif type(cell) is int:
            parts.append(str(cell))
        else:
            raise TypeError(f"plain_line writes strings and integers, not {type(cell).__name__}")
    return ",".join(parts) + "\n"


def _line_breaks(path: Path) -> int:
    """How many line breaks a file holds, a carriage return counted as two (one more than any row can have)."""
    found = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            found += block.count(b"\n") + 2 * block.count(b"\r")
    return found


def _item_rows(
    items: list[tuple[Kind, int, Any]], owned: Listed, now: datetime
) -> Iterator[tuple[Kind, dict[str, Any], list[StoredRel]]]:
    """Each item's stored properties (as an import leaves them) and outgoing relationships (type, target, props)."""
    deps, cons = owned
    for kind, _index, item in items:
        props, out = created_item(kind, item, deps.get(item.id, []), cons.get(item.id, []), now)
        yield kind, props, out


@dataclass(frozen=True)
class _Entries:
    """What every audit entry of the load shares: the load's time, its transaction clock and who loads."""

    now: datetime
    actor_id: str
    actor_name: str
    action: str

    def entry(self, seq: int, **props: Any) -> dict[str, Any]:
        base = {
            "at": self.now,
            "tx": tx_clock(self.now),
            "seq": seq,
            "actorId": self.actor_id,
            "actorName": self.actor_name,
        }
        return {**base, "action": self.action, "itemId": "", **props}


# The document's items and their dependencies and consumption, for the parts written by forked processes (set
# before the fork, so that a child reads them from the memory it shares with the parent instead of a copy).
_FORKED: tuple[list[tuple[Kind, int, Any]], Listed] | None = None


def _write_part(
    directory: Path, first: int, last: int, entries: _Entries, progress: Progress | None = None
) -> CsvFiles:
    """The CSV files of items `first` to `last` (exclusive) of `_FORKED`, with their journal states in audit
    entries numbered from `first // STATES_PER_ENTRY + 1` (`first` is a multiple of STATES_PER_ENTRY)."""
    assert _FORKED is not None
    items, owned = _FORKED
    directory.mkdir()
    files = CsvFiles(directory)
    writer = _Writer(files)
    states: dict[str, ItemState] = {}
    position = first // STATES_PER_ENTRY

    def flush_states() -> None:
        nonlocal position
        position += 1
        text = dump_states(states)
        files.longest = max(files.longest, len(text))
        state = entries.entry(position, subject="STATE", pos=position, states=text)
        writer.row("nodes", "AuditEntry", ("id:ID(audit)",), (str(uuid.uuid4()),), state, long_text=True)
        states.clear()

    try:
        for kind, props, out in _item_rows(items[first:last], owned, entries.now):
            item_id = props.pop("id")
            writer.row("nodes", f"Item:{kind.label}", ("id:ID(item)",), (item_id,), props)
            for rel, target, rel_props in out:
                writer.row("relationships", rel, (":START_ID(item)", ":END_ID(item)"), (item_id, target), rel_props)
            files.items += 1
            files.relationships += len(out)
            files.by_kind[kind.value] = files.by_kind.get(kind.value, 0) + 1
            states[item_id] = ItemState({**props, "id": item_id}, {(r, t): p for r, t, p in out})
            if len(states) == STATES_PER_ENTRY:
                flush_states()
            if progress is not None and files.items % 10_000 == 0:
                progress(files.items, last - first)
        if states:
            flush_states()
    finally:
        writer.close()
    return files


def _forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def write_csv(
    doc: ExchangeDocument,
    directory: Path,
    now: datetime,
    audit: Audit,
    progress: Progress | None = None,
    *,
    workers: int = 2,
) -> CsvFiles:
    """The bulk importer's CSV files for a validated document into an empty database, at `now`, by `audit`.

    The items are split into `workers` parts written side by side, each but the first by a forked process (where
    the platform forks); each part's files have their own headers, and the importer reads them all."""
    global _FORKED
    items = list(document_items(doc))
    entries = _Entries(now, audit.actor_id, audit.actor_name, audit.action)
    size = -(-len(items) // max(1, workers) // STATES_PER_ENTRY) * STATES_PER_ENTRY or STATES_PER_ENTRY
    parts = [(n, first, min(first + size, len(items))) for n, first in enumerate(range(0, len(items), size))]

    def here(part: tuple[int, int, int], share: int) -> CsvFiles:
        n, first, last = part
        moved = None if progress is None else lambda done, _total: progress(done * share, len(items))
        return _write_part(directory / f"part-{n}", first, last, entries, moved)

    _FORKED = (items, by_owner(doc))
    try:
        if len(parts) > 1 and workers > 1 and _forks():
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(len(parts) - 1, mp_context=context) as pool:
                others = [pool.submit(_write_part, directory / f"part-{n}", a, b, entries) for n, a, b in parts[1:]]
                written = [here(parts[0], len(parts)), *(f.result() for f in others)]
        else:
            written = [here(part, 1) for part in parts] if parts else []
    finally:
        _FORKED = None
    files = CsvFiles(directory)
    for part in written:
        files.arguments += part.arguments
        files.multiline = files.multiline or part.multiline
        files.longest = max(files.longest, part.longest)
        files.items += part.items
        files.relationships += part.relationships
        for kind, n in part.by_kind.items():
            files.by_kind[kind] = files.by_kind.get(kind, 0) + n

    writer = _Writer(files)
    try:
        counts = {"items": files.items, "relationships": files.relationships, "byKind": files.by_kind}
        summary = {**counts, "method": "initial load (neo4j-admin database import)"}
        load = entries.entry(0, subject="IMPORT", after=json.dumps(summary, sort_keys=True))
        writer.row("nodes", "AuditEntry", ("id:ID(audit)",), (str(uuid.uuid4()),), load)
        positions = -(-len(items) // STATES_PER_ENTRY)  # the states' entries, numbered from 1
        journal = {"id": "journal", "pos": positions, "since": now, "baseline": False}
        writer.row("nodes", "Journal", (":ID(meta)",), ("journal",), journal)
        # A new database starts from a random graph version (cypher/meta/bump_graph_state.cypher).
        version = {"id": "dependency-graph", "version": random.randrange(1_000_000_000_000) + 1}
        writer.row("nodes", "GraphState", (":ID(meta)",), ("dependency-graph",), version)
    finally:
        writer.close()
    if progress is not None:
        progress(len(items), len(items))
    return files


def validated(raw: Any, now: datetime) -> tuple[ExchangeDocument, list[CiReading]]:
    """The document checked as an import checks it against an empty database; DocumentInvalid if it is not valid."""
    doc = validate_structure(raw)
    check_references(doc, {})
    readings = [CiReading(r.ci, r.at, r.percent) for r in doc.utilizationReadings]
    future = check_readings(readings, None, now, "utilizationReadings")
    if future:
        raise DocumentInvalid(future)
    return doc, readings


async def blockers(driver: AsyncDriver, database: str) -> dict[str, int]:
    """What the database holds that an initial load would destroy, by label (empty: nothing)."""
    records, _, _ = await driver.execute_query(
        cypher("import/initial_load_blockers"), database_=database, routing_=RoutingControl.READ
    )
    return {r["label"]: int(r["nodes"]) for r in records}


def _refusal(found: dict[str, int], data_dir: Path) -> str:
    held = ", ".join(f"{n:,} {label}" for label, n in sorted(found.items()))
    return (
        f"the database in {data_dir} is not empty (it holds {held}); an initial load replaces the whole database. "
        "Use `graphsvc import` to add to it, or `graphsvc db reset --yes` first if nothing in it is needed"
    )


async def _after_start(
    connection: Connection,
    readings: list[CiReading],
    audit: Audit,
    now: datetime,
    say: Phase,
    progress: Progress | None,
) -> int:
    driver = open_async_driver(connection)
    try:
        say("making the schema (constraints, indexes, search)")
        await schema_after_bulk_import(driver, connection.database)
        if readings:
            say("writing readings")
        async with driver.session(database=connection.database) as session:
            written = await write_readings(session, readings, audit, now, progress)
            say("indexing for search")
            await (await session.run(cypher("import/await_search_index"))).consume()
        return written
    finally:
        await driver.close()


def initial_load(
    server: LocalNeo4j,
    connection: Callable[[], Connection],
    raw: Any,
    *,
    audit: Audit,
    phase: Phase | None = None,
    progress: Progress | None = None,
) -> LoadSummary:
    """Load a decoded exchange document into the empty database of the managed `server` (see the module's
    docstring); `connection()` starts the server and says how to reach it. Raises DocumentInvalid (the document)
    or InitialLoadRefused (the database is not empty, or the bulk importer failed), with nothing changed."""
    summary = LoadSummary()
    clock = time.perf_counter()
    step = ""

    def say(name: str) -> None:
        nonlocal clock, step
        now_ = time.perf_counter()
        if step:
            summary.phases[step] = summary.phases.get(step, 0.0) + now_ - clock
        clock, step = now_, name
        if phase is not None:
            phase(name)

    now = datetime.now(UTC)
    with cyclic_gc_paused():  # millions of small objects without cycles, as in an import
        say("looking at the database")
        was_running = server.status().running

        def as_it_was() -> None:
            """After a refusal with Neo4j stopped for the bulk importer: Neo4j started again if it ran before."""
            if was_running:
                with suppress(Exception):  # the error to show is the one that stopped the load
                    connection()

        found = asyncio.run(_blockers(connection()))
        if found:
            raise InitialLoadRefused(_refusal(found, server.data_dir))
        # Neo4j stops (for the bulk importer) while the document is validated: the stop is Neo4j's work and the
        # validation Python's, each on a core of its own (at 1M CIs 5.4 s of stopping hidden behind 26 s).
        say("validating (Neo4j stopping meanwhile)")
        with ThreadPoolExecutor(1, thread_name_prefix="graphsvc-stop") as stopper:
            stopping = stopper.submit(server.stop)
            try:
                doc, readings = validated(raw, now)
            except BaseException:
                with suppress(Exception):  # the error to show is the document's
                    stopping.result()
                as_it_was()
                raise
            say("stopping Neo4j (for the bulk importer)")
            stopping.result()
        work = Path(tempfile.mkdtemp(prefix=".graphsvc-load-", dir=server.data_dir))
        try:
            say("writing CSV files")
            try:
                files = write_csv(doc, work, now, audit, progress)
            except BaseException:
                as_it_was()
                raise
            # The validated document is freed while the bulk importer runs: Python's work (1.8 s at 1M CIs) done
            # while Python waits, by a thread holding its last reference.
            garbage: list[Any] = [doc]
            del doc
            freeing = threading.Thread(target=garbage.clear, name="graphsvc-free-document")
            say("bulk importing (neo4j-admin database import)")
            freeing.start()
            try:
                server.admin(*_import_arguments(files, work))
            except LocalNeo4jError as exc:
                _restore_empty(server, work)
                asyncio.run(_after_start(connection(), [], audit, now, say, None))
                raise InitialLoadRefused(
                    f"the bulk importer failed; the database was left empty, as it was:\n{exc}"
                ) from None
            finally:
                freeing.join()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        say("starting Neo4j")
        conn = connection()
        summary.readings = asyncio.run(_after_start(conn, readings, audit, now, say, progress))
    say("")
    summary.items, summary.relationships, summary.by_kind = files.items, files.relationships, files.by_kind
    return summary


async def _blockers(conn: Connection) -> dict[str, int]:
    driver = open_async_driver(conn)
    try:
        return await blockers(driver, conn.database)
    finally:
        await driver.close()


def _import_arguments(files: CsvFiles, work: Path) -> list[str]:
    return [
        "database",
        "import",
        "full",
        DATABASE,
        "--overwrite-destination=true",
        "--id-type=string",
        "--strict=true",
        "--bad-tolerance=0",
        f"--multiline-fields={'true' if files.multiline else 'false'}",
        f"--report-file={work / 'import.report'}",
        f"--read-buffer-size={read_buffer(files.longest)}",
        *files.arguments,
    ]


def read_buffer(longest: int) -> int:
    """The importer's read buffer (bytes) for files whose longest entry of states has `longest` characters.

    No row is longer than such an entry by more than a few hundred characters: it holds every property and
    outgoing relationship of a thousand items as JSON, each value at least as long as in its own row (which alone
    has the bookkeeping: `hash`, the times, within the 64 KiB margin). In the file a quote is doubled, and a
    character takes up to 4 bytes of UTF-8 or 2 Java chars, so 4 of whichever unit the importer counts covers one.
    (At the bench's estate an entry is about 0.6 million characters: the default buffer.)"""
    needed = 4 * longest + (64 << 10)
    size = READ_BUFFER_MIN
    while size < needed:
        size *= 2
    return size


def _restore_empty(server: LocalNeo4j, work: Path) -> None:
    """After a failed bulk import: an empty database again (the importer removed the old one's files first)."""
    empty = work / "empty.csv"
    empty.write_text("id:ID\n")
    try:
        server.admin("database", "import", "full", DATABASE, "--overwrite-destination=true", f"--nodes={empty}")
    except LocalNeo4jError:
        pass  # the start after this reports what is wrong with the store
