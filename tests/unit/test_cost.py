"""Cost allocation: hand-checked flows, conservation to the cent over random graphs, and agreement with an exact
(fractions and networkx) allocation to the cent (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.cost import CostEdge, allocate, cents, money_context, round_parts
from graphsvc.usecases.cost import cost_report

D = Decimal


def test_shared_ci_splits_by_weight_and_a_unit_keeps_what_reaches_it() -> None:
    # DB (300) is shared by APP1 (weight 2) and APP2 (weight 1); S1 uses APP1, S2 uses APP2; BU consumes S1 fully
    own = {"DB": D(300), "APP1": D(10), "APP2": D(20), "S1": D(0), "S2": D(5), "ORPHAN": D(7)}
    edges = [
        CostEdge("DB", "APP1", D(2)),
        CostEdge("DB", "APP2", D(1)),
        CostEdge("APP1", "S1", D(1)),
        CostEdge("APP2", "S2", D(1)),
        CostEdge("S1", "BU", D(1)),
    ]
    a = allocate(own, edges, ["BU"])
    assert a.totals["APP1"] == 210 and a.totals["APP2"] == 120
    assert a.kept == {"BU": D(210), "S2": D(125), "ORPHAN": D(7)}
    assert a.total == sum(a.kept.values()) == 342
    assert a.flows[("S1", "BU")] == 210


def test_a_cycle_is_one_pool() -> None:
    own = {"A": D(10), "B": D(20), "X": D(6)}
    edges = [CostEdge("A", "B", D(1)), CostEdge("B", "A", D(1)), CostEdge("X", "A", D(1)), CostEdge("B", "U", D(1))]
    a = allocate(own, edges, ["U"])
    assert a.totals["A"] == a.totals["B"] == 36
    assert a.kept == {"U": D(36)}


def test_rounded_parts_add_up_to_the_rounded_total() -> None:
    third = D(100) / 3
    parts = round_parts({"a": third, "b": third, "c": D(100) - 2 * third})
    assert sum(parts.values()) == Decimal("100.00")
    assert sorted(parts.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_half_cents_round_to_even_and_ties_go_by_key() -> None:
    assert cents(D("0.005")) == D("0.00") and cents(D("0.015")) == D("0.02")
    # two exact half cents and one cent to give: the smaller key gets it, whatever the last digits say
    assert round_parts({"b": D("0.005"), "a": D("0.005")}) == {"a": D("0.01"), "b": D("0.00")}


@st.composite
def estates(draw: st.DrawFn) -> tuple[dict[str, Decimal], list[CostEdge], list[str]]:
    n = draw(st.integers(1, 9))
    ids = [f"N{i}" for i in range(n)]
    units = [f"U{i}" for i in range(draw(st.integers(0, 3)))]
    own = {i: D(draw(st.integers(0, 100_000))) / 100 for i in ids}
    edges = []
    for a in ids:
        for b in sorted(draw(st.sets(st.sampled_from(ids + units), max_size=3)) - {a}):
            edges.append(CostEdge(a, b, D(draw(st.integers(1, 7))) / draw(st.sampled_from([1, 2, 4, 5, 10]))))
    return own, edges, units


@settings(max_examples=400, deadline=None)
@given(estates())
def test_conservation_non_negativity_and_cents(case: tuple[dict[str, Decimal], list[CostEdge], list[str]]) -> None:
    own, edges, units = case
    a = allocate(own, edges, units)
    assert a.total == sum(own.values(), D(0))
    with localcontext(money_context()):  # Decimal inside: conservation to 40 places, to the cent outside
        assert abs(sum(a.kept.values(), D(0)) - a.total) < D("1e-40")
    assert all(v >= 0 for v in a.kept.values()) and all(v >= 0 for v in a.flows.values())
    rounded = round_parts(a.kept)
    assert sum(rounded.values(), Decimal(0)) == cents(a.total)
    assert all(abs(a.kept[k] - v) < Decimal("0.0100001") for k, v in rounded.items())


def exact_kept(own: dict[str, Decimal], edges: list[CostEdge], units: list[str]) -> dict[str, Fraction]:
    """SEMANTICS.md done the obvious way: exact fractions over networkx's condensation, in topological order."""
    g = nx.DiGraph()
    g.add_nodes_from([*own, *units])
    weights: dict[tuple[str, str], Fraction] = {}
    for e in edges:
        g.add_edge(e.source, e.target)
        weights[(e.source, e.target)] = weights.get((e.source, e.target), Fraction(0)) + Fraction(e.weight)
    cond = nx.condensation(g)
    inflow: dict[int, Fraction] = {}
    kept: dict[str, Fraction] = {}
    for c in nx.topological_sort(cond):
        members = cond.nodes[c]["members"]
        total = sum((Fraction(own.get(n, 0)) for n in members), inflow.get(c, Fraction(0)))
        out = [(s, t) for s in members for t in g.successors(s) if t not in members]
        if not out:
            kept[min(members)] = total
        for s, t in out:
            share = total * weights[(s, t)] / sum(weights[x] for x in out)
            inflow[cond.graph["mapping"][t]] = inflow.get(cond.graph["mapping"][t], Fraction(0)) + share
    return kept


@settings(max_examples=300, deadline=None)
@given(estates())
def test_decimal_allocation_agrees_with_exact_fractions_to_the_cent(
    case: tuple[dict[str, Decimal], list[CostEdge], list[str]],
) -> None:
    own, edges, units = case
    a = allocate(own, edges, units)
    exact = exact_kept(own, edges, units)
    assert set(a.kept) == set(exact)
    # rounding the exact amounts (as decimals carried far enough) gives the same cents, part by part
    with localcontext(money_context()):
        as_decimals = {k: D(v.numerator) / D(v.denominator) for k, v in exact.items()}
        assert all(abs(a.kept[k] - as_decimals[k]) < D("1e-40") for k in exact)
    assert round_parts(a.kept) == round_parts(as_decimals)


def record_of(own: dict[str, Decimal], edges: list[CostEdge], units: list[str], seed: int) -> dict[str, list[Any]]:
    """What cypher/cost/*.cypher read, as columns, with nodes and edges in an order set by `seed` (Neo4j's store
    order is arbitrary)."""
    order = random.Random(seed)
    nodes = list(own)
    order.shuffle(nodes)
    edges = list(edges)
    order.shuffle(edges)
    deps = [e for e in edges if e.target not in units]
    consumption = [e for e in edges if e.target in units]
    return {
        "ids": nodes,
        "kinds": ["SERVICE" if int(n[1:]) % 2 else "CONFIGURATION_ITEM" for n in nodes],
        "costs": [str(own[n]) for n in nodes],
        "names": [f"name of {n}" for n in nodes],
        "dep_sources": [e.source for e in deps],
        "dep_targets": [e.target for e in deps],
        "dep_weights": [str(e.weight) for e in deps],
        "member_ids": [],
        "group_ids": [],
        "consumed_ids": [e.source for e in consumption],
        "consumer_ids": [e.target for e in consumption],
        "shares": [str(e.weight) for e in consumption],
        "unit_ids": list(units),
        "unit_names": [f"unit {u}" for u in units],
    }


@settings(max_examples=200, deadline=None)
@given(estates(), st.integers(0, 2**32))
def test_the_report_does_not_depend_on_the_order_neo4j_returns_rows_in(
    case: tuple[dict[str, Decimal], list[CostEdge], list[str]], seed: int
) -> None:
    own, edges, units = case
    first, second = cost_report(record_of(own, edges, units, seed)), cost_report(record_of(own, edges, units, seed + 1))
    assert first == second
    # and it is the allocation's answer: each unit gets its rounded kept amount, the rest is unallocated
    a = allocate(own, edges, units)
    kept = {**{u: D(0) for u in units}, **a.kept}
    rounded = round_parts(kept, a.total)
    assert [(u.id, u.amount) for u in first.business_units] == [(u, rounded[u]) for u in sorted(units)]
    assert first.unallocated == sorted(
        ((i, f"name of {i}", rounded[i]) for i in a.kept if i not in units and a.kept[i] != 0),
        key=lambda x: (-x[2], x[0]),
    )
    assert first.total == cents(a.total)


def test_an_edge_to_an_item_not_read_is_dropped_and_a_group_has_no_cost_of_its_own() -> None:
    record = {
        "ids": ["APP", "RG", "DB"],
        "kinds": ["SERVICE", "REDUNDANCY_GROUP", "CONFIGURATION_ITEM"],
        "costs": ["10", "99", 5.5],  # a group's monthlyCost is not its own cost
        "names": ["App", "Group", "Db"],
        "dep_sources": ["RG", "RETIRED-CI"],  # RETIRED-CI was not read (retired): its edge is dropped
        "dep_targets": ["APP", "APP"],
        "dep_weights": [1.0, 1.0],
        "member_ids": ["DB"],
        "group_ids": ["RG"],
        "consumed_ids": ["APP"],
        "consumer_ids": ["BU"],
        "shares": [1.0],
        "unit_ids": ["BU", "IDLE"],
        "unit_names": ["Business", "Idle unit"],
    }
    report = cost_report(record)
    assert report.total == D("15.50")
    assert [(u.id, u.name, u.amount, u.by_service) for u in report.business_units] == [
        ("BU", "Business", D("15.50"), [("APP", D("15.50"))]),
        ("IDLE", "Idle unit", D("0.00"), []),
    ]
    assert report.unallocated == [] and report.unallocated_total == 0
    assert [(s.id, s.own_cost, s.total) for s in report.services] == [("APP", D("10.00"), D("15.50"))]
