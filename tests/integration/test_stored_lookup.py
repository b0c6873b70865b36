"""What an import looks up of what is stored (graphsvc/db/stored.py `existing_in`): the kind, content hash and version
of each id asked that exists, whether it seeks each id or, for a lookup of most of the estate, reads every item in id
order and keeps those asked. Both ways must give the same answer, across the scan's chunks."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import stored
from graphsvc.db.importer import import_document
from graphsvc.db.stored import existing_kinds
from tests.integration.test_import_export import DB, SMALL

STORED = "MATCH (n:Item) RETURN n.id AS id, n.itemKind AS kind, n.hash AS hash, n.version AS version"


def stored_items(driver: Driver) -> dict[str, tuple[Any, ...]]:
    records, _, _ = driver.execute_query(STORED, database_=DB)
    return {r["id"]: (r["kind"], r["hash"], r["version"]) for r in records}


def scanning(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every lookup reads the whole estate, 5 items a chunk (SMALL's 36 items: 8 chunks, the last one short). Returns
    the number of items each scan kept, one entry a scan."""
    monkeypatch.setattr(stored, "COUNT_FIRST", 0)
    monkeypatch.setattr(stored, "SCAN_FROM_SHARE", 0.0)
    monkeypatch.setattr(stored, "_SCAN_CHUNK", 5)
    scans: list[int] = []
    original = stored._scanned

    async def counted(tx: Any, wanted: set[str]) -> dict[str, dict[str, Any]]:
        found = await original(tx, wanted)
        scans.append(len(found))
        return found

    monkeypatch.setattr(stored, "_scanned", counted)
    return scans


def as_tuples(found: dict[str, dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {i: (v["kind"].value, v["hash"], v["version"]) for i, v in found.items()}


async def test_a_scan_and_seeks_find_the_same_items(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_document(adriver, DB, SMALL)
    held = stored_items(sync_driver)
    asked = [*sorted(held)[3:], "CI-NOT-THERE", "ZZZ-NOT-THERE-EITHER"]  # some held items not asked, some absent
    expected = {i: held[i] for i in asked if i in held}
    assert len(expected) == len(held) - 3

    seeks = await existing_kinds(adriver, DB, asked)
    scans = scanning(monkeypatch)
    scanned = await existing_kinds(adriver, DB, asked)

    assert as_tuples(seeks) == expected
    assert as_tuples(scanned) == expected
    assert scans == [len(expected)]  # the scan answered, not seeks


@pytest.mark.parametrize("chunk", [1, 5, 36, 37])  # one item a chunk, several, exactly all, more than all
async def test_a_scan_reads_every_chunk(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    await import_document(adriver, DB, SMALL)
    held = stored_items(sync_driver)
    scans = scanning(monkeypatch)
    monkeypatch.setattr(stored, "_SCAN_CHUNK", chunk)
    assert as_tuples(await existing_kinds(adriver, DB, held)) == held
    assert scans == [len(held)]


async def test_a_re_import_read_by_a_scan_tells_changed_from_unchanged(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_document(adriver, DB, SMALL)
    scans = scanning(monkeypatch)
    summary = await import_document(adriver, DB, SMALL)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 36)
    assert len(scans) == 1

    doc = copy.deepcopy(SMALL)
    doc["configurationItems"][0]["name"] = "renamed"
    doc["configurationItems"].append({"id": "CI-NEW-1", "name": "new", "type": "SERVER"})
    summary = await import_document(adriver, DB, doc)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 35)
    assert stored_items(sync_driver)[doc["configurationItems"][0]["id"]][2] == 2  # the renamed item's version moved
