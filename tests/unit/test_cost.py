"""Cost allocation: hand-checked flows, and conservation to the cent over random graphs (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.cost import CostEdge, allocate, round_parts

F = Fraction


def test_shared_ci_splits_by_weight_and_a_unit_keeps_what_reaches_it() -> None:
    # DB (300) is shared by APP1 (weight 2) and APP2 (weight 1); S1 uses APP1, S2 uses APP2; BU consumes S1 fully
    own = {"DB": F(300), "APP1": F(10), "APP2": F(20), "S1": F(0), "S2": F(5), "ORPHAN": F(7)}
    edges = [
        CostEdge("DB", "APP1", F(2)),
        CostEdge("DB", "APP2", F(1)),
        CostEdge("APP1", "S1", F(1)),
        CostEdge("APP2", "S2", F(1)),
        CostEdge("S1", "BU", F(1)),
    ]
    a = allocate(own, edges, ["BU"])
    assert a.totals["APP1"] == 210 and a.totals["APP2"] == 120
    assert a.kept == {"BU": F(210), "S2": F(125), "ORPHAN": F(7)}
    assert a.total == sum(a.kept.values()) == 342
    assert a.flows[("S1", "BU")] == 210


def test_a_cycle_is_one_pool() -> None:
    own = {"A": F(10), "B": F(20), "X": F(6)}
    edges = [CostEdge("A", "B", F(1)), CostEdge("B", "A", F(1)), CostEdge("X", "A", F(1)), CostEdge("B", "U", F(1))]
    a = allocate(own, edges, ["U"])
    assert a.totals["A"] == a.totals["B"] == 36
    assert a.kept == {"U": F(36)}


def test_rounded_parts_add_up_to_the_rounded_total() -> None:
    thirds = {"a": F(100, 3), "b": F(100, 3), "c": F(100, 3)}
    parts = round_parts(thirds)
    assert sum(parts.values()) == Decimal("100.00")
    assert sorted(parts.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


@st.composite
def estates(draw: st.DrawFn) -> tuple[dict[str, Fraction], list[CostEdge], list[str]]:
    n = draw(st.integers(1, 9))
    ids = [f"N{i}" for i in range(n)]
    units = [f"U{i}" for i in range(draw(st.integers(0, 3)))]
    own = {i: F(draw(st.integers(0, 100_000)), 100) for i in ids}
    edges = []
    for a in ids:
        for b in sorted(draw(st.sets(st.sampled_from(ids + units), max_size=3)) - {a}):
            edges.append(CostEdge(a, b, F(draw(st.integers(1, 7)), draw(st.integers(1, 4)))))
    return own, edges, units


@settings(max_examples=400, deadline=None)
@given(estates())
def test_conservation_non_negativity_and_cents(case: tuple[dict[str, Fraction], list[CostEdge], list[str]]) -> None:
    own, edges, units = case
    a = allocate(own, edges, units)
    assert sum(a.kept.values(), F(0)) == a.total == sum(own.values(), F(0))
    assert all(v >= 0 for v in a.kept.values()) and all(v >= 0 for v in a.flows.values())
    rounded = round_parts(a.kept)
    assert sum(rounded.values(), Decimal(0)) == round_parts({"t": a.total})["t"]
    assert all(abs(Decimal(float(a.kept[k])) - v) < Decimal("0.0100001") for k, v in rounded.items())
