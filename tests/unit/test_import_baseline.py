"""The import bench's second baseline (bench/import_bench.py `same_graph_rows`) writes the graph the import writes:
the same items with the same labels, and the same relationships with the same types, ends and properties. Its
ratio is reported as what graphsvc adds to writing the data, so it must not write less than the import does."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from bench.import_bench import raw_rows, same_graph_rows
from graphsvc.db import importer
from graphsvc.domain.rows import SYSTEM_PROPS, item_props
from graphsvc.domain.validation import validate_structure
from graphsvc.domain.vocabulary import Kind
from graphsvc.synth import generate_cmdb


def _plan(raw: dict[str, Any]) -> Any:
    doc = validate_structure(raw)
    # an empty database: planning reads nothing from the transaction
    return asyncio.run(importer._plan(None, doc, {}, importer.ImportSummary(), datetime.now(UTC)))  # type: ignore[arg-type]


def _comparable(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)  # a rule or attributes: the same JSON (85 and 85.0 alike)
    return value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value


def test_same_graph_baseline_writes_the_imports_items_and_relationships() -> None:
    raw = generate_cmdb(300, 7)
    plan = _plan(raw)
    nodes, rels = same_graph_rows(raw)

    assert Counter((n["label"], n["props"]["id"], n["props"]["itemKind"]) for n in nodes) == Counter(
        (kind.label, item.id, kind.value) for kind, item in plan.created
    )
    assert len(plan.created) > 300  # every kind, not only CIs
    # each item's properties: the import's (but for its bookkeeping), times sent apart to be made datetimes
    by_id = {n["props"]["id"]: n for n in nodes}
    for kind, item in plan.created:
        node = by_id[item.id]
        # (a policy's `ruleType` is graphsvc's copy of its rule's type, for its index: bookkeeping too)
        stored = {k: _comparable(v) for k, v in item_props(kind, item).items() if k not in SYSTEM_PROPS}
        given = {k: _comparable(v) for k, v in {**node["props"], **node["times"]}.items()}
        assert given == {**stored, "id": item.id, "itemKind": kind.value}

    written = Counter(
        (r["type"].value if hasattr(r["type"], "value") else r["type"], r["from"], r["to"], r["props"]["i"])
        for r in plan.rel_rows()
    )
    assert Counter((r["type"], r["f"], r["t"], r["props"]["i"]) for r in rels) == written
    assert len({r["type"] for r in rels}) > 5
    # the count the import plans with (its progress and summary) is the rows it makes
    assert plan.rel_count == len(rels)

    # each relationship's properties: the import's, values as the document gives them
    by_key = {(r["type"], r["f"], r["t"], r["props"]["i"]): r["props"] for r in rels}
    for r in plan.rel_rows():
        kind = r["type"].value if hasattr(r["type"], "value") else r["type"]
        given = by_key[(kind, r["from"], r["to"], r["props"]["i"])]
        assert {k: _comparable(v) for k, v in r["props"].items()} == {k: _comparable(v) for k, v in given.items()}


def test_same_graph_baseline_writes_the_plain_baselines_items_and_more() -> None:
    raw = generate_cmdb(200, 3)
    plain_nodes, plain_rels = raw_rows(raw)
    nodes, rels = same_graph_rows(raw)
    assert sorted(n["id"] for n in plain_nodes) == sorted(n["props"]["id"] for n in nodes)
    assert Counter((r["f"], r["t"]) for r in plain_rels) == Counter((r["f"], r["t"]) for r in rels)
    # times become datetimes: the baseline sends them apart from the other properties
    assert any(n["times"] for n in nodes)
    assert {n["label"] for n in nodes} == {k.label for k in Kind if raw.get(k.collection)}
