"""The pure part of utilization retention (domain/retention.py): a day's readings as hourly means and maxima, late
readings folded into them, and day sums combined."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.domain.readings import day_sums, from_bp
from graphsvc.domain.retention import (
    HOUR_MS,
    combine_sums,
    fold_into,
    hourly,
    hourly_points,
    hourly_sums,
    pack,
    unpack,
)

DAY = date(2026, 10, 1)
# a day's readings as stored: distinct ms since the day's start, percents in hundredths (0..10000)
bucket = st.dictionaries(st.integers(0, 86_399_999), st.integers(0, 10_000), min_size=1, max_size=200)


def stored(readings: dict[int, int]) -> tuple[list[int], list[int]]:
    ms = sorted(readings)
    return ms, [readings[m] for m in ms]


def test_a_day_becomes_its_hours_means_maxima_and_counts() -> None:
    ms = [0, 60_000, 3_599_999, 7_200_000, 86_399_999]
    h = hourly(ms, [1000, 2000, 3001, 5000, 10_000])
    assert (h.hours, h.mean_bp, h.max_bp, h.count) == (
        [0, 2, 23],
        [2000, 5000, 10_000],
        [3001, 5000, 10_000],
        [3, 1, 1],
    )
    assert hourly_points(DAY, h)[0] == (datetime(2026, 10, 1, tzinfo=UTC), 20.0, 3)


@settings(max_examples=300)
@given(bucket)
def test_hours_keep_every_reading_counted_their_maximum_and_their_mean_to_half_a_hundredth(
    readings: dict[int, int],
) -> None:
    ms, bp = stored(readings)
    h = hourly(ms, bp)
    assert h.hours == sorted({m // HOUR_MS for m in ms}) and all(0 <= x <= 23 for x in h.hours)
    assert h.readings() == len(ms)
    for hour, mean, top, n in zip(h.hours, h.mean_bp, h.max_bp, h.count, strict=True):
        inside = [b for m, b in readings.items() if m // HOUR_MS == hour]
        assert n == len(inside) and top == max(inside)
        assert abs(mean - sum(inside) / len(inside)) <= 0.5
        assert min(inside) <= mean <= top


@settings(max_examples=300)
@given(bucket, bucket)
def test_late_readings_fold_in_as_if_the_day_had_had_them(old: dict[int, int], late: dict[int, int]) -> None:
    late = {m: b for m, b in late.items() if m not in old}  # times the day held are not known any more: added
    if not late:
        return
    together = hourly(*stored({**old, **late}))
    folded = fold_into(hourly(*stored(old)), sorted(late.items()))
    assert (folded.hours, folded.max_bp, folded.count) == (together.hours, together.max_bp, together.count)
    # the stored mean was rounded to a hundredth: folding may be off by that much more
    assert all(abs(a - b) <= 1 for a, b in zip(folded.mean_bp, together.mean_bp, strict=True))


@settings(max_examples=300)
@given(bucket, bucket)
def test_combined_sums_are_the_sums_of_the_readings_together(a: dict[int, int], b: dict[int, int]) -> None:
    b = {m: v for m, v in b.items() if m not in a}
    if not b:
        return
    first, second, both = (day_sums(DAY, ms, from_bp(bp)) for ms, bp in (stored(a), stored(b), stored({**a, **b})))
    assert first is not None and second is not None and both is not None
    found = combine_sums(first, second)
    assert found.n == both.n and (found.last_at, found.last_pct) == (both.last_at, both.last_pct)
    assert found.mt == pytest.approx(both.mt, abs=1e-12)
    assert found.my == pytest.approx(both.my, abs=1e-9)
    assert found.m2 == pytest.approx(both.m2, rel=1e-9, abs=1e-12)
    assert found.c == pytest.approx(both.c, rel=1e-9, abs=1e-9)


@settings(max_examples=200)
@given(bucket)
def test_a_whole_downsampled_day_sums_to_its_readings_count_and_mean(readings: dict[int, int]) -> None:
    ms, bp = stored(readings)
    start = datetime.combine(DAY, time(), UTC)
    found = hourly_sums(DAY, hourly(ms, bp), start, start + timedelta(days=1))
    assert found is not None and found.n == len(ms)
    assert abs(found.my - sum(bp) / len(bp) / 100) <= 0.005 + 1e-9


@settings(max_examples=300)
@given(bucket)
def test_hours_pack_into_two_arrays_and_back(readings: dict[int, int]) -> None:
    h = hourly(*stored(readings))
    hour_bp, hour_n = pack(h)
    assert len(hour_bp) == 48 and len(hour_n) == 24 and max(hour_bp) <= 10_000
    assert unpack(hour_bp, hour_n) == h
