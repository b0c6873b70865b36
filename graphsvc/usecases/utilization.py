"""Utilization readings: record a batch, a CI's history (downsampled for long ranges), and the capacity forecast
(SEMANTICS.md, "Utilization history and capacity forecast"; analysis/forecast.py computes)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphsvc.analysis.forecast import MIN_READINGS, Forecast, forecast_from_days
from graphsvc.db import utilization as db
from graphsvc.db.audit import Audit
from graphsvc.db.connection import Database
from graphsvc.db.items import ItemRepository
from graphsvc.domain.clock import as_utc
from graphsvc.domain.facts import Props
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.readings import CiReading, Resolution, downsample
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument
from graphsvc.usecases import sources
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph

__all__ = [
    "CapacityForecastEntry",
    "CapacityOutlook",
    "History",
    "capacity_forecast",
    "capacity_outlook",
    "history",
    "record_utilization",
]

# A history of more readings than this is downsampled (hourly means, else daily means); so is one that reaches a day
# kept as hourly means only (domain/retention.py).
HISTORY_POINTS = 2000


async def record_utilization(
    db_: Database, readings: Sequence[CiReading], *, audit: Audit, max_batch: int
) -> db.RecordSummary:
    """Check and write a batch of readings (one transaction; nothing written on any problem)."""
    if len(readings) > max_batch:
        raise InvalidArgument(
            f"readings: {len(readings)} readings in one batch; at most {max_batch} "
            "(GRAPHSVC_MAX_UTILIZATION_BATCH): send them in smaller batches"
        )
    return await db_.bind(db.record_readings)(readings, audit=audit)


@dataclass(frozen=True)
class History:
    resolution: Resolution
    points: list[tuple[datetime, float]]  # oldest first


async def history(repo: ItemRepository, ci: str, start: datetime, end: datetime | None) -> History:
    """The readings of `ci` in [start, end) (end: now), oldest first; past HISTORY_POINTS, or when the range reaches
    days kept downsampled (GRAPHSVC_UTILIZATION_RAW_DAYS), hourly or daily means."""
    start = as_utc(start)
    end = as_utc(end) if end is not None else datetime.now(UTC)
    if end < start:
        raise InvalidArgument(f"to ({end.isoformat()}) is before from ({start.isoformat()})")
    raw, hours = await db.history_between(repo, [ci], start, end)
    resolution, points = downsample(raw.get(ci, []), HISTORY_POINTS, hours.get(ci, []))
    return History(resolution, points)


@dataclass(frozen=True)
class CapacityForecastEntry:
    ci: Props
    forecast: Forecast
    services: list[str]  # services in its dependents' closure, in id order
    owner: Props | None


def dependent_services(graph: DependencyGraph, ci: str) -> list[str]:
    """The services that depend on `ci` at any depth (through CIs, services and redundancy groups), in id order."""
    seen = {ci}
    todo = [ci]
    while todo:
        for edge in graph.into.get(todo.pop(), ()):
            if edge.source not in seen:
                seen.add(edge.source)
                todo.append(edge.source)
    return sorted(n for n in seen if n in graph.nodes and graph.nodes[n].kind is Kind.SERVICE)


@dataclass(frozen=True)
class CapacityOutlook:
    entries: list[CapacityForecastEntry]  # as capacity_forecast lists them
    too_few: list[str]  # live CIs with readings in the window, but fewer than MIN_READINGS: no line, no forecast


async def capacity_forecast(
    repo: ItemRepository,
    cache: GraphCache | None = None,
    threshold: float = 85.0,
    window_days: int = 30,
    now: datetime | None = None,
) -> list[CapacityForecastEntry]:
    """Every CI with a forecast date (SEMANTICS.md), by forecast date, then id; RETIRED CIs are left out.

    The fit reads the sums each day bucket keeps (analysis/forecast.forecast_from_days), and the readings only of
    the days the window cuts: a few numbers a CI-day rather than 288 readings."""
    return (await capacity_outlook(repo, cache, threshold, window_days, now)).entries


async def capacity_outlook(
    repo: ItemRepository,
    cache: GraphCache | None = None,
    threshold: float = 85.0,
    window_days: int = 30,
    now: datetime | None = None,
) -> CapacityOutlook:
    """capacity_forecast's entries, and the live CIs it could not fit for too few readings (the capacity report
    says how many)."""
    if not 0 <= threshold <= 100:
        raise InvalidArgument(f"thresholdPercent must be between 0 and 100, got {threshold:g}")
    if not 1 <= window_days <= 365:
        raise InvalidArgument(f"windowDays must be between 1 and 365, got {window_days}")
    now = now or datetime.now(UTC)
    days = await db.window_sums(repo, now - timedelta(days=window_days), now)
    few = sorted(ci for ci, sums in days.items() if 0 < sum(d.n for d in sums) < MIN_READINGS)

    def fit() -> dict[str, Forecast]:
        out = {}
        for ci, sums in days.items():
            found = forecast_from_days(sums, threshold)
            if found is not None:
                out[ci] = found
        return out

    forecasts = await asyncio.to_thread(fit)
    if not forecasts and not few:
        return CapacityOutlook([], [])
    ids = sorted(forecasts)
    items = {
        p["id"]: p
        for p in await repo.by_ids([*ids, *few])
        if p is not None and p["itemKind"] == Kind.CONFIGURATION_ITEM.value and p.get("status") != "RETIRED"
    }
    too_few = [ci for ci in few if ci in items]
    if not forecasts:
        return CapacityOutlook([], too_few)
    graph = await whole_graph(repo, cache)
    owners = {ci: team for team, owns in await sources.owners(repo, ids) for ci in owns}
    entries = [
        CapacityForecastEntry(items[ci], f, dependent_services(graph, ci), owners.get(ci))
        for ci, f in forecasts.items()
        if ci in items
    ]
    return CapacityOutlook(sorted(entries, key=lambda e: (e.forecast.forecast_at, e.ci["id"])), too_few)
