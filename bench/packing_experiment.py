"""How many bytes a day bucket's arrays take in Neo4j's store, by how they are kept: the experiment behind the
bucket format of schema/0012 (docs/benchmarks.md, "Utilization readings").

Writes `--buckets` nodes of 288 five-minute readings in each candidate format (milliseconds since the day's start as
an int array, percents as a float array: the first format; percents as integer hundredths; times as seconds), each
under its own label, and reports each one's growth of the store files with the server stopped in between (a clean
shutdown checkpoints). Run it on a fresh data directory:

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-pack python -m bench.packing_experiment --buckets 5000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
from pathlib import Path
from typing import Any

from bench.common import bench_database
from graphsvc.db.connection import local_server
from graphsvc.settings import Settings

PER_DAY = 288
FORMATS = ("ms_float", "ms_hundredths", "s_hundredths")


def arrays(fmt: str, rng: random.Random) -> tuple[list[int], list[Any]]:
    ms = [i * 300_000 + rng.randrange(1000) for i in range(PER_DAY)]
    pct = [min(100.0, max(0.0, 40 + 15 * math.sin(i / 46) + rng.gauss(0, 3))) for i in range(PER_DAY)]
    if fmt == "ms_float":
        return ms, [round(p, 2) for p in pct]
    hundredths = [round(p * 100) for p in pct]
    return (ms if fmt == "ms_hundredths" else [m // 1000 for m in ms]), hundredths


def store_bytes(settings: Settings) -> dict[str, int]:
    folder = Path(settings.data_dir) / "data" / "databases" / "neo4j"
    return {f.name: f.stat().st_size for f in folder.rglob("*") if f.is_file()}


async def write(fmt: str, n: int) -> None:
    rng = random.Random(1)
    async with bench_database() as (settings, _conn, driver):
        for start in range(0, n, 500):
            rows = [{"ms": a, "v": b} for a, b in (arrays(fmt, rng) for _ in range(start, min(n, start + 500)))]
            # the label is one of FORMATS, never request text
            await driver.execute_query(f"UNWIND $rows AS r CREATE (:Pack_{fmt} {{t: r.ms, v: r.v}})", rows=rows)
    local_server(settings).stop()


async def main(n: int) -> dict[str, Any]:
    from bench.common import bench_settings

    settings = bench_settings()
    out: dict[str, Any] = {"buckets": n, "readings_per_bucket": PER_DAY}
    async with bench_database():
        pass
    local_server(settings).stop()
    before = store_bytes(settings)
    for fmt in FORMATS:
        await write(fmt, n)
        after = store_bytes(settings)
        grown = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
        total = sum(grown.values())
        out[fmt] = {"bytes": total, "bytes_per_reading": round(total / (n * PER_DAY), 2), "files": grown}
        before = after
        print(fmt, out[fmt]["bytes_per_reading"], flush=True)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buckets", type=int, default=5000)
    n = parser.parse_args().buckets
    found = asyncio.run(main(n))
    print(json.dumps(found, indent=2))
    (Path(__file__).resolve().parent / "results" / f"packing-{n}.json").write_text(json.dumps(found, indent=2) + "\n")
