"""The synthetic CMDB generator: valid, reference-closed, exact in size and deterministic."""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from graphsvc.domain.validation import check_references, validate_structure
from graphsvc.synth import generate_cmdb

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "graphsvc" / "cmdb-exchange.schema.json"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

# list field -> (reference field, kinds it may name); kinds are the document's top-level lists
_REFS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "requirements": (("refines", ("requirements",)), ("raisedBy", ("businessUnits",))),
    "metrics": (("requirement", ("requirements",)),),
    "services": (("owner", ("teams",)), ("satisfies", ("requirements",))),
    "configurationItems": (("site", ("sites",)), ("owner", ("teams",))),
    "redundancyGroups": (("members", ("configurationItems", "services")),),
    "dependencies": (
        ("from", ("services", "configurationItems", "redundancyGroups")),
        ("to", ("services", "configurationItems", "redundancyGroups")),
    ),
    "consumption": (("businessUnit", ("businessUnits",)), ("service", ("services",))),
    "slas": (("service", ("services",)), ("businessUnit", ("businessUnits",))),
    "policies": (("governs", ("services", "configurationItems", "processes")),),
    "processes": (("interfacesWith", ("processes",)),),
    "incidents": (("affects", ("configurationItems", "services")), ("problem", ("problems",))),
    "problems": (("causedBy", ("configurationItems", "services")),),
    "changes": (
        ("modifies", ("configurationItems", "services", "redundancyGroups")),
        ("release", ("releases",)),
        ("resolves", ("problems",)),
    ),
}


def _checker() -> FormatChecker:
    """A format checker whose date-time check does not depend on optional packages."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            raise ValueError(f"not RFC 3339 with an offset: {value!r}")
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_checker())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(doc)]


def ids_by_kind(doc: dict[str, Any]) -> dict[str, set[str]]:
    """Ids per top-level list; fails if an id repeats anywhere in the document."""
    seen: dict[str, str] = {}
    out: dict[str, set[str]] = {}
    for kind, items in doc.items():
        if not isinstance(items, list) or kind in ("dependencies", "consumption"):
            continue
        out[kind] = set()
        for item in items:
            assert item["id"] not in seen, f"{item['id']} in {kind} and {seen[item['id']]}"
            seen[item["id"]] = kind
            out[kind].add(item["id"])
    return out


def dangling_references(doc: dict[str, Any]) -> list[str]:
    """Every reference that does not name an item of an allowed kind, plus self-dependencies."""
    ids = ids_by_kind(doc)
    bad: list[str] = []
    for kind, refs in _REFS.items():
        for item in doc.get(kind, []):
            for field, targets in refs:
                value = item.get(field)
                for ref in value if isinstance(value, list) else [] if value is None else [value]:
                    if not any(ref in ids.get(t, ()) for t in targets):
                        bad.append(f"{kind} {item.get('id', item)}.{field} -> {ref}")
    bad += [f"self-dependency {d['from']}" for d in doc.get("dependencies", []) if d["from"] == d["to"]]
    for kind, refs in _REFS.items():  # the importer rejects an id listed twice
        for item in doc.get(kind, []):
            lists = [(f, item[f]) for f, _ in refs if isinstance(item.get(f), list)]
            bad += [f"{item['id']}.{f} repeats" for f, v in lists if len(set(v)) < len(v)]
    edges = [(d["from"], d["to"]) for d in doc.get("dependencies", [])]
    consumers = [(c["businessUnit"], c["service"]) for c in doc.get("consumption", [])]
    bad += ["a dependency repeats"] if len(set(edges)) < len(edges) else []
    bad += ["a consumption repeats"] if len(set(consumers)) < len(consumers) else []
    return bad


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, separators=(",", ":"))


@pytest.mark.parametrize(("cis", "seed"), [(0, 1), (1, 1), (7, 2), (250, 3), (3_000, 4)])
def test_generated_document_is_valid_and_closed(cis: int, seed: int) -> None:
    doc = generate_cmdb(cis, seed)
    assert schema_errors(doc) == []
    assert dangling_references(doc) == []
    assert len(doc["configurationItems"]) == cis


def test_the_importer_accepts_generated_documents() -> None:
    for cis, seed in ((1, 1), (500, 2), (5_000, 3)):
        check_references(validate_structure(generate_cmdb(cis, seed)), {})


@pytest.mark.parametrize("cis", [0, 1, 2, 9, 11, 101, 4_321])
def test_exact_number_of_cis(cis: int) -> None:
    assert len(generate_cmdb(cis)["configurationItems"]) == cis


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first = dumps(generate_cmdb(2_000, 42))
    assert first == dumps(generate_cmdb(2_000, 42))
    assert first != dumps(generate_cmdb(2_000, 43))


@pytest.mark.parametrize("cis", [10_000, 12_345])
def test_progress_counts_up_to_cis(cis: int) -> None:
    calls: list[int] = []
    generate_cmdb(cis, 5, progress=calls.append)
    assert calls == sorted(set(calls))
    assert calls[0] > 0
    assert calls[-1] == cis


def test_shape_of_a_mid_sized_estate() -> None:
    doc = generate_cmdb(5_000, 7)
    cis = doc["configurationItems"]
    retired = sum(c["status"] == "RETIRED" for c in cis)
    assert 0.003 * len(cis) < retired < 0.03 * len(cis)
    assert {c["type"] for c in cis} >= {"APPLICATION", "DATABASE", "SERVER", "STORAGE", "NETWORK_DEVICE"}
    assert {s["tier"] for s in doc["services"]} == {"BUSINESS", "TECHNICAL"}
    assert any(d.get("strength") == "SOFT" for d in doc["dependencies"])
    assert any(g["minHealthy"] < len(g["members"]) for g in doc["redundancyGroups"])
    assert len(doc["incidents"]) == 500
    assert {r["kind"] for r in doc["requirements"]} == {"BUSINESS", "SERVICE", "OPERATIONAL", "TECHNOLOGY"}
    assert {p["rule"]["type"] for p in doc["policies"] if "rule" in p} == {
        "CHANGE_FREEZE",
        "MAINTENANCE_WINDOW",
        "CAB_APPROVAL",
        "NO_SINGLE_POINT_OF_FAILURE",
        "RECOVERY_OBJECTIVES_MET",
        "OWNER_REQUIRED",
        "CAPACITY_HEADROOM",
    }
    assert {c["status"] for c in doc["changes"]} == {
        "DRAFT",
        "SUBMITTED",
        "APPROVED",
        "SCHEDULED",
        "IMPLEMENTED",
        "FAILED",
        "CANCELLED",
    }
    fan_in: dict[str, int] = {}
    for d in doc["dependencies"]:
        fan_in[d["to"]] = fan_in.get(d["to"], 0) + 1
    assert max(fan_in.values()) >= 20 * (len(doc["dependencies"]) / len(fan_in))  # power law: hubs exist


def _has_cycle(doc: dict[str, Any]) -> bool:
    graph: dict[str, list[str]] = {}
    for d in doc["dependencies"]:
        graph.setdefault(d["from"], []).append(d["to"])
    for g in doc["redundancyGroups"]:
        graph.setdefault(g["id"], []).extend(g["members"])
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in graph:
        stack = [(root, iter(graph.get(root, [])))]
        if root in state:
            continue
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return True
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(graph.get(child, []))))
    return False


def test_a_few_cycles_exist() -> None:
    assert _has_cycle(generate_cmdb(2_000, 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cis=st.integers(min_value=0, max_value=150), seed=st.integers(min_value=0, max_value=2**32))
def test_any_small_estate_is_valid_and_closed(cis: int, seed: int) -> None:
    doc = generate_cmdb(cis, seed)
    assert len(doc["configurationItems"]) == cis
    assert schema_errors(doc) == []
    assert dangling_references(doc) == []
