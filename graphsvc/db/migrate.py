"""Schema migrations: the ordered, idempotent files under `schema/`, applied once each and recorded. A file holds
Cypher statements separated by `;`: constraints and indexes, or a data rewrite (`CALL { ... } IN TRANSACTIONS`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from neo4j import AsyncDriver, RoutingControl
from neo4j.exceptions import DriverError, Neo4jError

from graphsvc.db.connection import translated
from graphsvc.db.cypher import cypher
from graphsvc.db.journal import ensure_baseline
from graphsvc.resources import resource_dir

__all__ = [
    "Migration",
    "apply_migrations",
    "expected_version",
    "migrations",
    "schema_after_bulk_import",
    "schema_version",
]

_NAME = re.compile(r"^(\d{4})_([\w-]+)\.cypher$")
_SCHEMA = re.compile(r"^CREATE\s+(?:(?:RANGE|TEXT|POINT|FULLTEXT|VECTOR)\s+)?(?:INDEX|CONSTRAINT)\b", re.IGNORECASE)
_FULLTEXT = re.compile(r"^CREATE\s+FULLTEXT\s+INDEX\b", re.IGNORECASE)
_UNMAKES = re.compile(r"^(?:DROP|ALTER)\s", re.IGNORECASE)  # a statement undoing or changing schema made before it


def made_at_once(shipped: list[Migration]) -> bool:
    """Whether the migrations' schema may be made all at once, out of their order (`schema_after_bulk_import`): only
    while no statement drops or alters what an earlier one made."""
    return not any(_UNMAKES.match(statement) for migration in shipped for statement in migration.statements)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def migrations() -> list[Migration]:
    """Every migration shipped, in version order."""
    found = []
    for entry in resource_dir("schema").iterdir():
        match = _NAME.match(entry.name)
        if not match:
            continue
        text = "\n".join(ln for ln in entry.read_text().splitlines() if not ln.lstrip().startswith("//"))
        statements = tuple(s.strip() for s in text.split(";") if s.strip())
        found.append(Migration(int(match.group(1)), match.group(2), statements))
    return sorted(found, key=lambda m: m.version)


def expected_version() -> int:
    """The schema version this graphsvc needs."""
    return max((m.version for m in migrations()), default=0)


async def schema_version(driver: AsyncDriver, database: str) -> int:
    """The highest migration applied to the database (0 if none)."""
    try:
        return max(await _applied(driver, database), default=0)
    except (Neo4jError, DriverError) as exc:
        raise translated(exc) from exc


async def _applied(driver: AsyncDriver, database: str) -> set[int]:
    records, _, _ = await driver.execute_query(
        cypher("meta/applied_migrations"), database_=database, routing_=RoutingControl.READ
    )
    return {int(r["version"]) for r in records}


async def _record(driver: AsyncDriver, database: str, migration: Migration) -> None:
    await driver.execute_query(
        cypher("meta/record_migration"), version=migration.version, name=migration.name, database_=database
    )


async def _settle(driver: AsyncDriver, database: str) -> None:
    """After migrations: every index online, and an older graphsvc's items given their first journal states."""
    await driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    await ensure_baseline(driver, database)


async def apply_migrations(driver: AsyncDriver, database: str) -> list[Migration]:
    """Apply the migrations not yet recorded; returns those applied. Each statement is idempotent."""
    applied = []
    done = await _applied(driver, database)
    for migration in migrations():
        if migration.version in done:
            continue
        async with driver.session(database=database) as session:
            for statement in migration.statements:
                # Statements come from the shipped files, never from a request. Each runs in an auto-commit
                # transaction, so that a data rewrite may go a batch at a time (CALL { ... } IN TRANSACTIONS).
                await (await session.run(statement)).consume()
        await _record(driver, database, migration)
        applied.append(migration)
    await _settle(driver, database)
    return applied


async def schema_after_bulk_import(driver: AsyncDriver, database: str) -> list[Migration]:
    """Every migration, on a database Neo4j's bulk importer has just written (db/initial_load.py): it holds no
    index, no constraint and no migration recorded, and its data is the current graphsvc's, so a data rewrite finds
    nothing to rewrite. The same statements as `apply_migrations`, ordered for the indexes' population on a large
    graph: Neo4j populates an index created alone with a scan of its own, and one created on a label whose index is
    still populating waits for it, so one by one they run nearly in series. Here the full-text indexes (the longest
    to populate) start first, each on its own, and every other index and constraint is made in one transaction
    beside them, populated in one scan; then the data statements, in order. At 1M CIs: 31 s rather than 38 s
    (docs/benchmarks.md). A database that has migrations recorded gets `apply_migrations`, as do migrations that
    drop or alter schema (`made_at_once`)."""
    done = await _applied(driver, database)
    shipped = migrations()
    # not what the bulk importer left (a failed import's database made empty again may be), or a migration undoes
    # what an earlier one made: one by one, in order
    if done or not made_at_once(shipped):
        return await apply_migrations(driver, database)
    statements = [statement for migration in shipped for statement in migration.statements]
    schema = [s for s in statements if _SCHEMA.match(s)]
    async with driver.session(database=database) as session:
        for statement in (s for s in schema if _FULLTEXT.match(s)):
            await (await session.run(statement)).consume()
        together = await session.begin_transaction()
        try:
            for statement in (s for s in schema if not _FULLTEXT.match(s)):
                await (await together.run(statement)).consume()
            await together.commit()
        finally:
            await together.close()
        for statement in (s for s in statements if not _SCHEMA.match(s)):
            await (await session.run(statement)).consume()
    for migration in shipped:
        await _record(driver, database, migration)
    await _settle(driver, database)
    return shipped
