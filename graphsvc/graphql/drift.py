"""`impactDrift` and `continuityTrend`: how a blast radius or a service's single points of failure moved over time
(usecases/drift.py). The impacts at each end answer on the estate of their time, item fields included."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from graphsvc.graphql.context import Context
from graphsvc.graphql.impact import ImpactResult, ImpactStatus
from graphsvc.usecases import drift as uc
from graphsvc.usecases.estate_reads import EstateReads

__all__ = ["ContinuityPoint", "ImpactDriftResult", "resolve_impact_drift", "resolve_trend"]


@strawberry.type(description="A service impacted at one end of the period and not at the other.")
class DriftService:
    id: strawberry.ID = strawberry.field(description="the service's id")
    status: ImpactStatus = strawberry.field(description="its status at the end where it is impacted")


@strawberry.type(description="A service impacted at both ends, but not alike.")
class DriftStatus:
    id: strawberry.ID = strawberry.field(description="the service's id")
    before: ImpactStatus = strawberry.field(description="its status as of `from`")
    after: ImpactStatus = strawberry.field(description="its status as of `to`")


@strawberry.type(description="The impact of an origin set at two times, and how its services moved between them.")
class ImpactDriftResult:
    found: strawberry.Private[uc.ImpactDrift]
    start: datetime = strawberry.field(name="from", description="the earlier time")
    end: datetime | None = strawberry.field(name="to", description="null: now")
    services_added: list[DriftService] = strawberry.field(description="impacted at `to`, not at `from`")
    services_removed: list[DriftService] = strawberry.field(description="impacted at `from`, not at `to`")
    services_changed: list[DriftStatus] = strawberry.field(description="impacted at both, DOWN at one only")

    @strawberry.field(description="the impact on the estate as of `from`")
    def before(self, info: Info[Context, None]) -> ImpactResult:
        _enter(info, self.found.before.repo, self.found.start)
        return ImpactResult(analysis=self.found.before)

    @strawberry.field(description="the impact on the estate as of `to`")
    def after(self, info: Info[Context, None]) -> ImpactResult:
        _enter(info, self.found.after.repo, self.found.end)
        return ImpactResult(analysis=self.found.after)


def _enter(info: Info[Context, None], reads: object, as_of: datetime | None) -> None:
    if isinstance(reads, EstateReads):
        info.context.enter_estate(info, reads, as_of)


async def resolve_impact_drift(
    info: Info[Context, None], origin: list[strawberry.ID], start: datetime, end: datetime | None
) -> ImpactDriftResult:
    found = await uc.impact_drift(info.context.repo, [str(i) for i in origin], start, end, info.context.estate_cache)
    return ImpactDriftResult(
        found=found,
        start=found.start,
        end=found.end,
        services_added=[DriftService(id=strawberry.ID(i), status=ImpactStatus(s)) for i, s in found.services_added],
        services_removed=[DriftService(id=strawberry.ID(i), status=ImpactStatus(s)) for i, s in found.services_removed],
        services_changed=[
            DriftStatus(id=strawberry.ID(i), before=ImpactStatus(a), after=ImpactStatus(b))
            for i, a, b in found.services_changed
        ],
    )


@strawberry.type(description="A service's single points of failure as of one time.")
class ContinuityPoint:
    at: datetime = strawberry.field(description="the time this point answers for")
    exists: bool = strawberry.field(description="whether the service existed then")
    single_points_of_failure: list[strawberry.ID] = strawberry.field(
        description="ids of the CIs and services whose loss alone took the service DOWN then"
    )


async def resolve_trend(
    info: Info[Context, None], service_id: str, end: datetime | None, weeks: int
) -> list[ContinuityPoint]:
    times = uc.weekly(end or datetime.now(UTC), weeks)
    points = await uc.spof_trend(info.context.repo, service_id, times)
    return [
        ContinuityPoint(
            at=p.at, exists=p.exists, single_points_of_failure=[strawberry.ID(i) for i in p.single_points_of_failure]
        )
        for p in points
    ]
