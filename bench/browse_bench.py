"""Fresh browse: the contract's BrowseConfigurationItems pages read afresh (response cache off), side by side with a
hand-written Cypher query and with a peer, @neo4j/graphql on Apollo Server (bench/peer), over the same Neo4j.

The pages: the first three of every CI type and of all CIs (50 CIs each with site, owner, `dependsOn` and
`dependents`), each server walking its own cursors. Four ways to answer them, in the same run:

- graphsvc with compiled reads (as deployed, graphql/compiled.py), its own process, auth off, kept answers off;
- graphsvc field by field (GRAPHSVC_COMPILED_READS=false): the path before compiled reads;
- the peer (bench/peer/server.mjs, `npm ci` from its package-lock), the document translated to its schema;
- raw Cypher: one hand-written statement per page returning the same data (the count, the page and its four
  relationships), through the Python driver, asked alternately with graphsvc's compiled page.

graphsvc's two ways are also measured on the contract's whole browse mix (load_bench.py's: these pages, 60 service
details and 40 searches, shuffled), which the peer's schema does not have.

Lists are read whole on every side (GRAPHSVC_MAX_LIST_ITEMS raised: the peer's lists have no cap). Measured: one
client asking each page in turn (median and p95 of every page, over `--passes` passes), then wrk at 1 and 32 clients
sending the pages back to back for `--seconds` each, one server at a time. Each side's answers are checked against
graphsvc's first (total count and the ids on each page). Results: bench/results/browse-<size>.json.

    python bench/browse_bench.py --size 100k [--seconds 20] [--clients 1,32] [--passes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from neo4j import RoutingControl

from bench.common import (
    SIZES,
    Server,
    api_server,
    bench_database,
    contract_document,
    ensure_loaded,
    free_port,
    neo4j_env,
    write_result,
)
from bench.load_bench import finished, request_bodies, wrk, wrk_says_version
from graphsvc.graphql.enums import CIType

HERE = Path(__file__).resolve().parent
PEER = HERE / "peer"
TYPES: list[str | None] = [None, *(t.value for t in CIType)]  # all CIs, then each type
PAGES_PER_TYPE = 3
# The hand-written statement: what BrowseConfigurationItems returns, in one query ({where}: the type filter, when
# the page has one, written in so that Neo4j uses its index).
RAW = """
CALL () {{ MATCH (n:ConfigurationItem) {where} RETURN count(n) AS total }}
CALL () {{
  MATCH (n:ConfigurationItem) {where} {and_after}
  WITH n ORDER BY n.id LIMIT 51
  RETURN collect(n {{.id, .name, .type, .environment, .status, .criticality, .monthlyCost,
    site: COLLECT {{ MATCH (n)-[:LOCATED_AT]->(b:Item) RETURN b {{.id, .name}} }}[0],
    owner: COLLECT {{ MATCH (n)-[:OWNED_BY]->(b:Item) RETURN b {{.id, .name}} }}[0],
    dependsOn: COLLECT {{ MATCH (n)-[r:DEPENDS_ON]->(b:Item) WITH b, r ORDER BY r.i, b.id RETURN b {{.id, .name}} }},
    dependents: COLLECT {{ MATCH (n)<-[:DEPENDS_ON]-(b:Item) WITH b ORDER BY b.id RETURN b {{.id, .name}} }}}}) AS rows
}}
RETURN total, rows
"""


def raw_statement(typed: bool, after: bool) -> str:
    where = "WHERE n.type = $type" if typed else ""
    and_after = ("AND" if typed else "WHERE") + " n.id > $after" if after else ""
    return RAW.format(where=where, and_after=and_after)


GRAPHSVC_ENV = {
    "GRAPHSVC_RESPONSE_CACHE_SECONDS": "0",
    "GRAPHSVC_MAX_CONCURRENT_PER_CLIENT": "1024",  # wrk's 32 connections are one client
    "GRAPHSVC_MAX_LIST_ITEMS": "100000",
    "GRAPHSVC_MAX_QUERY_COST": "1000000000",
}


def pages(url: str, document: str, root: str) -> dict[tuple[str | None, int], dict[str, Any]]:
    """The request bodies of the bench's pages on one server, by (CI type, page number), walking its own cursors;
    each answered once. A page refused twice (5 s apart) is reported and left out, with the pages after it."""
    bodies = {}
    with httpx.Client(base_url=url, timeout=300) as client:
        for ci_type in TYPES:
            after = None
            for number in range(PAGES_PER_TYPE):
                variables: dict[str, Any] = {"after": after}
                if ci_type:
                    variables["type"] = ci_type
                body = {"query": document, "operationName": "BrowseConfigurationItems", "variables": variables}
                answer = client.post("/graphql", json=body).json()
                if "errors" in answer:
                    time.sleep(5)  # a server stopped just before may have left Neo4j busy
                    answer = client.post("/graphql", json=body).json()
                if "errors" in answer:
                    print(f"  {url}: page {number + 1} of {ci_type or 'all CIs'} refused: {answer['errors']}")
                    break
                bodies[(ci_type, number)] = {**body, "_answer": answer["data"][root]}
                info = answer["data"][root]["pageInfo"]
                if not info["hasNextPage"]:
                    break
                after = info["endCursor"]
    return bodies


def fingerprint(page: dict[str, Any]) -> tuple[int, list[str]]:
    return page["totalCount"], [edge["node"]["id"] for edge in page["edges"]]


def timed_pages(url: str, bodies: list[dict[str, Any]], passes: int) -> list[float]:
    times = []
    with httpx.Client(base_url=url, timeout=300) as client:
        for _ in range(passes):
            for body in bodies:
                request = {k: v for k, v in body.items() if not k.startswith("_")}
                started = time.perf_counter()
                answer = client.post("/graphql", json=request)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200 and b'"errors"' not in answer.content
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "n": len(times),
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000,
    }


def wrk_levels(url: str, bodies: list[Any], levels: list[int], seconds: int, tmp: Path) -> dict[str, Any]:
    """wrk at each level sending `bodies` (request bodies, or their JSON text) in turn."""
    file = tmp / f"bodies-{abs(hash(url))}-{len(bodies)}.jsonl"
    texts = [b if isinstance(b, str) else json.dumps({k: v for k, v in b.items() if k[0] != "_"}) for b in bodies]
    file.write_text("".join(t + "\n" for t in texts))
    return {str(c): finished(wrk(url, file, c, seconds, ""), c) for c in levels}


@contextlib.contextmanager
def peer_server(conn: Any) -> Iterator[Server]:
    """bench/peer/server.mjs on a free port, its packages installed from its lock file."""
    if not (PEER / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
    port = free_port()
    env = {**neo4j_env(conn), "PORT": str(port)}
    started = time.monotonic()
    proc = subprocess.Popen(["node", "server.mjs"], cwd=PEER, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "peer ready at" not in line:
            raise RuntimeError(f"the peer did not start: {line!r}")
        yield Server(f"http://127.0.0.1:{port}", time.monotonic() - started, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def raw_times(driver: Any, db: str, bodies: list[dict[str, Any]], passes: int) -> list[float]:
    times = []
    for _ in range(passes):
        for body in bodies:
            variables = body["variables"]
            after = _decode(variables["after"])
            started = time.perf_counter()
            statement = raw_statement(variables.get("type") is not None, after is not None)
            records, _, _ = await driver.execute_query(
                statement, type=variables.get("type"), after=after, database_=db, routing_=RoutingControl.READ
            )
            times.append(time.perf_counter() - started)
            page = body["_answer"]
            assert records[0]["total"] == page["totalCount"]
            assert [r["id"] for r in records[0]["rows"][:50]] == fingerprint(page)[1]
    return times


def _decode(cursor: str | None) -> str | None:
    from graphsvc.graphql.pagination import decode_cursor

    return decode_cursor(cursor)


def measure_side(
    url: str, bodies: list[Any], args: Any, levels: list[int], tmp: Path, mix: list[str] | None
) -> dict[str, Any]:
    """One server's figures: one client over the pages (after a warm-up pass), wrk at each level, and the contract's
    browse mix when given."""
    timed_pages(url, bodies, 1)
    figures = {
        "one_client": summary(timed_pages(url, bodies, args.passes)),
        "wrk": wrk_levels(url, bodies, levels, args.seconds, tmp),
    }
    if mix is not None:
        figures["contract_mix_wrk"] = wrk_levels(url, mix, levels, args.seconds, tmp)
    return figures


def peer_versions() -> dict[str, str]:
    lock = json.loads((PEER / "package-lock.json").read_text())
    wanted = ("@neo4j/graphql", "@apollo/server", "graphql", "neo4j-driver")
    found = {name: lock["packages"][f"node_modules/{name}"]["version"] for name in wanted}
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return {**found, "node": node}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", default="1,32", help="comma-separated client counts for wrk")
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk level")
    parser.add_argument("--passes", type=int, default=3, help="passes over the pages, one client")
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("node") is None:
        raise SystemExit("wrk and node are needed (apt-get install wrk nodejs; the Makefile's bench target checks)")
    levels = [int(c) for c in args.clients.split(",")]
    document = contract_document("browse.graphql")
    peer_document = (PEER / "browse.graphql").read_text()
    result: dict[str, Any] = {"pages": 0, "wrk": wrk_says_version(), "peer": peer_versions(), "sides": {}}
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, SIZES[args.size], args.seed)
        with tempfile.TemporaryDirectory() as tmp:
            answered = {}
            with api_server(conn, graph_cache=True, env=GRAPHSVC_ENV) as server:
                answered["graphsvc"] = pages(server.url, document, "configurationItems")
            field_env = {**GRAPHSVC_ENV, "GRAPHSVC_COMPILED_READS": "false"}
            with api_server(conn, graph_cache=True, env=field_env) as server:
                answered["graphsvc_field_by_field"] = pages(server.url, document, "configurationItems")
            with peer_server(conn) as server:
                answered["peer"] = pages(server.url, peer_document, "configurationItemsConnection")
            # the pages every side answered, each side's answers checked against graphsvc's
            common = sorted(set.intersection(*(set(b) for b in answered.values())), key=str)
            for name, found in answered.items():
                mine = [fingerprint(found[k]["_answer"]) for k in common]
                assert mine == [fingerprint(answered["graphsvc"][k]["_answer"]) for k in common], name
            result["pages"] = len(common)
            # pages a side answered but another refused (the peer: page 2 of all CIs, over Neo4j's memory limit)
            result["pages_left_out"] = {side: len(b) - len(common) for side, b in answered.items()}
            chosen = {side: [bodies[k] for k in common] for side, bodies in answered.items()}
            with api_server(conn, graph_cache=True, env=GRAPHSVC_ENV) as server:
                print("graphsvc, compiled reads", flush=True)
                page_bodies = chosen["graphsvc"]
                timed_pages(server.url, page_bodies, 1)  # warm-up
                compiled_times: list[float] = []
                raw: list[float] = []
                for _ in range(args.passes):  # alternately: the same moment's machine for both
                    compiled_times += timed_pages(server.url, page_bodies, 1)
                    raw += await raw_times(driver, conn.database, page_bodies, 1)
                # the contract's whole browse mix (load_bench.py's: pages, service details, searches), graphsvc only
                mix = (await request_bodies(server.url, "", driver, conn.database, args.seed))["browse"]
                result["contract_mix_requests"] = len(mix)
                result["sides"]["graphsvc"] = {
                    "one_client": summary(compiled_times),
                    "wrk": wrk_levels(server.url, page_bodies, levels, args.seconds, Path(tmp)),
                    "contract_mix_wrk": wrk_levels(server.url, mix, levels, args.seconds, Path(tmp)),
                    "memory": server.memory_mb(),
                }
                result["sides"]["raw_cypher"] = {"one_client": summary(raw)}
            with api_server(conn, graph_cache=True, env=field_env) as server:
                print("graphsvc, field by field", flush=True)
                figures = measure_side(server.url, chosen["graphsvc_field_by_field"], args, levels, Path(tmp), mix)
                result["sides"]["graphsvc_field_by_field"] = {**figures, "memory": server.memory_mb()}
            with peer_server(conn) as server:
                print("peer, @neo4j/graphql", flush=True)
                figures = measure_side(server.url, chosen["peer"], args, levels, Path(tmp), None)
                result["sides"]["peer"] = {**figures, "memory": server.memory_mb()}
        sides = result["sides"]
        result["ratio_to_raw_cypher"] = {
            side: sides[side]["one_client"]["median_ms"] / sides["raw_cypher"]["one_client"]["median_ms"]
            for side in ("graphsvc", "graphsvc_field_by_field", "peer")
        }
        print(json.dumps({k: v for k, v in result.items() if k != "sides"}, indent=2))
        for side, figures in sides.items():
            line = f"{side:26} one client: median {figures['one_client']['median_ms']:.1f} ms"
            line += f", p95 {figures['one_client']['p95_ms']:.1f} ms"
            for clients, level in figures.get("wrk", {}).items():
                line += f" | {clients} clients: {level['throughput_rps']:.1f} req/s, p95 {level['p95_ms']:.0f} ms"
            for clients, level in figures.get("contract_mix_wrk", {}).items():
                line += f" | mix, {clients}: {level['throughput_rps']:.1f} req/s, p95 {level['p95_ms']:.0f} ms"
            print(line, flush=True)
        out = write_result("browse", args.size, result, settings, conn)
        print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
