"""Where the capacity forecast's time goes over a store the retained bench left (bench/utilization_bench.py
--retained): reading the window's day sums (db/utilization.window_sums), the fit, and the whole `capacityForecast`
use case with and without the server's in-memory graph (GraphCache), three rounds each.

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-util GRAPHSVC_BENCH_BOLT_PORT=17740 python -m bench.forecast_phases
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.utilization_bench import stopped_after
from graphsvc.analysis.forecast import forecast_from_days
from graphsvc.db.items import ItemRepository
from graphsvc.db.utilization import window_sums
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.utilization import capacity_forecast


async def main() -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with stopped_after() as (_settings, conn, driver):
        repo = ItemRepository(driver, conn.database)
        cache = GraphCache(repo, max_items=1_000_000)
        await cache.view()  # the server builds it once, before the first question
        rounds: dict[str, list[float]] = {"window_sums": [], "fit": [], "forecast_no_cache": [], "forecast_cached": []}
        for _ in range(3):
            now = datetime.now(UTC)
            t = time.perf_counter()
            days = await window_sums(repo, now - timedelta(days=30), now)
            rounds["window_sums"].append(time.perf_counter() - t)
            t = time.perf_counter()
            fitted = [forecast_from_days(s, 85.0) for s in days.values()]
            rounds["fit"].append(time.perf_counter() - t)
            t = time.perf_counter()
            await capacity_forecast(repo, None, 85.0, 30)
            rounds["forecast_no_cache"].append(time.perf_counter() - t)
            t = time.perf_counter()
            found = await capacity_forecast(repo, cache, 85.0, 30)
            rounds["forecast_cached"].append(time.perf_counter() - t)
            print({k: round(v[-1], 2) for k, v in rounds.items()}, flush=True)
        out = {
            k: {"median_s": round(statistics.median(v), 2), "all_s": [round(x, 2) for x in v]}
            for k, v in rounds.items()
        }
        out["cis_with_days"] = len(days)
        out["day_rows"] = sum(len(v) for v in days.values())
        out["forecasts"] = sum(f is not None for f in fitted)
        out["listed"] = len(found)
    return out


if __name__ == "__main__":
    found = asyncio.run(main())
    print(json.dumps(found, indent=2))
    path = Path(__file__).resolve().parent / "results" / "forecast-phases-10000x365.json"
    path.write_text(json.dumps(found | {"when": datetime.now(UTC).isoformat(timespec="seconds")}, indent=2) + "\n")
