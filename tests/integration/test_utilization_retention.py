"""Utilization retention against a real Neo4j (db/retention.py, `graphsvc prune-utilization`): downsampled days
leave the capacity forecast unchanged, read back as hourly history and export, take late readings; a second run
and a dry run change nothing; the 0012 migration rewrites buckets of the earlier format."""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.analysis.forecast import Reading, forecast
from graphsvc.db.audit import SYSTEM
from graphsvc.db.connection import Connection
from graphsvc.db.exporter import export_document
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.db.migrate import migrations
from graphsvc.db.retention import downsample_before, plan_retention
from graphsvc.db.utilization import readings_between, record_readings
from graphsvc.domain.readings import CiReading
from graphsvc.usecases.utilization import capacity_forecast, history
from tests.conftest import REPO, load_json
from tests.integration.test_cli_discover_sources import cli

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
DB = "neo4j"
TODAY = datetime.now(UTC).date()
MIDNIGHT = datetime.combine(TODAY, time(), UTC)
DAYS = 45  # of readings, the last ending at MIDNIGHT
RAW_DAYS = 35
CUT = TODAY - timedelta(days=RAW_DAYS)  # days before it are downsampled: 10 of the 45
STEP = timedelta(minutes=30)


def readings(midnight: datetime = MIDNIGHT) -> list[dict[str, Any]]:
    """Every 30 minutes for DAYS days, rising lines with a daily cycle, percents with more decimals than are kept."""
    out = []
    for ci, base, per_day in (("CI-APP-1", 30.0, 0.8), ("CI-DB-1", 20.0, 1.1)):
        at = midnight - timedelta(days=DAYS)
        k = 0
        while at < midnight:
            pct = base + per_day * k / 48 + 6 * math.sin(2 * math.pi * k / 48) + 1.234567 * ((k * 7919) % 13) / 13
            out.append({"ci": ci, "at": at.isoformat().replace("+00:00", "Z"), "percent": pct})
            at += STEP
            k += 1
    return out


def document(midnight: datetime = MIDNIGHT) -> dict[str, Any]:
    doc = copy.deepcopy(SMALL)
    doc["utilizationReadings"] = readings(midnight)
    return doc


def buckets(driver: Driver) -> list[tuple[Any, ...]]:
    """Every day bucket, all its properties, in (ci, day) order."""
    records, _, _ = driver.execute_query(
        "MATCH (d:UtilizationDay) RETURN d.ci AS ci, d.day AS day, properties(d) AS p ORDER BY ci, day", database_=DB
    )
    return [(r["ci"], r["day"].to_native(), sorted(r["p"].items())) for r in records]


def forecast_key(entries: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (e.ci["id"], e.forecast.latest, e.forecast.slope_per_day, e.forecast.forecast_at, e.forecast.readings)
        for e in entries
    ]


@pytest.fixture
async def loaded(adriver: AsyncDriver) -> ItemRepository:
    await import_document(adriver, DB, document())
    return ItemRepository(adriver, DB)


async def test_downsampling_leaves_the_forecast_unchanged(loaded: ItemRepository, sync_driver: Driver) -> None:
    repo = loaded
    # windows of the raw days only (30), and reaching 5 downsampled days held whole (40, from midnight)
    asked = [(30, MIDNIGHT), (40, MIDNIGHT), (30, MIDNIGHT - timedelta(hours=7))]
    before = [forecast_key(await capacity_forecast(repo, None, 85.0, w, now)) for w, now in asked]
    assert all(len(found) == 2 for found in before)  # both lines rise towards 85
    crossing = forecast_key(await capacity_forecast(repo, None, 85.0, 40, MIDNIGHT - timedelta(hours=7)))
    # the sums Neo4j combines give the line a fit through every reading gives
    for w, now in asked:
        found = await readings_between(repo, None, now - timedelta(days=w), now, end_included=True)
        direct = {ci: forecast([Reading(at, pct) for at, pct in points], now, 85.0, w) for ci, points in found.items()}
        for ci, latest, slope, at, n in forecast_key(await capacity_forecast(repo, None, 85.0, w, now)):
            want = direct[ci]
            assert want is not None and (latest, n) == (want.latest, want.readings)
            assert slope == pytest.approx(want.slope_per_day, rel=1e-9)
            assert abs((at - want.forecast_at).total_seconds()) < 1

    done = await downsample_before(repo.driver, DB, CUT)
    assert done == (2 * 10, 2 * 10 * 48)
    raw = [b for b in buckets(sync_driver) if dict(b[2]).get("ms") is not None]
    assert {day for _, day, _ in raw} == {TODAY - timedelta(days=d) for d in range(1, RAW_DAYS + 1)}

    after = [forecast_key(await capacity_forecast(repo, None, 85.0, w, now)) for w, now in asked]
    assert after == before  # the very same numbers: whole days fit their stored sums, made from the readings
    # a 40-day window not aligned to midnight cuts a downsampled day: its hours inside stand for its readings
    approx = forecast_key(await capacity_forecast(repo, None, 85.0, 40, MIDNIGHT - timedelta(hours=7)))
    assert [(e[0], e[1], e[4]) for e in approx] == [(e[0], e[1], e[4]) for e in crossing]
    for (_, _, slope, _, _), (_, _, slope_before, _, _) in zip(approx, crossing, strict=True):
        assert slope == pytest.approx(slope_before, rel=1e-3)


async def test_history_over_a_downsampled_range_is_hourly(loaded: ItemRepository) -> None:
    repo = loaded
    start = MIDNIGHT - timedelta(days=DAYS)
    whole_before = await history(repo, "CI-APP-1", start, MIDNIGHT)
    assert whole_before.resolution.name == "HOURLY"  # 2,160 readings: more than HISTORY_POINTS already
    old_day = (start, start + timedelta(days=1))
    assert (await history(repo, "CI-APP-1", *old_day)).resolution.name == "RAW"
    recent = (MIDNIGHT - timedelta(days=3), MIDNIGHT)
    recent_before = await history(repo, "CI-APP-1", *recent)

    await downsample_before(repo.driver, DB, CUT)

    whole = await history(repo, "CI-APP-1", start, MIDNIGHT)
    assert whole.resolution.name == "HOURLY"
    assert [at for at, _ in whole.points] == [at for at, _ in whole_before.points]
    assert all(abs(a - b) <= 0.005 + 1e-9 for (_, a), (_, b) in zip(whole.points, whole_before.points, strict=True))
    # one downsampled day: its 24 hourly means, said to be so, not passed off as readings
    day = await history(repo, "CI-APP-1", *old_day)
    assert day.resolution.name == "HOURLY"
    assert [at for at, _ in day.points] == [start + timedelta(hours=h) for h in range(24)]
    # the raw days are untouched
    assert await history(repo, "CI-APP-1", *recent) == recent_before


async def test_export_gives_a_downsampled_day_as_its_hourly_means(loaded: ItemRepository) -> None:
    written = {(r["ci"], r["at"]): r["percent"] for r in readings()}
    await downsample_before(loaded.driver, DB, CUT)
    exported = (await export_document(loaded.driver, DB))["utilizationReadings"]
    cut = datetime.combine(CUT, time(), UTC)
    old = [r for r in exported if datetime.fromisoformat(r["at"]) < cut]
    new = [r for r in exported if datetime.fromisoformat(r["at"]) >= cut]
    assert len(old) == 2 * 10 * 24  # one a CI-hour, at the hour's start
    assert all(datetime.fromisoformat(r["at"]).minute == 0 for r in old)
    for r in old:
        at = datetime.fromisoformat(r["at"])
        pair = [written[(r["ci"], (at + d).isoformat().replace("+00:00", "Z"))] for d in (timedelta(), STEP)]
        # the mean of readings kept to 0.005, itself kept to a hundredth: within 0.01 of the written readings' mean
        assert abs(r["percent"] - sum(pair) / 2) <= 0.01 + 1e-9
    assert len(new) == 2 * RAW_DAYS * 48  # the raw days' readings, each within 0.005 of what was written
    for r in new:
        at = datetime.fromisoformat(r["at"]).isoformat().replace("+00:00", "Z")
        assert abs(r["percent"] - written[(r["ci"], at)]) <= 0.005 + 1e-9


async def test_a_late_reading_folds_into_a_downsampled_day(loaded: ItemRepository, sync_driver: Driver) -> None:
    await downsample_before(loaded.driver, DB, CUT)
    day = CUT - timedelta(days=2)
    at = datetime.combine(day, time(10, 45), UTC)
    await record_readings(loaded.driver, DB, [CiReading("CI-DB-1", at, 99.0)], audit=SYSTEM)
    (bucket,) = [dict(p) for ci, d, p in buckets(sync_driver) if ci == "CI-DB-1" and d == day]
    assert bucket.get("ms") is None and bucket["n"] == 49
    assert bucket["hourN"][10] == 3 and bucket["hourBp"][24 + 10] == 9900  # the hour's maximum
    assert (await plan_retention(loaded, CUT)).days == []  # still downsampled: nothing to do


def test_prune_utilization_dry_run_then_run_then_again(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    # The CLI cuts at its own day: the readings end at this test's midnight (not the module's, read when the suite
    # was collected), and each expectation counts the days the CLI's clock moved past it (a run crossing midnight).
    today = datetime.now(UTC).date()
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document(datetime.combine(today, time(), UTC))), encoding="utf-8")
    code, out = cli(empty_db, "import", str(path))
    assert code == 0, out
    stored = buckets(sync_driver)

    def downsampled() -> tuple[int, int, date]:
        """(day buckets, readings) before the cut the CLI just made (10 days of 2 CIs' 48 readings), and the cut."""
        cut = datetime.now(UTC).date() - timedelta(days=RAW_DAYS)
        days = DAYS - RAW_DAYS + (cut - (today - timedelta(days=RAW_DAYS))).days
        return 2 * days, 2 * days * 48, cut

    code, out = cli(empty_db, "prune-utilization", "--raw-days", str(RAW_DAYS), "--dry-run")
    assert code == 0, out
    first = (today - timedelta(days=DAYS)).isoformat()
    day_buckets, count, _ = downsampled()
    assert f"Would downsample {day_buckets} day buckets ({count:,} readings) of 2 CIs, {first} to " in out
    assert "(nothing changed: --dry-run)" in out
    assert buckets(sync_driver) == stored  # a dry run writes nothing

    code, out = cli(empty_db, "prune-utilization", "--raw-days", str(RAW_DAYS))
    assert code == 0, out
    day_buckets, count, cut = downsampled()
    assert f"Downsampled {day_buckets} day buckets ({count:,} readings) before {cut.isoformat()}" in out
    pruned = buckets(sync_driver)
    assert pruned != stored

    code, out = cli(empty_db, "prune-utilization", "--raw-days", str(RAW_DAYS))
    assert code == 0, out
    assert "Nothing to downsample" in out
    assert buckets(sync_driver) == pruned  # a second run changes nothing

    code, out = cli(empty_db, "prune-utilization", "--raw-days", "29")
    assert code != 0  # fewer raw days than the forecast's default window


def test_the_migration_rewrites_float_percents(empty_db: Connection, sync_driver: Driver) -> None:
    sync_driver.execute_query(
        "CREATE (:UtilizationDay {ci: 'CI-1', day: $day, ms: [0, 300000], pct: [12.345, 99.999], lastPct: 99.999})",
        day=date(2026, 1, 1),
        database_=DB,
    )
    (migration,) = [m for m in migrations() if m.version == 12]
    with sync_driver.session(database=DB) as session:
        for _ in range(2):  # and again: nothing left to rewrite
            for statement in migration.statements:
                session.run(statement).consume()
    ((_, _, props),) = buckets(sync_driver)
    assert dict(props) == {
        "ci": "CI-1",
        "day": date(2026, 1, 1),
        "ms": [0, 300000],
        "bp": [1235, 10000],
        "lastPct": 100.0,
    }
