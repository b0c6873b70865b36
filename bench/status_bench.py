"""Status board benchmark: `serviceStatus` (operations-now.graphql's ServiceStatus) with open incidents, against the
plain impact of the same origins and of one typical CI, in the same run.

Through GraphQL against `graphsvc serve` in its own process (the graph in memory, the response cache off), on a
generated CMDB: `--incidents` incidents are opened with `openIncident` on CIs picked at random (seeded; half of them
P1, an outage, half P3, a degradation, per SEMANTICS.md's default effect), the board is asked `--repeat` times, and
the incidents are resolved again on the way out (also when a step fails), so the bench database is left as found.

With `--resolve-generated` the generated CMDB's own open incidents (about one per 180 CIs: 554 at 100k, a heavy
day) are measured first and then resolved (through `resolveIncident`), so the board is then measured with exactly
`--incidents` open: this changes the bench database for good, so give the bench a data directory of its own.

The board is what a wall screen polls: it must answer well under a second at 100k CIs and 50 open incidents
(issue 23). Results go to bench/results/status-<size>.json.

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-status-100k \
        python bench/status_bench.py --size 100k --resolve-generated [--incidents 50] [--seed 1] [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from neo4j import RoutingControl

from bench.common import SIZES, api_server, bench_database, contract_document, ensure_loaded, measure, write_result

STATUS = contract_document("operations-now.graphql")
IMPACT = """query($o: [ID!]!) { impact(origin: $o) { totals { impacted down degraded services }
  impacted(first: 100) { id status depth } } }"""
OPEN = "mutation($i: IncidentInput!) { openIncident(input: $i) { __typename } }"
RESOLVE = "mutation($id: ID!) { resolveIncident(id: $id) { __typename } }"
COUNT = "{ serviceStatus { openIncidents } }"
OPEN_IDS = "MATCH (i:Incident) WHERE i.resolvedAt IS NULL RETURN i.id AS id ORDER BY id"
CIS = "MATCH (c:ConfigurationItem) WHERE c.status IS NULL OR c.status <> 'RETIRED' RETURN c.id AS id ORDER BY id"


def asker(http: httpx.AsyncClient) -> Callable[..., Awaitable[Any]]:
    async def ask(query: str, variables: dict[str, Any], name: str | None = None) -> Any:
        payload = {"query": query, "variables": variables, "operationName": name}
        body = (await http.post("/graphql", json=payload)).json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    return ask


async def page_of(http: httpx.AsyncClient) -> int:
    """The wall screen's page: its size in bytes."""
    response = await http.get("/status")
    response.raise_for_status()
    return len(response.content)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument("--incidents", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--resolve-generated",
        action="store_true",
        help="measure the generated open incidents' board, then resolve them for good (a data dir of the bench's own)",
    )
    args = parser.parse_args()
    cis = SIZES[args.size]
    pick = random.Random(args.seed)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, cis, args.seed)
        ids = [
            r["id"] for r in (await driver.execute_query(CIS, database_=conn.database, routing_=RoutingControl.READ))[0]
        ]
        origins = pick.sample(ids, args.incidents)
        typical = pick.choice(ids)
        computed = {"GRAPHSVC_RESPONSE_CACHE_SECONDS": "0", "GRAPHSVC_TX_TIMEOUT_SECONDS": "600"}
        opened: list[str] = []
        results: dict[str, Any] = {}
        try:
            with api_server(conn, graph_cache=True, env=computed) as server:
                async with httpx.AsyncClient(base_url=server.url, timeout=900) as http:
                    ask = asker(http)
                    await ask(STATUS, {}, "ServiceStatus")
                    generated, before = await measure(args.repeat, lambda: ask(STATUS, {}, "ServiceStatus"))
                    results["board_generated_incidents"] = {
                        **generated,
                        "open_incidents": (await ask(COUNT, {}))["serviceStatus"]["openIncidents"],
                        "services": len(before["serviceStatus"]["services"]),
                    }
                    print(f"  generated CMDB's board: {json.dumps(results['board_generated_incidents'])}", flush=True)
                    if args.resolve_generated:
                        read = RoutingControl.READ
                        records = (await driver.execute_query(OPEN_IDS, database_=conn.database, routing_=read))[0]
                        for record in records:
                            await ask(RESOLVE, {"id": record["id"]})
                        print(f"  resolved the {len(records)} generated open incidents", flush=True)
                    for n, ci in enumerate(origins):
                        iid = f"INC-BENCH-{stamp}-{n:03d}"
                        incident = {"id": iid, "title": f"{ci} failing (bench)", "priority": "P1" if n % 2 else "P3"}
                        await ask(OPEN, {"i": {**incident, "affects": [ci]}})
                        opened.append(iid)
                    await ask(STATUS, {}, "ServiceStatus")  # the first ask after the writes brings the graph forward
                    board, answer = await measure(args.repeat, lambda: ask(STATUS, {}, "ServiceStatus"))
                    rows = answer["serviceStatus"]["services"]
                    results["board"] = {
                        **board,
                        "incidents_opened": len(opened),
                        "open_incidents": (await ask(COUNT, {}))["serviceStatus"]["openIncidents"],
                        "services_down": sum(1 for r in rows if r["status"] == "DOWN"),
                        "services_degraded": sum(1 for r in rows if r["status"] == "DEGRADED"),
                    }
                    print(f"  board with {len(opened)} incidents: {json.dumps(results['board'])}", flush=True)
                    page, _ = await measure(args.repeat, lambda: page_of(http))
                    results["status_page"] = page
                    print(f"  /status page: {json.dumps(page)}", flush=True)
                    await ask(IMPACT, {"o": origins})
                    together, found = await measure(args.repeat, lambda: ask(IMPACT, {"o": origins}))
                    results["impact_of_the_origins_as_outages"] = {**together, **found["impact"]["totals"]}
                    one, found = await measure(args.repeat, lambda: ask(IMPACT, {"o": [typical]}))
                    results["impact_of_one_typical_ci"] = {**one, **found["impact"]["totals"]}
                    baselines = {k: v for k, v in results.items() if k.startswith("impact")}
                    print(f"  impact baselines: {json.dumps(baselines)}", flush=True)
                memory = server.memory_mb()
            # as served: the response cache on (its default), so screens polling between writes share one answer
            with api_server(conn, graph_cache=True) as server:
                async with httpx.AsyncClient(base_url=server.url, timeout=900) as http:
                    ask = asker(http)
                    first, _ = await measure(1, lambda: ask(STATUS, {}, "ServiceStatus"))
                    kept, _ = await measure(args.repeat, lambda: ask(STATUS, {}, "ServiceStatus"))
                    results["board_polled_as_served"] = {"first_ask": first, "kept": kept}
                    print(f"  polled, response cache on: {json.dumps(results['board_polled_as_served'])}", flush=True)
        finally:
            with api_server(conn, graph_cache=False) as server:
                async with httpx.AsyncClient(base_url=server.url, timeout=900) as http:
                    ask = asker(http)
                    for iid in opened:
                        await ask(RESOLVE, {"id": iid})
    result = {"benchmark": "status", "size": args.size, "cis": cis, "cases": results, "server_memory": memory}
    out = write_result("status", args.size, result, settings, conn)
    print("\n| case | median | p90 |")
    print("|---|---|---|")
    for name, c in results.items():
        for part, m in ({"first ask": c["first_ask"], "kept": c["kept"]} if "kept" in c else {"": c}).items():
            print(f"| {name} {part} | {m['median_ms']:.0f} ms | {m['p90_ms']:.0f} ms |")
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
