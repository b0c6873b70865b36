"""A bulk load, and an import creating CREATED_PER_BATCH_FROM items or more in one transaction, record their created
items one audit entry per batch, and each item's history still shows its creation exactly as an entry per item
records it (db/audit.py created_entry, cypher/audit/history.cypher)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db.audit import Audit, AuditRecord, audit_log, cursor_of, history
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from tests.conftest import REPO, load_json, wipe

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
DB = "neo4j"
BULK = {"single_tx_rows": 1, "batch_size": 5}  # a bulk load: node batches of 5 committed one by one
ONE_TX = {"created_per_batch_from": 36, "batch_size": 5}  # one transaction, its 36 created items in entries of 5
PER_ITEM = {"created_per_batch_from": 37}  # one transaction, an entry per created item
LOADER = Audit("tok-loader", "loader", "importCmdb")
SINCE = datetime(2000, 1, 1, tzinfo=UTC)


def _ids(doc: dict[str, Any]) -> list[str]:
    return sorted(item["id"] for key, items in doc.items() if isinstance(items, list) for item in items if "id" in item)


def _seen(record: AuditRecord) -> tuple[Any, ...]:
    """What a reader of the history sees of an entry, less its id and time."""
    return (record.actor_id, record.actor_name, record.action, record.item_id, record.before, record.after)


async def _histories(repo: ItemRepository, ids: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    return {i: [_seen(r) for r in await history(repo, i, limit=10)] for i in ids}


@pytest.mark.parametrize("batched", [BULK, ONE_TX], ids=["bulk load", "one transaction"])
async def test_batch_created_items_have_the_history_an_entry_per_item_gives(
    adriver: AsyncDriver, sync_driver: Driver, batched: dict[str, int]
) -> None:
    repo = ItemRepository(adriver, DB)
    ids = _ids(SMALL)
    assert len(ids) == 36
    await import_document(adriver, DB, SMALL, audit=LOADER, **PER_ITEM)
    single = await _histories(repo, ids)
    assert len(await audit_log(repo, SINCE, None, limit=100)) == 36  # an entry per item
    wipe(sync_driver, DB)
    await import_document(adriver, DB, SMALL, audit=LOADER, **batched)
    bulk = await _histories(repo, ids)
    for item_id in ids:
        [(actor, name, action, recorded_id, before, after)] = bulk[item_id]
        assert (actor, name, action, recorded_id, before) == ("tok-loader", "loader", "importCmdb", item_id, None)
        assert after is not None and after["id"] == item_id and after["itemKind"]
        assert bulk[item_id] == single[item_id], item_id


@pytest.mark.parametrize("batched", [BULK, ONE_TX], ids=["bulk load", "one transaction"])
async def test_the_audit_log_shows_batch_created_items_one_entry_per_batch(
    adriver: AsyncDriver, batched: dict[str, int]
) -> None:
    repo = ItemRepository(adriver, DB)
    await import_document(adriver, DB, SMALL, audit=LOADER, **batched)
    log = await audit_log(repo, SINCE, None, limit=100)
    batches = [r for r in log if r.item_id == ""]
    assert [r for r in log if r.item_id != ""] == []  # nothing per item: every item of the load was created
    assert len(batches) == 8  # 36 items in batches of 5
    assert sorted(r.after["created"] for r in batches if r.after) == [1] + [5] * 7
    assert {(r.actor_id, r.action, r.before) for r in batches} == {("tok-loader", "importCmdb", None)}


async def test_a_bulk_created_items_creation_stays_last_in_its_history_and_pages(adriver: AsyncDriver) -> None:
    repo = ItemRepository(adriver, DB)
    await import_document(adriver, DB, SMALL, audit=LOADER, **BULK)
    changed = copy.deepcopy(SMALL)
    ci = changed["configurationItems"][0]
    ci["name"] = "renamed"
    await import_document(adriver, DB, changed, audit=Audit("tok-other", "other", "importCmdb"), **BULK)

    updated, created = await history(repo, ci["id"], limit=10)
    assert (updated.actor_id, updated.after and updated.after["name"]) == ("tok-other", "renamed")
    assert (created.actor_id, created.before, created.after and created.after["name"]) == (
        "tok-loader",
        None,
        SMALL["configurationItems"][0]["name"],
    )
    assert created.at <= updated.at and created.id != updated.id

    [first] = await history(repo, ci["id"], limit=1)
    [second] = await history(repo, ci["id"], limit=1, after=cursor_of(first))
    assert (first.id, second.id) == (updated.id, created.id)
    assert await history(repo, ci["id"], limit=1, after=cursor_of(second)) == []


async def test_history_of_an_id_no_item_has_is_empty(adriver: AsyncDriver) -> None:
    repo = ItemRepository(adriver, DB)
    await import_document(adriver, DB, SMALL, audit=LOADER, **BULK)
    some = _ids(SMALL)[0]
    # a prefix of a loaded id, ids no item can have (the phrase would be refused by Lucene, or match another's)
    for item_id in (some[:-1], "", "x y", f'{some}" OR "{_ids(SMALL)[1]}', "*", some + " " + some):
        assert await history(repo, item_id, limit=10) == [], item_id
    assert await audit_log(repo, datetime.now(UTC) + timedelta(days=1), None, limit=10) == []
