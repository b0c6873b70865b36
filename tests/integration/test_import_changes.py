"""What an import counts and audits as changed: only real differences, once, even with two imports at once."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db.audit import Audit
from graphsvc.db.importer import import_document
from graphsvc.db.writes import delete_item
from tests.integration.test_import_export import DB, SMALL, rows

BOOKKEEPING = {"version", "updatedAt"}


def audit_entries(driver: Driver, action: str) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
    records, _, _ = driver.execute_query(
        # the item entries: an import's STATE entries carry the estate's journal (db/journal.py), not a change
        "MATCH (e:AuditEntry {action: $action}) WHERE coalesce(e.subject, 'ITEM') = 'ITEM' "
        "RETURN e.itemId AS id, e.before AS before, e.after AS after ORDER BY e.at, e.seq",
        action=action,
        database_=DB,
    )
    return [
        (r["id"], json.loads(r["before"]) if r["before"] else None, json.loads(r["after"]) if r["after"] else None)
        for r in records
    ]


def differing(before: dict[str, Any] | None, after: dict[str, Any] | None) -> set[str]:
    b, a = before or {}, after or {}
    return {k for k in set(b) | set(a) if b.get(k) != a.get(k)}


def renamed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every service and configuration item renamed."""
    out = copy.deepcopy(document)
    for collection in ("services", "configurationItems"):
        for item in out[collection]:
            item["name"] += " (renamed)"
    return out


async def test_two_identical_imports_at_once_update_each_item_once(
    adriver: AsyncDriver, sync_driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    await import_document(adriver, DB, SMALL)
    versions = dict(rows(sync_driver, "MATCH (n:Item) RETURN n.id, n.version"))
    doc = renamed(SMALL)
    changed = {i["id"] for c in ("services", "configurationItems") for i in doc[c]}

    with caplog.at_level(logging.DEBUG, logger="neo4j"):
        first, second = await asyncio.gather(
            import_document(adriver, DB, doc, audit=Audit("a", "first", "concurrent")),
            import_document(adriver, DB, doc, audit=Audit("b", "second", "concurrent")),
        )

    assert sorted([first.updated, second.updated]) == [0, len(changed)]
    assert first.created == second.created == 0
    entries = audit_entries(sync_driver, "concurrent")
    assert sorted(item for item, _, _ in entries) == sorted(changed)  # one entry per item: none for the second
    assert {item for item, b, a in entries if differing(b, a) - BOOKKEEPING != {"name"}} == set()
    assert dict(rows(sync_driver, "MATCH (n:Item) RETURN n.id, n.version")) == {
        i: v + (i in changed) for i, v in versions.items()
    }
    assert not [r.getMessage() for r in caplog.records if "eadlock" in r.getMessage() or "retr" in r.getMessage()]


async def test_an_import_audits_only_the_field_it_changes(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    doc = copy.deepcopy(SMALL)
    doc["configurationItems"][1]["rtoMinutes"] = 45  # CI-DB-1
    summary = await import_document(adriver, DB, doc, audit=Audit("t", "tests", "change-one"))
    assert (summary.created, summary.updated) == (0, 1)
    [(item, before, after)] = audit_entries(sync_driver, "change-one")
    assert item == "CI-DB-1"
    assert before is not None and after is not None
    assert differing(before, after) == {"rtoMinutes"} | BOOKKEEPING
    assert (before["rtoMinutes"], after["rtoMinutes"]) == (30, 45)
    assert before["createdAt"] == after["createdAt"] and after["version"] == before["version"] + 1


async def test_an_item_that_lost_a_reference_to_a_deletion_is_restored(
    adriver: AsyncDriver, sync_driver: Driver
) -> None:
    """Deleting an item with `detach` changes the items that listed it: re-importing the old document restores them."""
    await import_document(adriver, DB, SMALL)
    await delete_item(adriver, DB, "T-DBA", None, detach=True, audit=Audit("t", "tests", "delete"))
    summary = await import_document(adriver, DB, SMALL)
    assert summary.created == 1
    assert rows(sync_driver, "MATCH (n:Item)-[:OWNED_BY]->(:Team {id: 'T-DBA'}) RETURN n.id") == {
        ("SVC-ORDERS",),
        ("CI-DB-1",),
        ("CI-DB-2",),
        ("CI-DB-3",),
    }
