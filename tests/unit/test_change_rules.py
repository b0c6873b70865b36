"""Maintenance windows, freezes, next free window and risk: pure functions, including DST and wrap-around."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.maintenance import allowed_intervals, inside
from graphsvc.analysis.windows import next_free_window

WEEKEND_LONDON = {"weekdays": ["SAT", "SUN"], "startHour": 1, "endHour": 5, "timezone": "Europe/London"}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_london_window_follows_daylight_saving() -> None:
    # Winter: 01-05 London is 01-05 UTC; summer (BST): 00-04 UTC.
    assert inside(WEEKEND_LONDON, utc("2026-11-21T01:00"), utc("2026-11-21T03:00"))
    assert not inside(WEEKEND_LONDON, utc("2026-11-21T00:30"), utc("2026-11-21T02:00"))
    assert inside(WEEKEND_LONDON, utc("2026-07-04T00:00"), utc("2026-07-04T04:00"))
    assert not inside(WEEKEND_LONDON, utc("2026-07-04T01:00"), utc("2026-07-04T05:00"))
    # Friday afternoon is never inside
    assert not inside(WEEKEND_LONDON, utc("2026-11-20T14:00"), utc("2026-11-20T16:00"))


def test_wrapping_and_adjacent_windows_merge() -> None:
    nights = {"weekdays": ["FRI", "SAT"], "startHour": 22, "endHour": 6}
    assert inside(nights, utc("2026-11-20T23:00"), utc("2026-11-21T05:00"))  # Fri 22:00 -> Sat 06:00
    weekend = {"weekdays": ["SAT", "SUN"], "startHour": 0, "endHour": 24}
    assert inside(weekend, utc("2026-11-21T20:00"), utc("2026-11-22T20:00"))  # across Saturday midnight
    assert allowed_intervals(weekend, utc("2026-11-21T00:00"), utc("2026-11-23T00:00")) == [
        (utc("2026-11-21T00:00"), utc("2026-11-23T00:00"))
    ]


def test_next_free_window_skips_blocks_and_waits_for_the_window() -> None:
    after = utc("2026-11-20T12:00")  # a Friday
    horizon = after + timedelta(days=60)
    two_hours = timedelta(hours=2)
    assert next_free_window(two_hours, after, horizon, [WEEKEND_LONDON], []) == (
        utc("2026-11-21T01:00"),
        utc("2026-11-21T03:00"),
    )
    blocked = [(utc("2026-11-21T01:30"), utc("2026-11-21T03:30"))]
    assert next_free_window(two_hours, after, horizon, [WEEKEND_LONDON], blocked) == (
        utc("2026-11-22T01:00"),
        utc("2026-11-22T03:00"),
    )
    freeze = [(utc("2026-11-21T00:00"), utc("2027-01-04T00:00"))]
    assert next_free_window(two_hours, after, after + timedelta(days=30), [WEEKEND_LONDON], freeze) is None
    assert next_free_window(two_hours, after, after + timedelta(days=400), [WEEKEND_LONDON], freeze) == (
        utc("2027-01-09T01:00"),
        utc("2027-01-09T03:00"),
    )
    # longer than any window: never
    assert next_free_window(timedelta(hours=5), after, horizon, [WEEKEND_LONDON], []) is None
    # no maintenance rule: right away, or right after the block
    assert next_free_window(two_hours, after, horizon, [], [(after, after + two_hours)]) == (
        after + two_hours,
        after + 2 * two_hours,
    )


hours = st.integers(0, 24 * 20)


@settings(max_examples=200, deadline=None)
@given(
    st.sets(st.sampled_from(["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]), min_size=1),
    st.integers(0, 23),
    st.integers(1, 24),
    st.integers(1, 6),
    hours,
    st.lists(st.tuples(hours, st.integers(1, 30)), max_size=4),
    st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"]),
)
def test_next_free_window_is_valid_and_earliest(
    days: set[str], start: int, end: int, length_h: int, after_h: int, blocks: list[tuple[int, int]], tz: str
) -> None:
    rule = {"weekdays": sorted(days), "startHour": start, "endHour": end, "timezone": tz}
    base = utc("2026-03-01T00:00")
    after = base + timedelta(hours=after_h)
    horizon = after + timedelta(days=40)
    length = timedelta(hours=length_h)
    blocked = [(base + timedelta(hours=a), base + timedelta(hours=a + n)) for a, n in blocks]

    def ok(t: datetime) -> bool:
        return inside(rule, t, t + length) and not any(a < t + length and t < b for a, b in blocked)

    found = next_free_window(length, after, horizon, [rule], blocked)
    if found is not None:
        assert found[0] >= after and ok(found[0])
    # nothing earlier on the hour grid (every allowed start and block end falls on a whole hour here, except
    # around daylight-saving shifts, which only move starts by whole hours too)
    t = after
    limit = found[0] if found else horizon
    while t < limit:
        assert not ok(t), t
        t += timedelta(hours=1)
