"""Start benchmark: how long `graphsvc serve` takes on a generated CMDB to answer and to hold the dependency graph in
memory, and what /readyz says meanwhile.

Each round starts `graphsvc serve` in its own process against the bench's Neo4j (CMDB already loaded, auth off),
polls /readyz every 0.1 s until it says `"dependencyGraph": "loaded"`, and records:

- when /readyz first answered 200 (the server answers; impacts walk Neo4j until the copy is in) and when it first
  said "loaded" (the goal: at most 60 s at 1M CIs);
- every change of what /readyz said on the way (status code and `dependencyGraph`), so a reader sees it honest;
- the load's parts from the server's log (graph, arrays and freeze), and when what impacts expose (owners,
  consumers, SLAs, requirements) was in memory too, after the graph;
- the server's peak resident memory (VmHWM), and each serving process's memory once every worker has the graph and
  at the end: resident, proportional (pss), its own (private) and shared with other processes (a mapped graph
  file's pages: usecases/graph_share.py); and the peak of the process that loaded the graph apart, when one did.

    python bench/start_bench.py --size 1m [--repeat 3] [--workers 2] [--in-process]

`--workers N` runs `graphsvc serve --workers N`; `--in-process` loads the graph in the server's own process (as
before the shared file) for a comparison in the same session.

Results: bench/results/start-<size>[-in-process][-workers<N>].json.
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
LOADER = re.compile(r"graph loaded in a process of its own \(its peak resident memory ([\d.]+) MiB")


def memory_mib(pid: int, key: str = "VmHWM") -> float:
    """The process's peak (VmHWM) or present (VmRSS) resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def shares_mib(pid: int) -> dict[str, float]:
    """The process's resident memory split (/proc/<pid>/smaps_rollup): `rss`; `pss`, its proportional share (a page
    mapped by two processes counts half in each); `private`, the pages only it maps; `shared`, those others map too
    (a mapped graph file's pages: usecases/graph_share.py)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return {
        "rss": fields["Rss"] / 1024,
        "pss": fields["Pss"] / 1024,
        "private": (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024,
        "shared": (fields["Shared_Clean"] + fields["Shared_Dirty"]) / 1024,
    }


def servers(pid: int, workers: int) -> list[int]:
    """The processes that serve: `pid` itself, or its worker children (not a loading process: a worker's child)."""
    if workers == 1:
        return [pid]
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"multiprocessing.spawn" in Path(f"/proc/{c}/cmdline").read_bytes()]


def one_start(env: dict[str, str], workers: int = 1) -> dict[str, Any]:
    port = free_port()
    graphsvc = Path(sys.executable).with_name("graphsvc")
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(graphsvc), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        seen: list[dict[str, Any]] = []
        answered = loaded = all_loaded = None
        rss_answering = rss_loaded = 0.0
        loaded_split: dict[str, dict[str, float]] = {}
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
                if state[0] == 200 and state[1] in ("loaded", "tooLarge", "off") and loaded is None:
                    loaded = now
                    rss_loaded = memory_mib(proc.pid, "VmRSS")
                if loaded is not None and len(LOADED.findall(Path(log.name).read_text())) >= workers:
                    all_loaded = now  # every worker has it (one of them answered "loaded" above)
                    loaded_split = {str(p): shares_mib(p) for p in servers(proc.pid, workers)}
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("the graph did not load within 15 minutes")
            exposed = None
            while time.monotonic() - started < 900 and proc.poll() is None:  # then what impacts expose, after it
                text = Path(log.name).read_text()
                if len(EXPOSED.findall(text)) >= workers or "impacts expose into memory failed" in text:
                    exposed = time.monotonic() - started
                    break
                time.sleep(0.2)
            pids = servers(proc.pid, workers)
            memory = max(memory_mib(p) for p in pids)
            rss_exposed = memory_mib(proc.pid, "VmRSS")
            exposed_split = {str(p): shares_mib(p) for p in pids}
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
        # each serving process's memory split (rss, pss, private, shared) once every one had the graph, and at the
        # end; and the peak of the process that loaded the graph, when one did (usecases/graph_share.py)
        "workers": workers,
        "all_loaded_s": all_loaded,
        "memory_graph_loaded_mib": loaded_split,
        "memory_exposure_loaded_mib": exposed_split,
        "loader_peak_mib": [float(m) for m in LOADER.findall(text)],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="graphsvc serve --workers N")
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="load the graph in the server's own process, as before the shared file (GRAPHSVC_GRAPH_PROCESS_FROM)",
    )
    args = parser.parse_args()
    cis = SIZES[args.size]
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, cis, args.seed)
        env = {
            **neo4j_env(conn),
            "GRAPHSVC_AUTH": "false",
            "GRAPHSVC_GRAPH_CACHE_MAX_ITEMS": str(max(settings.graph_cache_max_items, 2 * cis + 200_000)),
        }
        if args.in_process:
            env["GRAPHSVC_GRAPH_PROCESS_FROM"] = str(10 * cis + 1_000_000)
        rounds = []
        for i in range(args.repeat):
            rounds.append(await asyncio.to_thread(one_start, env, args.workers))
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
        result["in_process"] = args.in_process
        variant = ("-in-process" if args.in_process else "") + (f"-workers{args.workers}" if args.workers > 1 else "")
        out = write_result("start", args.size + variant, result, settings, conn)
        print(f"median: answering {result['median_answering_s']:.1f} s, loaded {result['median_loaded_s']:.1f} s")
        print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
