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

from neo4j import AsyncDriver

from bench.common import bench_database, ensure_loaded, write_result
from graphsvc.db.audit import SYSTEM
from graphsvc.db.connection import Connection, local_server
from graphsvc.db.items import ItemRepository
from graphsvc.db.utilization import record_readings
from graphsvc.domain.readings import CiReading
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
        repo = ItemRepository(driver, db)
        times, found = [], 0
        for _ in range(3):
            t = time.perf_counter()
            found = len(await capacity_forecast(repo, None, 85.0, 30))
            times.append(time.perf_counter() - t)
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cis", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.cis, args.days, args.seed))
