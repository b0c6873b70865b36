"""Discovery benchmark: a generated cluster of N workloads (as `kubectl get deploy,sts,svc,cm -A -o json` lists it)
read and reconciled into an empty CMDB, on the bench's own Neo4j:

- reading the manifest list (parse, resolve every reference, scrub secrets), in process;
- the dry run, the first run (everything created), a second run of the same list (nothing changed: the common
  case of a scheduled run), and a run after 1% of the workloads went away (retired) and 1% came (created).

Each workload is a Deployment (5% StatefulSets running postgres) with a Service selecting it; its containers name
two other workloads' Services (one as a bare `svc:port`, one as a cluster-local URL) and a ConfigMap carrying a
database URL with credentials. Results go to bench/results/discovery-<n>.json.

    python bench/discovery_bench.py [--workloads 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import RESULTS, bench_database, machine
from graphsvc.db.audit import Audit
from graphsvc.db.discovery import run_discovery
from graphsvc.discovery.kubernetes import read_manifests

WHO = Audit("bench", "discovery bench", "discover kubernetes")
NAMESPACES = 10


def cluster(workloads: int, seed: int) -> dict[str, Any]:
    """A `kubectl get -o json` List of `workloads` workloads with their Services and ConfigMaps."""
    rng = random.Random(seed)
    items: list[dict[str, Any]] = []
    names = [(f"ns-{n % NAMESPACES}", f"app-{n:05d}") for n in range(workloads)]
    for n, (ns, name) in enumerate(names):
        kind = "StatefulSet" if n % 20 == 0 else "Deployment"
        image = "postgres:16" if kind == "StatefulSet" else f"registry.example/{name}:1.{n % 7}"
        a_ns, a = names[rng.randrange(workloads)]
        b_ns, b = names[rng.randrange(workloads)]
        env = [
            {"name": "UPSTREAM_ADDR", "value": f"{a}.{a_ns}:8080"},
            {"name": "CATALOG_URL", "value": f"http://{b}.{b_ns}.svc.cluster.local:8080/api"},
            {"name": "DB_PASSWORD", "value": f"pw-{rng.getrandbits(32):x}"},
        ]
        labels = {"app": name, "team": f"team-{n % 13}"}
        container = {"name": "main", "image": image, "env": env, "envFrom": [{"configMapRef": {"name": f"{name}-cfg"}}]}
        items.append(
            {
                "apiVersion": "apps/v1",
                "kind": kind,
                "metadata": {"name": name, "namespace": ns, "labels": labels},
                "spec": {
                    "replicas": 1 + n % 3,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
                },
            }
        )
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"selector": {"app": name}, "ports": [{"port": 8080}]},
            }
        )
        db_ns, db = names[(n // 20) * 20]
        items.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"{name}-cfg", "namespace": ns},
                "data": {"DATABASE_URL": f"postgresql://app:secret-{n}@{db}.{db_ns}:5432/app"},
            }
        )
    return {"apiVersion": "v1", "kind": "List", "items": items}


async def _clear(driver: Any, database: str) -> None:
    """What earlier runs of this bench wrote (its items, their audit entries stay), and nothing else."""
    async with driver.session(database=database) as session:  # CALL { } IN TRANSACTIONS: an auto-commit query
        await (
            await session.run(
                "MATCH (n) WHERE (n:Item AND n.id STARTS WITH 'k8s:bench:') OR (n:DiscoveryRun AND n.source = $source) "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
                source="kubernetes:bench",
            )
        ).consume()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workloads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    text = json.dumps(cluster(args.workloads, args.seed)).encode()
    results: dict[str, Any] = {"manifest_mb": len(text) / 1e6}
    started = time.perf_counter()
    seen = read_manifests([("cluster.json", text)], "bench", None)
    results["read_s"] = time.perf_counter() - started
    results["items"], results["dependencies"] = len(seen.items), len(seen.dependencies)
    print(
        f"  read {results['manifest_mb']:.1f} MB: {len(seen.items):,} items, {len(seen.dependencies):,} "
        f"dependencies in {results['read_s']:.1f} s",
        flush=True,
    )
    # its own managed Neo4j unless told otherwise; and it removes only what it wrote (the source kubernetes:bench)
    os.environ.setdefault("GRAPHSVC_BENCH_DATA_DIR", ".graphsvc-bench-discovery")
    os.environ.setdefault("GRAPHSVC_BENCH_BOLT_PORT", "17690")
    async with bench_database() as (settings, conn, driver):
        await _clear(driver, conn.database)
        now = datetime.now(UTC)

        async def timed(name: str, observation: Any, at: datetime, dry_run: bool = False) -> Any:
            started = time.perf_counter()
            outcome = await run_discovery(
                driver, conn.database, observation, now=at, grace=timedelta(0), dry_run=dry_run, audit=WHO
            )
            took = time.perf_counter() - started
            plan = outcome.plan
            results[name] = {
                "s": took,
                "created": len(plan.created),
                "updated": len(plan.updated),
                "retired": len(plan.retired),
                "unchanged": len(plan.unchanged),
                "dependencies_added": len(plan.dependencies_added),
            }
            print(f"  {name}: {json.dumps(results[name])}", flush=True)
            return outcome

        await timed("dry_run", seen, now, dry_run=True)
        await timed("first_run", seen, now)
        await timed("same_again", seen, now + timedelta(hours=1))
        churned = cluster(args.workloads, args.seed)
        gone = args.workloads // 100
        churned["items"] = churned["items"][3 * gone :] + cluster(gone, args.seed + 1)["items"]  # 1% out, 1% in
        for item in churned["items"][-3 * gone :]:
            item["metadata"]["name"] = "new-" + item["metadata"]["name"]
        moved = read_manifests([("cluster.json", json.dumps(churned).encode())], "bench", None)
        await timed("churn_1pct", moved, now + timedelta(hours=2))
        await _clear(driver, conn.database)
    result = {
        "benchmark": "discovery",
        "workloads": args.workloads,
        "cases": results,
        "machine": machine(),
        "neo4j": settings.neo4j_version if conn.managed else conn.uri,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"discovery-{args.workloads}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
