"""The pure part of utilization readings (domain/readings.py): checking a batch, merging into a day bucket,
downsampling a history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.forecast import Reading, forecast, forecast_from_days
from graphsvc.domain.readings import (
    CiReading,
    DaySums,
    bucket_keys,
    check_readings,
    day_sums,
    downsample,
    from_bp,
    from_bucket,
    merge_into,
    to_bp,
)
from graphsvc.domain.vocabulary import Kind

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
KINDS = {"CI-1": Kind.CONFIGURATION_ITEM, "SVC-1": Kind.SERVICE}


def test_every_problem_names_the_reading() -> None:
    batch = [
        CiReading("CI-1", NOW, 50.0),
        CiReading("CI-1", NOW, float("nan")),
        CiReading("CI-1", NOW, float("inf")),
        CiReading("CI-1", NOW, 104.0),
        CiReading("CI-X", NOW, 1.0),
        CiReading("SVC-1", NOW, 1.0),
        CiReading("CI-1", NOW + timedelta(minutes=6), 1.0),
        CiReading("CI-1", NOW + timedelta(minutes=5), 1.0),  # the clock skew allowed
        CiReading("CI-1", datetime(2026, 12, 4), 1.0),  # no offset
    ]
    assert [str(p) for p in check_readings(batch, KINDS, NOW)] == [
        "readings[1].percent: nan is not a finite number",
        "readings[2].percent: inf is not a finite number",
        "readings[3].percent: 104 is outside 0..100",
        "readings[4].ci: unknown id 'CI-X'",
        "readings[5].ci: 'SVC-1' is a SERVICE, not a CONFIGURATION_ITEM",
        "readings[6].at: 2026-12-04T12:06:00+00:00 is in the future (more than 5 minutes after "
        "2026-12-04T12:00:00+00:00)",
        "readings[8].at: needs a UTC offset",
    ]


def test_readings_fall_into_utc_days_to_the_millisecond() -> None:
    late = datetime(2026, 12, 3, 23, 59, 59, 999_999, tzinfo=UTC)
    east = datetime(2026, 12, 4, 0, 30, tzinfo=UTC).astimezone(tz=None)  # any offset: the UTC day counts
    keys = bucket_keys([CiReading("CI-1", late, 1.0), CiReading("CI-1", east, 2.0)])
    assert keys == {("CI-1", date(2026, 12, 3)): [(86_399_999, 1.0)], ("CI-1", date(2026, 12, 4)): [(1_800_000, 2.0)]}


def test_a_reading_at_a_time_held_replaces_it() -> None:
    # stored percents are whole hundredths of a percent (bp); new ones come as percents
    assert merge_into([10, 30], [100, 300], [(20, 2.0), (30, 9.0), (5, 0.5)]) == ([5, 10, 20, 30], [50, 100, 200, 900])


def test_percents_are_kept_to_a_hundredth() -> None:
    assert [to_bp(p) for p in (0.0, 0.004, 0.005, 12.345, 33.3333, 99.995, 100.0)] == [
        0,
        0,
        1,
        1235,
        3333,
        10000,
        10000,
    ]
    assert from_bp([0, 1, 3333, 10000]) == [0.0, 0.01, 33.33, 100.0]


@given(
    st.dictionaries(st.integers(0, 86_399_999), st.integers(0, 10_000), max_size=30),
    st.lists(st.tuples(st.integers(0, 86_399_999), st.floats(0, 100)), max_size=30),
)
def test_a_merged_bucket_is_sorted_and_keeps_the_newest_value_of_each_time(
    old: dict[int, int], new: list[tuple[int, float]]
) -> None:
    ms, bp = merge_into(sorted(old), [old[t] for t in sorted(old)], new)
    assert ms == sorted(set(old) | {t for t, _ in new})
    expected = {**old, **{t: to_bp(p) for t, p in new}}
    assert bp == [expected[t] for t in ms]
    assert all(0 <= b <= 10_000 for b in bp)
    day = date(2026, 12, 4)
    back = dict(new)
    for (at, pct), m in zip(from_bucket(day, ms, bp), ms, strict=True):
        assert at == datetime.combine(day, datetime.min.time(), UTC) + timedelta(milliseconds=m)
        if m in back:  # what was written reads back within 0.005 (a hundredth of a percent, rounded)
            assert abs(pct - back[m]) <= 0.005 + 1e-9


def test_short_histories_stay_raw_and_long_ones_become_hourly_then_daily_means() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    minutes = [(start + timedelta(minutes=i), float(i % 60)) for i in range(180)]
    resolution, points = downsample(minutes, 180)
    assert (resolution.name, points) == ("RAW", minutes)
    resolution, points = downsample(minutes, 10)
    assert resolution.name == "HOURLY"
    assert points == [(start + timedelta(hours=h), 29.5) for h in range(3)]
    days = [(start + timedelta(hours=h), float(h // 24)) for h in range(24 * 5)]
    resolution, points = downsample(days, 24)
    assert resolution.name == "DAILY"
    assert points == [(start + timedelta(days=d), float(d)) for d in range(5)]


def test_a_history_reaching_downsampled_days_is_hourly_at_the_finest() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    raw = [(start + timedelta(days=1, minutes=30 * i), float(i)) for i in range(4)]  # 2 hours of raw readings
    hours = [(start + timedelta(hours=h), 10.0, 12) for h in range(2)]  # a downsampled day's two hours
    resolution, points = downsample(raw, 2000, hours)
    assert resolution.name == "HOURLY"
    assert points == [*((at, pct) for at, pct, _ in hours), (raw[0][0], 0.5), (raw[2][0], 2.5)]
    resolution, points = downsample(raw, 3, hours)
    assert resolution.name == "DAILY"  # weighted by readings: 24 at 10, 4 at 0..3
    assert points == [(start, 10.0), (start + timedelta(days=1), 1.5)]


def sums_of(readings: list[tuple[datetime, float]]) -> list[DaySums]:
    """Per-day sums of readings, as the buckets keep them."""
    by_day: dict[date, list[tuple[int, float]]] = {}
    for r in bucket_keys([CiReading("CI-1", at, pct) for at, pct in readings]).items():
        (_, day), points = r
        by_day[day] = sorted(points)
    found = [day_sums(d, [m for m, _ in p], [y for _, y in p]) for d, p in sorted(by_day.items())]
    return [s for s in found if s is not None]


def test_the_sums_fit_the_worked_cases() -> None:
    def at(days_ago: float) -> datetime:
        return NOW - timedelta(days=days_ago)

    rising = sums_of([(at(20), 50.0), (at(10), 60.0), (at(0), 70.0)])
    found = forecast_from_days(rising)
    assert found is not None and found.slope_per_day == pytest.approx(1.0)
    assert abs(found.forecast_at - (NOW + timedelta(days=15))) < timedelta(seconds=1)
    assert forecast_from_days(sums_of([(at(20), 60.0), (at(10), 60.0), (at(0), 60.0)])) is None  # flat
    assert forecast_from_days(sums_of([(at(2), 10.0), (at(1), 10.0), (at(0), 10.000000001)])) is None
    assert forecast_from_days(sums_of([(at(10), 60.0), (at(0), 70.0)])) is None  # two: too few
    over = forecast_from_days(sums_of([(at(20), 95.0), (at(10), 92.0), (at(0), 90.0)]))
    assert over is not None and over.forecast_at == NOW and over.slope_per_day < 0


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(st.integers(0, 30 * 86_400_000), st.floats(0, 100, allow_nan=False)),
        min_size=3,
        max_size=60,
        unique_by=lambda p: p[0],
    ),
    st.floats(1, 100),
)
def test_the_sums_fit_the_line_forecast_fits(points: list[tuple[int, float]], threshold: float) -> None:
    readings = [(NOW - timedelta(milliseconds=ms), pct) for ms, pct in points]
    direct = forecast([Reading(at, pct) for at, pct in readings], NOW, threshold, 30)
    summed = forecast_from_days(sums_of(readings), threshold)
    if direct is None or summed is None:
        # they may differ only where the line is within rounding of flat, or reaches the threshold past year 9999
        other = direct or summed
        assert other is None or abs(other.slope_per_day) < 1e-6 or other.forecast_at.year > 9000
        return
    assert summed.latest == direct.latest and summed.readings == direct.readings
    assert summed.slope_per_day == pytest.approx(direct.slope_per_day, rel=1e-6, abs=1e-9)
    span = abs(direct.forecast_at - NOW).total_seconds()
    assert abs((summed.forecast_at - direct.forecast_at).total_seconds()) <= max(1.0, 1e-6 * span)
