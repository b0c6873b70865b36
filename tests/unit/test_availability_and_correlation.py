"""Availability with failures that combine, and incident correlation against a literal, slow reading of the spec."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.availability import availability
from graphsvc.analysis.correlation import correlate, evidence, reach_distances
from graphsvc.domain.changes import ChangeRecord, ChangeStatus, ChangeType
from graphsvc.domain.graph import DependencyGraph, Node
from graphsvc.domain.incidents import IncidentRecord, ProblemRecord
from graphsvc.domain.vocabulary import Kind
from tests.unit.test_impact import graph

T0 = datetime(2026, 11, 10, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def inc(iid: str, opened: float, resolved: float | None, *affects: str) -> IncidentRecord:
    return IncidentRecord(iid, iid, at(opened), at(resolved) if resolved is not None else None, affects)


def cluster_estate() -> DependencyGraph:
    g = graph("S>APP APP>G S~LOG", {"G": (2, ["A", "B", "C"])})
    g.nodes["S"] = Node("S", Kind.SERVICE, "S")
    return g


def test_two_incidents_on_two_members_combine_into_an_outage() -> None:
    g = cluster_estate()
    incidents = [inc("I1", 60, 120, "A"), inc("I2", 90, 150, "B"), inc("I3", 200, 210, "LOG"), inc("I4", 0, 30, "X")]
    a = availability(g, "S", incidents, T0, at(24 * 60), now=at(10_000))
    assert a.outage_minutes == 30  # 90-120: both members down, quorum lost
    assert a.degraded_minutes == 30 + 30 + 10  # 60-90 A, 120-150 B, 200-210 LOG (SOFT)
    assert a.percent == 100 * (1 - 30 / 1440)
    assert a.incidents == ("I1", "I2", "I3")  # I4 affects something S does not need


def test_an_unresolved_incident_runs_until_now_and_periods_clip() -> None:
    g = cluster_estate()
    a = availability(g, "S", [inc("I1", -30, None, "APP")], T0, at(60), now=at(45))
    assert (a.outage_minutes, a.degraded_minutes) == (45, 0)


def test_correlation_groups_by_the_nearest_common_dependency() -> None:
    # two apps on two hosts sharing one SAN; a third incident far away in time; a fourth with no common cause
    g = graph("APP1>H1 APP2>H2 H1>SAN H2>SAN SAN>FAC OTHER>NET")
    incidents = [
        inc("I1", 0, 10, "APP1"),
        inc("I2", 20, 30, "APP2"),
        inc("I3", 500, 510, "APP1"),
        inc("I4", 5, 9, "OTHER"),
    ]
    [cluster] = correlate(g, incidents, window_minutes=60, min_incidents=2)
    assert cluster.root == "SAN"  # FAC covers them too, one edge further
    assert [i.id for i in cluster.incidents] == ["I1", "I2"]
    assert (cluster.window_start, cluster.window_end) == (at(0), at(20))
    assert correlate(g, incidents, window_minutes=10, min_incidents=2) == []


def test_evidence_changes_below_the_root_and_the_open_problem() -> None:
    g = graph("APP1>H1 H1>SAN SAN>FAC")
    [cluster] = correlate(g, [inc("I1", 0, 5, "APP1"), inc("I2", 1, 5, "H1")], min_incidents=2)
    assert cluster.root == "H1"

    def change(cid: str, item: str, done: float, status: ChangeStatus = ChangeStatus.IMPLEMENTED) -> ChangeRecord:
        return ChangeRecord(cid, cid, ChangeType.NORMAL, status, (item,), implemented_at=at(done))

    changes = [
        change("C-SAN", "SAN", -3 * 24 * 60),  # below the root, 3 days before: evidence
        change("C-OLD", "SAN", -8 * 24 * 60),  # too early
        change("C-APP", "APP1", -60),  # above the root: not evidence
        change("C-FAIL", "FAC", -10, ChangeStatus.FAILED),  # a failed change counts
        change("C-CANC", "SAN", -10, ChangeStatus.CANCELLED),
    ]
    problems = [
        ProblemRecord("P2", "p2", "OPEN", ("H1",)),
        ProblemRecord("P1", "p1", "RESOLVED", ("H1",)),
        ProblemRecord("P3", "p3", "KNOWN_ERROR", ("H1", "SAN")),
    ]
    recent, problem = evidence(g, cluster, changes, problems)
    assert [c.id for c in recent] == ["C-FAIL", "C-SAN"]
    assert problem is not None and problem.id == "P2"


def literal(g: DependencyGraph, incidents: list[IncidentRecord], w: int, m: int) -> list[tuple[str, list[str]]]:
    """SEMANTICS.md step by step, with no shortcut."""
    window = timedelta(minutes=w)
    k = {i.id: reach_distances(g, i.affects) for i in incidents}
    left = {i.id: i for i in incidents}
    out = []
    while True:
        best = None
        for c in sorted(g.nodes):
            if g.nodes[c].kind is Kind.REDUNDANCY_GROUP:
                continue
            for t in sorted({i.opened_at for i in left.values()}):
                cover = [i for i in left.values() if c in k[i.id] and t <= i.opened_at <= t + window]
                if not cover:
                    continue
                key = (-len(cover), sum(k[i.id][c] for i in cover), c, t)
                if best is None or key < best[0]:
                    best = (key, cover)
        if best is None or len(best[1]) < m:
            return out
        out.append((best[0][2], sorted(i.id for i in best[1])))
        for i in best[1]:
            del left[i.id]


@st.composite
def cases(draw: st.DrawFn) -> tuple[DependencyGraph, list[IncidentRecord]]:
    n = draw(st.integers(2, 8))
    ids = [f"N{i}" for i in range(n)]
    deps = [f"{a}>{b}" for a in ids for b in sorted(draw(st.sets(st.sampled_from(ids), max_size=2)) - {a})]
    g = graph(" ".join(deps) or "N0>N1")
    incidents = [
        inc(f"I{j}", draw(st.integers(0, 180)), None, *draw(st.sets(st.sampled_from(ids), min_size=1, max_size=2)))
        for j in range(draw(st.integers(0, 7)))
    ]
    return g, incidents


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(1, 90), st.integers(1, 3))
def test_correlation_equals_the_literal_reading(
    case: tuple[DependencyGraph, list[IncidentRecord]], w: int, m: int
) -> None:
    g, incidents = case
    fast = [(c.root, sorted(i.id for i in c.incidents)) for c in correlate(g, incidents, w, m)]
    assert fast == literal(g, incidents, w, m)
