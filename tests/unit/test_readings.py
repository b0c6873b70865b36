"""The pure part of utilization readings (domain/readings.py): checking a batch, merging into a day bucket,
downsampling a history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.domain.readings import CiReading, bucket_keys, check_readings, downsample, from_bucket, merge_into
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
    assert merge_into([10, 30], [1.0, 3.0], [(20, 2.0), (30, 9.0), (5, 0.5)]) == ([5, 10, 20, 30], [0.5, 1.0, 2.0, 9.0])


@given(
    st.dictionaries(st.integers(0, 86_399_999), st.floats(0, 100), max_size=30),
    st.lists(st.tuples(st.integers(0, 86_399_999), st.floats(0, 100)), max_size=30),
)
def test_a_merged_bucket_is_sorted_and_keeps_the_newest_value_of_each_time(
    old: dict[int, float], new: list[tuple[int, float]]
) -> None:
    ms, pct = merge_into(sorted(old), [old[t] for t in sorted(old)], new)
    assert ms == sorted(set(old) | {t for t, _ in new})
    expected = {**old, **dict(new)}
    assert pct == [expected[t] for t in ms]
    day = date(2026, 12, 4)
    assert [p for _, p in from_bucket(day, ms, pct)] == pct


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
