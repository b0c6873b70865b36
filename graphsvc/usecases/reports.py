"""What the CAB reports show: a change's assessment with its exposure, or a period's agenda of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphsvc.analysis.exposure import Exposure
from graphsvc.analysis.risk import RiskWeights
from graphsvc.db.items import ItemRepository
from graphsvc.domain.changes import ApprovedAssessment, since_approval
from graphsvc.domain.clock import as_utc
from graphsvc.errors import InvalidArgument
from graphsvc.usecases import changes as uc
from graphsvc.usecases.graph_cache import GraphCache

__all__ = [
    "AgendaReport",
    "ChangeReport",
    "agenda_period",
    "agenda_report",
    "change_report",
    "last_full_month",
    "optional_time",
    "parse_time",
    "sla_period",
]


@dataclass(frozen=True)
class ChangeReport:
    assessment: uc.Assessment
    exposure: Exposure
    generated_at: datetime
    approved: ApprovedAssessment | None = None  # what the board saw when it approved the change
    since_approval: tuple[str, ...] = ()  # how today's assessment differs from it


@dataclass(frozen=True)
class AgendaReport:
    start: datetime
    end: datetime
    entries: list[ChangeReport]
    generated_at: datetime


async def change_report(
    repo: ItemRepository, weights: RiskWeights, change_id: str, cache: GraphCache | None = None
) -> ChangeReport:
    change = await uc.get_change(repo, change_id)
    board = await uc.ChangeBoard.load(repo, weights, [change], cache=cache)
    return (await _reports(repo, [await board.assess(change)]))[0]


async def _reports(repo: ItemRepository, assessments: list[uc.Assessment]) -> list[ChangeReport]:
    """Each change's part of a report, with the assessment it was approved on and what has moved since, if it was
    approved (read for all of them at once)."""
    approved = await uc.approved_assessments(repo, [a.change.id for a in assessments])
    found = []
    for a in assessments:
        kept = approved.get(a.change.id)
        since = since_approval(kept, uc.evidence_of(a, kept.at, kept.approved_by)) if kept else []
        found.append(ChangeReport(a, await a.analysis.exposure(), datetime.now(UTC), kept, tuple(since)))
    return found


async def agenda_report(
    repo: ItemRepository, weights: RiskWeights, start: datetime, end: datetime, cache: GraphCache | None = None
) -> AgendaReport:
    assessed = await uc.cab_agenda(repo, weights, start, end, cache)
    entries = await _reports(repo, assessed)
    return AgendaReport(start, end, entries, datetime.now(UTC))


AGENDA_DAYS = 7


def agenda_period(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The CAB agenda's period: as given; a missing end is a week after the start, a missing start a week before the
    end; neither: the next seven days from today's midnight (UTC)."""
    week = timedelta(days=AGENDA_DAYS)
    if start is None and end is None:
        start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if start is None:
        assert end is not None
        start = end - week
    return start, end if end is not None else start + week


def last_full_month(now: datetime) -> tuple[datetime, datetime]:
    """[first of last month, first of this month) in UTC: the SLA report's default period."""
    first = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous = (first - timedelta(days=1)).replace(day=1)
    return previous, first


def sla_period(start: datetime | None, end: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The SLA report's period: as given, or the last full month; one end without the other is an error."""
    if start is None and end is None:
        return last_full_month(now)
    if start is None or end is None:
        missing = "from" if start is None else "to"
        raise InvalidArgument(f"{missing} is required with the other end, or give neither for the last full month")
    return start, end


def optional_time(name: str, value: str | None) -> datetime | None:
    return None if value is None or value == "" else parse_time(name, value)


def parse_time(name: str, value: str | None) -> datetime:
    """An RFC 3339 time (an offset-less one is UTC) or a date (midnight UTC); a clear error otherwise."""
    if not value:
        raise InvalidArgument(f"{name} is required, e.g. {name}=2026-11-20T00:00:00Z")
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+") if "T" in value else value)
    except ValueError:
        raise InvalidArgument(
            f"{name}: {value!r} is not a date or an RFC 3339 time such as 2026-11-20T00:00:00Z"
        ) from None
    try:
        return as_utc(parsed)
    except OverflowError:
        raise InvalidArgument(f"{name}: {value!r} is out of range") from None
