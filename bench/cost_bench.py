"""Cost allocation and full policy evaluation on a generated CMDB, next to the same allocation in plain networkx.

In one run, against the same managed Neo4j:

- `costAllocation` (contract/operations/cost.graphql, as written) through GraphQL against `graphsvc serve` in its
  own process, end to end (median of several runs);
- the use case in-process (`graphsvc.usecases.cost.cost_allocation`), split into its read (one Cypher statement)
  and its computation (allocation and rounding);
- the same allocation done the obvious way in networkx (SEMANTICS.md, "Cost allocation": `nx.condensation`,
  `nx.topological_sort`, each pool's total split by edge weight, decimals in the same 60-digit context, the
  largest-remainder rounding) from the same record read from Neo4j; it must agree with graphsvc to the cent (per
  business unit, per service total, unallocated total), so the comparison is honest;
- `policyViolations` (every policy, every rule type, contract/operations/requirements.graphql) through GraphQL, with
  the count of violations per rule type, and the use case in-process (`graphsvc.usecases.policies`), with the
  dependency graph in memory as the server holds it and with it read from Neo4j.

At 1M CIs the server keeps no copy of the graph by default (GRAPHSVC_GRAPH_CACHE_MAX_ITEMS, 500,000); pass
`--graph-cache-max-items` to raise it for the bench's server. Results go to bench/results/cost-<size>.json.

    python bench/cost_bench.py --size 100k [--repeat 5] [--policy-repeat 3] [--graph-cache-max-items N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext
from pathlib import Path
from typing import Any

import httpx
import networkx as nx

from bench.common import SIZES, api_server, bench_database, contract_document, ensure_loaded, machine
from graphsvc.db import graph as g
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.usecases.cost import CostReport, cost_inputs, cost_report
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.policies import policy_violations

RESULTS = Path(__file__).resolve().parent / "results"
COST_QUERY = contract_document("cost.graphql")  # one operation, CostAllocation
POLICIES = contract_document("requirements.graphql")  # PolicyViolations among others
CENT = Decimal("0.01")


def median_of(times: list[float]) -> dict[str, float]:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": len(times)}


async def repeat(n: int, work: Callable[[], Awaitable[Any]]) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(n):
        started = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - started)
    return times, result


def nx_allocation(record: Mapping[str, Any]) -> dict[str, Any]:
    """SEMANTICS.md's cost allocation in networkx, from cost_inputs' record: amounts per unit, unallocated, total
    and per service T, in cents."""
    with localcontext(Context(prec=60, rounding=ROUND_HALF_EVEN)):
        kind = dict(zip(record["ids"], record["kinds"], strict=True))
        units = set(record["unit_ids"])
        own = {
            i: Decimal(c if isinstance(c, str) else str(c)) if c is not None else Decimal(0)
            for i, k, c in zip(record["ids"], record["kinds"], record["costs"], strict=True)
            if k != "REDUNDANCY_GROUP"
        }
        graph = nx.DiGraph()
        graph.add_nodes_from(own)
        graph.add_nodes_from(units)
        graph.add_nodes_from(kind)
        edges = (
            zip(record["dep_sources"], record["dep_targets"], record["dep_weights"], strict=True),
            ((m, g, 1.0) for m, g in zip(record["member_ids"], record["group_ids"], strict=True)),
            zip(record["consumed_ids"], record["consumer_ids"], record["shares"], strict=True),
        )
        for rows in edges:
            for a, b, w in rows:
                weight = Decimal(str(w)) if w is not None else Decimal(1)
                if a in kind and (b in kind or b in units) and weight > 0:
                    if graph.has_edge(a, b):
                        graph.edges[a, b]["weight"] += weight
                    else:
                        graph.add_edge(a, b, weight=weight)
        dag = nx.condensation(graph)
        pool_of = dag.graph["mapping"]
        inflow: dict[int, Decimal] = {}
        kept: dict[str, Decimal] = {}
        totals: dict[str, Decimal] = {}
        for pool in nx.topological_sort(dag):
            members = dag.nodes[pool]["members"]
            total = sum((own.get(n, Decimal(0)) for n in members), inflow.get(pool, Decimal(0)))
            for n in members:
                totals[n] = total
            out = [(t, d["weight"]) for n in members for _, t, d in graph.out_edges(n, data=True) if t not in members]
            if not out:
                kept[min(members)] = total
                continue
            weights = sum((w for _, w in out), Decimal(0))
            for t, w in out:
                inflow[pool_of[t]] = inflow.get(pool_of[t], Decimal(0)) + total * w / weights
        # cents: largest remainder against the rounded total, after snapping 1e-30 of a cent of arithmetic noise
        scaled = {k: (v * 100).quantize(Decimal("1e-30")) for k, v in kept.items()}
        grand = sum(own.values(), Decimal(0))
        target = int((grand * 100).to_integral_value(ROUND_HALF_EVEN))
        floors = {k: int(v.to_integral_value(ROUND_FLOOR)) for k, v in scaled.items()}
        for k in sorted(scaled, key=lambda k: (floors[k] - scaled[k], k))[: target - sum(floors.values())]:
            floors[k] += 1
        in_units = {u: Decimal(floors.get(u, 0)) / 100 for u in units}
        return {
            "total": Decimal(target) / 100,
            "units": in_units,
            "unallocated_total": Decimal(target) / 100 - sum(in_units.values(), Decimal(0)),
            "services": {
                i: (totals.get(i, own[i]) * 100).quantize(Decimal("1e-30")).quantize(Decimal(1)) / 100
                for i, k in kind.items()
                if k == "SERVICE"
            },
        }


def agree(ours: CostReport, theirs: dict[str, Any]) -> None:
    """graphsvc and networkx must give the same cents."""
    assert ours.total == theirs["total"], (ours.total, theirs["total"])
    assert ours.unallocated_total == theirs["unallocated_total"], (ours.unallocated_total, theirs["unallocated_total"])
    mine = {u.id: u.amount for u in ours.business_units}
    assert mine == theirs["units"], "business units differ"
    assert {s.id: s.total for s in ours.services} == theirs["services"], "service totals differ"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each cost measurement")
    parser.add_argument("--policy-repeat", type=int, default=3, help="runs of each policy measurement")
    parser.add_argument("--graph-cache-max-items", type=int, default=None, help="for the bench's server")
    parser.add_argument("--skip-policies", action="store_true", help="cost allocation only (policies take long at 1M)")
    args = parser.parse_args()
    # the bench's server binds to loopback; no API token (GRAPHSVC_AUTH), as for every client of the other benches
    os.environ.setdefault("GRAPHSVC_AUTH", "false")
    if args.graph_cache_max_items is not None:
        os.environ["GRAPHSVC_GRAPH_CACHE_MAX_ITEMS"] = str(args.graph_cache_max_items)
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, SIZES[args.size], args.seed)
        repo = ItemRepository(driver, conn.database)

        print("cost allocation, in-process", flush=True)
        await cost_inputs(repo)  # warm-up: plan cached, pages in memory
        read_times, compute_times, report = [], [], None
        for _ in range(args.repeat):
            started = time.perf_counter()
            record = await cost_inputs(repo)
            read_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            report = cost_report(record)
            compute_times.append(time.perf_counter() - started)
        assert report is not None
        usecase_times = [r + c for r, c in zip(read_times, compute_times, strict=True)]
        nx_times, theirs = [], {}
        for _ in range(max(1, args.repeat // 2)):
            started = time.perf_counter()
            theirs = nx_allocation(record)
            nx_times.append(time.perf_counter() - started)
        agree(report, theirs)
        counts = {
            "nodes": len(record["ids"]),
            "edges": len(record["dep_sources"]) + len(record["member_ids"]) + len(record["consumed_ids"]),
            "business_units": len(report.business_units),
            "services": len(report.services),
            "unallocated_items": len(report.unallocated),
        }
        print(
            f"  {counts['nodes']:,} nodes, {counts['edges']:,} edges; total {report.total}, unallocated "
            f"{report.unallocated_total}; read {statistics.median(read_times):.2f} s + compute "
            f"{statistics.median(compute_times):.2f} s; networkx {statistics.median(nx_times):.2f} s (agrees to "
            "the cent)",
            flush=True,
        )

        violations: list[Any] = []
        by_rule: dict[str, int] = {}
        pol_mem_times: list[float] = []
        pol_read_times: list[float] = []
        gql_pol_times: list[float] = []
        graph_read_s = 0.0
        found: list[Any] = []
        if not args.skip_policies:
            print("policy evaluation, in-process", flush=True)
            started = time.perf_counter()
            graph = await g.whole_graph(repo)
            graph_read_s = time.perf_counter() - started
            cache = GraphCache(repo, max_items=10**9)
            await cache.wait()
            pol_mem_times, violations = await repeat(args.policy_repeat, lambda: policy_violations(repo, cache=cache))
            pol_read_times, again = await repeat(max(1, args.policy_repeat // 2), lambda: policy_violations(repo))
            assert len(again) == len(violations)
            by_rule = dict(sorted(Counter(v.rule_type for v in violations).items()))
            print(
                f"  {len(violations):,} violations {by_rule}; graph in memory "
                f"{statistics.median(pol_mem_times):.2f} s, graph read from Neo4j "
                f"{statistics.median(pol_read_times):.2f} s (the read alone {graph_read_s:.2f} s, "
                f"{len(graph.nodes):,} nodes)",
                flush=True,
            )
            del graph

        with api_server(conn, graph_cache=True) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=3600) as client:
                print(f"GraphQL (server ready after {server.ready_s:.1f} s)", flush=True)

                async def gql(query: str, operation: str | None = None) -> dict[str, Any]:
                    request = {"query": query, "operationName": operation}
                    body = (await client.post("/graphql", json=request)).json()
                    assert "errors" not in body, body.get("errors")
                    return body["data"]  # type: ignore[no-any-return]

                await gql(COST_QUERY)  # warm-up

                async def after_a_write() -> dict[str, Any]:
                    # what every graphsvc write does: the server's remembered allocation is stale, it computes again
                    await driver.execute_query(cypher("meta/bump_graph_state"), database_=conn.database)
                    started = time.perf_counter()
                    data = await gql(COST_QUERY)
                    cold_times.append(time.perf_counter() - started)
                    return data

                cold_times: list[float] = []
                for _ in range(args.repeat):
                    await after_a_write()
                gql_cost_times, data = await repeat(args.repeat, lambda: gql(COST_QUERY))
                answer = data["costAllocation"]
                assert Decimal(str(answer["total"])) == report.total
                assert {u["id"]: Decimal(str(u["amount"])) for u in answer["businessUnits"]} == theirs["units"]
                print(
                    f"  costAllocation after a write {statistics.median(cold_times):.2f} s, then "
                    f"{statistics.median(gql_cost_times):.2f} s (remembered until the next write)",
                    flush=True,
                )
                if not args.skip_policies:
                    await gql(POLICIES, "PolicyViolations")  # warm-up
                    gql_pol_times, data = await repeat(args.policy_repeat, lambda: gql(POLICIES, "PolicyViolations"))
                    found = data["policyViolations"]
                    assert len(found) == len(violations), (len(found), len(violations))
                    print(f"  policyViolations {statistics.median(gql_pol_times):.2f} s", flush=True)
        answer_bytes = len(json.dumps(answer)), len(json.dumps(found))

    gql_cost, nx_cost = statistics.median(gql_cost_times), statistics.median(nx_times)
    result = {
        "benchmark": "cost-and-policies",
        "size": args.size,
        "cis": SIZES[args.size],
        "cost": {
            "counts": counts,
            "total": str(report.total),
            "unallocated_total": str(report.unallocated_total),
            "graphql": median_of(gql_cost_times),
            "graphql_after_a_write": median_of(cold_times),
            "graphql_response_bytes": answer_bytes[0],
            "usecase": median_of(usecase_times),
            "usecase_read": median_of(read_times),
            "usecase_compute": median_of(compute_times),
            "networkx_compute": median_of(nx_times),
            "ratio_graphql_to_networkx": gql_cost / nx_cost,
            "ratio_graphql_after_a_write_to_networkx": statistics.median(cold_times) / nx_cost,
            "ratio_usecase_compute_to_networkx": statistics.median(compute_times) / nx_cost,
            "agrees_to_the_cent": True,
        },
        "policies": None
        if args.skip_policies
        else {
            "violations": len(violations),
            "by_rule_type": by_rule,
            "graphql": median_of(gql_pol_times),
            "graphql_response_bytes": answer_bytes[1],
            "usecase_graph_in_memory": median_of(pol_mem_times),
            "usecase_graph_read_from_neo4j": median_of(pol_read_times),
            "graph_read_seconds": graph_read_s,
        },
        "server": {
            "ready_seconds": server.ready_s,
            "graph_cache_max_items": int(os.environ.get("GRAPHSVC_GRAPH_CACHE_MAX_ITEMS", "500000")),
        },
        "machine": machine(),
        "neo4j": settings.neo4j_version if conn.managed else conn.uri,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"cost-{args.size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    c, p = result["cost"], result["policies"]
    print(
        "\n| case | GraphQL after a write | GraphQL, remembered | use case (read + compute) | networkx (compute) "
        "| ratio GraphQL after a write / networkx |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| costAllocation | {c['graphql_after_a_write']['median_s']:.2f} s | {c['graphql']['median_s']:.2f} s | "
        f"{c['usecase']['median_s']:.2f} s ({c['usecase_read']['median_s']:.2f} + "
        f"{c['usecase_compute']['median_s']:.2f}) | {c['networkx_compute']['median_s']:.2f} s | "
        f"{c['ratio_graphql_after_a_write_to_networkx']:.1f}x |"
    )
    if p is not None:
        print(
            f"| policyViolations ({p['violations']:,}) | {p['graphql']['median_s']:.2f} s | - | "
            f"{p['usecase_graph_in_memory']['median_s']:.2f} s (graph from Neo4j: "
            f"{p['usecase_graph_read_from_neo4j']['median_s']:.2f} s) | - | - |"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
