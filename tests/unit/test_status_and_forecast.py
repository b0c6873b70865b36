"""Service status now and the capacity forecast, against worked cases and (hypothesis) a literal, slow reading of
SEMANTICS.md."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from graphsvc.analysis.continuity import closure
from graphsvc.analysis.forecast import Reading, forecast, least_squares
from graphsvc.analysis.impact import compute_impact
from graphsvc.analysis.status import service_status
from graphsvc.domain.graph import DependencyGraph, Node, Status
from graphsvc.domain.incidents import DEGRADATION, OUTAGE, IncidentRecord
from graphsvc.domain.vocabulary import Kind
from tests.unit.test_impact import graph, graphs_with_degraded

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def inc(iid: str, opened: float, *affects: str, effect: str = OUTAGE, resolved: float | None = None) -> IncidentRecord:
    closed = ago(resolved) if resolved is not None else None
    return IncidentRecord(iid, iid, ago(opened), closed, affects, effect=effect)


def shop() -> DependencyGraph:
    """SHOP (criticality 1) needs APP and uses SEARCH; APP needs the DB cluster G (2 of A, B, C); REPORTS
    (criticality 3) needs B."""
    g = graph("SHOP>APP SHOP~SEARCH APP>G REPORTS>B", {"G": (2, ["A", "B", "C"])})
    g.nodes["SHOP"] = Node("SHOP", Kind.SERVICE, "Shop", criticality=1)
    g.nodes["REPORTS"] = Node("REPORTS", Kind.SERVICE, "Reports", criticality=3)
    return g


def test_the_board_combines_open_incidents_and_names_those_that_reach_each_service() -> None:
    incidents = [
        inc("I1", 5, "A"),  # one member of the cluster: it holds, degraded
        inc("I2", 2, "B"),  # a second member: the cluster loses quorum, SHOP is down; REPORTS needs B: down
        inc("I3", 1, "SEARCH", effect=DEGRADATION),
        inc("I4", 9, "C", resolved=8),  # resolved: not on the board
        inc("I5", -1, "C"),  # opens in an hour: not yet
    ]
    board = service_status(shop(), incidents, NOW)
    assert [(s.service, s.status, s.since, s.incidents) for s in board] == [
        ("SHOP", Status.DOWN, ago(5), ("I1", "I2", "I3")),
        ("REPORTS", Status.DOWN, ago(2), ("I2",)),
    ]
    # with only the degradation open, SHOP is DEGRADED since it opened
    [only] = service_status(shop(), [inc("I3", 1, "SEARCH", effect=DEGRADATION)], NOW)
    assert (only.service, only.status, only.since) == ("SHOP", Status.DEGRADED, ago(1))
    # one member down: the cluster holds but is DEGRADED (SEMANTICS.md, "Impact"), and so is what needs it
    assert [(s.service, s.status) for s in service_status(shop(), [inc("I1", 5, "A")], NOW)] == [
        ("SHOP", Status.DEGRADED)
    ]
    assert service_status(shop(), [inc("I9", 5, "NOWHERE")], NOW) == []  # an item the board does not know


def test_down_comes_before_degraded_then_criticality() -> None:
    g = shop()
    board = service_status(g, [inc("I1", 1, "B", effect=DEGRADATION), inc("I2", 3, "APP")], NOW)
    assert [(s.service, s.status) for s in board] == [("SHOP", Status.DOWN), ("REPORTS", Status.DEGRADED)]


@st.composite
def boards(draw: st.DrawFn) -> tuple[DependencyGraph, list[IncidentRecord]]:
    g, _, _ = draw(graphs_with_degraded())
    ids = sorted(g.nodes)
    assume(ids)
    for sid in draw(st.sets(st.sampled_from(ids), min_size=1, max_size=4)):
        if not g.is_group(sid):
            g.nodes[sid] = Node(sid, Kind.SERVICE, sid, criticality=draw(st.integers(1, 4)))
    incidents = []
    for n in range(draw(st.integers(0, 5))):
        affects = tuple(draw(st.sets(st.sampled_from([*ids, "GONE"]), min_size=1, max_size=2)))
        opened = draw(st.integers(-2, 10))
        resolved = draw(st.one_of(st.none(), st.integers(-3, 9)))
        effect = draw(st.sampled_from([OUTAGE, DEGRADATION]))
        incidents.append(inc(f"I{n}", opened, *sorted(affects), effect=effect, resolved=resolved))
    return g, incidents


@settings(max_examples=300, deadline=None)
@given(boards())
def test_the_board_is_the_spec_read_literally(case: tuple[DependencyGraph, list[IncidentRecord]]) -> None:
    g, incidents = case
    live = [i for i in incidents if i.opened_at <= NOW and (i.resolved_at is None or i.resolved_at > NOW)]
    origin = {x for i in live if i.effect == OUTAGE for x in i.affects}
    degraded = {x for i in live if i.effect == DEGRADATION for x in i.affects}
    status = compute_impact(g, origin, degraded).status
    expected = {}
    for sid, node in g.nodes.items():
        if node.kind is not Kind.SERVICE or status.get(sid, Status.OK) is Status.OK:
            continue
        reach = closure(g, sid) | {sid}
        reaching = sorted((i for i in live if set(i.affects) & reach), key=lambda i: (i.opened_at, i.id))
        expected[sid] = (status[sid], reaching[0].opened_at, tuple(i.id for i in reaching))
    board = service_status(g, incidents, NOW)
    assert {s.service: (s.status, s.since, s.incidents) for s in board} == expected
    assert [s.status for s in board] == sorted((s.status for s in board), reverse=True)


def day(n: float) -> datetime:
    return NOW - timedelta(days=n)


def readings(*pairs: tuple[float, float]) -> list[Reading]:
    return [Reading(day(d), p) for d, p in pairs]


def test_a_rising_line_forecasts_when_it_reaches_the_threshold() -> None:
    found = forecast(readings((20, 50), (10, 60), (0, 70)), NOW)  # one point a day, 70 now
    assert found is not None
    assert found.slope_per_day == pytest.approx(1.0)
    assert found.forecast_at == NOW + timedelta(days=15)
    assert found.latest == Reading(NOW, 70) and found.readings == 3


def test_flat_falling_too_few_outside_and_already_over() -> None:
    assert forecast(readings((20, 60), (10, 60), (0, 60)), NOW) is None  # flat: never
    assert forecast(readings((20, 80), (10, 70), (0, 60)), NOW) is None  # falling: never
    assert forecast(readings((10, 60), (0, 70)), NOW) is None  # two readings: too few
    # readings outside the window (older than 30 days, or after now) do not count
    assert forecast(readings((45, 10), (40, 20), (10, 60), (0, 70), (-1, 99)), NOW) is None
    over = forecast(readings((20, 95), (10, 92), (0, 90)), NOW)  # falling, but already above 85
    assert over is not None and over.forecast_at == NOW and over.slope_per_day < 0
    # one instant, three readings: no slope, so only "already over" forecasts
    assert forecast(readings((1, 50), (1, 60), (1, 70)), NOW) is None
    same = forecast(readings((1, 86), (1, 90), (1, 95)), NOW)
    assert same is not None and same.slope_per_day == 0 and same.forecast_at == day(1)
    # a window of 7 days leaves two readings
    assert forecast(readings((20, 50), (6, 60), (0, 70)), NOW, window_days=7) is None
    # a line too flat to reach the threshold before the year 9999
    assert forecast(readings((2, 10), (1, 10), (0, 10.000000001)), NOW) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-5, 40), st.floats(0, 100, allow_nan=False)),
        min_size=0,
        max_size=12,
    ),
    st.floats(1, 100),
    st.integers(1, 60),
)
def test_the_forecast_is_the_spec_read_literally(
    pairs: list[tuple[float, float]], threshold: float, window: int
) -> None:
    found = forecast(readings(*pairs), NOW, threshold, window)
    inside = sorted(r for r in readings(*pairs) if day(window) <= r.at <= NOW)
    if len(inside) < 3:
        assert found is None
        return
    latest = inside[-1]
    if latest.percent >= threshold:
        assert found is not None and found.forecast_at == latest.at and found.latest == latest
        return
    if len({r.at for r in inside}) == 1:  # one instant: no trend (the reference line below would divide rounding
        assert found is None  # noise: the mean of three equal floats can miss them by an ulp)
        return
    _, slope = least_squares(((r.at - NOW).total_seconds() / 86400, r.percent) for r in inside)
    if slope <= 1e-9:
        assert found is None or math.isclose(found.slope_per_day, slope, abs_tol=1e-6)
        return
    assert found is not None and found.forecast_at > latest.at - timedelta(days=365 * 1000)
    # the fitted line at the forecast time is at the threshold
    a, b = least_squares(((r.at - NOW).total_seconds() / 86400, r.percent) for r in inside)
    at_forecast = a + b * (found.forecast_at - NOW).total_seconds() / 86400
    assert at_forecast == pytest.approx(threshold, rel=1e-6, abs=1e-6)
