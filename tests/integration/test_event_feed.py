"""The event feed against a real Neo4j: the audit trail read back as writes in commit order, each with the items it
changed and how; a subscriber that does not keep up is dropped without holding back the others."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import writes
from graphsvc.db.audit import Audit
from graphsvc.db.audit_feed import AuditFeed
from graphsvc.db.change_writes import transition_change
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.domain.events import WriteEvent, WriteOperation, change_moves, incident_events
from graphsvc.domain.exchange import ConfigurationItem
from graphsvc.domain.vocabulary import Kind
from graphsvc.usecases.events import EventFeed, SubscriberDropped
from tests.conftest import REPO, load_json, wipe

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
DB = "neo4j"
WAIT = 30.0


def ci(item_id: str) -> ConfigurationItem:
    return ConfigurationItem.model_validate({"id": item_id, "name": item_id, "type": "SERVER"})


async def test_writes_come_back_in_commit_order_with_what_they_did(adriver: AsyncDriver) -> None:
    feed = AuditFeed(ItemRepository(adriver, DB))
    start = await feed.head()
    await import_document(adriver, DB, SMALL, audit=Audit("tok-1", "importer", "importCmdb"))
    await writes.create_item(adriver, DB, Kind.CONFIGURATION_ITEM, ci("CI-X"), audit=Audit("tok-2", "ed", "createCI"))
    await writes.delete_item(adriver, DB, "CI-X", None, detach=True, audit=Audit("tok-2", "ed", "deleteItem"))
    events, position = await feed.after(start)
    assert [(e.actor_name, e.action) for e in events] == [
        ("importer", "importCmdb"),
        ("ed", "createCI"),
        ("ed", "deleteItem"),
    ]
    imported, created, deleted = events
    assert imported.item_count == len(imported.items) > 10  # one write, though it recorded states several times
    assert {i.operation for i in imported.items} >= {WriteOperation.CREATED}
    assert [(i.item_id, i.kind, i.operation) for i in created.items] == [
        ("CI-X", "CONFIGURATION_ITEM", WriteOperation.CREATED)
    ]
    assert [(i.item_id, i.operation) for i in deleted.items] == [("CI-X", WriteOperation.DELETED)]
    assert position == deleted.position > created.position > imported.position > start
    assert await feed.after(position) == ([], position)  # nothing is told twice


async def test_the_feed_caps_the_items_of_a_large_write(adriver: AsyncDriver) -> None:
    feed = AuditFeed(ItemRepository(adriver, DB), max_items=5)
    start = await feed.head()
    await import_document(adriver, DB, SMALL, audit=Audit("tok-1", "importer", "importCmdb"))
    [event], _ = await feed.after(start)
    assert len(event.items) == 5 and event.item_count > 5


async def _told_both_ways(
    adriver: AsyncDriver, sync_driver: Driver, doc: Any, cap: int, *, batch: int, stored: Any = None
) -> list[WriteEvent]:
    """The feed's event for one import of `doc` (over `stored`, if given) into a database emptied first, its created
    items recorded an entry per item, then one per batch of `batch` (db/importer.py CREATED_PER_BATCH_FROM); both in
    one transaction."""
    events = []
    for how in ({"created_per_batch_from": 1_000}, {"created_per_batch_from": 1, "batch_size": batch}):
        wipe(sync_driver, DB)
        if stored is not None:
            await import_document(adriver, DB, stored)
        feed = AuditFeed(ItemRepository(adriver, DB), max_items=cap)
        start = await feed.head()
        await import_document(adriver, DB, doc, audit=Audit("tok-1", "importer", "importCmdb"), **how)
        [event], _ = await feed.after(start)
        events.append(event)
    return events


@pytest.mark.parametrize("cap", [1000, 7, 5], ids=["whole", "cut inside a batch", "cut at a batch's end"])
async def test_an_imports_created_items_come_one_by_one_whether_recorded_per_item_or_per_batch(
    adriver: AsyncDriver, sync_driver: Driver, cap: int
) -> None:
    per_item, batched = await _told_both_ways(adriver, sync_driver, SMALL, cap, batch=5)
    assert per_item.item_count == batched.item_count == 36
    assert len(per_item.items) == min(cap, 36)
    assert {i.operation for i in per_item.items} == {WriteOperation.CREATED}
    assert batched.items == per_item.items


def _timeless(item: Any) -> tuple[Any, ...]:
    """An item of a write as told, less the stored times (the two imports compared ran at different times)."""
    times = ("createdAt", "updatedAt")
    before, after = ({k: v for k, v in (d or {}).items() if k not in times} for d in (item.before, item.after))
    return (item.item_id, item.kind, item.operation, item.fields, before, after)


@pytest.mark.parametrize("cap", [1000, 2])
async def test_an_import_that_creates_and_updates_is_told_the_same_in_both_forms(
    adriver: AsyncDriver, sync_driver: Driver, cap: int
) -> None:
    changed = copy.deepcopy(SMALL)
    changed["configurationItems"][0]["name"] = "renamed"
    changed["configurationItems"] += [ci(f"CI-NEW-{n}").model_dump(exclude_none=True) for n in range(3)]
    per_item, batched = await _told_both_ways(adriver, sync_driver, changed, cap, batch=2, stored=SMALL)
    assert per_item.item_count == batched.item_count == 4
    assert [_timeless(i) for i in batched.items] == [_timeless(i) for i in per_item.items]
    assert [(i.item_id, i.operation) for i in per_item.items] == [
        ("CI-NEW-0", WriteOperation.CREATED),
        ("CI-NEW-1", WriteOperation.CREATED),
        ("CI-NEW-2", WriteOperation.CREATED),
        (changed["configurationItems"][0]["id"], WriteOperation.UPDATED),
    ][:cap]


async def test_a_slow_subscriber_is_dropped_and_the_others_go_on(adriver: AsyncDriver) -> None:
    feed = EventFeed(AuditFeed(ItemRepository(adriver, DB)), interval=0.05, queue=2, per_token=5)
    slow = await feed.join("tok-slow")
    keeping_up = await feed.join("tok-fast")
    got: list[WriteEvent] = []
    arrived = asyncio.Event()

    async def read() -> None:
        async for event in keeping_up:
            got.append(event)
            arrived.set()
            if len(got) == 3:
                return

    reader = asyncio.create_task(read())
    try:
        for n in range(3):
            arrived.clear()
            who = Audit("tok-w", "writer", f"write-{n}")
            await writes.create_item(adriver, DB, Kind.CONFIGURATION_ITEM, ci(f"CI-{n}"), audit=who)
            # the next write once the reader has this one: one poll may gather several writes, and a queue of 2
            # would then drop the reader too (it cannot read between the events of one poll)
            await asyncio.wait_for(arrived.wait(), WAIT)
        await asyncio.wait_for(reader, WAIT)
        assert [e.action for e in got] == ["write-0", "write-1", "write-2"]
        assert slow.dropped and feed.dropped == 1
        stream = aiter(slow)
        try:
            await anext(stream)
            raise AssertionError("a dropped subscriber gets no more events")
        except SubscriberDropped as exc:
            assert "fell 2 events behind (GRAPHSVC_SUBSCRIPTION_QUEUE)" in str(exc)
    finally:
        await feed.close()


async def test_incident_and_change_events_are_read_off_writes(adriver: AsyncDriver) -> None:
    feed = AuditFeed(ItemRepository(adriver, DB))
    doc: dict[str, Any] = {
        "format": "graphsvc-cmdb/1",
        "configurationItems": [{"id": "CI-1", "name": "one", "type": "SERVER"}],
        "changes": [{"id": "C-1", "title": "patch", "type": "NORMAL", "status": "DRAFT", "modifies": ["CI-1"]}],
    }
    await import_document(adriver, DB, doc, audit=Audit("t", "t", "importCmdb"))
    start = await feed.head()
    await transition_change(adriver, DB, "C-1", "submit", audit=Audit("t", "t", "submitChange"))
    [event], _ = await feed.after(start)
    assert [(m.change_id, m.from_status, m.to_status) for m in change_moves(event)] == [("C-1", "DRAFT", "SUBMITTED")]
    assert incident_events(event) == []


async def _all_after(feed: AuditFeed, start: int) -> list[WriteEvent]:
    """Every write the feed tells after `start`, read `feed.batch` positions at a time to the head."""
    events: list[WriteEvent] = []
    position = start
    while True:
        more, after = await feed.after(position)
        events += more
        if after == position:
            return events
        position = after


def _by_item(event: WriteEvent) -> list[tuple[Any, ...]]:
    return sorted((_timeless(i) for i in event.items), key=repr)


async def test_a_bulk_import_is_told_as_one_write_whole_like_the_same_import_in_one_transaction(
    adriver: AsyncDriver, sync_driver: Driver
) -> None:
    # created, updated and merged onto (a dependency of CI-APP-1, which the document does not describe): a bulk
    # import commits each in transactions of its own, and other writes' journal positions may come between its
    # seals'; its event is the one-transaction import's
    stored = copy.deepcopy(SMALL)
    stored["configurationItems"] += [ci("CI-GONE").model_dump(exclude_none=True)]
    changed = copy.deepcopy(SMALL)
    changed["configurationItems"] = [c for c in changed["configurationItems"] if c["id"] != "CI-APP-1"]
    changed["configurationItems"][0]["name"] = "renamed"
    changed["configurationItems"] += [ci(f"CI-NEW-{n}").model_dump(exclude_none=True) for n in range(12)]
    changed["dependencies"].append({"from": "CI-APP-1", "to": "CI-GONE"})
    told = []
    for how in ({}, {"single_tx_rows": 1, "batch_size": 5}):
        wipe(sync_driver, DB)
        await import_document(adriver, DB, stored)
        feed = AuditFeed(ItemRepository(adriver, DB), batch=2)  # the import's positions span several reads
        start = await feed.head()
        await import_document(adriver, DB, changed, audit=Audit("tok-1", "importer", "importCmdb"), **how)
        await writes.create_item(adriver, DB, Kind.CONFIGURATION_ITEM, ci("CI-X"), audit=Audit("tok-2", "ed", "add"))
        events = await _all_after(feed, start)
        assert [(e.actor_name, e.action) for e in events] == [("importer", "importCmdb"), ("ed", "add")], how
        told.append(events[0])
    one_tx, bulk = told
    assert bulk.item_count == one_tx.item_count == len(bulk.items) > 14
    assert _by_item(bulk) == _by_item(one_tx)
    operations = {(i.item_id, i.operation) for i in bulk.items}
    assert {("CI-NEW-0", WriteOperation.CREATED), ("CI-APP-1", WriteOperation.UPDATED)} <= operations
    assert (changed["configurationItems"][0]["id"], WriteOperation.UPDATED) in operations


async def test_a_write_whose_positions_have_others_between_them_is_told_once(
    adriver: AsyncDriver, sync_driver: Driver
) -> None:
    # a bulk import's seals take positions in transactions of their own, and any write may commit between them:
    # here by hand, a write of two transactions sharing one clock (Audit.tx) with another write between them
    wipe(sync_driver, DB)
    await import_document(adriver, DB, SMALL)
    feed = AuditFeed(ItemRepository(adriver, DB))
    start = await feed.head()
    load = Audit("tok-1", "importer", "importCmdb", tx=1_234_567_890)

    async def record(audit: Audit, item_id: str) -> None:
        async with adriver.session(database=DB) as session:
            await session.execute_write(lambda tx: audit.record(tx, [(item_id, None, {"name": item_id})]))

    await record(load, "CI-APP-1")
    await record(Audit("tok-2", "ed", "edit"), "CI-DB-1")
    await record(load, "CI-DB-2")
    states_only = Audit("tok-3", "journal", "states")
    async with adriver.session(database=DB) as session:
        await session.execute_write(lambda tx: states_only.record_states(tx, ["CI-DB-3"]))
    events = await _all_after(feed, start)
    assert [(e.action, [i.item_id for i in e.items], e.item_count) for e in events] == [
        ("importCmdb", ["CI-APP-1", "CI-DB-2"], 2),  # told at its first position, whole
        ("edit", ["CI-DB-1"], 1),
        ("states", [], 0),  # a write of no item entries (an initial load's, say)
    ]
    assert await feed.after(await feed.head()) == ([], await feed.head())
