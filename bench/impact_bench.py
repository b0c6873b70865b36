"""Impact benchmark: a typical CI and a hub CI of a generated CMDB, through GraphQL, as raw Cypher and in networkx.

All three run in one process on the same managed Neo4j in the same run, so the ratios hold on any machine:

- GraphQL: `impact(origin: [id])` over HTTP against `graphsvc serve` in its own process (with the dependency graph
  in memory, the default, and without it; the response cache off, so every answer is computed), asking for the
  totals and the first page (100) of impacted items (with depth, path and explanation) and services: an analyst's
  first screen.
- raw Cypher: the reverse reachability the impact needs (`(n)-[:DEPENDS_ON|HAS_MEMBER*0..]->(origin)`, distinct
  ids) through the driver: the floor any Neo4j-backed answer pays.
- the contract's whole Impact document (tests/contract/operations/impact.graphql: impacted items with names, paths
  and explanations, services, requirements, business units, SLAs, teams) for the typical CI, against the same
  reachability and against one hand-written statement that reads everything the document shows (`RAW_WHOLE`: the
  reached items with kind and name, their owners, and the services' requirements with ancestors, SLAs, agreed and
  consuming units; statuses, depths and paths it cannot compute). They alternate, request by request, with the
  document sent twice: through httpx, and through a minimal kept-alive HTTP/1.1 client (`LeanHttp`: the server's
  time, without the 0.8 ms httpx itself costs per request).
- networkx: `nx.ancestors` over the whole dependency graph held in memory (its load time reported apart).

The typical CI is the one whose impact size is the median of 300 random CIs; the hub is the CI with the largest
impact, which must reach at least half of the dependency graph. Results go to bench/results/impact-<size>.json.

    python bench/impact_bench.py --size 100k [--seed 1] [--repeat 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import networkx as nx
from neo4j import RoutingControl

from bench.common import (
    RESULTS,
    SIZES,
    LeanHttp,
    api_server,
    bench_database,
    contract_document,
    ensure_loaded,
    machine,
    measure,
    summary,
)
from graphsvc.analysis.impact import compute_impact
from graphsvc.db.graph import upstream
from graphsvc.db.items import ItemRepository

RAW = "MATCH (o:Item {id: $id}) MATCH (n:Item)-[:DEPENDS_ON|HAS_MEMBER*0..]->(o) WITH DISTINCT n RETURN n.id AS id"
EDGES = "MATCH (a:Item)-[:DEPENDS_ON|HAS_MEMBER]->(b:Item) RETURN a.id AS a, b.id AS b"
RAW_WHOLE = """
MATCH (o:Item {id: $id})
MATCH (n:Item)-[:DEPENDS_ON|HAS_MEMBER*0..]->(o)
WITH DISTINCT n
CALL (n) { OPTIONAL MATCH (n)-[:OWNED_BY]->(t:Team) RETURN collect(t {.id, .name, .email}) AS teams }
CALL (n) {
  OPTIONAL MATCH (n:Service)-[:SATISFIES]->(:Requirement)-[:REFINES*0..]->(q:Requirement)
  RETURN collect(DISTINCT q {.id, .name, .kind}) AS requirements
}
CALL (n) {
  OPTIONAL MATCH (n:Service)<-[:COVERS]-(a:SLA)
  OPTIONAL MATCH (a)-[:AGREED_WITH]->(u:BusinessUnit)
  RETURN collect(DISTINCT a {.id, .name}) AS slas, collect(DISTINCT u {.id, .name}) AS agreed
}
CALL (n) { OPTIONAL MATCH (n:Service)<-[:CONSUMES]-(b:BusinessUnit) RETURN collect(b {.id, .name}) AS consumers }
RETURN n.id AS id, n.itemKind AS kind, n.name AS name, n.criticality AS criticality, teams, requirements, slas,
       agreed, consumers
"""
IMPACT_DOCUMENT = contract_document("impact.graphql")
WARM_UP = 300  # rounds of each side before the contract document is measured
QUERY = """query($o: [ID!]!) { impact(origin: $o) {
  totals { impacted down degraded services }
  impacted(first: 100) { id kind status depth path explanation }
  services(first: 100) { id status criticality depth } } }"""


async def alternating(repeat: int, sides: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, Any]:
    """Each side `repeat` times, one call of each in turn (so a slow moment of the machine falls on all sides)."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeat):
        for name, work in sides.items():
            started = time.perf_counter()
            await work()
            times[name].append(time.perf_counter() - started)
    out: dict[str, Any] = {name: summary(values) for name, values in times.items()}
    out["repeat"] = repeat
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    cis = SIZES[args.size]
    async with bench_database() as (settings, conn, driver):
        db = conn.database
        await ensure_loaded(driver, db, cis, args.seed)

        print("loading the dependency graph into networkx", flush=True)
        started = time.perf_counter()
        records, _, _ = await driver.execute_query(EDGES, database_=db, routing_=RoutingControl.READ)
        graph = nx.DiGraph()
        graph.add_edges_from((r["a"], r["b"]) for r in records)
        nx_load_s = time.perf_counter() - started
        print(f"  {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges in {nx_load_s:.1f} s")

        rng = random.Random(args.seed)
        ci_ids = sorted(n for n in graph.nodes if str(n).startswith("CI-"))
        sample = rng.sample(ci_ids, min(300, len(ci_ids)))
        sizes = sorted((len(nx.ancestors(graph, c)) + 1, c) for c in sample)
        typical = sizes[len(sizes) // 2][1]
        # hubs: the first CIs (facilities, storage, network come first) and the most depended-on ones
        candidates = set(ci_ids[:200]) | set(sorted(ci_ids, key=graph.in_degree, reverse=True)[:50])
        hub = max(sorted(candidates), key=lambda c: len(nx.ancestors(graph, c)))
        hub_reach = (len(nx.ancestors(graph, hub)) + 1) / graph.number_of_nodes()
        print(f"  typical CI {typical}; hub CI {hub} reaches {hub_reach:.0%} of the graph", flush=True)

        repo = ItemRepository(driver, db)
        cases: dict[str, Any] = {}
        # The response cache off: the same impact asked again would be a kept answer, and this measures computing it
        # (bench/load_bench.py measures kept answers).
        computed = {"GRAPHSVC_RESPONSE_CACHE_SECONDS": "0"}
        with (
            api_server(conn, graph_cache=True, env=computed) as cached,
            api_server(conn, graph_cache=False, env=computed) as uncached,
            # the freshness read on every request, as before usecases/freshness.py
            api_server(conn, graph_cache=True, env=computed | {"GRAPHSVC_RECHECK_SECONDS": "0"}) as every,
        ):
            async with (
                httpx.AsyncClient(base_url=cached.url, timeout=300) as client,
                httpx.AsyncClient(base_url=uncached.url, timeout=300) as direct,
                httpx.AsyncClient(base_url=every.url, timeout=300) as checking,
                LeanHttp.connect(cached.url) as lean,
            ):
                print(
                    f"  server ready with the graph in memory after {cached.ready_s:.1f} s, and what impacts expose "
                    f"after {cached.exposed_s or 0:.1f} s: measured from then",
                    flush=True,
                )

                async def via_graphql(ci: str, http: httpx.AsyncClient = client) -> dict[str, Any]:
                    response = await http.post("/graphql", json={"query": QUERY, "variables": {"o": [ci]}})
                    body = response.json()
                    assert "errors" not in body, body
                    return body["data"]["impact"]  # type: ignore[no-any-return]

                async def contract_impact(ci: str, http: httpx.AsyncClient = client) -> dict[str, Any]:
                    response = await http.post(
                        "/graphql",
                        json={"query": IMPACT_DOCUMENT, "variables": {"origin": [ci]}, "operationName": "Impact"},
                    )
                    body = response.json()
                    assert "errors" not in body, body
                    return body["data"]["impact"]  # type: ignore[no-any-return]

                async def contract_impact_lean(ci: str) -> dict[str, Any]:
                    body = await lean.post_json(
                        "/graphql",
                        {"query": IMPACT_DOCUMENT, "variables": {"origin": [ci]}, "operationName": "Impact"},
                    )
                    assert "errors" not in body, body
                    return body["data"]["impact"]  # type: ignore[no-any-return]

                async def raw_whole(ci: str) -> int:
                    recs, _, _ = await driver.execute_query(
                        RAW_WHOLE, id=ci, database_=db, routing_=RoutingControl.READ
                    )
                    return len(recs)

                async def via_cypher(ci: str) -> int:
                    recs, _, _ = await driver.execute_query(RAW, id=ci, database_=db, routing_=RoutingControl.READ)
                    return len(recs)

                async def via_networkx(ci: str) -> int:
                    return len(nx.ancestors(graph, ci)) + 1

                async def load_only(ci: str) -> int:
                    return len((await upstream(repo, [ci])).nodes)

                # The contract's Impact document for the typical CI, alternating with both raw statements.
                for http in (client, direct, checking):
                    await contract_impact(typical, http)
                assert await contract_impact_lean(typical) == await contract_impact(typical)
                # Warm both sides (Neo4j's JIT compiles a statement's plan only after it ran many times): the raw
                # baselines at their best, not at a just-started database's.
                for _ in range(WARM_UP):
                    await via_cypher(typical)
                    await raw_whole(typical)
                    await contract_impact_lean(typical)
                # Against the baselines; then (apart, since a slow answer beside a fast one slows it too) against
                # the same server reading its freshness for every request, and without the graph in memory.
                document = await alternating(
                    args.repeat * 4,
                    {
                        "graphql_contract_document": lambda: contract_impact(typical),
                        "graphql_contract_document_lean_client": lambda: contract_impact_lean(typical),
                        "raw_cypher": lambda: via_cypher(typical),
                        "raw_cypher_whole_answer": lambda: raw_whole(typical),
                    },
                )
                document["before"] = await alternating(
                    args.repeat * 2,
                    {
                        "graphql_contract_document": lambda: contract_impact(typical),
                        "graphql_freshness_read_every_request": lambda: contract_impact(typical, checking),
                        "graphql_graph_not_in_memory": lambda: contract_impact(typical, direct),
                    },
                )
                document["ratio_to_raw_cypher"] = (
                    document["graphql_contract_document"]["median_ms"] / document["raw_cypher"]["median_ms"]
                )
                document["lean_client_ratio_to_raw_cypher"] = (
                    document["graphql_contract_document_lean_client"]["median_ms"] / document["raw_cypher"]["median_ms"]
                )
                document["ratio_to_raw_cypher_whole_answer"] = (
                    document["graphql_contract_document"]["median_ms"]
                    / document["raw_cypher_whole_answer"]["median_ms"]
                )
                document["ci"] = typical
                print(
                    f"  contract Impact document for {typical}: "
                    f"{document['graphql_contract_document']['median_ms']:.2f} ms (lean HTTP client "
                    f"{document['graphql_contract_document_lean_client']['median_ms']:.2f} ms, "
                    f"{document['lean_client_ratio_to_raw_cypher']:.2f}x); raw Cypher reachability "
                    f"{document['raw_cypher']['median_ms']:.2f} ms ({document['ratio_to_raw_cypher']:.2f}x), "
                    f"hand-written whole answer {document['raw_cypher_whole_answer']['median_ms']:.2f} ms "
                    f"({document['ratio_to_raw_cypher_whole_answer']:.2f}x); beside the same with the freshness "
                    f"read on every request {document['before']['graphql_contract_document']['median_ms']:.2f} "
                    f"against {document['before']['graphql_freshness_read_every_request']['median_ms']:.2f} ms, "
                    f"graph not in memory {document['before']['graphql_graph_not_in_memory']['median_ms']:.2f} ms",
                    flush=True,
                )

                for name, ci, repeat in (("typical", typical, args.repeat), ("hub", hub, max(3, args.repeat // 3))):
                    print(f"{name} CI {ci}", flush=True)
                    await via_graphql(ci)  # warm-up: plans cached, app loaded
                    await via_graphql(ci, direct)
                    await via_cypher(ci)
                    gql, answer = await measure(repeat, lambda c=ci: via_graphql(c))
                    gql_direct, direct_answer = await measure(repeat, lambda c=ci: via_graphql(c, direct))
                    assert direct_answer == answer, "the in-memory graph and Neo4j must give the same answer"
                    raw, raw_count = await measure(repeat, lambda c=ci: via_cypher(c))
                    nxt, nx_count = await measure(repeat, lambda c=ci: via_networkx(c))
                    load, _ = await measure(repeat, lambda c=ci: load_only(c))
                    sub = await upstream(repo, [ci])
                    started = time.perf_counter()
                    compute_impact(sub, [ci])
                    fixpoint_ms = (time.perf_counter() - started) * 1000
                    cases[name] = {
                        "ci": ci,
                        "impacted": answer["totals"]["impacted"],
                        "down": answer["totals"]["down"],
                        "services": answer["totals"]["services"],
                        "raw_reached": raw_count,
                        "networkx_reached": nx_count,
                        "graphql": gql,
                        "graphql_without_graph_in_memory": gql_direct,
                        "raw_cypher": raw,
                        "networkx": nxt,
                        "engine_load_subgraph": load,
                        "engine_fixpoint_ms": fixpoint_ms,
                        "ratio_graphql_to_raw": gql["median_ms"] / raw["median_ms"],
                        "ratio_graphql_without_graph_in_memory_to_raw": gql_direct["median_ms"] / raw["median_ms"],
                        "repeat": repeat,
                    }
                    print(
                        f"  impacted {answer['totals']['impacted']:,} (raw reach {raw_count:,}); GraphQL "
                        f"{gql['median_ms']:.1f} ms (without the graph in memory {gql_direct['median_ms']:.1f} ms), "
                        f"raw Cypher {raw['median_ms']:.1f} ms, networkx "
                        f"{nxt['median_ms']:.2f} ms, ratio {gql['median_ms'] / raw['median_ms']:.2f}x",
                        flush=True,
                    )

    result = {
        "benchmark": "impact",
        "size": args.size,
        "cis": cis,
        "graph": {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()},
        "networkx_load_seconds": nx_load_s,
        "server_ready_with_graph_in_memory_seconds": cached.ready_s,
        "server_exposure_in_memory_seconds": cached.exposed_s,
        "hub_reach_fraction": hub_reach,
        "cases": cases,
        "contract_impact_document": document,
        "machine": machine(),
        "neo4j": settings.neo4j_version if conn.managed else conn.uri,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"impact-{args.size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        "\n| case | impacted | GraphQL (median) | GraphQL, graph not in memory | raw Cypher | ratio | networkx "
        "| load subgraph | fixpoint |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, c in cases.items():
        print(
            f"| {name} {c['ci']} | {c['impacted']:,} | {c['graphql']['median_ms']:.1f} ms | "
            f"{c['graphql_without_graph_in_memory']['median_ms']:.1f} ms | "
            f"{c['raw_cypher']['median_ms']:.1f} ms | {c['ratio_graphql_to_raw']:.2f}x | "
            f"{c['networkx']['median_ms']:.2f} ms | {c['engine_load_subgraph']['median_ms']:.1f} ms | "
            f"{c['engine_fixpoint_ms']:.1f} ms |"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
