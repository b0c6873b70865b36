"""Utilization readings at scale: write `--cis` CIs x `--days` days of 5-minute readings (288 a day) through
graphsvc's own batch writer, then report the store's growth on disk and the capacity forecast's time over them.

Readings are written a batch of 50,000 at a time (the mutation's limit) with db/utilization.record_readings, one
transaction each, as `recordUtilization` writes them. Bytes on disk: the database's store directory (not the
transaction logs, which Neo4j rotates and prunes) with the server stopped (a clean shutdown checkpoints), before
and after. Results go to
bench/results/utilization-<cis>x<days>.json.

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-util python -m bench.utilization_bench --cis 1000 --days 30 [--seed 1]

The storage figure holds for a data directory without readings (a second run deletes the first's, and Neo4j reuses
their space: `store_had_readings` says so).

`--retained` measures the retained steady state instead (`graphsvc prune-utilization`, db/retention.py): `--cis` CIs x
`--days` days of which the last `--raw-days` keep their readings and the older ones are hourly means and maxima.
Written so (the writer's 53,000 readings/s would take hours for a year of 10,000 CIs):

1. raw days, `raw-days + 1` of them back to yesterday: the first `--writer-cis` CIs through
   db/utilization.record_readings (the real writer, 50,000 readings a transaction); the other CIs' buckets made by
   the writer's own row builder (db/utilization.bucket_row: the same arrays and sums) and written with the writer's
   statement (write_days) with CREATE for MERGE (the buckets are new), 500 buckets a transaction, without the
   writer's merge read, `utilization` update and audit entry (nothing of which is stored per reading);
2. the oldest of those raw days downsampled by the real retention run (db/retention.downsample_before), timed: one
   day's pruning of every CI, as the daily run does it;
3. the remaining older days (`days - raw-days - 1`) of the first `--downsampled-cis` CIs (default all) written
   directly in the format the run produces: each CI-day's 288 readings generated, made hourly by
   domain/retention.hourly and db/utilization.hours_row (the run's own functions), its least-squares sums computed
   from the raw readings with numpy (the formulas of domain/readings.day_sums, checked against it on a sample; seven
   floats a day whose values do not change their size), 5,000 buckets a transaction.

Bytes on disk are measured (server stopped) after step 1 and after step 3, and divided by the buckets each step
wrote; a year of 10,000 CIs is extrapolated from those per-bucket figures when fewer CIs got older days. The capacity
forecast (85%, 30 days) is timed over the result: its window reads the last 31 days' buckets (the day index), so
older days weigh on it only through the store's size. Results go to
bench/results/utilization-retained-<cis>x<days>.json.

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-util GRAPHSVC_BENCH_BOLT_PORT=17740 python -m bench.utilization_bench \
        --retained --cis 10000 --days 365 --raw-days 35 --writer-cis 200 --downsampled-cis 1000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import random
import statistics
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from neo4j import AsyncDriver

from bench.common import bench_database, ensure_loaded, write_result
from graphsvc.db.audit import SYSTEM
from graphsvc.db.connection import Connection, local_server
from graphsvc.db.items import ItemRepository
from graphsvc.db.retention import downsample_before
from graphsvc.db.utilization import bucket_row, hours_row, record_readings
from graphsvc.domain.readings import DAY_MS, CiReading, day_sums, from_bp
from graphsvc.domain.retention import hourly
from graphsvc.settings import Settings
from graphsvc.usecases.utilization import capacity_forecast

BATCH = 50_000
PER_DAY = 288


def store_bytes(settings: Settings, conn: Connection) -> int:
    """The database's store files (data/databases/<db>), in bytes."""
    folder = Path(settings.data_dir) / "data" / "databases" / conn.database
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


@contextlib.asynccontextmanager
async def stopped_after() -> AsyncIterator[tuple[Settings, Connection, AsyncDriver]]:
    """The bench's database, its server stopped on the way out (a clean shutdown checkpoints the store to disk, so
    the files' sizes are what the data takes)."""
    async with bench_database() as (settings, conn, driver):
        yield settings, conn, driver
    if conn.managed:
        local_server(settings).stop()


async def timed_forecasts(driver: AsyncDriver, db: str, repeat: int = 3) -> tuple[list[float], int]:
    """`capacityForecast` (85 %, 30 days) asked `repeat` times: each time in seconds, and how many CIs it lists."""
    repo = ItemRepository(driver, db)
    times, found = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        found = len(await capacity_forecast(repo, None, 85.0, 30))
        times.append(time.perf_counter() - t)
        print(f"  forecast: {times[-1]:.1f} s", flush=True)
    return times, found


async def ci_ids(driver: AsyncDriver, db: str, n: int) -> list[str]:
    records, _, _ = await driver.execute_query(
        "MATCH (c:ConfigurationItem) RETURN c.id AS id ORDER BY id LIMIT $n", n=n, database_=db
    )
    return [r["id"] for r in records]


def readings_of(ci: str, day: datetime, rng: random.Random, trend: float) -> list[CiReading]:
    """A day of 5-minute readings: a daily cycle around a slowly moving level, with noise, kept in 0..100."""
    out = []
    for i in range(PER_DAY):
        at = day + timedelta(minutes=5 * i)
        level = 30 + trend * (at.timestamp() / 86_400 % 365) + 15 * math.sin(2 * math.pi * i / PER_DAY)
        out.append(CiReading(ci, at, round(min(100.0, max(0.0, level + rng.gauss(0, 3))), 2)))
    return out


async def main(cis: int, days: int, seed: int) -> None:
    async with stopped_after() as (settings, conn, driver):
        db = conn.database
        await ensure_loaded(driver, db, cis, seed)
        records, _, _ = await driver.execute_query("MATCH (d:UtilizationDay) RETURN count(d) AS n", database_=db)
        reused = records[0]["n"] > 0  # deleted records' space is reused, so the store's growth says too little
        if reused:
            print("  readings already stored: deleting them; the storage figure needs a fresh data dir", flush=True)
        async with driver.session(database=db) as session:
            await (await session.run("MATCH (d:UtilizationDay) CALL (d) { DELETE d } IN TRANSACTIONS")).consume()
        ids = await ci_ids(driver, db, cis)
    before = store_bytes(settings, conn)
    rng = random.Random(seed)
    trends = {ci: rng.uniform(-0.05, 0.2) for ci in ids}
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=days)
    written, batch = 0, []
    async with stopped_after() as (settings, conn, driver):
        started = time.perf_counter()
        for d in range(days):
            for ci in ids:
                batch += readings_of(ci, first + timedelta(days=d), rng, trends[ci])
                if len(batch) >= BATCH:
                    await record_readings(driver, db, batch[:BATCH], audit=SYSTEM)
                    written += BATCH
                    batch = batch[BATCH:]
            print(f"  day {d + 1}/{days}: {written:,} readings written", flush=True)
        if batch:
            await record_readings(driver, db, batch, audit=SYSTEM)
            written += len(batch)
        write_s = time.perf_counter() - started
    after = store_bytes(settings, conn)
    async with stopped_after() as (settings, conn, driver):
        times, found = await timed_forecasts(driver, db)
    result: dict[str, Any] = {
        "cis": cis,
        "days": days,
        "readings": written,
        "write_s": round(write_s, 1),
        "readings_per_s": round(written / write_s),
        "store_growth_bytes": after - before,
        "bytes_per_reading": round((after - before) / written, 2),
        "forecast_s_median": round(statistics.median(times), 2),
        "forecast_cis_listed": found,
        "store_had_readings": reused,
    }
    # what a year of 5-minute readings of 10,000 CIs would take at the same rate
    result["extrapolated_10k_cis_year_gb"] = round(result["bytes_per_reading"] * 10_000 * 365 * PER_DAY / 1e9, 1)
    out = write_result("utilization", f"{cis}x{days}", result, settings, conn)
    print(result)
    print(f"  -> {out}")


def day_matrix(rng: np.random.Generator, trends: np.ndarray, day_index: int) -> np.ndarray:
    """One day's 5-minute readings of every CI (rows), in hundredths of a percent: as `readings_of` makes them (a
    daily cycle around a slowly moving level, with noise, kept in 0..100), vectorised."""
    cycle = 15 * np.sin(2 * np.pi * np.arange(PER_DAY) / PER_DAY)
    level = 30 + trends[:, None] * (day_index % 365) + cycle[None, :] + rng.normal(0, 3, (len(trends), PER_DAY))
    return np.rint(np.clip(level, 0, 100) * 100).astype(np.int64)


MS = [i * 300_000 for i in range(PER_DAY)]


def numpy_sums(bp: np.ndarray) -> list[dict[str, Any]]:
    """domain/readings.day_sums of each row (readings at MS), vectorised: n, mt, my, m2, c, lastMs, lastPct."""
    pct = bp / 100
    t = np.array(MS, dtype=np.float64)
    devs = (t - t.mean()) / DAY_MS
    my = pct.mean(axis=1)
    c = (pct - my[:, None]) @ devs
    m2, mt = float(devs @ devs), float(t.mean() / DAY_MS)
    return [
        {"n": PER_DAY, "mt": mt, "my": float(y), "m2": m2, "c": float(cc), "lastMs": MS[-1], "lastPct": float(lp)}
        for y, cc, lp in zip(my, c, pct[:, -1], strict=True)
    ]


# write_days (cypher/utilization) with CREATE for MERGE: the buckets are new, so the same nodes and properties without
# the lookup of each key first
CREATE_DAYS = (
    "UNWIND $rows AS row CREATE (d:UtilizationDay {ci: row.ci, day: row.day}) "
    "SET d.ms = row.ms, d.bp = row.bp, d.hourBp = row.hourBp, d.hourN = row.hourN, d += row.sums"
)


class Pipe:
    """Writes one batch of rows while the next is made (in a thread): Neo4j and Python at work at once."""

    def __init__(self, driver: AsyncDriver, db: str) -> None:
        self.driver, self.db = driver, db
        self.pending: asyncio.Task[Any] | None = None

    async def put(self, rows: list[dict[str, Any]]) -> None:
        await self.close()
        self.pending = asyncio.create_task(self.driver.execute_query(CREATE_DAYS, rows=rows, database_=self.db))
        await asyncio.sleep(0)

    async def close(self) -> None:
        if self.pending is not None:
            await self.pending
            self.pending = None


def raw_rows(ids: list[str], bp: np.ndarray, day: datetime) -> list[dict[str, Any]]:
    """The writer's rows (db/utilization.bucket_row) of one day's readings of `ids`."""
    return [
        bucket_row(ci, day.date(), list(zip(MS, from_bp(bp[k].tolist()), strict=True)), None)
        for k, ci in enumerate(ids)
    ]


def downsampled_rows(ids: list[str], bp: np.ndarray, day: datetime) -> list[dict[str, Any]]:
    """The retention run's rows of one day of `ids`: hourly (domain/retention.hourly, db/utilization.hours_row),
    with the raw readings' sums."""
    sums = numpy_sums(bp)
    return [
        {"ci": ci, "day": day.date(), "ms": None, "bp": None, "sums": sums[k]} | hours_row(hourly(MS, bp[k].tolist()))
        for k, ci in enumerate(ids)
    ]


async def retained(cis: int, days: int, raw_days: int, writer_cis: int, downsampled_cis: int, seed: int) -> None:
    async with stopped_after() as (settings, conn, driver):
        db = conn.database
        await ensure_loaded(driver, db, cis, seed)
        records, _, _ = await driver.execute_query("MATCH (d:UtilizationDay) RETURN count(d) AS n", database_=db)
        reused = records[0]["n"] > 0
        if reused:
            print("  readings already stored: deleting them; the storage figure needs a fresh data dir", flush=True)
            async with driver.session(database=db) as session:
                await (await session.run("MATCH (d:UtilizationDay) CALL (d) { DELETE d } IN TRANSACTIONS")).consume()
        ids = await ci_ids(driver, db, cis)
    before = store_bytes(settings, conn)
    rng = np.random.default_rng(seed)
    trends = rng.uniform(-0.05, 0.2, len(ids))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_raw = today - timedelta(days=raw_days + 1)  # one day more: the retention run downsamples it (step 2)
    timings: dict[str, float] = {}
    writer_ids = ids[:writer_cis]
    async with stopped_after() as (settings, conn, driver):
        # 1. raw days: the writer's CIs through the writer, the others' buckets built by its row builder
        started = time.perf_counter()
        prng = random.Random(seed)
        batch: list[CiReading] = []
        for d in range(raw_days + 1):
            day = first_raw + timedelta(days=d)
            for k, ci in enumerate(writer_ids):
                batch += readings_of(ci, day, prng, float(trends[k]))
                if len(batch) >= BATCH:
                    await record_readings(driver, db, batch[:BATCH], audit=SYSTEM)
                    batch = batch[BATCH:]
        if batch:
            await record_readings(driver, db, batch, audit=SYSTEM)
        timings["raw_writer_s"] = time.perf_counter() - started
        print(f"  raw days of {len(writer_ids):,} CIs through the writer: {timings['raw_writer_s']:.0f} s", flush=True)
        started = time.perf_counter()
        rest = ids[writer_cis:]
        pipe = Pipe(driver, db)
        for d in range(raw_days + 1):
            day = first_raw + timedelta(days=d)
            bp = day_matrix(rng, trends[writer_cis:], (day - today).days)
            for k in range(0, len(rest), 500):
                await pipe.put(await asyncio.to_thread(raw_rows, rest[k : k + 500], bp[k : k + 500], day))
            print(f"  raw day {d + 1}/{raw_days + 1} of {len(rest):,} CIs written", flush=True)
        await pipe.close()
        timings["raw_rows_s"] = time.perf_counter() - started
    raw_bytes = store_bytes(settings, conn)
    raw_readings = len(ids) * (raw_days + 1) * PER_DAY
    async with stopped_after() as (settings, conn, driver):
        # 2. the oldest raw day downsampled by the retention run itself
        started = time.perf_counter()
        pruned = await downsample_before(driver, db, (today - timedelta(days=raw_days)).date())
        timings["prune_one_day_s"] = time.perf_counter() - started
        print(f"  retention run: {pruned[0]:,} buckets in {timings['prune_one_day_s']:.1f} s", flush=True)
        # 3. the older days in the run's format
        started = time.perf_counter()
        checked = 0
        older = ids[:downsampled_cis]
        pipe = Pipe(driver, db)
        for d in range(days - raw_days - 1):
            day = first_raw - timedelta(days=d + 1)
            bp = day_matrix(rng, trends[:downsampled_cis], (day - today).days)
            if d % 50 == 0:  # the vectorised sums are day_sums' own, on a sample
                sums = numpy_sums(bp)
                for k in range(0, len(older), max(1, len(older) // 20)):
                    want = day_sums(day.date(), MS, from_bp(bp[k].tolist()))
                    assert want is not None and math.isclose(want.c, sums[k]["c"], rel_tol=1e-9, abs_tol=1e-9)
                    assert math.isclose(want.my, sums[k]["my"], rel_tol=1e-12)
                    assert math.isclose(want.m2, sums[k]["m2"], rel_tol=1e-12)
                    checked += 1
            for k in range(0, len(older), 5000):
                await pipe.put(await asyncio.to_thread(downsampled_rows, older[k : k + 5000], bp[k : k + 5000], day))
            if d % 10 == 0:
                print(f"  downsampled day {d + 1}/{days - raw_days - 1} written", flush=True)
        await pipe.close()
        timings["downsampled_rows_s"] = time.perf_counter() - started
        records, _, _ = await driver.execute_query(
            "MATCH (d:UtilizationDay) RETURN d.ms IS NOT NULL AS raw, count(d) AS n, "
            "sum(coalesce(size(d.ms), reduce(s = 0, x IN d.hourN | s + x))) AS readings",
            database_=db,
        )
        kinds = {bool(r["raw"]): (int(r["n"]), int(r["readings"])) for r in records}
    final_bytes = store_bytes(settings, conn)
    async with stopped_after() as (settings, conn, driver):
        times, found = await timed_forecasts(driver, db)
    raw_buckets, raw_count = kinds.get(True, (0, 0))
    down_buckets, down_readings = kinds.get(False, (0, 0))
    raw_growth = raw_bytes - before
    down_growth = final_bytes - raw_bytes
    result: dict[str, Any] = {
        "cis": len(ids),
        "days": days,
        "raw_days": raw_days,
        "how": {
            "raw_through_writer": f"{len(writer_ids)} CIs x {raw_days + 1} days via db/utilization.record_readings",
            "raw_rows": f"{len(ids) - len(writer_ids)} CIs x {raw_days + 1} days: bucket_row + write_days (CREATE)",
            "pruned_by_retention_run": f"{pruned[0]} buckets (the oldest raw day) via db/retention.downsample_before",
            "downsampled_rows": f"{len(older)} CIs x {days - raw_days - 1} days: domain/retention.hourly + "
            f"db/utilization.hours_row + numpy sums (checked against day_sums on {checked} buckets) + write_days "
            "(CREATE)",
        },
        "raw_buckets": raw_buckets,
        "raw_readings": raw_count,
        "downsampled_buckets": down_buckets,
        "downsampled_source_readings": down_readings,
        "store_growth_raw_step_bytes": raw_growth,
        "raw_bytes_per_reading": round(raw_growth / raw_readings, 2),
        "raw_bytes_per_bucket": round(raw_growth / (len(ids) * (raw_days + 1))),
        "store_growth_downsampled_step_bytes": down_growth,
        "downsampled_bytes_per_bucket": round(down_growth / (len(older) * (days - raw_days - 1))),
        "downsampled_bytes_per_source_reading": round(down_growth / (len(older) * (days - raw_days - 1) * PER_DAY), 3),
        "store_bytes_total_growth": final_bytes - before,
        "store_bytes_per_ci": round((final_bytes - before) / len(ids)),
        "forecast_s_median": round(statistics.median(times), 2),
        "forecast_s_all": [round(t, 2) for t in times],
        "forecast_cis_listed": found,
        "prune_one_day_s": round(timings["prune_one_day_s"], 1),
        "write_s": {k: round(v, 1) for k, v in timings.items()},
        "store_had_readings": reused,
    }
    # a year of 10,000 CIs from the per-bucket figures measured: raw_days raw days and the rest downsampled a CI
    per_ci = result["raw_bytes_per_bucket"] * raw_days + result["downsampled_bytes_per_bucket"] * (days - raw_days)
    result["extrapolated_10k_cis_bytes"] = per_ci * 10_000
    result["extrapolated_10k_cis_gb"] = round(per_ci * 10_000 / 1e9, 2)
    out = write_result("utilization-retained", f"{len(ids)}x{days}", result, settings, conn)
    print(result)
    print(f"  -> {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cis", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--retained", action="store_true", help="the retained steady state (see above)")
    parser.add_argument("--raw-days", type=int, default=35)
    parser.add_argument("--writer-cis", type=int, default=300)
    parser.add_argument("--downsampled-cis", type=int, default=None, help="CIs given downsampled days (default: all)")
    args = parser.parse_args()
    if args.retained:
        older = args.cis if args.downsampled_cis is None else args.downsampled_cis
        asyncio.run(retained(args.cis, args.days, args.raw_days, args.writer_cis, older, args.seed))
    else:
        asyncio.run(main(args.cis, args.days, args.seed))
