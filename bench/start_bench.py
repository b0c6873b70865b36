"""Start benchmark: how long `graphsvc serve` takes on a generated CMDB to answer and to hold the dependency graph in
memory, and what /readyz says meanwhile.

Each round starts `graphsvc serve` in its own process against the bench's Neo4j (CMDB already loaded, auth off),
polls /readyz every 0.1 s until it says `"dependencyGraph": "loaded"`, and records:

- when /readyz first answered 200 (the server answers; impacts walk Neo4j until the copy is in) and when it first
  said "loaded" (the goal: at most 60 s at 1M CIs);
- every change of what /readyz said on the way (status code and `dependencyGraph`), so a reader sees it honest;
- the load's parts from the server's log (graph, arrays and freeze), and when what impacts expose (owners,
  consumers, SLAs, requirements) was in memory too, after the graph;
- the server's peak resident memory (VmHWM).

    python bench/start_bench.py --size 1m [--repeat 3]

Results: bench/results/start-<size>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import SIZES, bench_database, ensure_loaded, free_port, neo4j_env, write_result

LOADED = re.compile(r"dependency graph in memory: (\d+) nodes in ([\d.]+) s \(version [^;]*; (.*)\)")
EXPOSED = re.compile(r"what impacts expose in memory: (\d+) services, (\d+) owned items in ([\d.]+) s")
PART = re.compile(r"([a-z ]+) ([\d.]+) s")


def memory_mib(pid: int, key: str = "VmHWM") -> float:
    """The process's peak (VmHWM) or present (VmRSS) resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one_start(env: dict[str, str]) -> dict[str, Any]:
    port = free_port()
    graphsvc = Path(sys.executable).with_name("graphsvc")
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(graphsvc), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        seen: list[dict[str, Any]] = []
        answered = loaded = None
        rss_answering = rss_loaded = 0.0
        try:
            while time.monotonic() - started < 900:
                if proc.poll() is not None:
                    raise RuntimeError(f"graphsvc serve stopped: {Path(log.name).read_text()[-2000:]}")
                try:
                    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
                    state = (ready.status_code, ready.json().get("dependencyGraph"), ready.json().get("status"))
                except (httpx.TransportError, ValueError):
                    state = (None, None, "not listening")
                now = time.monotonic() - started
                if not seen or (seen[-1]["code"], seen[-1]["dependencyGraph"], seen[-1]["status"]) != state:
                    seen.append(
                        {"at_s": round(now, 2), "code": state[0], "dependencyGraph": state[1], "status": state[2]}
                    )
                if state[0] == 200 and answered is None:
                    answered = now
                    rss_answering = memory_mib(proc.pid, "VmRSS")  # the server before its graph: the baseline
                if state[0] == 200 and state[1] in ("loaded", "tooLarge", "off"):
                    loaded = now
                    rss_loaded = memory_mib(proc.pid, "VmRSS")
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("the graph did not load within 15 minutes")
            exposed = None
            while time.monotonic() - started < 900 and proc.poll() is None:  # then what impacts expose, after it
                if (
                    EXPOSED.search(Path(log.name).read_text())
                    or "impacts expose into memory failed" in Path(log.name).read_text()
                ):
                    exposed = time.monotonic() - started
                    break
                time.sleep(0.2)
            memory = memory_mib(proc.pid)
            rss_exposed = memory_mib(proc.pid, "VmRSS")
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        text = Path(log.name).read_text()
    match = LOADED.search(text)
    parts = {name.strip(): float(s) for name, s in PART.findall(match.group(3))} if match else {}
    exposure = EXPOSED.search(text)
    if exposure:
        parts["exposure, after the graph"] = float(exposure.group(3))
    return {
        "answering_s": answered,
        "loaded_s": loaded,
        "exposure_in_s": exposed if exposure else None,
        "readyz_seen": seen,
        "nodes": int(match.group(1)) if match else None,
        "load_s": float(match.group(2)) if match else None,
        "load_parts_s": parts,
        "peak_rss_mib": memory,
        # resident memory when the server first answered (no graph yet), when the graph was in, and at the end
        # (what impacts expose in too): the kept graph is about the second less the first
        "rss_mib": {"answering": rss_answering, "graph_loaded": rss_loaded, "exposure_loaded": rss_exposed},
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cis = SIZES[args.size]
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, cis, args.seed)
        env = {
            **neo4j_env(conn),
            "GRAPHSVC_AUTH": "false",
            "GRAPHSVC_GRAPH_CACHE_MAX_ITEMS": str(max(settings.graph_cache_max_items, 2 * cis + 200_000)),
        }
        rounds = []
        for i in range(args.repeat):
            rounds.append(await asyncio.to_thread(one_start, env))
            r = rounds[-1]
            print(
                f"round {i + 1}: answering after {r['answering_s']:.1f} s, graph loaded after {r['loaded_s']:.1f} s "
                f"({r['load_parts_s']}); peak {r['peak_rss_mib']:.0f} MiB",
                flush=True,
            )
        result = {
            "benchmark": "start",
            "size": args.size,
            "cis": cis,
            "rounds": rounds,
            "median_loaded_s": statistics.median(r["loaded_s"] for r in rounds),
            "median_answering_s": statistics.median(r["answering_s"] for r in rounds),
        }
        out = write_result("start", args.size, result, settings, conn)
        print(f"median: answering {result['median_answering_s']:.1f} s, loaded {result['median_loaded_s']:.1f} s")
        print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
