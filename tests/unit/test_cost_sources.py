"""Where a business unit's cost comes from (UnitCost.sources): hand-checked graphs, and on random graphs the sources
of each unit add up to what the allocation gives it, item by item what allocating that item's cost alone gives it
(hypothesis)."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.cost import CostEdge, allocate, contributions, money_context
from graphsvc.usecases.cost import cost_report, unit_sources
from tests.unit.test_cost import estates, record_of

D = Decimal
TINY = D("1e-40")
Estate = tuple[dict[str, Decimal], list[CostEdge], list[str]]


def close(found: dict[str, Decimal], expected: dict[str, Decimal]) -> bool:
    """The same items, each amount to within the arithmetic's error."""
    with localcontext(money_context()):
        return set(found) == set(expected) and all(abs(found[k] - expected[k]) < TINY for k in expected)


def third(n: int) -> Decimal:
    with localcontext(money_context()):
        return D(n) / 3


def record(nodes: list[tuple[str, str, Any]], **columns: list[Any]) -> dict[str, list[Any]]:
    """What cypher/cost/*.cypher read: nodes as (id, kind, monthlyCost), other columns empty unless given."""
    empty = ("dep_sources", "dep_targets", "dep_weights", "member_ids", "group_ids", "consumed_ids", "consumer_ids")
    return {
        "ids": [n for n, _, _ in nodes],
        "kinds": [k for _, k, _ in nodes],
        "costs": [c for _, _, c in nodes],
        "names": [f"name of {n}" for n, _, _ in nodes],
        **{c: [] for c in (*empty, "shares", "unit_ids", "unit_names")},
        **columns,
    }


# DB (300) under S1 (weight 2) and S2 (weight 1); BU-A consumes S1 alone and S2 with share 1, BU-B S2 with share 2.
SHARED = (
    {"DB": D(300), "S1": D(10), "S2": D(20)},
    [
        CostEdge("DB", "S1", D(2)),
        CostEdge("DB", "S2", D(1)),
        CostEdge("S1", "BU-A", D(1)),
        CostEdge("S2", "BU-A", D(1)),
        CostEdge("S2", "BU-B", D(2)),
    ],
)


def test_a_shared_database_reaches_two_units_through_two_services_by_weight_and_share() -> None:
    own, edges = SHARED
    # S1 = 10 + 200 goes to BU-A; S2 = 20 + 100 goes 1:2 to BU-A and BU-B
    with localcontext(money_context()):
        expected_a = {"DB": 200 + third(100), "S1": D(10), "S2": third(20)}
    assert close(contributions(own, edges, "BU-A"), expected_a)
    assert close(contributions(own, edges, "BU-B"), {"DB": third(200), "S2": third(40)})
    kept = allocate(own, edges, ["BU-A", "BU-B"]).kept
    assert kept == {"BU-A": D(250), "BU-B": D(80)}


def test_the_report_rounds_the_sources_to_add_up_to_the_units_amount_largest_first() -> None:
    own, edges = SHARED
    units = {"BU-A", "BU-B"}
    deps = [e for e in edges if e.target not in units]
    consumption = [e for e in edges if e.target in units]
    report = cost_report(
        record(
            [(n, "CONFIGURATION_ITEM" if n == "DB" else "SERVICE", own[n]) for n in own],
            dep_sources=[e.source for e in deps],
            dep_targets=[e.target for e in deps],
            dep_weights=[e.weight for e in deps],
            consumed_ids=[e.source for e in consumption],
            consumer_ids=[e.target for e in consumption],
            shares=[e.weight for e in consumption],
            unit_ids=sorted(units),
            unit_names=sorted(units),
        )
    )
    assert [(u.id, u.amount) for u in report.business_units] == [("BU-A", D("250.00")), ("BU-B", D("80.00"))]
    assert [(s.id, s.amount) for s in unit_sources(report, "BU-A")] == [
        ("DB", D("233.33")),
        ("S1", D("10.00")),
        ("S2", D("6.67")),
    ]
    assert [(s.id, s.own_cost, s.amount) for s in unit_sources(report, "BU-B")] == [
        ("DB", D("300.00"), D("66.67")),
        ("S2", D("20.00"), D("13.33")),
    ]
    assert unit_sources(report, "BU-B") is unit_sources(report, "BU-B")  # remembered
    assert unit_sources(report, "NO-SUCH-UNIT") == [] and unit_sources(report, "DB") == []


def test_a_cycle_is_one_pool_sharing_one_fraction() -> None:
    # A <-> B pool (30) fed by X (6); it leaves from B to U (weight 1) and from A to V (weight 3): U gets a quarter
    own = {"A": D(10), "B": D(20), "X": D(6)}
    edges = [
        CostEdge("A", "B", D(1)),
        CostEdge("B", "A", D(1)),
        CostEdge("X", "A", D(1)),
        CostEdge("B", "U", D(1)),
        CostEdge("A", "V", D(3)),
    ]
    assert contributions(own, edges, "U") == {"A": D("2.5"), "B": D(5), "X": D("1.5")}
    assert contributions(own, edges, "V") == {"A": D("7.5"), "B": D(15), "X": D("4.5")}
    assert allocate(own, edges, ["U", "V"]).kept == {"U": D(9), "V": D(27)}


def test_a_group_passes_on_its_members_costs_and_has_none_of_its_own() -> None:
    # DB1 and DB2 are members of RG (weight 1 each); APP depends on RG; BU consumes APP (share 0.5: its only consumer)
    report = cost_report(
        record(
            [
                ("DB1", "CONFIGURATION_ITEM", "100"),
                ("DB2", "CONFIGURATION_ITEM", 50.0),
                ("RG", "REDUNDANCY_GROUP", 99),  # a group's monthlyCost is not its own cost
                ("APP", "SERVICE", "10"),
            ],
            dep_sources=["RG"],
            dep_targets=["APP"],
            dep_weights=[1.0],
            member_ids=["DB1", "DB2"],
            group_ids=["RG", "RG"],
            consumed_ids=["APP"],
            consumer_ids=["BU"],
            shares=[0.5],
            unit_ids=["BU"],
            unit_names=["Business"],
        )
    )
    assert [(s.id, s.name, s.kind, s.own_cost, s.amount) for s in unit_sources(report, "BU")] == [
        ("DB1", "name of DB1", "CONFIGURATION_ITEM", D("100.00"), D("100.00")),
        ("DB2", "name of DB2", "CONFIGURATION_ITEM", D("50.00"), D("50.00")),
        ("APP", "name of APP", "SERVICE", D("10.00"), D("10.00")),
    ]


def test_cost_that_reaches_no_unit_is_no_ones_source() -> None:
    # DB is shared by S1 (consumed) and S3 (consumed by nobody): half of it reaches BU; ORPHAN and the P <-> Q pool
    # (no dependents) reach nothing, nor does what feeds only them
    own = {"DB": D(100), "S1": D(1), "S3": D(2), "ORPHAN": D(7), "P": D(3), "Q": D(4), "F": D(5)}
    edges = [
        CostEdge("DB", "S1", D(1)),
        CostEdge("DB", "S3", D(1)),
        CostEdge("S1", "BU", D(1)),
        CostEdge("P", "Q", D(1)),
        CostEdge("Q", "P", D(1)),
        CostEdge("F", "P", D(1)),
    ]
    assert contributions(own, edges, "BU") == {"DB": D(50), "S1": D(1)}
    assert contributions(own, edges, "IDLE") == {}
    assert allocate(own, edges, ["BU", "IDLE"]).kept["BU"] == 51


def test_a_retired_item_is_not_read_so_it_is_no_source_and_passes_nothing_on() -> None:
    # RETIRED-CI is not among the nodes read (cypher/cost/nodes.cypher skips RETIRED): DB's edge through it is dropped
    report = cost_report(
        record(
            [("APP", "SERVICE", "10"), ("DB", "CONFIGURATION_ITEM", "40")],
            dep_sources=["DB", "RETIRED-CI"],
            dep_targets=["RETIRED-CI", "APP"],
            dep_weights=[1.0, 1.0],
            consumed_ids=["APP"],
            consumer_ids=["BU"],
            shares=[1.0],
            unit_ids=["BU"],
            unit_names=["Business"],
        )
    )
    assert [(s.id, s.amount) for s in unit_sources(report, "BU")] == [("APP", D("10.00"))]
    assert report.unallocated == [("DB", "name of DB", D("40.00"))]


@st.composite
def dags(draw: st.DrawFn) -> Estate:
    """Random DAGs: edges only from a node to a later one or to a unit, with random costs, weights and shares."""
    n = draw(st.integers(1, 10))
    ids = [f"N{i}" for i in range(n)]
    units = [f"U{i}" for i in range(draw(st.integers(1, 3)))]
    own = {i: D(draw(st.integers(0, 100_000))) / 100 for i in ids}
    edges = []
    for k, a in enumerate(ids):
        for b in sorted(draw(st.sets(st.sampled_from(ids[k + 1 :] + units), max_size=3))):
            edges.append(CostEdge(a, b, D(draw(st.integers(1, 7))) / draw(st.sampled_from([1, 2, 4, 5, 10]))))
    return own, edges, units


def check_sources(own: dict[str, Decimal], edges: list[CostEdge], units: list[str]) -> None:
    a = allocate(own, edges, units)
    given_out = {n: D(0) for n in own}
    for u in units:
        found = contributions(own, edges, u)
        with localcontext(money_context()):
            assert abs(sum(found.values(), D(0)) - a.kept.get(u, D(0))) < TINY
            assert all(D(0) < v <= own[n] + TINY for n, v in found.items())
            for n, v in found.items():
                given_out[n] += v
        # linearity, item by item: what allocating its cost alone gives the unit
        for n in own:
            alone = allocate({n: own[n]}, edges, units).kept.get(u, D(0))
            assert abs(found.get(n, D(0)) - alone) < TINY
    with localcontext(money_context()):
        assert all(given_out[n] <= own[n] + TINY for n in own)  # no item gives away more than it has


@settings(max_examples=300, deadline=None)
@given(dags())
def test_on_random_dags_the_sources_add_up_to_each_units_amount(case: Estate) -> None:
    check_sources(*case)


@settings(max_examples=200, deadline=None)
@given(estates())
def test_with_cycles_too(case: Estate) -> None:
    check_sources(*case)


@settings(max_examples=200, deadline=None)
@given(st.one_of(dags(), estates()), st.integers(0, 2**32))
def test_the_rounded_sources_add_up_to_the_units_rounded_amount(case: Estate, seed: int) -> None:
    own, edges, units = case
    report = cost_report(record_of(own, edges, units, seed))
    for unit in report.business_units:
        found = unit_sources(report, unit.id)
        assert sum((s.amount for s in found), D("0.00")) == unit.amount
        assert all(D(0) <= s.amount <= s.own_cost == own[s.id] for s in found)
        assert found == sorted(found, key=lambda s: (-s.amount, s.id))
        assert len({s.id for s in found}) == len(found)
