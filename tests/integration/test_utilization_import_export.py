"""`utilizationReadings` through import and export, against a real Neo4j: the round trip is exact, a second import
of the export changes nothing, a bulk load writes them too, and a bad reading rejects the whole document."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db.exporter import export_document
from graphsvc.db.importer import import_document
from graphsvc.domain.validation import DocumentInvalid
from tests.conftest import REPO, load_json

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
DB = "neo4j"
NOW = datetime.now(UTC).replace(microsecond=0)


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def with_readings() -> dict[str, Any]:
    doc = copy.deepcopy(SMALL)
    start = NOW - timedelta(days=2)
    # five-minute readings over two days for two CIs, one with a time to the millisecond, one on a day's edge
    doc["utilizationReadings"] = [
        {"ci": ci, "at": stamp(start + timedelta(minutes=5 * i)), "percent": round(base + (i % 37) * 0.25, 2)}
        for ci, base in (("CI-APP-1", 40.0), ("CI-DB-1", 10.0))
        for i in range(576)
    ] + [{"ci": "CI-SAN-1", "at": "2026-11-30T23:59:59.999Z", "percent": 12.5}]
    return doc


def day_buckets(driver: Driver) -> int:
    records, _, _ = driver.execute_query("MATCH (d:UtilizationDay) RETURN count(d) AS n", database_=DB)
    return int(records[0]["n"])


def key(reading: dict[str, Any]) -> tuple[str, datetime, float]:
    return reading["ci"], datetime.fromisoformat(reading["at"].replace("Z", "+00:00")), reading["percent"]


async def test_readings_round_trip(adriver: AsyncDriver, sync_driver: Driver) -> None:
    doc = with_readings()
    summary = await import_document(adriver, DB, doc)
    assert summary.readings == len(doc["utilizationReadings"])
    exported = await export_document(adriver, DB)
    assert sorted(map(key, exported["utilizationReadings"])) == sorted(map(key, doc["utilizationReadings"]))
    assert exported["utilizationReadings"][-1] == {
        "ci": "CI-SAN-1",
        "at": "2026-11-30T23:59:59.999000Z",
        "percent": 12.5,
    }
    # a CI's utilization is its latest reading, exported as such (and its bookkeeping is not)
    app = next(c for c in exported["configurationItems"] if c["id"] == "CI-APP-1")
    last = max((r for r in doc["utilizationReadings"] if r["ci"] == "CI-APP-1"), key=lambda r: r["at"])
    assert app["utilization"] == last["percent"] and "utilizationAt" not in app
    # importing the export changes nothing: the same items unchanged, the same readings, the same buckets
    buckets = day_buckets(sync_driver)
    again = await import_document(adriver, DB, exported)
    assert (again.created, again.updated) == (0, 0)
    assert day_buckets(sync_driver) == buckets
    assert await export_document(adriver, DB) == exported


async def test_a_bulk_load_writes_the_readings(adriver: AsyncDriver) -> None:
    doc = with_readings()
    summary = await import_document(adriver, DB, doc, single_tx_rows=100, batch_size=50)
    assert summary.readings == len(doc["utilizationReadings"])
    exported = await export_document(adriver, DB)
    assert len(exported["utilizationReadings"]) == len(doc["utilizationReadings"])


async def test_documents_without_readings_stay_valid(adriver: AsyncDriver) -> None:
    await import_document(adriver, DB, SMALL)
    assert "utilizationReadings" not in await export_document(adriver, DB)


@pytest.mark.parametrize(
    ("reading", "problem"),
    [
        ({"ci": "CI-NOPE", "percent": 1}, "utilizationReadings[3].ci: unknown id 'CI-NOPE'"),
        ({"ci": "SVC-SHOP", "percent": 1}, "utilizationReadings[3].ci: 'SVC-SHOP' is a SERVICE"),
        ({"ci": "CI-DB-1", "percent": 100.5}, "utilizationReadings[3].percent"),
        ({"ci": "CI-DB-1", "at": stamp(NOW + timedelta(hours=1)), "percent": 1}, "is in the future"),
    ],
)
async def test_a_bad_reading_rejects_the_document(
    adriver: AsyncDriver, sync_driver: Driver, reading: dict[str, Any], problem: str
) -> None:
    doc = copy.deepcopy(SMALL)
    good = [{"ci": "CI-DB-1", "at": stamp(NOW - timedelta(hours=h)), "percent": 5} for h in range(3)]
    doc["utilizationReadings"] = [*good, {"at": stamp(NOW), **reading}]
    with pytest.raises(DocumentInvalid) as refused:
        await import_document(adriver, DB, doc)
    assert problem in str(refused.value)
    records, _, _ = sync_driver.execute_query(
        "MATCH (n) WHERE n:Item OR n:UtilizationDay RETURN count(n) AS n", database_=DB
    )
    assert records[0]["n"] == 0
