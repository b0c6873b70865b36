"""Utilization retention: a day bucket past the raw period keeps hourly means and maxima instead of its readings.

A downsampled day keeps, for each UTC hour that had readings, the hour's mean and maximum (hundredths of a percent,
as readings are stored) and how many readings it had; and it keeps the least-squares sums (domain/readings.DaySums)
computed from the raw readings before they went, so that a capacity forecast whose window holds the day whole gives
the same answer after downsampling as before. A reading that arrives for a day already downsampled is folded in: its
hour's mean, maximum and count, and the day's sums, take it in (a reading at a time the day held is not known any
more, so it is added rather than replacing one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from graphsvc.domain.readings import DaySums, day_sums, from_bp

__all__ = [
    "HOUR_MS",
    "HourlyDay",
    "combine_sums",
    "fold_into",
    "hourly",
    "hourly_points",
    "hourly_sums",
    "late_sums",
    "pack",
    "unpack",
]

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class HourlyDay:
    """A downsampled day: the hours (0..23, ascending) that had readings, each hour's mean and maximum in hundredths
    of a percent (the mean rounded to the nearest) and its number of readings."""

    hours: list[int]
    mean_bp: list[int]
    max_bp: list[int]
    count: list[int]

    def readings(self) -> int:
        return sum(self.count)


def pack(h: HourlyDay) -> tuple[list[int], list[int]]:
    """A downsampled day as stored: 48 values, the 24 hours' means then their maxima (0 for an hour without
    readings), and the 24 hours' counts. Two integer arrays: the first (48 x 14 bits) fills one 128-byte array record,
    the second packs inline, where four arrays (hours, means, maxima, counts) took two array records and more."""
    means, tops, counts = [0] * 24, [0] * 24, [0] * 24
    for hour, mean, top, n in zip(h.hours, h.mean_bp, h.max_bp, h.count, strict=True):
        means[hour], tops[hour], counts[hour] = mean, top, n
    return means + tops, counts


def unpack(hour_bp: Sequence[int], hour_n: Sequence[int]) -> HourlyDay:
    """`pack`'s arrays back as the hours that had readings."""
    hours = [h for h in range(24) if hour_n[h]]
    return HourlyDay(hours, [hour_bp[h] for h in hours], [hour_bp[24 + h] for h in hours], [hour_n[h] for h in hours])


def _mean(total: int, n: int) -> int:
    return (2 * total + n) // (2 * n)  # the nearest whole hundredth, halves up: integers only, no float rounding


def hourly(ms: Sequence[int], bp: Sequence[int]) -> HourlyDay:
    """A raw bucket's readings (ms since the day's start, hundredths of a percent) as hourly means and maxima."""
    groups: dict[int, list[int]] = {}
    for m, b in zip(ms, bp, strict=True):
        groups.setdefault(m // HOUR_MS, []).append(b)
    hours = sorted(groups)
    return HourlyDay(
        hours,
        [_mean(sum(groups[h]), len(groups[h])) for h in hours],
        [max(groups[h]) for h in hours],
        [len(groups[h]) for h in hours],
    )


def fold_into(stored: HourlyDay, new: Iterable[tuple[int, int]]) -> HourlyDay:
    """A downsampled day with late readings (ms, hundredths of a percent) added to their hours."""
    held = zip(stored.hours, stored.mean_bp, stored.max_bp, stored.count, strict=True)
    totals = {h: [mean * n, top, n] for h, mean, top, n in held}
    for m, b in new:
        hour = totals.setdefault(m // HOUR_MS, [0, b, 0])
        hour[0] += b
        hour[1] = max(hour[1], b)
        hour[2] += 1
    hours = sorted(totals)
    return HourlyDay(
        hours,
        [_mean(totals[h][0], totals[h][2]) for h in hours],
        [totals[h][1] for h in hours],
        [totals[h][2] for h in hours],
    )


def hourly_points(day: date, h: HourlyDay) -> list[tuple[datetime, float, int]]:
    """A downsampled day's hours as (the hour's start, mean percent, readings), oldest first."""
    start = datetime.combine(day, time(), UTC)
    return [
        (start + timedelta(hours=hour), mean / 100, n)
        for hour, mean, n in zip(h.hours, h.mean_bp, h.count, strict=True)
    ]


def hourly_sums(day: date, h: HourlyDay, start: datetime, end: datetime) -> DaySums | None:
    """Sums of a downsampled day's hours whose start lies in [start, end], each hour's mean standing for its
    readings at the hour's start: the readings themselves are gone, so a window that cuts such a day fits this
    approximation of the part inside it."""
    inside = [(at, pct, n) for at, pct, n in hourly_points(day, h) if start <= at <= end]
    base = datetime.combine(day, time(), UTC)
    return day_sums(
        day,
        [(at - base) // timedelta(milliseconds=1) for at, _, _ in inside],
        [pct for _, pct, _ in inside],
        [n for _, _, n in inside],
    )


def combine_sums(a: DaySums, b: DaySums) -> DaySums:
    """The sums of one day's two sets of readings together (Chan, Golub and LeVeque's pairwise update); the later
    of the two latest readings (`b`'s at the same time)."""
    n = a.n + b.n
    dx, dy = b.mt - a.mt, b.my - a.my
    m2 = a.m2 + b.m2 + dx * dx * a.n * b.n / n
    c = a.c + b.c + dx * dy * a.n * b.n / n
    last_at, last_pct = (b.last_at, b.last_pct) if b.last_at >= a.last_at else (a.last_at, a.last_pct)
    return DaySums(a.start, n, a.mt + dx * b.n / n, a.my + dy * b.n / n, m2, c, last_at, last_pct)


def late_sums(day: date, new: Sequence[tuple[int, int]]) -> DaySums | None:
    """The sums of late readings (ms, hundredths of a percent) for a downsampled day, sorted by time."""
    ordered = sorted(new)
    return day_sums(day, [m for m, _ in ordered], from_bp([b for _, b in ordered]))
