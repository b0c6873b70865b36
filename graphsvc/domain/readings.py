"""Utilization readings: checking a batch, the day buckets they are stored in, and downsampling a history.

A reading is (CI, time, percent). They are stored by CI and UTC day (db/utilization.py): a bucket holds the day's
readings as two parallel integer arrays, milliseconds since the day's start (sorted) and percents in hundredths of a
percent (0..10000, "basis points"), so a year of 5-minute readings of one CI is 365 nodes, not 105,120, and Neo4j
packs each array to the bits its largest value needs (27 and 14 bits a reading, where a float took 64). Times are
kept to the millisecond, percents to 0.01 percentage point (a value reads back within 0.005 of what was written);
a reading at a time a bucket already holds replaces it. Days past the raw retention keep hourly means and maxima
instead (domain/retention.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from graphsvc.domain.validation import Problem
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "CLOCK_SKEW",
    "DAY_MS",
    "CiReading",
    "DaySums",
    "Resolution",
    "bucket_keys",
    "check_readings",
    "day_sums",
    "downsample",
    "from_bp",
    "from_bucket",
    "merge_into",
    "to_bp",
]

# A reading may be this far ahead of the server's clock (a monitoring host's clock running a little fast).
CLOCK_SKEW = timedelta(minutes=5)
DAY_MS = 86_400_000


@dataclass(frozen=True)
class CiReading:
    ci: str
    at: datetime  # timezone-aware
    percent: float


def check_readings(
    readings: Sequence[CiReading], kinds: Mapping[str, Kind] | None, now: datetime, base: str = "readings"
) -> list[Problem]:
    """Every problem of a batch, each naming the reading's position (`readings[3].percent: ...`): an id that is no
    item or no CI (unless `kinds` is None: checked elsewhere), a percent outside 0..100 or not finite, a time more
    than CLOCK_SKEW ahead of `now`."""
    problems: list[Problem] = []
    latest = now + CLOCK_SKEW
    for i, r in enumerate(readings):
        where = f"{base}[{i}]"
        kind = kinds.get(r.ci) if kinds is not None else Kind.CONFIGURATION_ITEM
        if kind is None:
            problems.append(Problem(f"{where}.ci", f"unknown id {r.ci!r}", r.ci, "UNKNOWN"))
        elif kind is not Kind.CONFIGURATION_ITEM:
            message = f"{r.ci!r} is a {kind.value}, not a CONFIGURATION_ITEM"
            problems.append(Problem(f"{where}.ci", message, r.ci, "WRONG_KIND"))
        if not math.isfinite(r.percent):
            problems.append(Problem(f"{where}.percent", f"{r.percent} is not a finite number"))
        elif not 0 <= r.percent <= 100:
            problems.append(Problem(f"{where}.percent", f"{r.percent:g} is outside 0..100"))
        if r.at.tzinfo is None:
            problems.append(Problem(f"{where}.at", "needs a UTC offset"))
        elif r.at > latest:
            message = f"{r.at.isoformat()} is in the future (more than 5 minutes after {now.isoformat()})"
            problems.append(Problem(f"{where}.at", message))
    return problems


def _day_and_ms(at: datetime) -> tuple[date, int]:
    at = at.astimezone(UTC)
    start = datetime.combine(at.date(), time(), UTC)
    return at.date(), (at - start) // timedelta(milliseconds=1)


def bucket_keys(readings: Iterable[CiReading]) -> dict[tuple[str, date], list[tuple[int, float]]]:
    """The batch by (CI, day): each bucket's (ms since the day's start, percent), in batch order (a later reading at
    the same millisecond wins)."""
    out: dict[tuple[str, date], list[tuple[int, float]]] = {}
    for r in readings:
        day, ms = _day_and_ms(r.at)
        out.setdefault((r.ci, day), []).append((ms, float(r.percent)))
    return out


def to_bp(percent: float) -> int:
    """A percent as stored: whole hundredths of a percent (0..10000), the nearest."""
    return math.floor(percent * 100 + 0.5)


def from_bp(bp: Sequence[int]) -> list[float]:
    """Stored hundredths of a percent as percents."""
    return [b / 100 for b in bp]


def merge_into(ms: Sequence[int], bp: Sequence[int], new: Iterable[tuple[int, float]]) -> tuple[list[int], list[int]]:
    """A bucket's arrays (ms, hundredths of a percent) with `new` (ms, percent) merged in, sorted by time; a new
    reading at a time held replaces it."""
    merged = dict(zip(ms, bp, strict=True))
    merged.update((m, to_bp(p)) for m, p in new)
    times = sorted(merged)
    return times, [merged[t] for t in times]


def from_bucket(day: date, ms: Sequence[int], bp: Sequence[int]) -> list[tuple[datetime, float]]:
    """A bucket's readings as (UTC time, percent), oldest first."""
    start = datetime.combine(day, time(), UTC)
    return [(start + timedelta(milliseconds=m), b / 100) for m, b in zip(ms, bp, strict=True)]


@dataclass(frozen=True)
class Resolution:
    name: str  # RAW, HOURLY or DAILY
    seconds: int  # 0 for RAW


RAW = Resolution("RAW", 0)
STEPS = (Resolution("HOURLY", 3600), Resolution("DAILY", 86_400))


def downsample(
    readings: Sequence[tuple[datetime, float]],
    max_points: int,
    hours: Sequence[tuple[datetime, float, int]] = (),
) -> tuple[Resolution, list[tuple[datetime, float]]]:
    """The readings as they are when there are at most `max_points` and no `hours`; else the means of each UTC hour,
    or of each UTC day if hours are still too many, each at its period's start (periods without readings are left
    out). `hours` are the hourly means of days kept downsampled (start, mean, readings it is the mean of): with any,
    the answer is hourly at the finest, so that its resolution holds for every point."""
    if len(readings) <= max_points and not hours:
        return RAW, list(readings)
    weighted = [(at, pct, 1) for at, pct in readings] + list(hours)
    for step in STEPS:
        sums: dict[int, tuple[float, int]] = {}
        for at, pct, weight in weighted:
            key = int(at.timestamp()) // step.seconds
            total, n = sums.get(key, (0.0, 0))
            sums[key] = (total + pct * weight, n + weight)
        if len(sums) <= max_points or step is STEPS[-1]:
            points = [(datetime.fromtimestamp(k * step.seconds, UTC), t / n) for k, (t, n) in sorted(sums.items())]
            return step, points
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class DaySums:
    """What a least-squares fit needs of one day's readings (t: days since the day's start, y: percent), and the
    day's latest reading. Stored on each bucket: a fit over many days reads a few numbers a day, not every reading.
    Means and sums of deviations from them (not raw sums of squares), so that days combine without cancellation
    (Chan, Golub and LeVeque's pairwise update)."""

    start: datetime  # the day's start (UTC)
    n: int
    mt: float  # mean t
    my: float  # mean y
    m2: float  # sum of (t - mt)^2
    c: float  # sum of (t - mt)(y - my)
    last_at: datetime
    last_pct: float


def day_sums(
    day: date, ms: Sequence[int], pct: Sequence[float], weights: Sequence[int] | None = None
) -> DaySums | None:
    """The sums of a day's readings (`ms` sorted); None when there are none. With `weights`, each point stands for
    that many readings at its time (an hourly mean of a downsampled day)."""
    if not ms:
        return None
    w = weights if weights is not None else [1] * len(ms)
    n = sum(w)
    mean_ms = math.fsum(m * k for m, k in zip(ms, w, strict=True)) / n
    my = math.fsum(p * k for p, k in zip(pct, w, strict=True)) / n
    devs = [(m - mean_ms) / DAY_MS for m in ms]
    m2 = math.fsum(d * d * k for d, k in zip(devs, w, strict=True))
    c = math.fsum(d * (y - my) * k for d, y, k in zip(devs, pct, w, strict=True))
    start = datetime.combine(day, time(), UTC)
    return DaySums(start, n, mean_ms / DAY_MS, my, m2, c, start + timedelta(milliseconds=ms[-1]), pct[-1])
