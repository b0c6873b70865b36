"""Drift: how a blast radius or a service's single points of failure moved between times, from the estate's
journal (usecases/estate.py). A review asks "what did this look like when we approved it, and what does it look like
now?"; a continuity report shows a service's single points of failure week by week."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from graphsvc.analysis.exposure import impacted_services
from graphsvc.db import journal
from graphsvc.db.items import ItemRepository
from graphsvc.domain.clock import as_utc
from graphsvc.errors import InvalidArgument
from graphsvc.usecases.continuity import continuity_of
from graphsvc.usecases.estate import EstateCache, estate_at
from graphsvc.usecases.estate_reads import EstateReads
from graphsvc.usecases.impact import ImpactAnalysis, impact_of

__all__ = ["TREND_WEEKS", "ImpactDrift", "SpofPoint", "impact_drift", "recent_trend", "spof_trend", "weekly"]

MAX_POINTS = 52
TREND_WEEKS = 8  # the continuity report's trend: the last eight weeks


@dataclass(frozen=True)
class ImpactDrift:
    start: datetime
    end: datetime | None  # None: now
    before: ImpactAnalysis
    after: ImpactAnalysis
    services_added: list[tuple[str, str]]  # (id, status) impacted at the end, not at the start
    services_removed: list[tuple[str, str]]  # impacted at the start, not at the end
    services_changed: list[tuple[str, str, str]]  # (id, status at the start, status at the end)


async def impact_drift(
    repo: ItemRepository,
    origin: Sequence[str],
    start: datetime,
    end: datetime | None,
    cache: EstateCache | None = None,
) -> ImpactDrift:
    """The impact of `origin` on the estate as of `start` and as of `end` (None: now), and how its services moved.
    An origin that did not exist at one of the times impacts nothing then (it is not an error: it came or went)."""
    start = as_utc(start)
    if end is not None and as_utc(end) < start:
        raise InvalidArgument(f"to ({as_utc(end).isoformat()}) must not be before from ({start.isoformat()})")
    then = await estate_at(repo, start, cache=cache)
    now = await estate_at(repo, end, cache=cache)
    before = await _impact(then.reads, origin)
    after = await _impact(now.reads, origin)
    was = {s.id: s.status.name for s in impacted_services(before.impact)}
    is_ = {s.id: s.status.name for s in impacted_services(after.impact)}
    return ImpactDrift(
        start,
        now.as_of,
        before,
        after,
        sorted((i, s) for i, s in is_.items() if i not in was),
        sorted((i, s) for i, s in was.items() if i not in is_),
        sorted((i, was[i], s) for i, s in is_.items() if i in was and was[i] != s),
    )


async def _impact(reads: EstateReads, origin: Sequence[str]) -> ImpactAnalysis:
    present = [i for i in origin if i in reads.estate.items]
    return await impact_of(reads, present)


@dataclass(frozen=True)
class SpofPoint:
    at: datetime
    exists: bool  # the service existed then
    single_points_of_failure: tuple[str, ...]


def weekly(end: datetime, weeks: int) -> list[datetime]:
    """`weeks` + 1 points a week apart, ending at `end`."""
    if not 1 <= weeks <= MAX_POINTS:
        raise InvalidArgument(f"weeks must be between 1 and {MAX_POINTS}, got {weeks}")
    return [as_utc(end) - timedelta(weeks=weeks - n) for n in range(weeks + 1)]


async def spof_trend(repo: ItemRepository, service_id: str, times: Sequence[datetime]) -> list[SpofPoint]:
    """The service's single points of failure as of each time (ascending), from one pass over the journal; times
    before the journal began on a database that held items already are left out."""
    if len(times) > MAX_POINTS + 1:
        raise InvalidArgument(f"at most {MAX_POINTS + 1} points, got {len(times)}")
    known = (await journal.journal_info(repo, max(times)))[0].known_from
    if known is not None:
        times = [t for t in times if as_utc(t) >= known]
    points = []
    for when, estate in zip(times, await journal.estates_at(repo, times), strict=True):
        reads = EstateReads(estate)
        props = estate.items.get(service_id)
        if props is None or props["itemKind"] != "SERVICE":
            points.append(SpofPoint(as_utc(when), False, ()))
            continue
        report = await continuity_of(reads, service_id)
        points.append(SpofPoint(as_utc(when), True, report.result.single_points_of_failure))
    return points


async def recent_trend(repo: object, service_id: str | None, now: datetime) -> list[SpofPoint]:
    """The continuity report's trend for one service (the last TREND_WEEKS weeks); none for the estate's report, or
    for a report that is itself of a past time (an estate, not the database)."""
    if service_id is None or not isinstance(repo, ItemRepository):
        return []
    return await spof_trend(repo, service_id, weekly(now, TREND_WEEKS))
