"""Capacity forecast from utilization readings (SEMANTICS.md, "Utilization history and capacity forecast").

For a CI with at least 3 readings in the window [now - W, now], the least-squares line through them (time in days)
says when it reaches the threshold T: the latest reading's time when that reading is already at or above T;
otherwise, with a positive slope, the time the line reaches T; with a slope of zero or less, never. Readings at one
single instant have no slope (zero): they forecast only when already at or above T. A line so flat that it reaches T
after the year 9999 (no date can say when) is taken as never.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from graphsvc.domain.readings import DaySums

__all__ = ["MIN_READINGS", "Forecast", "Reading", "forecast", "forecast_from_days", "least_squares"]

MIN_READINGS = 3
DAY = 86_400.0


@dataclass(frozen=True, order=True)
class Reading:
    at: datetime
    percent: float


@dataclass(frozen=True)
class Forecast:
    latest: Reading  # the latest reading in the window
    slope_per_day: float  # percentage points per day, of the fitted line
    forecast_at: datetime  # when the CI reaches the threshold (UTC); the latest reading's time if it already has
    readings: int  # how many readings the line was fitted through


def least_squares(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line through (x, y) points; slope 0 when every x is the same."""
    xs, ys = zip(*points, strict=True)
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return mean_y - slope * mean_x, slope


def forecast(
    readings: Iterable[Reading], now: datetime, threshold: float = 85.0, window_days: int = 30
) -> Forecast | None:
    """The forecast of one CI, or None: fewer than MIN_READINGS readings in the window, or a line that never reaches
    the threshold."""
    start = now - timedelta(days=window_days)
    window = sorted(r for r in readings if start <= r.at <= now)
    if len(window) < MIN_READINGS:
        return None
    latest = window[-1]
    origin = window[0].at  # days are counted from the first reading: small numbers, no cancellation
    intercept, slope = least_squares(((r.at - origin).total_seconds() / DAY, r.percent) for r in window)
    if latest.percent >= threshold:
        return Forecast(latest, slope, latest.at, len(window))
    if slope <= 0:
        return None
    try:
        reaches = origin + timedelta(days=(threshold - intercept) / slope)
    except OverflowError:  # a slope so small the date is past the year 9999: never, in practice
        return None
    return Forecast(latest, slope, reaches, len(window))


def forecast_from_days(days: Iterable[DaySums], threshold: float = 85.0) -> Forecast | None:
    """`forecast` from per-day sums of the readings in the window (the caller keeps only those: whole days inside it,
    and the sums of the in-window readings of the days it cuts). The same line, its days combined pairwise with the
    window's first day as the origin; a slope within rounding of flat is taken as flat, as `forecast` finds it."""
    kept = sorted((d for d in days if d.n), key=lambda d: d.start)
    if sum(d.n for d in kept) < MIN_READINGS:
        return None
    origin = kept[0].start
    n, mean_x, mean_y, m2, c = 0, 0.0, 0.0, 0.0, 0.0
    for d in kept:
        x = (d.start - origin).total_seconds() / DAY + d.mt
        total = n + d.n
        dx, dy = x - mean_x, d.my - mean_y
        m2 += d.m2 + dx * dx * n * d.n / total
        c += d.c + dx * dy * n * d.n / total
        mean_x += dx * d.n / total
        mean_y += dy * d.n / total
        n = total
    slope = c / m2 if m2 > 0 else 0.0
    if abs(slope) * math.sqrt(m2 / n) <= 1e-10 * (1 + abs(mean_y)):
        slope = 0.0  # the spread the line explains is below the readings' rounding: flat
    intercept = mean_y - slope * mean_x
    last = max(kept, key=lambda d: d.last_at)
    latest = Reading(last.last_at, last.last_pct)
    if latest.percent >= threshold:
        return Forecast(latest, slope, latest.at, n)
    if slope <= 0:
        return None
    try:
        reaches = origin + timedelta(days=(threshold - intercept) / slope)
    except OverflowError:  # past the year 9999: never, in practice
        return None
    return Forecast(latest, slope, reaches, n)
