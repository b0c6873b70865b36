"""Load benchmark: the HTTP API under 1, 8 and 32 concurrent clients, measured by wrk (a real load generator).

`graphsvc serve` runs in its own process as it is deployed: with authentication on (every request carries an analyst's
bearer token) and the dependency graph in memory. Each client is a wrk connection sending requests back to back:

- browse clients send the contract's browse.graphql documents in turn: a page of CIs of one type (first pages and
  later pages, by cursor), a service's detail, a search;
- impact clients ask the impact of a random CI: totals and the first page of impacted items and services (an
  analyst's first screen, as in impact_bench.py).

Everything is measured twice: with the response cache off (every answer read afresh) and as deployed, where browse
answers and impacts are kept until a write (each browse request asked once before the levels, as users would have
asked it; each impact is computed the first time a level asks it, and kept from then on).
With 1 client, browse and impact are measured apart. With more, a quarter of the clients ask impacts while the rest
browse, both at once, each measured on its own: the goal is browse p95 under 100 ms at 32 clients on 100k CIs while
impacts run. Also measured: what the token check costs (one service's detail asked back to back by one client,
with a token and on a server with auth off), and the server process's peak memory (VmHWM). Results go to
bench/results/load-<size>.json.

    python bench/load_bench.py --size 100k [--clients 1,8,32] [--seconds 20] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx
from neo4j import RoutingControl

from bench.common import SIZES, Server, api_server, bench_database, contract_document, ensure_loaded, write_result
from graphsvc.db.tokens import TokenStore
from graphsvc.domain.tokens import Role

HERE = Path(__file__).resolve().parent
IMPACT = """query Impact($o: [ID!]!) { impact(origin: $o) {
  totals { impacted down degraded services }
  impacted(first: 100) { id kind status depth path explanation }
  services(first: 100) { id status criticality depth } } }"""


async def request_bodies(url: str, token: str, driver: Any, db: str, seed: int) -> dict[str, list[str]]:
    """Browse and impact request bodies drawn from the loaded CMDB, each answered once without errors first."""
    rng = random.Random(seed)
    doc = contract_document("browse.graphql")
    records, _, _ = await driver.execute_query(
        "MATCH (c:ConfigurationItem) WITH c ORDER BY c.id "
        "RETURN collect(c.id) AS cis, collect(DISTINCT c.type) AS types",
        database_=db,
        routing_=RoutingControl.READ,
    )
    cis, types = records[0]["cis"], sorted(records[0]["types"])
    records, _, _ = await driver.execute_query(
        "MATCH (s:Service) RETURN collect(s.id) AS ids, collect(s.name) AS names",
        database_=db,
        routing_=RoutingControl.READ,
    )
    services, names = records[0]["ids"], records[0]["names"]

    def body(operation: str, variables: dict[str, Any], query: str = doc) -> str:
        return json.dumps({"query": query, "operationName": operation, "variables": variables})

    browse: list[str] = []
    headers = {"Authorization": f"Bearer {token}"} if token else {}  # no token: a server with auth off
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=600) as client:

        async def answered(text: str) -> dict[str, Any]:
            reply = (await client.post("/graphql", content=text, headers={"Content-Type": "application/json"})).json()
            assert "errors" not in reply, reply["errors"]
            return reply["data"]  # type: ignore[no-any-return]

        for ci_type in types:  # the first three pages of every type: later pages by cursor
            after = None
            for _ in range(3):
                text = body("BrowseConfigurationItems", {"type": ci_type, "after": after})
                page = (await answered(text))["configurationItems"]
                browse.append(text)
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
        browse += [body("ServiceDetail", {"id": s}) for s in rng.sample(services, min(60, len(services)))]
        words = sorted({w for n in names for w in str(n).split() if len(w) > 3})
        browse += [body("Search", {"text": w}) for w in rng.sample(words, min(40, len(words)))]
        impact = [body("Impact", {"o": [c]}, IMPACT) for c in rng.sample(cis, min(200, len(cis)))]
        rng.shuffle(browse)
        for text in browse + impact:
            await answered(text)
    return {"browse": browse, "impact": impact}


def wrk(url: str, bodies: Path, clients: int, seconds: int, token: str) -> subprocess.Popen[str]:
    """A wrk run in the background: `clients` connections on one thread (the machine's cores serve the server)."""
    env = {**os.environ, "GRAPHSVC_LOAD_BODIES": str(bodies), "GRAPHSVC_LOAD_TOKEN": token}
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "120s", "-s", str(HERE / "load.lua"), url]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(proc: subprocess.Popen[str], clients: int) -> dict[str, Any]:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {err or out}")
    stats: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    seconds = stats["duration_us"] / 1e6
    failed = {kind: n for kind, n in stats["errors"].items() if n}
    if failed:  # reported, not hidden: a timeout under load is a finding
        print(f"  WARNING: {clients} clients: failed requests {failed}", flush=True)
    return {
        "errors": stats["errors"],
        "clients": clients,
        "requests": stats["requests"],
        "throughput_rps": stats["requests"] / seconds,
        "p50_ms": stats["latency_us"]["p50"] / 1000,
        "p95_ms": stats["latency_us"]["p95"] / 1000,
        "p99_ms": stats["latency_us"]["p99"] / 1000,
        "max_ms": stats["latency_us"]["max"] / 1000,
    }


def run_level(server: Server, files: dict[str, Path], clients: int, seconds: int, token: str) -> dict[str, Any]:
    """One load level: browse and impact clients at once (apart with one client)."""
    if clients == 1:
        browse = finished(wrk(server.url, files["browse"], 1, seconds, token), 1)
        impact = finished(wrk(server.url, files["impact"], 1, seconds, token), 1)
        return {"clients": 1, "browse": browse, "impact": impact, "memory": server.memory_mb()}
    impact_clients = max(1, clients // 4)
    procs = {
        "browse": (
            wrk(server.url, files["browse"], clients - impact_clients, seconds, token),
            clients - impact_clients,
        ),
        "impact": (wrk(server.url, files["impact"], impact_clients, seconds, token), impact_clients),
    }
    level = {kind: finished(proc, n) for kind, (proc, n) in procs.items()}
    return {"clients": clients, **level, "memory": server.memory_mb()}


async def levels_on(
    server: Server, files: dict[str, Path], levels: list[int], seconds: int, token: str
) -> list[dict[str, Any]]:
    results = []
    for clients in levels:
        level = await asyncio.to_thread(run_level, server, files, clients, seconds, token)
        show(level)
        results.append(level)
    return results


async def asked_once(url: str, token: str, bodies: list[str]) -> None:
    """Each request sent once, one after another (what users would have asked before)."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    async with httpx.AsyncClient(base_url=url, timeout=120, headers=headers) as client:
        for body in bodies:
            (await client.post("/graphql", content=body)).raise_for_status()


def show(level: dict[str, Any]) -> None:
    for kind in ("browse", "impact"):
        r = level[kind]
        print(
            f"  {level['clients']:>2} clients, {kind:>6} ({r['clients']:>2}): {r['throughput_rps']:7.1f} req/s, "
            f"p50 {r['p50_ms']:7.1f} ms, p95 {r['p95_ms']:7.1f} ms, p99 {r['p99_ms']:7.1f} ms",
            flush=True,
        )


def wrk_says_version() -> str:
    said = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return (said.stdout or said.stderr).splitlines()[0]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--seconds", type=int, default=20, help="length of each load level")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (GRAPHSVC_WORKERS); results in load-workers<N>-*.json"
    )
    args = parser.parse_args()
    os.environ["GRAPHSVC_WORKERS"] = str(args.workers)  # the servers below inherit it
    # All the bench's clients share one token: as one tool would, they may all be served at once.
    os.environ["GRAPHSVC_MAX_CONCURRENT_PER_CLIENT"] = "1024"
    # The browse mix reads a hub CI's dependents whole (thousands), as it did before lists without paging were
    # capped (GRAPHSVC_MAX_LIST_ITEMS, default 500): the same work as the earlier baselines, so the cost budget,
    # which counts such a list at its cap, is raised with it.
    os.environ["GRAPHSVC_MAX_LIST_ITEMS"] = "100000"
    os.environ["GRAPHSVC_MAX_QUERY_COST"] = "1000000000"
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (the Makefile's bench target installs it)")
    levels = [int(c) for c in args.clients.split(",")]
    wrk_version = wrk_says_version()
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, SIZES[args.size], args.seed)
        _, token = await TokenStore(driver, conn.database).create("load bench", Role.analyst)
        with tempfile.TemporaryDirectory() as tmp:
            # Without the response cache first: every answer read afresh (GRAPHSVC_RESPONSE_CACHE_SECONDS=0).
            fresh_env = {"GRAPHSVC_AUTH": "true", "GRAPHSVC_RESPONSE_CACHE_SECONDS": "0"}
            with api_server(conn, graph_cache=True, env=fresh_env) as server:
                print(f"server ready after {server.ready_s:.1f} s (auth on, graph in memory, no response cache)")
                bodies = await request_bodies(server.url, token, driver, conn.database, args.seed)
                files = {}
                for kind, texts in bodies.items():
                    files[kind] = Path(tmp) / f"{kind}.jsonl"
                    files[kind].write_text("\n".join(texts) + "\n")
                print(f"  {len(bodies['browse'])} browse and {len(bodies['impact'])} impact requests in turn")
                fresh = await levels_on(server, files, levels, args.seconds, token)
            # As deployed: browse answers kept until a write. Each browse request is asked once first, as an
            # estate's users would have asked it before: the levels then measure kept answers (searches included,
            # since each waits for its full-text index to catch up before it reads).
            with api_server(conn, graph_cache=True, env={"GRAPHSVC_AUTH": "true"}) as server:
                print(f"server ready after {server.ready_s:.1f} s (auth on, graph in memory, response cache on)")
                await asked_once(server.url, token, bodies["browse"])
                results = await levels_on(server, files, levels, args.seconds, token)
                memory = server.memory_mb()
                # What the token check costs: one light request (a service's detail) back to back from one
                # client, on this server and on one with auth off; the difference of the medians.
                files["probe"] = Path(tmp) / "probe.jsonl"
                files["probe"].write_text(next(b for b in bodies["browse"] if '"ServiceDetail"' in b) + "\n")
                probe_seconds = max(5, args.seconds // 2)
                with_auth = await asyncio.to_thread(
                    finished, wrk(server.url, files["probe"], 1, probe_seconds, token), 1
                )
            with api_server(conn, graph_cache=True) as open_server:
                await asked_once(open_server.url, "", [files["probe"].read_text().strip()])
                no_auth = await asyncio.to_thread(
                    finished, wrk(open_server.url, files["probe"], 1, probe_seconds, ""), 1
                )
            print(
                f"  one service's detail, 1 client: p50 {with_auth['p50_ms']:.1f} ms with a token, "
                f"{no_auth['p50_ms']:.1f} ms with auth off",
                flush=True,
            )

    result = {
        "benchmark": "load",
        "size": args.size,
        "cis": SIZES[args.size],
        "seconds_per_level": args.seconds,
        "workers": args.workers,
        "tool": wrk_version,
        "levels": results,  # as deployed: browse answers kept until a write (each asked once before)
        "levels_without_response_cache": fresh,  # every answer read afresh
        "auth": {
            "service_detail_1_client_auth_on": with_auth,
            "service_detail_1_client_auth_off": no_auth,
            "token_check_ms_p50": with_auth["p50_ms"] - no_auth["p50_ms"],
        },
        "server_memory": memory,
    }
    out = write_result(
        "load" if args.workers == 1 else f"load-workers{args.workers}", args.size, result, settings, conn
    )
    print(f"\npeak memory of graphsvc serve: {memory['peak_rss_mb']:.0f} MiB")
    print(
        "\n| response cache | clients | browse req/s | browse p50 / p95 / p99 ms | impact req/s "
        "| impact p50 / p95 / p99 ms |"
    )
    print("|---|---|---|---|---|---|")
    for label, measured in (("off", fresh), ("on", results)):
        for level in measured:
            b, i = level["browse"], level["impact"]
            print(
                f"| {label} | {level['clients']} | {b['throughput_rps']:.1f} | {b['p50_ms']:.0f} / {b['p95_ms']:.0f} / "
                f"{b['p99_ms']:.0f} | {i['throughput_rps']:.1f} | {i['p50_ms']:.0f} / {i['p95_ms']:.0f} / "
                f"{i['p99_ms']:.0f} |"
            )
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
