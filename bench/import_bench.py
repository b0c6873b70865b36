"""Import benchmark: `graphsvc import` of a generated CMDB against raw-Cypher bulk loads of the same items.

Two baselines, both batched UNWIND statements with no validation:
- the plainest (the goal's baseline): every item as an `:Item` node with its scalar fields, every reference as a
  `DEPENDS_ON` relationship without properties;
- the same graph (on unless `--no-same-graph`): what the import stores of the document, written by hand: each item
  with its kind's label, its times as datetimes, each relationship with its type and properties (a listed
  reference's order, a dependency's kind, strength and weight, a share). The import's ratio to it is what graphsvc
  adds to writing the data (validation, content hashes, versions and times, audit entries, the journal's states).

All run in the same process, on the same managed Neo4j, in the same run, so the ratios are meaningful on any
machine; they alternate for --repeat rounds and the medians are reported. Results go to
bench/results/import-<size>.json and are printed as a table.

    python bench/import_bench.py --size 100k [--seed 1] [--batch-size 5000] [--repeat 3] [--no-same-graph]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver

from bench.common import SIZES, bench_database, machine
from graphsvc.db.audit import Audit
from graphsvc.db.connection import local_server, open_async_driver, resolve_connection
from graphsvc.db.importer import import_document
from graphsvc.db.initial_load import initial_load
from graphsvc.domain.vocabulary import Kind, owned_fields
from graphsvc.settings import Settings
from graphsvc.synth import generate_cmdb

RESULTS = Path(__file__).resolve().parent / "results"

# The floor: the same nodes and relationships written with the plainest batched Cypher, no validation.
RAW_NODES = "UNWIND $rows AS row CREATE (n:Item) SET n = row"
RAW_RELS = "UNWIND $rows AS row MATCH (a:Item {id: row.f}) MATCH (b:Item {id: row.t}) CREATE (a)-[:DEPENDS_ON]->(b)"
# The same graph as the import's, by hand (`same_graph_rows`).
SAME_NODES = (
    "UNWIND $rows AS row CREATE (n:Item:$(row.label)) SET n = row.props "
    "FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))"
)
SAME_RELS = (
    "UNWIND $rows AS row MATCH (a:Item {id: row.f}) MATCH (b:Item {id: row.t}) "
    "CREATE (a)-[r:$(row.type)]->(b) SET r = row.props"
)
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # an exchange timestamp (RFC 3339)


async def wipe(driver: AsyncDriver, database: str) -> None:
    """Relationships first, then nodes, each in batches: at 1M CIs, DETACH DELETE of 20,000 nodes at a time took a
    hub's 100,000 relationships into one transaction and ran out of Neo4j's transaction memory."""
    async with driver.session(database=database) as session:
        for statement in (
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS",
            "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS",
        ):
            await (await session.run(statement)).consume()


def raw_rows(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Nodes with their scalar fields and every reference as a plain relationship row."""
    nodes: list[dict[str, Any]] = []
    rels: list[dict[str, str]] = []
    for kind in Kind:
        for item in doc.get(kind.collection, []):
            row: dict[str, Any] = {}
            for key, value in item.items():
                if isinstance(value, list):
                    rels.extend({"f": item["id"], "t": t} for t in value if isinstance(t, str))
                elif isinstance(value, dict):
                    row[key] = json.dumps(value)
                elif key in ("owner", "site", "requirement", "service", "businessUnit", "release", "problem"):
                    rels.append({"f": item["id"], "t": value})
                else:
                    row[key] = value
            nodes.append(row)
    rels.extend({"f": d["from"], "t": d["to"]} for d in doc.get("dependencies", []))
    rels.extend({"f": c["businessUnit"], "t": c["service"]} for c in doc.get("consumption", []))
    return nodes, rels


def same_graph_rows(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The import's graph of a document as rows for SAME_NODES and SAME_RELS: each item with its kind's label and
    `itemKind`, nested values as JSON text, times to be made datetimes; each relationship with its type and the
    properties the import gives it. graphsvc's own bookkeeping (content hash, version, created and updated times) is
    left out: it is part of what the import's ratio to this baseline measures."""
    nodes: list[dict[str, Any]] = []
    rels: list[dict[str, Any]] = []
    for kind in Kind:
        owned = {r.field: r.type.value for r in owned_fields(kind)}
        for item in doc.get(kind.collection, []):
            props: dict[str, Any] = {"itemKind": kind.value}
            times: dict[str, str] = {}
            for key, value in item.items():
                if value is None:  # not stored
                    continue
                if key in owned:
                    targets = value if isinstance(value, list) else [value]
                    rels.extend(
                        {"f": item["id"], "t": t, "type": owned[key], "props": {"i": i}} for i, t in enumerate(targets)
                    )
                elif isinstance(value, dict | list):
                    props[key] = json.dumps(value, sort_keys=True, separators=(",", ":"))
                elif isinstance(value, str) and _TIME.match(value):
                    times[key] = value
                else:
                    props["releaseVersion" if key == "version" else key] = value  # `version` is graphsvc's
            nodes.append({"label": kind.label, "props": props, "times": times})
    for i, dep in enumerate(doc.get("dependencies", [])):
        # the exchange format's defaults, as the import stores them
        props = {"i": i, "kind": "USES", "strength": "HARD", "weight": 1.0}
        props.update((k, v) for k, v in dep.items() if k not in ("from", "to"))
        if "attributes" in props:
            props["attributes"] = json.dumps(props["attributes"], sort_keys=True, separators=(",", ":"))
        rels.append({"f": dep["from"], "t": dep["to"], "type": "DEPENDS_ON", "props": props})
    for i, con in enumerate(doc.get("consumption", [])):
        rels.append(
            {
                "f": con["businessUnit"],
                "t": con["service"],
                "type": "CONSUMES",
                "props": {"i": i, "share": con["share"]},
            }
        )
    return nodes, rels


async def raw_load(
    driver: AsyncDriver, database: str, doc: dict[str, Any], batch: int, *, same_graph: bool = False
) -> None:
    """A baseline load: the plainest (`raw_rows`), or the import's graph by hand (`same_graph_rows`)."""
    nodes, rels = same_graph_rows(doc) if same_graph else raw_rows(doc)
    statements = (SAME_NODES, SAME_RELS) if same_graph else (RAW_NODES, RAW_RELS)
    async with driver.session(database=database) as session:
        for statement, rows in zip(statements, (nodes, rels), strict=True):
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                await session.execute_write(lambda tx, c=chunk, s=statement: _run(tx, s, c))


async def _run(tx: Any, statement: str, rows: list[Any]) -> None:
    await (await tx.run(statement, rows=rows)).consume()


class Phases:
    """Seconds spent in each of the import's named steps, from its `phase` callback."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def start(self, name: str) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self.seconds[self._current[0]] = now - self._current[1]
        self._current = (name, now)


async def timed(label: str, work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s", flush=True)
    return elapsed, result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="100k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=Settings().import_batch_size)
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="rounds of (raw load, import), medians reported; default 3, and 1 at 1m (this machine's timings vary "
        "by a third from run to run, so one round is not a figure)",
    )
    parser.add_argument(
        "--no-same-graph",
        dest="same_graph",
        action="store_false",
        help="leave out the second baseline (the import's graph written by hand); the plainest one always runs",
    )
    args = parser.parse_args()
    cis = SIZES[args.size]
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    rounds = args.repeat or (1 if cis >= 1_000_000 else 3)

    # A managed server of its own, unless NEO4J_URI points elsewhere.
    async with bench_database() as (settings, conn, driver):
        db = conn.database
        print(f"generating {cis:,} CIs (seed {args.seed})", flush=True)
        gen_s, doc = await timed("generate", lambda: asyncio.to_thread(generate_cmdb, cis, args.seed))
        raw_runs: list[float] = []
        same_runs: list[float] = []
        import_runs: list[float] = []
        phase_runs: list[dict[str, float]] = []
        load_runs: list[float] = []
        load_phase_runs: list[dict[str, float]] = []
        # Rounds of (raw load, import) on one running server, then the initial loads: each of those restarts
        # Neo4j, and a statement's first runs after a restart are compiled afresh (a raw load right after one took
        # 4.2 s at 10k against 1.7 s warm, which flattered an import measured after it). The first round is the
        # cold one for both sides; medians are reported.
        for n in range(rounds):
            print(f"round {n + 1} of {rounds}", flush=True)
            await wipe(driver, db)
            raw_s, _ = await timed(
                "raw Cypher bulk load (baseline)", partial(raw_load, driver, db, doc, args.batch_size)
            )
            raw_runs.append(raw_s)
            if args.same_graph:
                await wipe(driver, db)
                same_s, _ = await timed(
                    "raw Cypher, the import's graph (baseline)",
                    partial(raw_load, driver, db, doc, args.batch_size, same_graph=True),
                )
                same_runs.append(same_s)
            await wipe(driver, db)
            phases = Phases()
            imp_s, summary = await timed(
                "graphsvc import",
                partial(import_document, driver, db, doc, batch_size=args.batch_size, phase=phases.start),
            )
            phases.start("done")
            print("    " + ", ".join(f"{name} {s:.1f} s" for name, s in phases.seconds.items()), flush=True)
            phase_runs.append(phases.seconds)
            import_runs.append(imp_s)
        again_s, again = await timed(
            "graphsvc import again (no-op)", lambda: import_document(driver, db, doc, batch_size=args.batch_size)
        )
        for n in range(rounds if conn.managed else 0):  # the bulk importer runs on the managed server's files
            print(f"initial load {n + 1} of {rounds}", flush=True)
            await wipe(driver, db)
            loaded_s, loaded = await timed(
                "graphsvc import --initial-load",
                lambda: asyncio.to_thread(
                    initial_load,
                    local_server(settings),
                    lambda: resolve_connection(settings),
                    doc,
                    audit=Audit("bench", "import bench", "import"),
                ),
            )
            print("    " + ", ".join(f"{name} {s:.1f} s" for name, s in loaded.phases.items()), flush=True)
            load_runs.append(loaded_s)
            load_phase_runs.append(loaded.phases)
            # the server was restarted under the driver: a new one, rather than its pool's dead connections
            await driver.close()
            driver = open_async_driver(conn)
        await driver.close()
    raw_s, imp_s = statistics.median(raw_runs), statistics.median(import_runs)
    same_s = statistics.median(same_runs) if same_runs else None
    load_s = statistics.median(load_runs) if load_runs else None

    items = summary.created
    rels = summary.relationships
    result = {
        "benchmark": "import",
        "size": args.size,
        "cis": cis,
        "items": items,
        "relationships": rels,
        "seconds": {
            "generate": gen_s,
            "raw_baseline": raw_s,
            "raw_same_graph": same_s,  # None: --no-same-graph
            "import": imp_s,
            "reimport_noop": again_s,
        },
        # the medians above are of these
        "rounds": {"raw_baseline": raw_runs, "raw_same_graph": same_runs, "import": import_runs},
        "import_phases": phase_runs,  # each round's import, step by step (validating, ..., writing)
        # `graphsvc import --initial-load` into the emptied database (db/initial_load.py): the median, each round's
        # seconds and phases, and its ratio to the raw baseline (None: not a managed server)
        "initial_load": None
        if load_s is None
        else {
            "seconds": load_s,
            "rounds": load_runs,
            "phases": load_phase_runs,
            "ratio_to_raw": load_s / raw_s,
            "items_and_relationships_per_second": (summary.created + summary.relationships) / load_s,
        },
        "items_per_second": items / imp_s,
        "items_and_relationships_per_second": (items + rels) / imp_s,
        "raw_baseline_items_and_relationships_per_second": (items + rels) / raw_s,
        "ratio_import_to_raw": imp_s / raw_s,
        "ratio_import_to_raw_same_graph": None if same_s is None else imp_s / same_s,
        "ratio_same_graph_to_raw": None if same_s is None else same_s / raw_s,
        "reimport_unchanged": again.unchanged,
        "batch_size": args.batch_size,
        "machine": machine(),
        "neo4j": settings.neo4j_version if conn.managed else conn.uri,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"import-{args.size}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\n| CMDB | items | relationships | import | items/s | items+rels/s | raw Cypher | ratio |\n"
        f"|---|---|---|---|---|---|---|---|\n"
        f"| {args.size} | {items:,} | {rels:,} | {imp_s:.1f} s | {items / imp_s:,.0f} | "
        f"{(items + rels) / imp_s:,.0f} | {raw_s:.1f} s | {imp_s / raw_s:.2f}x |"
    )
    if rounds > 1:
        print(
            f"medians of {rounds} rounds; import {', '.join(f'{x:.1f}' for x in import_runs)} s, "
            f"raw {', '.join(f'{x:.1f}' for x in raw_runs)} s"
        )
    if same_s is not None:
        print(
            f"raw Cypher writing the import's graph (kind labels, typed relationships with their properties, times): "
            f"{same_s:.1f} s ({', '.join(f'{x:.1f}' for x in same_runs)} s), {same_s / raw_s:.2f}x the plainest; "
            f"the import {imp_s / same_s:.2f}x it"
        )
    if load_s is not None:
        print(f"initial load (neo4j-admin database import): {load_s:.1f} s, {load_s / raw_s:.2f}x raw Cypher")
    print(f"re-import of the same document: {again_s:.1f} s, {again.unchanged:,} unchanged\nwrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
