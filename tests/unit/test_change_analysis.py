"""Change analyses against SEMANTICS.md ("Changes", "Policies"): conflicts, change rules and risk, without a database.

Graphs are built by hand (the helper follows tests/unit/test_impact.py, with services added); changes and policies
are plain `ChangeRecord` / `PolicyRule` objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from graphsvc.analysis import change_rules
from graphsvc.analysis.conflicts import Conflict, ImpactOf, conflict_between, conflicts, reason_between
from graphsvc.analysis.exposure import ImpactedService, impacted_services
from graphsvc.analysis.impact import Impact, compute_impact
from graphsvc.analysis.risk import Risk, RiskInputs, RiskWeights, level_of, load_weights, score
from graphsvc.domain.changes import (
    PENDING,
    ChangeRecord,
    ChangeStatus,
    ChangeType,
    ConflictReason,
    History,
    PolicyRule,
    RiskLevel,
)
from graphsvc.domain.graph import DependencyGraph, Edge, Node, Status
from graphsvc.domain.vocabulary import Kind

CI, SVC, RG = Kind.CONFIGURATION_ITEM, Kind.SERVICE, Kind.REDUNDANCY_GROUP
SAME, DEPENDENT, COMPOUNDED, SHARED = (
    ConflictReason.SAME_ITEM,
    ConflictReason.DEPENDENT_ITEM,
    ConflictReason.COMPOUNDED,
    ConflictReason.SHARED_IMPACT,
)
FACTORS = (
    "service_impact",
    "business_units",
    "slas",
    "failed_changes",
    "incidents",
    "conflicts",
    "policy_violations",
    "change_type",
)


# ---- helpers ----------------------------------------------------------------------------------------------


def graph(
    deps: str,
    groups: dict[str, tuple[int, list[str]]] | None = None,
    services: dict[str, int] | None = None,
    retired: frozenset[str] = frozenset(),
) -> DependencyGraph:
    """`"A>B A~C"`: A needs B (HARD), A uses C (SOFT); groups {G: (minHealthy, members)}; services {id: criticality}.

    Every id that is neither a group nor a service is a CI; a service named S is called "S service".
    """
    groups = groups or {}
    services = services or {}
    edges, ids = [], set(groups) | set(services)
    for token in deps.split():
        soft = "~" in token
        a, b = token.split("~" if soft else ">")
        edges.append(Edge(a, b, hard=not soft))
        ids |= {a, b}
    for g, (_, members) in groups.items():
        edges += [Edge(g, m, membership=True) for m in members]
        ids |= set(members)
    nodes = []
    for i in sorted(ids):
        kind = RG if i in groups else SVC if i in services else CI
        nodes.append(
            Node(
                i,
                kind,
                f"{i} service" if kind is SVC else i,
                status="RETIRED" if i in retired else (None if kind is RG else "ACTIVE"),
                criticality=services.get(i),
                tier="BUSINESS" if kind is SVC else None,
                min_healthy=groups[i][0] if i in groups else None,
            )
        )
    return DependencyGraph.build(nodes, edges)


def impact_of(g: DependencyGraph) -> ImpactOf:
    def run(origin: Sequence[str]) -> Impact:
        return compute_impact(g, origin)

    return run


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


T0 = utc("2026-11-21T01:00")  # a Saturday


def change(
    cid: str,
    *modifies: str,
    start: datetime | None = T0,
    hours: float | None = 2,
    status: ChangeStatus = ChangeStatus.SCHEDULED,
    type: ChangeType = ChangeType.NORMAL,
) -> ChangeRecord:
    end = start + timedelta(hours=hours) if start is not None and hours is not None else None
    return ChangeRecord(cid, f"change {cid}", type, status, tuple(modifies), planned_start=start, planned_end=end)


def reason(a: ChangeRecord, b: ChangeRecord, g: DependencyGraph) -> tuple[ConflictReason, tuple[str, ...]] | None:
    found = conflict_between(a, b, impact_of(g))
    return (found.reason, found.items) if found else None


# ---- 1. conflicts -----------------------------------------------------------------------------------------

# S (critical) needs APP and the quorum-2 cluster G; APP needs DB; REPORTS only uses DB (SOFT).
SHOP = graph(
    "S>APP APP>DB S>G REPORTS~DB LONE>X",
    {"G": (2, ["N1", "N2", "N3"])},
    services={"S": 1, "REPORTS": 3, "LONE": 4},
)


def test_same_item_lists_the_common_items() -> None:
    a, b = change("C1", "DB", "N1", "X"), change("C2", "X", "DB", "APP")
    assert reason(a, b, SHOP) == (SAME, ("DB", "X"))
    assert reason_between(a, b, impact_of(SHOP)) == (SAME, ["DB", "X"])


def test_dependent_item_lists_the_reached_modified_items() -> None:
    # APP depends on DB: DB's impact reaches APP, the item b modifies.
    assert reason(change("C1", "DB"), change("C2", "APP"), SHOP) == (DEPENDENT, ("APP",))
    assert reason(change("C1", "APP"), change("C2", "DB"), SHOP) == (DEPENDENT, ("APP",))


def test_dependent_item_collects_both_directions() -> None:
    # Q needs X (a modifies X, b modifies Q) and P needs W (a modifies P, b modifies W)
    g = graph("Q>X P>W")
    assert reason(change("C1", "X", "P"), change("C2", "Q", "W"), g) == (DEPENDENT, ("P", "Q"))


def test_dependent_item_on_a_cycle() -> None:
    g = graph("A>B B>A")
    assert reason(change("C1", "A"), change("C2", "B"), g) == (DEPENDENT, ("A", "B"))


def test_compounded_two_members_of_a_quorum_cluster() -> None:
    one, two = change("C1", "N1"), change("C2", "N2")
    imp = impact_of(SHOP)
    # each alone leaves S DEGRADED, together S is DOWN
    assert imp(["N1"]).status["S"] is Status.DEGRADED
    assert imp(["N2"]).status["S"] is Status.DEGRADED
    assert imp(["N1", "N2"]).status["S"] is Status.DOWN
    # both also impact S, so SHARED_IMPACT holds too: COMPOUNDED comes first; items are services only (not G)
    assert reason(one, two, SHOP) == (COMPOUNDED, ("S",))


def test_compounded_only_counts_services_neither_takes_down_alone() -> None:
    # S2 needs N1 directly: C1 alone takes S2 DOWN, so only S (down only together) is listed
    g = graph("S>G S2>N1", {"G": (2, ["N1", "N2", "N3"])}, services={"S": 1, "S2": 2})
    assert reason(change("C1", "N1"), change("C2", "N2"), g) == (COMPOUNDED, ("S",))


def test_shared_impact_lists_the_common_services() -> None:
    # DB (via APP) and a cluster member both reach S; DB also reaches REPORTS, which N1 does not.
    assert reason(change("C1", "DB"), change("C2", "N1"), SHOP) == (SHARED, ("S",))


def test_shared_impact_when_both_only_degrade_via_soft_edges() -> None:
    g = graph("S~X S~Y", services={"S": 2})
    assert reason(change("C1", "X"), change("C2", "Y"), g) == (SHARED, ("S",))


def test_shared_impact_when_each_alone_already_takes_the_service_down() -> None:
    # S is DOWN with either change alone: nothing is compounded, the impact is shared
    g = graph("S>X S>Y", services={"S": 2})
    assert reason(change("C1", "X"), change("C2", "Y"), g) == (SHARED, ("S",))


def test_unrelated_changes_do_not_conflict() -> None:
    assert reason(change("C1", "DB"), change("C2", "X"), SHOP) is None
    assert reason_between(change("C1", "DB"), change("C2", "X"), impact_of(SHOP)) is None


def test_first_reason_wins() -> None:
    # share DB and share the service S: SAME_ITEM
    assert reason(change("C1", "DB"), change("C2", "DB", "N1"), SHOP) == (SAME, ("DB",))
    # APP depends on DB and both take S down: DEPENDENT_ITEM, not SHARED_IMPACT
    assert reason(change("C1", "DB"), change("C2", "APP"), SHOP)[0] is DEPENDENT  # type: ignore[index]
    # two members of G (COMPOUNDED, and S is shared) but also a common item: SAME_ITEM
    assert reason(change("C1", "N1", "X"), change("C2", "N2", "X"), SHOP) == (SAME, ("X",))


@pytest.mark.parametrize(
    ("b_start", "b_hours", "overlaps"),
    [
        (T0 + timedelta(hours=2), 1, False),  # [T0, T0+2) and [T0+2, T0+3) touch
        (T0 - timedelta(hours=1), 1, False),  # [T0-1, T0) touches from before
        (T0 + timedelta(hours=5), 1, False),  # well apart
        (T0 + timedelta(hours=1, minutes=59), 1, True),
        (T0 - timedelta(hours=1), 1.01, True),
        (T0 + timedelta(minutes=30), 0.5, True),  # inside
        (T0 - timedelta(hours=1), 5, True),  # around
    ],
)
def test_windows_must_overlap(b_start: datetime, b_hours: float, overlaps: bool) -> None:
    a, b = change("C1", "DB"), change("C2", "DB", start=b_start, hours=b_hours)
    assert (conflict_between(a, b, impact_of(SHOP)) is not None) is overlaps
    assert (conflict_between(b, a, impact_of(SHOP)) is not None) is overlaps


def test_no_window_no_conflict() -> None:
    a = change("C1", "DB")
    for b in (change("C2", "DB", start=None), change("C2", "DB", hours=None)):
        assert conflict_between(a, b, impact_of(SHOP)) is None
        assert conflict_between(b, a, impact_of(SHOP)) is None
    # but the reason alone does not look at windows
    assert reason_between(a, change("C2", "DB", start=None), impact_of(SHOP)) == (SAME, ["DB"])


@pytest.mark.parametrize("status", list(ChangeStatus))
def test_only_pending_changes_conflict(status: ChangeStatus) -> None:
    pending = status in {ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}
    assert (status in PENDING) is pending
    other = change("C2", "DB", status=status)
    for x in (ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED):
        a = change("C1", "DB", status=x)
        assert (conflict_between(a, other, impact_of(SHOP)) is not None) is pending
        assert (conflict_between(other, a, impact_of(SHOP)) is not None) is pending


def test_a_change_does_not_conflict_with_itself() -> None:
    a = change("C1", "DB")
    assert conflict_between(a, a, impact_of(SHOP)) is None
    # the same id is enough, even with another record
    assert conflict_between(a, change("C1", "APP"), impact_of(SHOP)) is None
    assert conflicts(a, [a, change("C2", "DB")], impact_of(SHOP))[0].other.id == "C2"
    assert len(conflicts(a, [a, change("C2", "DB")], impact_of(SHOP))) == 1


def test_retired_modified_items_count_as_absent() -> None:
    g = graph("S>X S>Y S>OLD APP>OLD", services={"S": 1}, retired=frozenset({"OLD"}))
    # both modify the RETIRED OLD: no common item, and nothing else
    assert reason(change("C1", "OLD"), change("C2", "OLD"), g) is None
    # both modify OLD and each a different dependency of S: shared impact, not SAME_ITEM
    assert reason(change("C1", "OLD", "X"), change("C2", "OLD", "Y"), g) == (SHARED, ("S",))
    # APP's edge to OLD is gone with OLD: no DEPENDENT_ITEM
    assert reason(change("C1", "OLD"), change("C2", "APP"), g) is None


def test_conflict_carries_the_other_change() -> None:
    a, b = change("C1", "DB"), change("C2", "DB")
    found = conflict_between(a, b, impact_of(SHOP))
    assert found == Conflict(b, SAME, ("DB",))


def test_conflicts_are_ordered_by_reason_then_id() -> None:
    # S needs the quorum-2 cluster G; R uses DB and X (SOFT); T needs APP, which needs DB; U uses W.
    g = graph(
        "S>G R~DB R~X T>APP APP>DB U~W",
        {"G": (2, ["N1", "N2", "N3"])},
        services={"S": 1, "R": 3, "T": 2, "U": 4},
    )
    me = change("ME", "DB", "N1")
    others = [
        change("A-COMP", "N3", "GONE"),  # GONE is not in the dependency graph (a site, say): no impact
        change("Z-SAME", "DB"),
        change("E-SHARED", "X"),
        change("B-SAME", "N1"),
        change("M-DEP", "APP"),
        change("K-NONE", "W"),
        change("Y-LATER", "DB", start=T0 + timedelta(hours=2)),  # touching window
        change("D-DRAFT", "DB", status=ChangeStatus.DRAFT),
        change("C-COMP", "N2"),
    ]
    found = conflicts(me, others, impact_of(g))
    assert [(c.reason, c.other.id, c.items) for c in found] == [
        (SAME, "B-SAME", ("N1",)),
        (SAME, "Z-SAME", ("DB",)),
        (DEPENDENT, "M-DEP", ("APP",)),
        (COMPOUNDED, "A-COMP", ("S",)),
        (COMPOUNDED, "C-COMP", ("S",)),
        (SHARED, "E-SHARED", ("R",)),
    ]
    assert conflicts(me, [], impact_of(g)) == []


# ---- 2. change rules --------------------------------------------------------------------------------------

# PAY (critical) needs APP, which needs DB; OTHER is a separate service on its own CI.
PAY = graph("PAY>APP APP>DB OTHER>OCI", services={"PAY": 1, "OTHER": 3})
FREEZE_FROM, FREEZE_TO = utc("2026-12-20T00:00"), utc("2027-01-04T00:00")
IN_FREEZE = utc("2026-12-21T01:00")  # a Monday


def freeze(pid: str = "P-FREEZE", governs: frozenset[str] = frozenset(), **rule: Any) -> PolicyRule:
    body = {"from": "2026-12-20T00:00:00Z", "to": "2027-01-04T00:00:00Z", **rule}
    return PolicyRule(pid, "Year-end freeze", "CHANGE_FREEZE", body, governs)


def window(pid: str = "P-WINDOW", governs: frozenset[str] = frozenset()) -> PolicyRule:
    rule = {"weekdays": ["SAT", "SUN"], "startHour": 1, "endHour": 5, "timezone": "UTC"}
    return PolicyRule(pid, "Weekend nights", "MAINTENANCE_WINDOW", rule, governs)


def cab(pid: str = "P-CAB", minimum: str = "HIGH", governs: frozenset[str] = frozenset()) -> PolicyRule:
    return PolicyRule(pid, "CAB for risky changes", "CAB_APPROVAL", {"minRiskLevel": minimum}, governs)


def check(c: ChangeRecord, *policies: PolicyRule, g: DependencyGraph = PAY) -> list[change_rules.Violation]:
    imp = compute_impact(g, c.modifies)
    return change_rules.violations(c, imp, impacted_services(imp), policies)


def emergency_reasons(c: ChangeRecord, *policies: PolicyRule, g: DependencyGraph = PAY) -> list[str]:
    return change_rules.emergency_freeze_reasons(c, compute_impact(g, c.modifies), policies)


def test_freeze_violation_when_the_window_overlaps() -> None:
    c = change("CH1", "DB", start=IN_FREEZE)
    [v] = check(c, freeze())
    assert (v.rule_type, v.subject_id, v.policy.id) == ("CHANGE_FREEZE", "CH1", "P-FREEZE")
    assert "Mon 2026-12-21 01:00 to 03:00 UTC" in v.message
    assert "'Year-end freeze'" in v.message
    assert "PAY (PAY service, DOWN)" in v.message  # names the impacted service


@pytest.mark.parametrize(
    ("start", "hours", "violates"),
    [
        (FREEZE_FROM - timedelta(hours=2), 2, False),  # ends exactly at `from`
        (FREEZE_TO, 2, False),  # starts exactly at `to`
        (utc("2026-11-21T01:00"), 2, False),  # weeks before
        (FREEZE_FROM - timedelta(hours=1), 2, True),  # runs into it
        (FREEZE_TO - timedelta(hours=1), 2, True),  # runs out of it
        (FREEZE_FROM - timedelta(days=1), 24 * 30, True),  # spans it
    ],
)
def test_freeze_window_is_half_open(start: datetime, hours: float, violates: bool) -> None:
    assert bool(check(change("CH1", "DB", start=start, hours=hours), freeze())) is violates


def test_freeze_governing_everything_or_what_the_change_touches() -> None:
    c = change("CH1", "DB", start=IN_FREEZE)
    assert len(check(c, freeze(governs=frozenset()))) == 1  # empty = the whole CMDB
    assert len(check(c, freeze(governs=frozenset({"PAY"})))) == 1  # an impacted service
    assert len(check(c, freeze(governs=frozenset({"DB"})))) == 1  # the modified item
    assert check(c, freeze(governs=frozenset({"OTHER", "OCI"}))) == []  # unrelated
    assert check(c, freeze(governs=frozenset({"NOT-IN-GRAPH"}))) == []
    [v] = check(c, freeze(governs=frozenset({"PAY", "OTHER"})))
    assert "PAY (PAY service, DOWN)" in v.message and "OTHER" not in v.message


def test_freeze_lets_an_allowed_emergency_through_but_asks_cab() -> None:
    c = change("CH1", "DB", start=IN_FREEZE, type=ChangeType.EMERGENCY)
    for policy in (freeze(allowEmergency=True), freeze()):  # allowEmergency defaults to true
        assert check(c, policy) == []
        assert emergency_reasons(c, policy) == ["EMERGENCY change inside the change freeze P-FREEZE (Year-end freeze)"]
    # outside the freeze, or governing something else: no reason
    assert emergency_reasons(change("CH1", "DB", type=ChangeType.EMERGENCY), freeze()) == []
    assert emergency_reasons(c, freeze(governs=frozenset({"OTHER"}))) == []


def test_freeze_without_allow_emergency_stops_an_emergency() -> None:
    c = change("CH1", "DB", start=IN_FREEZE, type=ChangeType.EMERGENCY)
    [v] = check(c, freeze(allowEmergency=False))
    assert v.rule_type == "CHANGE_FREEZE"
    assert emergency_reasons(c, freeze(allowEmergency=False)) == []


@pytest.mark.parametrize("kind", [ChangeType.NORMAL, ChangeType.STANDARD])
def test_freeze_stops_normal_and_standard_changes_and_gives_no_emergency_reason(kind: ChangeType) -> None:
    c = change("CH1", "DB", start=IN_FREEZE, type=kind)
    assert len(check(c, freeze(allowEmergency=True))) == 1
    assert emergency_reasons(c, freeze(allowEmergency=True)) == []


@pytest.mark.parametrize("kind", [ChangeType.NORMAL, ChangeType.STANDARD])
def test_maintenance_window_outside_is_a_violation(kind: ChangeType) -> None:
    friday = change("CH1", "DB", start=utc("2026-11-20T14:00"), type=kind)
    [v] = check(friday, window())
    assert (v.rule_type, v.subject_id, v.policy.id) == ("MAINTENANCE_WINDOW", "CH1", "P-WINDOW")
    assert "not wholly inside the maintenance window SAT, SUN 01:00-05:00 UTC" in v.message
    assert "PAY (PAY service, DOWN)" in v.message
    # partly inside is still outside
    assert len(check(change("CH1", "DB", start=utc("2026-11-21T04:00"), type=kind), window())) == 1


@pytest.mark.parametrize("kind", [ChangeType.NORMAL, ChangeType.STANDARD])
def test_maintenance_window_inside_is_fine(kind: ChangeType) -> None:
    assert check(change("CH1", "DB", start=utc("2026-11-21T01:00"), hours=4, type=kind), window()) == []
    assert check(change("CH1", "DB", start=utc("2026-11-22T02:00"), hours=1, type=kind), window()) == []


def test_maintenance_window_never_binds_an_emergency() -> None:
    c = change("CH1", "DB", start=utc("2026-11-20T14:00"), type=ChangeType.EMERGENCY)
    assert check(c, window()) == []


def test_maintenance_window_only_for_governed_items() -> None:
    friday = change("CH1", "DB", start=utc("2026-11-20T14:00"))
    assert len(check(friday, window(governs=frozenset({"PAY"})))) == 1
    assert check(friday, window(governs=frozenset({"OTHER"}))) == []


def test_message_names_the_modified_item_when_no_governed_service_is_hit() -> None:
    g = graph("PAY>APP APP>DB HOST>SPARE", services={"PAY": 1})
    friday = change("CH1", "SPARE", start=utc("2026-11-20T14:00"))
    [v] = check(friday, window(), g=g)
    assert v.message.endswith("it modifies SPARE")


@pytest.mark.parametrize("status", [ChangeStatus.IMPLEMENTED, ChangeStatus.FAILED, ChangeStatus.CANCELLED])
def test_rules_do_not_apply_to_changes_that_are_done(status: ChangeStatus) -> None:
    in_freeze = change("CH1", "DB", start=IN_FREEZE, status=status)
    assert check(in_freeze, freeze(), window()) == []
    assert (
        emergency_reasons(change("CH1", "DB", start=IN_FREEZE, status=status, type=ChangeType.EMERGENCY), freeze())
        == []
    )


@pytest.mark.parametrize(
    "status", [ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED]
)
def test_rules_apply_to_changes_not_yet_done(status: ChangeStatus) -> None:
    in_freeze = change("CH1", "DB", start=IN_FREEZE, status=status)  # a Monday: outside the window too
    assert [v.rule_type for v in check(in_freeze, window(), freeze())] == ["CHANGE_FREEZE", "MAINTENANCE_WINDOW"]


def test_rules_need_a_planned_window() -> None:
    for c in (change("CH1", "DB", start=None), change("CH1", "DB", start=IN_FREEZE, hours=None)):
        assert check(c, freeze(), window()) == []
        imp = compute_impact(PAY, c.modifies)
        assert change_rules.cab_reasons(c, imp, RiskLevel.CRITICAL, 99, [cab(minimum="LOW")]) == []


def test_violations_are_ordered_by_policy_id_and_cab_is_not_a_violation() -> None:
    c = change("CH1", "DB", start=IN_FREEZE)
    found = check(c, freeze("P3"), window("P1"), freeze("P2"), cab("P0", "LOW"))
    assert [(v.policy.id, v.rule_type) for v in found] == [
        ("P1", "MAINTENANCE_WINDOW"),
        ("P2", "CHANGE_FREEZE"),
        ("P3", "CHANGE_FREEZE"),
    ]


@pytest.mark.parametrize(
    ("level", "needed"),
    [
        (RiskLevel.LOW, False),
        (RiskLevel.MEDIUM, False),
        (RiskLevel.HIGH, True),
        (RiskLevel.CRITICAL, True),
    ],
)
def test_cab_reasons_at_or_above_the_minimum_level(level: RiskLevel, needed: bool) -> None:
    c = change("CH1", "DB")
    imp = compute_impact(PAY, c.modifies)
    found = change_rules.cab_reasons(c, imp, level, 60, [cab(minimum="HIGH")])
    if needed:
        assert found == [f"risk {level.value} (score 60) is at or above HIGH under P-CAB (CAB for risky changes)"]
    else:
        assert found == []


def test_cab_reasons_only_for_governed_items_and_cab_policies() -> None:
    c = change("CH1", "DB")
    imp = compute_impact(PAY, c.modifies)
    assert change_rules.cab_reasons(c, imp, RiskLevel.HIGH, 60, [cab(governs=frozenset({"PAY"}))]) != []
    assert change_rules.cab_reasons(c, imp, RiskLevel.HIGH, 60, [cab(governs=frozenset({"OTHER"}))]) == []
    assert change_rules.cab_reasons(c, imp, RiskLevel.CRITICAL, 90, [freeze(), window()]) == []
    two = change_rules.cab_reasons(c, imp, RiskLevel.LOW, 1, [cab("P2", "LOW"), cab("P1", "LOW")])
    assert [r.split(" under ")[1].split()[0] for r in two] == ["P1", "P2"]


def test_freeze_governing_an_impacted_ci_that_is_not_modified() -> None:
    # DB is a CI that the change impacts (through HOST) but does not modify; no governed service is hit
    g = graph("PAY>APP APP>DB DB>HOST", services={"PAY": 1})
    c = change("CH1", "HOST", start=IN_FREEZE)
    assert check(c, freeze(governs=frozenset({"DB"})), g=g) == []


# ---- 3. risk ----------------------------------------------------------------------------------------------


def svc(sid: str, status: Status, criticality: int) -> ImpactedService:
    return ImpactedService(sid, f"{sid} service", status, criticality, 1, "BUSINESS")


def inputs(
    services: Sequence[ImpactedService] = (),
    units: int = 0,
    slas: int = 0,
    history: History = History(),  # noqa: B008
    found: Sequence[Conflict] = (),
    violations: int = 0,
    kind: ChangeType = ChangeType.NORMAL,
) -> RiskInputs:
    ordered = sorted(services, key=lambda s: (-s.status, s.criticality, s.id))  # worst first, as exposure gives
    return RiskInputs(change("CH1", "DB", type=kind), ordered, units, slas, history, found, violations)


def conflict(reason: ConflictReason, other: str = "C9") -> Conflict:
    return Conflict(change(other, "DB"), reason, ("DB",))


def contributions(risk: Risk) -> dict[str, int]:
    return {f.name: f.contribution for f in risk.factors}


DEFAULTS = RiskWeights()


def test_every_factor_is_reported_by_name_even_when_zero() -> None:
    risk = score(inputs(), DEFAULTS)
    assert tuple(f.name for f in risk.factors) == FACTORS
    assert contributions(risk) == dict.fromkeys(FACTORS, 0)
    assert (risk.score, risk.level) == (0, RiskLevel.LOW)
    assert risk.factors[0].detail == "no service is impacted"


def test_a_full_assessment_adds_up_with_the_default_weights() -> None:
    risk = score(
        inputs(
            [svc("S4", Status.DEGRADED, 4), svc("S1", Status.DOWN, 1)],
            units=3,
            slas=2,
            history=History(incidents=("INC1", "INC2"), failed_changes=("CHG0",)),
            found=[conflict(SAME), conflict(SHARED, "C8")],
            violations=1,
        ),
        DEFAULTS,
    )
    assert contributions(risk) == {
        "service_impact": 45,
        "business_units": 6,
        "slas": 4,
        "failed_changes": 5,
        "incidents": 4,
        "conflicts": 13,
        "policy_violations": 25,
        "change_type": 0,
    }
    assert risk.score == 100 and risk.level is RiskLevel.CRITICAL  # 102, capped
    details = {f.name: f.detail for f in risk.factors}
    assert details["service_impact"] == "S1 (S1 service, criticality 1) is DOWN; 2 services impacted"
    assert details["incidents"] == "2 incidents on the modified items in the last 30 days: INC1, INC2"
    assert details["failed_changes"] == "1 failed change on the modified items in the last 90 days: CHG0"
    assert details["conflicts"] == "2 conflicts: SAME_ITEM with C9, SHARED_IMPACT with C8"


def test_score_is_deterministic() -> None:
    def make() -> RiskInputs:
        return inputs(
            [svc("S2", Status.DOWN, 2)], units=1, history=History(("I1",), ("F1",)), found=[conflict(COMPOUNDED)]
        )

    assert score(make(), DEFAULTS) == score(make(), DEFAULTS)
    same = make()
    assert score(same, DEFAULTS) == score(same, RiskWeights())


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (0, "LOW"),
        (24, "LOW"),
        (25, "MEDIUM"),
        (49, "MEDIUM"),
        (50, "HIGH"),
        (74, "HIGH"),
        (75, "CRITICAL"),
        (100, "CRITICAL"),
    ],
)
def test_level_thresholds(value: int, level: str) -> None:
    assert level_of(value) is RiskLevel(level)


def test_levels_follow_the_score_at_the_thresholds() -> None:
    # per_business_unit 1, no cap: the score is the number of business units
    w = RiskWeights(per_business_unit=1, max_business_units=1000)
    for n, level in ((24, "LOW"), (25, "MEDIUM"), (49, "MEDIUM"), (50, "HIGH"), (74, "HIGH"), (75, "CRITICAL")):
        risk = score(inputs(units=n), w)
        assert (risk.score, risk.level) == (n, RiskLevel(level))


def test_down_outweighs_degraded_and_criticality_one_outweighs_four() -> None:
    def impact_points(status: Status, criticality: int) -> int:
        return contributions(score(inputs([svc("S", status, criticality)]), DEFAULTS))["service_impact"]

    for crit in (1, 2, 3, 4):
        assert impact_points(Status.DOWN, crit) > impact_points(Status.DEGRADED, crit) > 0
    for status in (Status.DOWN, Status.DEGRADED):
        points = [impact_points(status, crit) for crit in (1, 2, 3, 4)]
        assert points == sorted(points, reverse=True) and points[0] > points[3]


def test_change_type_emergency_raises_and_standard_lowers() -> None:
    base = [svc("S", Status.DEGRADED, 2)]
    normal = score(inputs(base, kind=ChangeType.NORMAL), DEFAULTS).score
    assert score(inputs(base, kind=ChangeType.EMERGENCY), DEFAULTS).score > normal
    assert score(inputs(base, kind=ChangeType.STANDARD), DEFAULTS).score < normal
    detail = {f.name: f.detail for f in score(inputs(kind=ChangeType.EMERGENCY), DEFAULTS).factors}
    assert detail["change_type"] == "EMERGENCY change"


def test_caps_are_respected() -> None:
    many = inputs(
        units=100,
        slas=100,
        history=History(incidents=tuple(f"I{i}" for i in range(50)), failed_changes=tuple(f"F{i}" for i in range(50))),
        found=[conflict(COMPOUNDED, f"C{i}") for i in range(10)],
        violations=50,
    )
    got = contributions(score(many, DEFAULTS))
    w = DEFAULTS
    assert got["business_units"] == w.max_business_units
    assert got["slas"] == w.max_slas
    assert got["failed_changes"] == w.max_failed_changes
    assert got["incidents"] == w.max_incidents
    assert got["conflicts"] == w.max_conflicts
    assert got["policy_violations"] == w.max_policy_violations
    # the detail lists at most five of them
    detail = {f.name: f.detail for f in score(many, DEFAULTS).factors}
    assert detail["incidents"].endswith(": I0, I1, I2, I3, I4")


def test_score_is_clamped_to_0_and_100() -> None:
    top = inputs(
        [svc("S", Status.DOWN, 1)],
        units=100,
        slas=100,
        history=History(tuple("ABCDEFGH"), tuple("ABCDEFGH")),
        found=[conflict(COMPOUNDED, f"C{i}") for i in range(5)],
        violations=9,
        kind=ChangeType.EMERGENCY,
    )
    risk = score(top, DEFAULTS)
    assert sum(contributions(risk).values()) > 100
    assert (risk.score, risk.level) == (100, RiskLevel.CRITICAL)
    low = score(inputs(kind=ChangeType.STANDARD), DEFAULTS)
    assert contributions(low)["change_type"] == -15
    assert (low.score, low.level) == (0, RiskLevel.LOW)


WEIGHED_DEFAULT = {"service_impact": 6, "business_units": 4, "conflicts": 3, "change_type": 15}


def test_custom_weights_change_the_result() -> None:
    case = inputs([svc("S", Status.DEGRADED, 3)], units=2, found=[conflict(SHARED)], kind=ChangeType.EMERGENCY)
    default = score(case, DEFAULTS)
    custom = RiskWeights(
        degraded_by_criticality={1: 30, 2: 25, 3: 20, 4: 10},
        per_business_unit=7,
        max_business_units=50,
        per_conflict={SHARED: 9},
        change_type={"EMERGENCY": 30, "NORMAL": 0, "STANDARD": -5},
    )
    mine = score(case, custom)
    assert contributions(default) == {**dict.fromkeys(FACTORS, 0), **WEIGHED_DEFAULT}
    assert contributions(mine)["service_impact"] == 20
    assert contributions(mine)["business_units"] == 14
    assert contributions(mine)["conflicts"] == 9
    assert contributions(mine)["change_type"] == 30
    assert (default.score, mine.score) == (28, 73)
    # a reason missing from per_conflict counts 0
    # keys the custom table leaves out keep their defaults
    assert contributions(score(inputs(found=[conflict(SAME)]), custom))["conflicts"] == 10


def test_load_weights_defaults() -> None:
    assert load_weights(None) == RiskWeights()


def test_load_weights_from_json(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(
        json.dumps(
            {
                "per_business_unit": 5,
                "down_by_criticality": {"1": 60, "2": 45, "3": 30, "4": 15},
                "per_conflict": {"SAME_ITEM": 1, "COMPOUNDED": 2},
                "change_type": {"EMERGENCY": 25, "NORMAL": 1, "STANDARD": 0},
            }
        ),
        encoding="utf-8",
    )
    w = load_weights(path)
    assert w.per_business_unit == 5
    assert w.down_by_criticality == {1: 60, 2: 45, 3: 30, 4: 15}
    # a table given in part keeps the defaults for the keys it leaves out
    assert w.per_conflict == {**RiskWeights().per_conflict, SAME: 1, COMPOUNDED: 2}
    assert w.per_sla == RiskWeights().per_sla  # the rest keeps its default
    risk = score(inputs([svc("S", Status.DOWN, 1)], units=1), w)
    assert contributions(risk)["service_impact"] == 60 and contributions(risk)["change_type"] == 1


def test_load_weights_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "weights.toml"
    path.write_text(
        "per_sla = 4\nmax_slas = 8\nincident_days = 7\n\n[degraded_by_criticality]\n1 = 21\n2 = 16\n3 = 11\n4 = 6\n"
        "\n[per_conflict]\nSHARED_IMPACT = 5\n",
        encoding="utf-8",
    )
    w = load_weights(path)
    assert (w.per_sla, w.max_slas, w.incident_days) == (4, 8, 7)
    assert w.degraded_by_criticality == {1: 21, 2: 16, 3: 11, 4: 6}
    assert w.per_conflict == {**RiskWeights().per_conflict, SHARED: 5}
    risk = score(inputs([svc("S", Status.DEGRADED, 2)], slas=3, found=[conflict(SHARED)]), w)
    assert contributions(risk)["service_impact"] == 16
    assert contributions(risk)["slas"] == 8
    assert contributions(risk)["conflicts"] == 5
    assert "in the last 7 days" in {f.name: f.detail for f in risk.factors}["incidents"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("weights.json", '{"per_business_unit": 2, "per_bussiness_unit": 3}'),
        ("weights.toml", "per_business_unit = 2\nbogus = 1\n"),
        ("weights.json", '{"per_conflict": {"NOT_A_REASON": 1}}'),
        ("weights.json", '{"incident_days": -1}'),
        ("weights.json", '{"per_sla": "lots"}'),
    ],
)
def test_load_weights_rejects_bad_values(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError):
        load_weights(path)
    with pytest.raises(ValueError):
        load_weights(path)


@pytest.mark.parametrize(("name", "text"), [("weights.json", "{not json"), ("weights.toml", "= nope")])
def test_load_weights_rejects_unreadable_files(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="risk weights file"):
        load_weights(path)
    with pytest.raises(ValueError, match="risk weights file"):
        load_weights(tmp_path / "missing.json")


def test_risk_weights_are_frozen() -> None:
    with pytest.raises(ValidationError):
        DEFAULTS.per_sla = 99  # type: ignore[misc]


def test_impacting_one_more_service_never_lowers_the_service_factor() -> None:
    critical_degraded = [svc("S1", Status.DEGRADED, 1)]
    alone = contributions(score(inputs(critical_degraded), DEFAULTS))["service_impact"]
    more = contributions(score(inputs([*critical_degraded, svc("S4", Status.DOWN, 4)]), DEFAULTS))["service_impact"]
    assert more >= alone


# ---- 4. properties ----------------------------------------------------------------------------------------

impacted = st.builds(
    svc, st.sampled_from(["S1", "S2", "S3", "S4"]), st.sampled_from([Status.DOWN, Status.DEGRADED]), st.integers(1, 4)
)
small = st.integers(-20, 60)
weights = st.builds(
    RiskWeights,
    down_by_criticality=st.dictionaries(st.integers(1, 4), small),
    degraded_by_criticality=st.dictionaries(st.integers(1, 4), small),
    per_business_unit=small,
    max_business_units=small,
    per_sla=small,
    per_conflict=st.dictionaries(st.sampled_from(list(ConflictReason)), small),
    max_conflicts=small,
    per_policy_violation=small,
    change_type=st.dictionaries(st.sampled_from([t.value for t in ChangeType]), small),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(impacted, max_size=4),
    st.integers(0, 30),
    st.integers(0, 30),
    st.lists(st.sampled_from(["I1", "I2", "I3"]), max_size=8),
    st.lists(st.sampled_from(["F1", "F2"]), max_size=6),
    st.lists(st.sampled_from(list(ConflictReason)), max_size=6),
    st.integers(0, 8),
    st.sampled_from(list(ChangeType)),
    st.one_of(st.just(DEFAULTS), weights),
)
def test_score_is_bounded_and_its_level_matches(
    services: list[ImpactedService],
    units: int,
    slas: int,
    incidents: list[str],
    failed: list[str],
    reasons: list[ConflictReason],
    violations: int,
    kind: ChangeType,
    w: RiskWeights,
) -> None:
    case = inputs(
        services,
        units,
        slas,
        History(tuple(incidents), tuple(failed)),
        [conflict(r, f"C{i}") for i, r in enumerate(reasons)],
        violations,
        kind,
    )
    risk = score(case, w)
    assert 0 <= risk.score <= 100
    assert risk.level is level_of(risk.score)
    assert risk.score == max(0, min(100, sum(contributions(risk).values())))
    assert tuple(f.name for f in risk.factors) == FACTORS
    assert score(case, w) == risk


STATUSES = list(ChangeStatus)


@st.composite
def change_pairs(draw: st.DrawFn) -> tuple[DependencyGraph, ChangeRecord, ChangeRecord]:
    """A small random graph of services, CIs and groups (some RETIRED) and two random changes over it."""
    n = draw(st.integers(2, 10))
    ids = [f"N{i}" for i in range(n)]
    groups = set(draw(st.sets(st.sampled_from(ids), max_size=n // 3)))
    services = set(draw(st.sets(st.sampled_from(sorted(set(ids) - groups)), max_size=n // 2)))
    retired = set(draw(st.sets(st.sampled_from(ids), max_size=2)))
    edges = []
    for a in ids:
        for b in sorted(draw(st.sets(st.sampled_from(ids), max_size=3)) - {a}):
            edges.append(Edge(a, b, membership=True) if a in groups else Edge(a, b, hard=draw(st.booleans())))
    nodes = []
    for i in ids:
        members = sum(1 for e in edges if e.source == i)
        kind = RG if i in groups else SVC if i in services else CI
        nodes.append(
            Node(
                i,
                kind,
                i,
                status="RETIRED" if i in retired else None,
                criticality=draw(st.integers(1, 4)) if kind is SVC else None,
                min_healthy=draw(st.integers(1, max(1, members))) if kind is RG else None,
            )
        )

    def one(cid: str) -> ChangeRecord:
        mods = draw(st.lists(st.sampled_from([*ids, "GONE"]), min_size=1, max_size=3))
        start = draw(st.one_of(st.none(), st.integers(0, 6)))
        hours = draw(st.one_of(st.none(), st.integers(1, 4)))
        status = draw(st.sampled_from([ChangeStatus.SCHEDULED, ChangeStatus.APPROVED, *STATUSES]))
        at = T0 + timedelta(hours=start) if start is not None else None
        return change(cid, *mods, start=at, hours=hours, status=status)

    return DependencyGraph.build(nodes, edges), one("CA"), one(draw(st.sampled_from(["CB", "CA"])))


@settings(max_examples=150, deadline=None)
@given(change_pairs())
def test_conflicts_are_symmetric(case: tuple[DependencyGraph, ChangeRecord, ChangeRecord]) -> None:
    g, a, b = case
    imp = impact_of(g)
    ab, ba = conflict_between(a, b, imp), conflict_between(b, a, imp)
    assert (ab is None) == (ba is None)
    if ab is not None and ba is not None:
        assert (ab.reason, ab.items) == (ba.reason, ba.items)
        assert (ab.other, ba.other) == (b, a)
        assert list(ab.items) == sorted(set(ab.items)) and ab.items
    why_ab, why_ba = reason_between(a, b, imp), reason_between(b, a, imp)
    assert why_ab == why_ba
    # SAME_ITEM exactly when they share an item that is not RETIRED (a site or team counts too)
    common = (set(a.modifies) & set(b.modifies)) - g.retired
    assert (why_ab is not None and why_ab[0] is SAME) == bool(common)
    if why_ab is not None:
        reason_, items = why_ab
        if reason_ in (COMPOUNDED, SHARED):
            assert all(g.nodes[i].kind is SVC for i in items)
        else:
            assert set(items) <= set(a.modifies) | set(b.modifies)
    # a conflict needs: different ids, both pending, overlapping windows and a reason
    expected = (
        a.id != b.id
        and a.status in PENDING
        and b.status in PENDING
        and a.window is not None
        and b.overlaps(*a.window)
        and why_ab is not None
    )
    assert (ab is not None) == expected


def test_a_partial_criticality_table_keeps_the_other_defaults() -> None:
    w = RiskWeights.model_validate({"down_by_criticality": {"1": 70}})
    assert w.down_by_criticality == {1: 70, 2: 35, 3: 25, 4: 15}
    down_2 = score(inputs([svc("S", Status.DOWN, 2)]), w)
    degraded_2 = score(inputs([svc("S", Status.DEGRADED, 2)]), w)
    assert contributions(down_2)["service_impact"] > contributions(degraded_2)["service_impact"]


def test_an_unknown_change_type_key_is_rejected() -> None:
    with pytest.raises(ValueError, match="EMERGENCE"):
        RiskWeights.model_validate({"change_type": {"EMERGENCE": 30}})


def test_a_common_item_outside_the_dependency_graph_is_same_item() -> None:
    g = graph("S>DB", services={"S": 1})
    a, b = change("A", "SITE-DC1"), change("B", "SITE-DC1", "DB")
    assert conflict_between(a, b, impact_of(g)) == Conflict(b, SAME, ("SITE-DC1",))
