"""What the capacity report shows: the capacity forecast (SEMANTICS.md, "Utilization history and capacity
forecast"), each forecast CI's readings over the window to draw, and the services at risk, earliest first."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphsvc.db.items import ItemRepository
from graphsvc.domain.facts import Props
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.utilization import CapacityForecastEntry, History, capacity_outlook, history

__all__ = ["MAX_CHARTS", "CapacityReport", "ServiceAtRisk", "capacity_report", "services_at_risk"]

# Charts drawn for the CIs that reach the threshold first; the rest are listed without one (a history each).
MAX_CHARTS = 100


@dataclass(frozen=True)
class ServiceAtRisk:
    service: Props  # the service's item (id, name, ...); just its id when it could not be read
    earliest: datetime  # the earliest forecast date among the CIs behind it
    cis: list[CapacityForecastEntry]  # the CIs it depends on that are forecast to cross, earliest first


@dataclass(frozen=True)
class CapacityReport:
    threshold: float
    window_days: int
    generated_at: datetime  # also the window's end
    entries: list[CapacityForecastEntry]  # by forecast date, then id
    services: list[ServiceAtRisk]  # by earliest date, then id
    histories: dict[str, History]  # the readings of the first MAX_CHARTS entries' CIs over the window
    too_few: list[str]  # live CIs with readings in the window but too few to fit a line

    @property
    def start(self) -> datetime:
        return self.generated_at - timedelta(days=self.window_days)


def services_at_risk(entries: list[CapacityForecastEntry], names: dict[str, Props]) -> list[ServiceAtRisk]:
    """Each service behind a forecast CI, with those CIs (entries come earliest first, so theirs do too)."""
    behind: dict[str, list[CapacityForecastEntry]] = {}
    for entry in entries:
        for service in entry.services:
            behind.setdefault(service, []).append(entry)
    found = [ServiceAtRisk(names.get(s) or {"id": s}, cis[0].forecast.forecast_at, cis) for s, cis in behind.items()]
    return sorted(found, key=lambda s: (s.earliest, s.service["id"]))


async def capacity_report(
    repo: ItemRepository,
    cache: GraphCache | None = None,
    threshold: float = 85.0,
    window_days: int = 30,
    now: datetime | None = None,
    *,
    charts: int = MAX_CHARTS,
) -> CapacityReport:
    """The forecast at `threshold` over the last `window_days`, the services at risk, and the histories to draw."""
    now = now or datetime.now(UTC)
    outlook = await capacity_outlook(repo, cache, threshold, window_days, now)
    service_ids = sorted({s for entry in outlook.entries for s in entry.services})
    names = {p["id"]: p for p in await repo.by_ids(service_ids) if p is not None} if service_ids else {}
    start = now - timedelta(days=window_days)
    drawn = [entry.ci["id"] for entry in outlook.entries[:charts]]
    # a history a CI (each downsampled as it is read), side by side: the repository bounds how many read at once
    found = await asyncio.gather(*(history(repo, ci, start, now + timedelta(milliseconds=1)) for ci in drawn))
    histories = dict(zip(drawn, found, strict=True))  # [start, now], as the forecast's window
    return CapacityReport(
        threshold,
        window_days,
        now,
        outlook.entries,
        services_at_risk(outlook.entries, names),
        histories,
        outlook.too_few,
    )
