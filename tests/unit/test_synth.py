"""The synthetic CMDB generator: valid, reference-closed, exact in size and deterministic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.domain.validation import check_references, validate_structure
from graphsvc.synth import generate_cmdb
from tests.unit.exchange_checks import dangling_references, schema_errors


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
