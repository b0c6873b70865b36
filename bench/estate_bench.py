"""Estate benchmark: the estate as of a time and with what-if edits, against the plain analyses, in the same run.

Through GraphQL against `graphsvc serve` in its own process (the graph in memory, the response cache off), on a
generated CMDB:

- impact of a typical CI and of a hub CI: plain `impact`, then `estate(edits: [one retire]) { impact }` (what-if on
  now) and `estate(asOf: <after the import>) { impact }` (replayed from the journal the first time a time is asked
  of, then from the server's small cache of past estates);
- cost allocation: plain `costAllocation` (remembered per graph version by the server, so computed once) against
  `estate(asOf:) { costAllocation }` and `estate(edits:) { costAllocation }` (each computed afresh);
- `estateDiff` across the whole history.

With `--prune`, last (it changes the bench database's history for good): the history pruned to now
(`graphsvc prune-history --keep-days 0`'s work: a snapshot written, the states before it dropped), with the
snapshot's and the freed states' sizes, and the estate of now rebuilt in process before and after (replayed from the
start, then loaded from the snapshot).

Results go to bench/results/estate-<size>.json.

    python bench/estate_bench.py --size 10k [--seed 1] [--repeat 5] [--prune]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from neo4j import RoutingControl

from bench.common import RESULTS, SIZES, api_server, bench_database, ensure_loaded, machine, measure
from graphsvc.db import journal
from graphsvc.db.items import ItemRepository

IMPACT = """query($o: [ID!]!) { impact(origin: $o) { totals { impacted down degraded services }
  impacted(first: 100) { id status depth } } }"""
ESTATE_IMPACT = """query($o: [ID!]!, $asOf: DateTime, $edits: [GraphEdit!]) { estate(asOf: $asOf, edits: $edits) {
  impact(origin: $o) { totals { impacted down degraded services } impacted(first: 100) { id status depth } } } }"""
COST = "{ costAllocation { total unallocatedTotal businessUnits { id amount } } }"
ESTATE_COST = """query($asOf: DateTime, $edits: [GraphEdit!]) { estate(asOf: $asOf, edits: $edits) {
  costAllocation { total unallocatedTotal businessUnits { id amount } } } }"""
DIFF = """query($from: DateTime!, $to: DateTime!) { estateDiff(from: $from, to: $to) {
  added { id } removed { id } changed { id fields } dependenciesAdded { from to } } }"""
HUB_EDGES = """MATCH (c:ConfigurationItem)<-[:DEPENDS_ON|HAS_MEMBER]-(x) WITH c, count(x) AS n
ORDER BY n DESC, c.id LIMIT 1 RETURN c.id AS id"""
CIS = "MATCH (c:ConfigurationItem) RETURN c.id AS id ORDER BY id"
# where the history starts: the first journal entry, or the newest snapshot's time when it was pruned
FIRST_ENTRY = """OPTIONAL MATCH (s:EstateSnapshot) WHERE s.complete WITH max(s.until) AS cut
OPTIONAL MATCH (a:AuditEntry) WHERE a.pos IS NOT NULL WITH cut, min(a.at) AS first
RETURN coalesce(cut, first) AS at"""


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--prune", action="store_true", help="prune the history to now, last (for good)")
    args = parser.parse_args()
    cis = SIZES[args.size]
    async with bench_database() as (settings, conn, driver):
        db = conn.database
        await ensure_loaded(driver, db, cis, args.seed)
        as_of = datetime.now(UTC).isoformat()
        read = RoutingControl.READ
        ids = [r["id"] for r in (await driver.execute_query(CIS, database_=db, routing_=read))[0]]
        hub = (await driver.execute_query(HUB_EDGES, database_=db, routing_=read))[0][0]["id"]
        first = (await driver.execute_query(FIRST_ENTRY, database_=db, routing_=read))[0][0]["at"]
        typical = random.Random(args.seed).choice(ids)
        retired = next(i for i in reversed(ids) if i not in (hub, typical))
        edits = [{"retire": retired}]
        computed = {"GRAPHSVC_RESPONSE_CACHE_SECONDS": "0", "GRAPHSVC_TX_TIMEOUT_SECONDS": "600"}
        results: dict[str, Any] = {}
        with api_server(conn, graph_cache=True, env=computed) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=900) as http:

                async def ask(query: str, variables: dict[str, Any]) -> Any:
                    body = (await http.post("/graphql", json={"query": query, "variables": variables})).json()
                    assert "errors" not in body, body["errors"]
                    return body["data"]

                # the first question of a time replays the journal; the server keeps the estate for the next ones
                cold, _ = await measure(1, lambda: ask(ESTATE_COST, {"asOf": as_of}))
                results["as_of_first_ask_cost"] = cold
                print(f"  as of, first ask (replay, graph, cost): {cold['median_ms']:.0f} ms", flush=True)
                # the first what-if of now loads the estate of now (the server keeps it, brought forward by writes)
                warm, _ = await measure(1, lambda: ask(ESTATE_IMPACT, {"o": [typical], "edits": edits}))
                results["what_if_first_ask"] = warm
                print(f"  what-if, first ask (loads the estate of now): {warm['median_ms']:.0f} ms", flush=True)
                for name, ci in (("typical", typical), ("hub", hub)):
                    await ask(IMPACT, {"o": [ci]})  # warm-up
                    plain, answer = await measure(args.repeat, lambda c=ci: ask(IMPACT, {"o": [c]}))
                    whatif, _ = await measure(args.repeat, lambda c=ci: ask(ESTATE_IMPACT, {"o": [c], "edits": edits}))
                    past, old = await measure(args.repeat, lambda c=ci: ask(ESTATE_IMPACT, {"o": [c], "asOf": as_of}))
                    assert old["estate"]["impact"] == answer["impact"], "as of now-ish must equal now"
                    results[f"impact {name}"] = {
                        "ci": ci,
                        "impacted": answer["impact"]["totals"]["impacted"],
                        "plain": plain,
                        "what_if": whatif,
                        "as_of": past,
                        "ratio_what_if": whatif["median_ms"] / plain["median_ms"],
                        "ratio_as_of": past["median_ms"] / plain["median_ms"],
                    }
                    print(f"  impact {name}: {json.dumps(results[f'impact {name}'], default=str)}", flush=True)
                await ask(COST, {})
                plain, answer = await measure(args.repeat, lambda: ask(COST, {}))
                past, old = await measure(args.repeat, lambda: ask(ESTATE_COST, {"asOf": as_of}))
                whatif, _ = await measure(args.repeat, lambda: ask(ESTATE_COST, {"edits": edits}))
                assert old["estate"]["costAllocation"] == answer["costAllocation"]
                results["cost"] = {"plain (remembered)": plain, "as_of": past, "what_if": whatif}
                print(f"  cost: {json.dumps(results['cost'])}", flush=True)
                span = {"from": first.to_native().isoformat(), "to": datetime.now(UTC).isoformat()}
                diff, found = await measure(max(1, args.repeat // 2), lambda: ask(DIFF, span))
                results["estate_diff_whole_history"] = {**diff, "added": len(found["estateDiff"]["added"])}
                print(f"  estateDiff: {json.dumps(results['estate_diff_whole_history'])}", flush=True)
            memory = server.memory_mb()
        if args.prune:
            results["prune"] = await _prune(driver, db)
    result = {
        "benchmark": "estate",
        "size": args.size,
        "cis": cis,
        "cases": results,
        "server_memory": memory,
        "machine": machine(),
        "neo4j": settings.neo4j_version if conn.managed else conn.uri,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"estate-{args.size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("\n| case | plain (median) | what-if | as of (kept) | what-if / plain | as of / plain |")
    print("|---|---|---|---|---|---|")
    for name, c in results.items():
        if name.startswith("impact"):
            print(
                f"| {name} ({c['impacted']:,} impacted) | {c['plain']['median_ms']:.0f} ms | "
                f"{c['what_if']['median_ms']:.0f} ms | {c['as_of']['median_ms']:.0f} ms | "
                f"{c['ratio_what_if']:.1f}x | {c['ratio_as_of']:.1f}x |"
            )
    cost = results["cost"]
    print(
        f"| cost allocation | {cost['plain (remembered)']['median_ms']:.0f} ms | {cost['what_if']['median_ms']:.0f} ms "
        f"| {cost['as_of']['median_ms']:.0f} ms | | |"
    )
    print(f"as of a time not asked before (replay, graph, cost): {results['as_of_first_ask_cost']['median_ms']:.0f} ms")
    print(f"first what-if of now (loads the estate of now): {results['what_if_first_ask']['median_ms']:.0f} ms")
    print(f"estateDiff over the whole history: {results['estate_diff_whole_history']['median_ms']:.0f} ms")
    if "prune" in results:
        pr = results["prune"]
        print(
            f"pruned to now in {pr['prune_s']:.1f} s: a {pr['snapshot_mb']:.1f} MB snapshot, "
            f"{pr['states_freed_mb']:.1f} MB of states freed; the estate of now replayed from the start in "
            f"{pr['replay_from_start_s']:.1f} s, from the snapshot in {pr['from_snapshot_s']:.1f} s"
        )
    print(f"wrote {out}")


async def _prune(driver: Any, db: str) -> dict[str, Any]:
    """The history pruned to now, with what it costs and saves; the estate of now rebuilt before and after."""
    repo = ItemRepository(driver, db)
    started = time.perf_counter()
    before, _ = await journal.estate_as_of(repo, datetime.now(UTC))
    replayed = time.perf_counter() - started
    started = time.perf_counter()
    done = await journal.prune(driver, db, datetime.now(UTC))
    took = time.perf_counter() - started
    started = time.perf_counter()
    after, _ = await journal.estate_as_of(repo, datetime.now(UTC))
    loaded = time.perf_counter() - started
    assert len(after.items) == len(before.items)
    found = {
        "items": len(after.items),
        "replay_from_start_s": replayed,
        "prune_s": took,
        "snapshot_mb": done.snapshot_bytes / 1e6 if done else None,
        "states_freed_mb": done.bytes_freed / 1e6 if done else None,
        "entries_pruned": done.entries_pruned if done else 0,
        "from_snapshot_s": loaded,
    }
    print(f"  prune: {json.dumps(found)}", flush=True)
    return found


if __name__ == "__main__":
    asyncio.run(main())
