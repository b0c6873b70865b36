"""The retained bench's store completed: give the CIs that `bench.utilization_bench --retained --downsampled-cis N`
left without older days their downsampled days too (the same format and functions as its step 3), then measure the
store's growth and the capacity forecast again, so the year of 10,000 CIs is measured whole rather than
extrapolated. Reads the retained run's result (bench/results/utilization-retained-<cis>x<days>.json) for the store's
size before readings; writes bench/results/utilization-retained-complete-<cis>x<days>.json.

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-util GRAPHSVC_BENCH_BOLT_PORT=17740 python -m bench.utilization_complete \\
        --cis 10000 --days 365 --raw-days 35
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from bench.common import RESULTS, write_result
from bench.utilization_bench import (
    Pipe,
    ci_ids,
    day_matrix,
    downsampled_rows,
    stopped_after,
    store_bytes,
    timed_forecasts,
)


async def complete(cis: int, days: int, raw_days: int, seed: int) -> dict[str, Any]:
    earlier = json.loads((RESULTS / f"utilization-retained-{cis}x{days}.json").read_text())
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first_raw = today - timedelta(days=raw_days + 1)
    async with stopped_after() as (settings, conn, driver):
        db = conn.database
        ids = await ci_ids(driver, db, cis)
        records, _, _ = await driver.execute_query(
            "MATCH (d:UtilizationDay) WHERE d.hourN IS NOT NULL AND d.day < $day RETURN DISTINCT d.ci AS ci",
            day=first_raw.date(),
            database_=db,
        )
        have = {r["ci"] for r in records}
    missing = [ci for ci in ids if ci not in have]
    print(f"  {len(missing):,} CIs without older days", flush=True)
    before = store_bytes(settings, conn)
    rng = np.random.default_rng(seed + 1)
    trends = rng.uniform(-0.05, 0.2, len(missing))
    older_days = days - raw_days - 1
    async with stopped_after() as (settings, conn, driver):
        started = time.perf_counter()
        pipe = Pipe(driver, db)
        for d in range(older_days):
            day = first_raw - timedelta(days=d + 1)
            bp = day_matrix(rng, trends, (day - today).days)
            for k in range(0, len(missing), 5000):
                await pipe.put(await asyncio.to_thread(downsampled_rows, missing[k : k + 5000], bp[k : k + 5000], day))
            if d % 10 == 0:
                print(f"  downsampled day {d + 1}/{older_days} written", flush=True)
        await pipe.close()
        write_s = time.perf_counter() - started
        records, _, _ = await driver.execute_query(
            "MATCH (d:UtilizationDay) RETURN d.ms IS NOT NULL AS raw, count(d) AS n", database_=db
        )
        kinds = {bool(r["raw"]): int(r["n"]) for r in records}
    after = store_bytes(settings, conn)
    async with stopped_after() as (settings, conn, driver):
        times, found = await timed_forecasts(driver, db)
    added = len(missing) * older_days
    readings_store = earlier["store_bytes_total_growth"] + (after - before)
    result: dict[str, Any] = {
        "cis": cis,
        "days": days,
        "raw_days": raw_days,
        "how": f"{len(missing)} CIs x {older_days} downsampled days added to the retained run's store as its step 3 "
        "writes them (domain/retention.hourly, db/utilization.hours_row, numpy sums), 5,000 buckets a transaction",
        "added_buckets": added,
        "added_growth_bytes": after - before,
        "added_bytes_per_bucket": round((after - before) / added) if added else None,
        "write_s": round(write_s, 1),
        "raw_buckets": kinds.get(True, 0),
        "downsampled_buckets": kinds.get(False, 0),
        "readings_store_bytes": readings_store,
        "readings_store_gb": round(readings_store / 1e9, 2),
        "store_bytes_now": after,
        "forecast_s_median": round(statistics.median(times), 2),
        "forecast_s_all": [round(t, 2) for t in times],
        "forecast_cis_listed": found,
    }
    out = write_result("utilization-retained-complete", f"{cis}x{days}", result, settings, conn)
    print(result)
    print(f"  -> {out}")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cis", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--raw-days", type=int, default=35)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(complete(args.cis, args.days, args.raw_days, args.seed))
