"""Utilization readings and the capacity forecast: `recordUtilization`, `ConfigurationItem.utilizationHistory` and
`capacityForecast` (operations-now.graphql; SEMANTICS.md, "Utilization history and capacity forecast")."""

# No `from __future__ import annotations`: strawberry resolves the union annotations at class creation.

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc.domain.readings import CiReading
from graphsvc.domain.tokens import Role
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.errors import InvalidArgument
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.context import Context
from graphsvc.graphql.user_errors import InputProblem, InvalidInput
from graphsvc.usecases import utilization as uc

__all__ = [
    "CapacityForecastEntry",
    "UtilizationHistory",
    "UtilizationMutations",
    "resolve_capacity_forecast",
    "resolve_history",
]


@strawberry.enum(description="How a utilization history's points were made from the readings.")
class UtilizationResolution(Enum):
    RAW = strawberry.enum_value("RAW", description="every reading, as recorded")
    HOURLY = strawberry.enum_value(
        "HOURLY",
        description="the mean of each UTC hour's readings, at the hour's start: a history longer than the raw points, "
        "or reaching days older than GRAPHSVC_UTILIZATION_RAW_DAYS, which keep hourly means only",
    )
    DAILY = strawberry.enum_value("DAILY", description="the mean of each UTC day's readings, at the day's start")


@strawberry.type(description="A utilization reading, or the mean of a period's readings.")
class UtilizationPoint:
    at: datetime = strawberry.field(description="when (UTC); for a mean, the start of its period")
    percent: float = strawberry.field(
        description="utilization in percent (0 to 100), kept to 0.01 percentage point: a reading reads back within "
        "0.005 of what was recorded, a mean within 0.01 of its readings' mean"
    )


@strawberry.type(description="A CI's readings over a period, oldest first.")
class UtilizationHistory:
    resolution: UtilizationResolution = strawberry.field(
        description=f"RAW up to {uc.HISTORY_POINTS} readings; beyond that, or when the range reaches days kept as "
        "hourly means (older than GRAPHSVC_UTILIZATION_RAW_DAYS), the means of each hour (HOURLY), or of each day "
        "(DAILY) when the hours are still more; periods without readings have no point"
    )
    points: list[UtilizationPoint] = strawberry.field(description="oldest first")


@strawberry.type(description="A CI whose utilization reaches the threshold: when, and what depends on it.")
class CapacityForecastEntry:
    configuration_item: t.ConfigurationItem = strawberry.field(description="the CI")
    latest: float = strawberry.field(
        description="its latest reading in the window, in percent (kept to 0.01 percentage point)"
    )
    latest_at: datetime = strawberry.field(description="when that reading was taken (UTC)")
    slope_per_day: float = strawberry.field(
        description="the slope of the least-squares line through the window's readings, in percentage points per day"
    )
    forecast_at: datetime = strawberry.field(
        description="when it reaches the threshold (UTC): the latest reading's time if that is already at or above "
        "it, else when the fitted line does"
    )
    readings: int = strawberry.field(description="how many readings the line was fitted through")
    services: list[t.Service] = strawberry.field(
        description="the services that depend on it at any depth (its dependents' closure), in id order"
    )
    owner: t.Team | None = strawberry.field(description="the team that owns it; null: none recorded")


async def resolve_history(
    info: Info[Context, None], ci: str, start: datetime, end: datetime | None
) -> UtilizationHistory:
    found = await uc.history(info.context.repo, ci, start, end)
    return UtilizationHistory(
        resolution=UtilizationResolution[found.resolution.name],
        points=[UtilizationPoint(at=at, percent=pct) for at, pct in found.points],
    )


async def resolve_capacity_forecast(
    info: Info[Context, None], threshold: float, window_days: int
) -> list[CapacityForecastEntry]:
    view = info.context.view(info)
    entries = await uc.capacity_forecast(info.context.repo, view.cache, threshold, window_days)
    wanted = sorted({s for e in entries for s in e.services})
    services = {p["id"]: p for p in await info.context.repo.by_ids(wanted) if p is not None}
    return [
        CapacityForecastEntry(
            configuration_item=t.item_from_props(e.ci),
            latest=e.forecast.latest.percent,
            latest_at=e.forecast.latest.at,
            slope_per_day=e.forecast.slope_per_day,
            forecast_at=e.forecast.forecast_at,
            readings=e.forecast.readings,
            services=[t.item_from_props(services[s]) for s in e.services if s in services],
            owner=t.item_from_props(e.owner) if e.owner is not None else None,
        )
        for e in entries
    ]


@strawberry.input(description="One utilization reading of a CI.")
class UtilizationReadingInput:
    ci: strawberry.ID = strawberry.field(description="the CI's id")
    at: datetime = strawberry.field(
        description="when it was taken (RFC 3339 with an offset); at most 5 minutes ahead of the server's clock"
    )
    percent: float = strawberry.field(
        description="utilization in percent, 0 to 100; kept to 0.01 percentage point (the nearest hundredth)"
    )


@strawberry.type(description="What a batch of readings did.")
class RecordUtilizationPayload:
    readings: int = strawberry.field(description="readings written (one at a time a CI already had replaces it)")
    configuration_items: int = strawberry.field(description="CIs they are of")
    days: int = strawberry.field(description="CI-days (storage buckets) they touched")
    utilization_updated: list[strawberry.ID] = strawberry.field(
        description="the CIs whose `utilization` became their newest reading of the batch (newer than the one "
        "it came from), in id order"
    )


RecordUtilizationResult = Annotated[
    RecordUtilizationPayload | InvalidInput,
    strawberry.union("RecordUtilizationResult", description="What the readings did, or why none was written."),
]


def _refused(exc: DocumentInvalid | InvalidArgument) -> Any:
    """InvalidInput with every problem, each naming the bad reading's position (`readings[3].percent`): an unknown
    CI too, so that one answer lists all that is wrong with the batch."""
    if isinstance(exc, InvalidArgument):
        problem = InputProblem(field="readings", message=str(exc))
        return InvalidInput(message=str(exc), problems=[problem])
    problems = [InputProblem(field=p.path, message=p.message) for p in exc.problems]
    return InvalidInput(message="; ".join(str(p) for p in exc.problems), problems=problems)


@strawberry.type
class UtilizationMutations:
    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="record a batch of utilization readings (one transaction; every reading is checked first and "
        "none is written if any is wrong); a CI's `utilization` becomes its newest reading",
    )
    async def record_utilization(
        self,
        info: Info[Context, None],
        readings: Annotated[
            list[UtilizationReadingInput],
            strawberry.argument(description="the readings, at most GRAPHSVC_MAX_UTILIZATION_BATCH (50,000) of them"),
        ],
    ) -> RecordUtilizationResult:
        ctx = info.context
        batch = [CiReading(str(r.ci), r.at, r.percent) for r in readings]
        try:
            done = await uc.record_utilization(
                ctx.db, batch, audit=ctx.audit(info.field_name), max_batch=ctx.settings.max_utilization_batch
            )
        except (DocumentInvalid, InvalidArgument) as exc:
            return _refused(exc)
        return RecordUtilizationPayload(
            readings=done.readings,
            configuration_items=done.cis,
            days=done.days,
            utilization_updated=[strawberry.ID(i) for i in done.latest_updated],
        )
