"""Continuity and correlation benchmark on a generated CMDB, next to the same computations in plain networkx.

In one run, against the same managed Neo4j:

- continuity of the most connected business service (the largest closure): graphsvc's analysis (one pass over the
  killers of every node) and a networkx version (one impact per candidate: a BFS over the reversed graph, then the
  groups' quorum rule; what the definition says, done the obvious way), and `continuity(serviceId)` through GraphQL
  against `graphsvc serve` with the graph in memory;
- correlation of the incidents of a month (the generator's 10,000 in October 2026 at 100k CIs): graphsvc's
  `correlate`, its graph part (every incident's K(i) and distances) against networkx's
  `single_source_shortest_path_length` (the greedy choice that follows is the same code, and must give the same
  clusters), and `incidentCorrelation` through GraphQL.

    python bench/continuity_bench.py --size 100k
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import networkx as nx

from bench.common import SIZES, api_server, bench_database, ensure_loaded, machine
from graphsvc.analysis.continuity import closure, continuity, restrict
from graphsvc.analysis.correlation import cluster_incidents, correlate, reach_distances
from graphsvc.db import graph as g
from graphsvc.db import incidents as dbi
from graphsvc.db.items import ItemRepository
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.incidents import IncidentRecord
from graphsvc.domain.vocabulary import Kind

RESULTS = Path(__file__).resolve().parent / "results"
MONTH = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


def timed(work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def nx_graph(graph: DependencyGraph) -> tuple[nx.DiGraph, dict[str, tuple[int, int]]]:
    """The dependency graph in networkx (HARD/SOFT/membership on each edge) and each group's (members, minHealthy)."""
    nxg = nx.DiGraph()
    nxg.add_nodes_from(graph.nodes)
    for edges in graph.out.values():
        for e in edges:
            nxg.add_edge(e.source, e.target, hard=e.hard, member=e.membership)
    groups = {
        n: (graph.members_total.get(n, 0), node.min_healthy or 1)
        for n, node in graph.nodes.items()
        if node.kind is Kind.REDUNDANCY_GROUP
    }
    return nxg, groups


def nx_down(nxg: nx.DiGraph, groups: dict[str, tuple[int, int]], origin: str, target: str) -> bool:
    """Whether losing `origin` takes `target` DOWN: DOWN spreads up HARD edges, and into a group when too few
    members stay up (a worklist over the reversed graph; SOFT edges and degradation cannot make anything DOWN)."""
    down = {origin}
    lost: dict[str, int] = {}
    queue = deque([origin])
    while queue:
        node = queue.popleft()
        for src in nxg.predecessors(node):
            if src in down:
                continue
            data = nxg.edges[src, node]
            if data["member"]:
                lost[src] = lost.get(src, 0) + 1
                total, need = groups[src]
                if total - lost[src] >= need:
                    continue
            elif not data["hard"] or src in groups:
                continue
            down.add(src)
            queue.append(src)
    return target in down


def nx_spofs(nxg: nx.DiGraph, groups: dict[str, tuple[int, int]], service: str) -> list[str]:
    reach = nx.descendants(nxg, service)
    return sorted(c for c in reach if c not in groups and nx_down(nxg, groups, c, service))


def nx_distances(nxg: nx.DiGraph, incidents: list[IncidentRecord]) -> dict[str, dict[str, int]]:
    """K(i) and dist(i, c) for every incident with networkx: the graph part of correlation."""
    out: dict[str, dict[str, int]] = {}
    for i in incidents:
        dist: dict[str, int] = {}
        for a in i.affects:
            if a in nxg:
                for node, d in nx.single_source_shortest_path_length(nxg, a).items():
                    dist[node] = min(d, dist.get(node, d))
        out[i.id] = dist
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    async with bench_database() as (_settings, conn, driver):
        await ensure_loaded(driver, conn.database, SIZES[args.size], args.seed)
        repo = ItemRepository(driver, conn.database)
        started = time.perf_counter()
        graph = await g.whole_graph(repo)
        load_s = time.perf_counter() - started
        print(f"graph: {len(graph.nodes):,} nodes read in {load_s:.1f} s", flush=True)
        business = [n for n, node in graph.nodes.items() if node.kind is Kind.SERVICE and node.tier == "BUSINESS"]
        service = max(sorted(business), key=lambda s: len(closure(graph, s)))
        reach = closure(graph, service)
        print(f"most connected business service {service}: {len(reach):,} items in its closure", flush=True)
        props = {p["id"]: p for p in await repo.by_ids(sorted(reach | {service})) if p}
        rto = {i: p.get("rtoMinutes") for i, p in props.items()}
        rpo = {i: p.get("rpoMinutes") for i, p in props.items()}
        ours_s, ours = timed(lambda: continuity(graph, service, rto, rpo))
        nxg, groups = nx_graph(restrict(graph, reach | {service}))
        nx_s, nx_found = timed(lambda: nx_spofs(nxg, groups, service))
        assert list(ours.single_points_of_failure) == nx_found, "graphsvc and networkx disagree on the SPOFs"
        print(f"  continuity: graphsvc {ours_s:.2f} s, networkx SPOFs {nx_s:.2f} s; {len(nx_found)} SPOFs")

        incidents = await dbi.incidents_opened_between(repo, *MONTH)
        print(f"correlation of {len(incidents):,} incidents in October 2026", flush=True)
        corr_s, clusters = timed(lambda: correlate(graph, incidents, 60, 2))
        print(f"  correlation: graphsvc {corr_s:.2f} s; {len(clusters)} clusters", flush=True)
        full_nx, _ = nx_graph(graph)
        kinds = {n: node.kind for n, node in graph.nodes.items()}
        ours_dist_s, _ = timed(lambda: {i.id: reach_distances(graph, i.affects) for i in incidents})
        nx_dist_s, distances = timed(lambda: nx_distances(full_nx, incidents))
        nx_clusters = cluster_incidents(incidents, distances, kinds, 60, 2)
        assert [c.incidents for c in nx_clusters] == [c.incidents for c in clusters], "clusters differ"
        print(f"  distances K(i): graphsvc {ours_dist_s:.2f} s, networkx {nx_dist_s:.2f} s", flush=True)

        with api_server(conn, graph_cache=True) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=600) as client:

                async def gql(query: str, variables: dict[str, Any]) -> float:
                    started = time.perf_counter()
                    body = (await client.post("/graphql", json={"query": query, "variables": variables})).json()
                    assert "errors" not in body, body
                    return time.perf_counter() - started

                cont_q = """query($s: ID!) { continuity(serviceId: $s) {
                  singlePointsOfFailure { id } recoveryWaves { wave } } }"""
                corr_q = """query($a: DateTime!, $b: DateTime!) { incidentCorrelation(since: $a, until: $b) {
                  clusters { rootCause { id } incidents { id } recentChanges { id } suggestedProblem { id } } } }"""
                gql_cont = min([await gql(cont_q, {"s": service}) for _ in range(3)])
                span = {"a": MONTH[0].isoformat(), "b": MONTH[1].isoformat()}
                gql_corr = min([await gql(corr_q, span) for _ in range(2)])
        print(f"  through GraphQL: continuity {gql_cont:.2f} s, correlation {gql_corr:.2f} s")

    result = {
        "benchmark": "continuity-and-correlation",
        "size": args.size,
        "graph_nodes": len(graph.nodes),
        "graph_read_seconds": load_s,
        "continuity": {
            "service": service,
            "closure": len(reach),
            "spofs": len(ours.single_points_of_failure),
            "waves": len(ours.waves),
            "graphsvc_seconds": ours_s,
            "networkx_spofs_seconds": nx_s,
            "graphql_seconds": gql_cont,
        },
        "correlation": {
            "incidents": len(incidents),
            "clusters": len(clusters),
            "graphsvc_seconds": corr_s,
            "distances_graphsvc_seconds": ours_dist_s,
            "distances_networkx_seconds": nx_dist_s,
            "graphql_seconds": gql_corr,
        },
        "machine": machine(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"continuity-{args.size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
