"""A bulk load writes each item with its content hash, ahead of its relationships: one that stops part-way must not
leave items the next import takes for complete (graphsvc/db/importer.py `_after_cut_load`).

The stop here is an error raised between the node batches and the relationship batches; tests/integration/
test_faults.py stops Neo4j itself in the middle of a load."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import importer, writes
from graphsvc.db.audit import Audit
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.db.journal import estate_as_of, estate_now
from graphsvc.domain.exchange import Dependency
from tests.conftest import wipe
from tests.integration.test_import_export import DB, SMALL, rows

BULK: dict[str, Any] = {"single_tx_rows": 1, "batch_size": 4}  # SMALL batch by batch
GRAPH = "MATCH (a:Item)-[r]->(b:Item) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props"
ITEMS = "MATCH (n:Item) RETURN n.id AS id, n.name AS name, n.hash IS NULL AS unhashed"
MARK = "MATCH (s:GraphState {id: 'bulk-load'}) RETURN s.since AS since"
ADDED = "MATCH (:Item {id: 'CI-APP-1'})-[r:DEPENDS_ON]->(:Item {id: 'CI-DB-2'}) RETURN count(r) AS n"


def relationships(driver: Driver) -> set[tuple[Any, ...]]:
    records, _, _ = driver.execute_query(GRAPH, database_=DB)
    return {(r["a"], r["type"], r["b"], tuple(sorted(r["props"].items()))) for r in records}


class Stopped(Exception):
    pass


def after_the_nodes(monkeypatch: pytest.MonkeyPatch, then: Callable[[], Awaitable[None]]) -> None:
    """The next bulk load awaits `then` once its first run of steps, the node batches, is committed: before any
    relationship is written."""
    original = importer._write_each
    runs = 0

    async def write_each(*args: Any, **kwargs: Any) -> None:
        nonlocal runs
        await original(*args, **kwargs)
        runs += 1
        if runs == 1:
            await then()

    monkeypatch.setattr(importer, "_write_each", write_each)


def stop_after_the_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next bulk load stops once its node batches are committed, before any relationship is written."""

    async def stop() -> None:
        raise Stopped

    after_the_nodes(monkeypatch, stop)


async def add_a_dependency(driver: AsyncDriver) -> None:
    """CI-APP-1 -> CI-DB-2, which SMALL does not list, by graphsvc's own write (it clears the item's hash)."""
    dep = Dependency.model_validate({"from": "CI-APP-1", "to": "CI-DB-2"})
    await writes.add_dependency(driver, DB, dep, audit=Audit("tests", "tests", "test"))


@pytest.mark.parametrize("retry", [{}, BULK], ids=["retried in one transaction", "retried batch by batch"])
async def test_a_bulk_load_cut_short_is_completed_by_the_next_import(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch, retry: dict[str, Any]
) -> None:
    await import_document(adriver, DB, SMALL, **BULK)
    expected = relationships(sync_driver)
    assert expected and not rows(sync_driver, MARK)  # a finished load leaves no mark
    wipe(sync_driver, DB)

    with monkeypatch.context() as patched:
        stop_after_the_nodes(patched)
        with pytest.raises(Stopped):
            await import_document(adriver, DB, SMALL, **BULK)
    assert rows(sync_driver, MARK)  # the load's mark stays
    assert not relationships(sync_driver)
    assert all(not unhashed for _, _, unhashed in rows(sync_driver, ITEMS))  # written with their hashes

    again = await import_document(adriver, DB, SMALL, **retry)
    assert again.created == 0 and again.updated > 0  # items without their relationships are written again
    assert relationships(sync_driver) == expected
    assert not rows(sync_driver, MARK)
    third = await import_document(adriver, DB, SMALL, **retry)
    assert third.created == third.updated == 0  # converged


async def test_an_import_of_another_document_after_a_cut_load_leaves_the_load_s_items_to_be_completed(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import after a cut load clears the hashes of every item the load wrote, not only of those it describes:
    the load's document imported later still writes what is missing."""
    with monkeypatch.context() as patched:
        stop_after_the_nodes(patched)
        with pytest.raises(Stopped):
            await import_document(adriver, DB, SMALL, **BULK)

    other = copy.deepcopy(SMALL["teams"][0])
    other.update(id="TEAM-OTHER", name="Another team")
    phases: list[str] = []
    done = await import_document(adriver, DB, {"format": SMALL["format"], "teams": [other]}, phase=phases.append)
    assert done.created == 1
    assert phases[:2] == ["validating", "completing what a bulk load cut short left"]  # said, for a long repair
    unhashed = {i for i, _, u in rows(sync_driver, ITEMS) if u}
    assert unhashed == {i for i, _, _ in rows(sync_driver, ITEMS)} - {"TEAM-OTHER"}

    # the journal holds the load's items as they stand (it recorded their states only in its last steps, which it
    # did not reach): the estate as of now is the database's
    from tests.integration.test_estate_journal import shape  # (that module imports this one)

    repo = ItemRepository(adriver, DB)
    assert shape((await estate_as_of(repo, datetime.now(UTC)))[0]) == shape(await estate_now(repo))

    again = await import_document(adriver, DB, SMALL)
    assert again.created == 0 and again.updated > 0
    assert relationships(sync_driver) and not rows(sync_driver, MARK)
    assert (await import_document(adriver, DB, SMALL)).updated == 0


async def test_a_write_during_a_bulk_load_is_not_hidden_by_the_load_s_hashes(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dependency added to an item the load created, between its node and relationship batches, clears that item's
    hash; the next import of the document compares it with what is stored and takes the dependency away again."""
    with monkeypatch.context() as patched:
        after_the_nodes(patched, lambda: add_a_dependency(adriver))
        await import_document(adriver, DB, SMALL, **BULK)
    assert rows(sync_driver, ADDED) == {(1,)}

    again = await import_document(adriver, DB, SMALL, **BULK)
    assert (again.created, again.updated) == (0, 1)
    assert rows(sync_driver, ADDED) == {(0,)}


async def test_an_unchanged_item_s_hash_is_not_stored_over_a_write_made_meanwhile(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item stored without a hash and described as it is gets its hash in the import's last step, unless a write
    changed it after the import compared it (the hash would hide that write from the next import)."""
    await import_document(adriver, DB, SMALL, **BULK)
    sync_driver.execute_query("MATCH (n:Item {id: 'CI-APP-1'}) SET n.hash = null", database_=DB)
    original = importer._write_each

    async def with_a_write_first(*args: Any, **kwargs: Any) -> None:
        patched.undo()  # once
        await add_a_dependency(adriver)
        await original(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(importer, "_write_each", with_a_write_first)
        same = await import_document(adriver, DB, SMALL, **BULK)
    assert (same.created, same.updated) == (0, 0)  # compared before the write
    assert rows(sync_driver, "MATCH (n:Item {id: 'CI-APP-1'}) RETURN n.hash IS NULL AS unhashed") == {(True,)}

    again = await import_document(adriver, DB, SMALL, **BULK)
    assert (again.created, again.updated) == (0, 1)
    assert rows(sync_driver, ADDED) == {(0,)}


async def test_a_load_removes_only_its_own_mark_and_the_repair_takes_any_updated_at(
    adriver: AsyncDriver, sync_driver: Driver
) -> None:
    await import_document(adriver, DB, SMALL)
    sync_driver.execute_query(
        "MATCH (n:Item {id: 'CI-APP-1'}) SET n.updatedAt = 'yesterday' "  # not a datetime (behind graphsvc's back)
        "WITH 1 AS one MERGE (s:GraphState {id: 'bulk-load'}) SET s.since = datetime(), s.load = 'a'",
        database_=DB,
    )
    async with adriver.session(database=DB) as session:
        await session.execute_write(importer._finish_load, False, "b")  # another load's end
    assert rows(sync_driver, MARK)  # still there: not that load's

    done = await import_document(adriver, DB, {"format": SMALL["format"]})  # finds the mark: repairs first
    assert done.created == done.updated == 0
    assert not rows(sync_driver, MARK)
    assert rows(sync_driver, "MATCH (n:Item {id: 'CI-APP-1'}) RETURN n.hash IS NULL AS unhashed") == {(True,)}


async def test_the_import_after_a_cut_load_tells_the_load_and_moves_the_graph_s_version(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load stopped before its seals took no journal position: the next import (here of nothing) records its items'
    states as the load's own write, which the event feed tells once, whole, and moves the graph's version (the load
    did not get to)."""
    from graphsvc.db.audit_feed import AuditFeed
    from graphsvc.db.graph import fingerprint
    from tests.integration.test_estate_journal import shape  # (that module imports this one)

    repo = ItemRepository(adriver, DB)
    feed = AuditFeed(repo)
    start = await feed.head()
    with monkeypatch.context() as patched:
        stop_after_the_nodes(patched)
        with pytest.raises(Stopped):
            await import_document(adriver, DB, SMALL, audit=Audit("tok-1", "loader", "importCmdb"), **BULK)
    version, *_ = await fingerprint(repo)
    assert await feed.after(start) == ([], start)  # nothing told yet: the load took no position

    await import_document(adriver, DB, {"format": SMALL["format"]}, audit=Audit("tok-2", "other", "importCmdb"))
    after, *_ = await fingerprint(repo)
    assert after == version + 1
    [told], _ = await feed.after(start)
    assert (told.actor_name, told.action) == ("loader", "importCmdb")
    assert told.item_count == len(told.items) == len(rows(sync_driver, ITEMS)) > 30  # every item it created
    assert shape((await estate_as_of(repo, datetime.now(UTC)))[0]) == shape(await estate_now(repo))
