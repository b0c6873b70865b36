"""Continuity, availability and incident-correlation types and resolvers (continuity.graphql, incidents.graphql)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from graphsvc.analysis.availability import Availability
from graphsvc.analysis.continuity import ObjectiveGap
from graphsvc.domain.facts import Props, display_name
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.changes import utc
from graphsvc.graphql.context import Context
from graphsvc.usecases import continuity as uc

__all__ = [
    "AvailabilityResult",
    "ContinuityResult",
    "CorrelationResult",
    "resolve_availability",
    "resolve_continuity",
    "resolve_correlation",
    "resolve_sla_report",
]


PERCENT = "100 x (1 - minutes DOWN / minutes in the period), in percent"
OUTAGE = "minutes in the period the service was DOWN"
DEGRADED = "minutes in the period it was DEGRADED (not counted against availability)"
NO_SERVICE = "null when the SLA covers no live service"


@strawberry.type(description="An item named in an analysis, with its kind (SERVICE, CONFIGURATION_ITEM, ...).")
class ItemRef:
    id: strawberry.ID = strawberry.field(description="the item's id")
    name: str = strawberry.field(description="its name (a record's title)")
    kind: Kind = strawberry.field(description="its kind")

    @strawberry.field(description="the item itself")
    async def item(self, info: Info[Context, None]) -> t.Item | None:
        props = await info.context.view(info).loaders.item.load(str(self.id))
        return t.item_from_props(props) if props else None


def ref(props: Props) -> ItemRef:
    return ItemRef(
        id=strawberry.ID(props["id"]),
        name=display_name(props),
        kind=Kind(props["itemKind"]),
    )


@strawberry.type(description="A single point of failure whose recovery objective exceeds the service's.")
class ObjectiveViolation:
    item: ItemRef = strawberry.field(description="the single point of failure")
    item_minutes: int = strawberry.field(description="its rtoMinutes (or rpoMinutes): what it can achieve")
    service_minutes: int = strawberry.field(description="the service's rtoMinutes (or rpoMinutes), which it exceeds")


@strawberry.type(description="Items that come back in the same wave: nothing in a wave needs a later one.")
class RecoveryWave:
    wave: int = strawberry.field(description="0 for what needs nothing else in the set, then 1 + its highest need")
    ids: list[strawberry.ID] = strawberry.field(description="the ids in this wave, sorted")


@strawberry.type(description="What a service needs to survive an outage (SEMANTICS.md, Continuity).")
class ContinuityResult:
    service: t.Service = strawberry.field(description="the service examined")
    single_points_of_failure: list[ItemRef] = strawberry.field(
        description="CIs and services whose loss alone takes the service DOWN (redundancy-aware), by id"
    )
    rto_violations: list[ObjectiveViolation] = strawberry.field(
        description="single points of failure whose rtoMinutes exceed the service's"
    )
    rpo_violations: list[ObjectiveViolation] = strawberry.field(
        description="single points of failure whose rpoMinutes exceed the service's"
    )
    unknown_rto: list[ItemRef] = strawberry.field(description="single points of failure with no rtoMinutes")
    unknown_rpo: list[ItemRef] = strawberry.field(description="single points of failure with no rpoMinutes")
    recovery_waves: list[RecoveryWave] = strawberry.field(description="the order to bring things back; cycles share")
    notes: list[str] = strawberry.field(description="e.g. that the service has no RTO, so nothing can violate it")


async def resolve_continuity(info: Info[Context, None], service_id: str) -> ContinuityResult:
    view = info.context.view(info)
    report = await uc.continuity_of(view.repo, service_id, view.cache)
    r, items = report.result, report.items
    notes = []
    if report.service.get("rtoMinutes") is None:
        notes.append(f"{service_id} has no rtoMinutes: there is no RTO to violate")
    if report.service.get("rpoMinutes") is None:
        notes.append(f"{service_id} has no rpoMinutes: there is no RPO to violate")
    if report.service.get("status") == "RETIRED":
        notes.append(f"{service_id} is RETIRED: it is left out of every analysis")

    def gaps(found: tuple[ObjectiveGap, ...]) -> list[ObjectiveViolation]:
        return [
            ObjectiveViolation(item=ref(items[v.item]), item_minutes=v.item_minutes, service_minutes=v.service_minutes)
            for v in found
        ]

    return ContinuityResult(
        service=t.item_from_props(report.service),
        single_points_of_failure=[ref(items[i]) for i in r.single_points_of_failure],
        rto_violations=gaps(r.rto_violations),
        rpo_violations=gaps(r.rpo_violations),
        unknown_rto=[ref(items[i]) for i in r.unknown_rto],
        unknown_rpo=[ref(items[i]) for i in r.unknown_rpo],
        recovery_waves=[RecoveryWave(wave=w, ids=[strawberry.ID(i) for i in ids]) for w, ids in enumerate(r.waves)],
        notes=notes,
    )


@strawberry.type(description="An SLA's availability target against the measured figure.")
class SlaAvailability:
    sla: t.Sla = strawberry.field(description="the SLA")
    target: float | None = strawberry.field(description="its availabilityTarget, in percent")
    breached: bool | None = strawberry.field(description="null when there is no target")


@strawberry.type(
    description="One incident's part in a service's unavailability: the minutes the service was DOWN while this "
    "OUTAGE incident was open, and DEGRADED while it (of either effect) was open; incidents open together each "
    "count the time they share."
)
class IncidentShare:
    incident_id: strawberry.ID = strawberry.field(description="the incident's id")
    effect: e.IncidentEffect = strawberry.field(description="OUTAGE or DEGRADATION, as recorded or by priority")
    outage_minutes: float = strawberry.field(description="minutes the service was DOWN while this OUTAGE was open")
    degraded_minutes: float = strawberry.field(description="minutes the service was DEGRADED while this was open")


def _shares(found: Availability | None) -> list[IncidentShare]:
    return [
        IncidentShare(
            incident_id=strawberry.ID(s.incident),
            effect=e.IncidentEffect(s.effect),
            outage_minutes=s.outage_minutes,
            degraded_minutes=s.degraded_minutes,
        )
        for s in (found.shares if found else ())
    ]


@strawberry.type(description="A service's availability over [from, to), from the incident record.")
class AvailabilityResult:
    availability_percent: float = strawberry.field(description=PERCENT)
    outage_minutes: float = strawberry.field(description=OUTAGE)
    degraded_minutes: float = strawberry.field(description=DEGRADED)
    target: float | None = strawberry.field(description="the service's availabilityTarget")
    breached: bool | None = strawberry.field(description="null when the service has no target")
    slas: list[SlaAvailability] = strawberry.field(description="each SLA on the service, against the same figure")
    incident_ids: list[strawberry.ID] = strawberry.field(description="incidents that made it DOWN or DEGRADED")
    incidents: list[IncidentShare] = strawberry.field(description="those incidents' parts, most outage first")


def _breached(percent: float, target: float | None) -> bool | None:
    return None if target is None else percent < target


async def resolve_availability(
    info: Info[Context, None], service_id: str, start: datetime, end: datetime
) -> AvailabilityResult:
    view = info.context.view(info)
    report = await uc.availability_of(view.repo, service_id, utc(start), utc(end), view.cache)
    r = report.result
    target = report.service.get("availabilityTarget")
    return AvailabilityResult(
        availability_percent=r.percent,
        outage_minutes=r.outage_minutes,
        degraded_minutes=r.degraded_minutes,
        target=target,
        breached=_breached(r.percent, target),
        slas=[
            SlaAvailability(
                sla=t.item_from_props(s.sla),
                target=s.sla.get("availabilityTarget"),
                breached=_breached(r.percent, s.sla.get("availabilityTarget")),
            )
            for s in report.slas
        ],
        incident_ids=[strawberry.ID(i) for i in r.incidents],
        incidents=_shares(r),
    )


@strawberry.type(description="Incidents explained by one nearest common dependency, with the evidence.")
class IncidentCluster:
    root_cause: ItemRef = strawberry.field(
        description="the root-cause candidate: the CI or service every incident's affected items reach"
    )
    incidents: list[t.Incident] = strawberry.field(description="the incidents of the cluster")
    window_start: datetime = strawberry.field(description="the first incident's openedAt")
    window_end: datetime = strawberry.field(description="the last incident's openedAt")
    recent_changes: list[t.Change] = strawberry.field(
        description="changes carried out on the root cause or below it in the 7 days before the window or inside it"
    )
    suggested_problem: t.Problem | None = strawberry.field(
        description="an OPEN or KNOWN_ERROR problem already blamed on the root cause"
    )


@strawberry.type(description="Incidents grouped under nearest common dependencies (SEMANTICS.md, correlation).")
class CorrelationResult:
    clusters: list[IncidentCluster] = strawberry.field(description="the clusters, in the order they were found")


async def resolve_correlation(
    info: Info[Context, None], since: datetime, until: datetime, window_minutes: int, min_incidents: int
) -> CorrelationResult:
    view = info.context.view(info)
    found = await uc.correlation(view.repo, utc(since), utc(until), window_minutes, min_incidents, view.cache)
    return CorrelationResult(
        clusters=[
            IncidentCluster(
                root_cause=ref(c.root),
                incidents=[t.item_from_props(i.props) for i in c.cluster.incidents],
                window_start=c.cluster.window_start,
                window_end=c.cluster.window_end,
                recent_changes=[t.item_from_props(ch.props) for ch in c.changes],
                suggested_problem=t.item_from_props(c.problem.props) if c.problem else None,
            )
            for c in found
        ]
    )


@strawberry.type(description="One SLA against its service's measured availability over the period.")
class SlaFigure:
    sla: t.Sla = strawberry.field(description="the SLA")
    service: t.Service | None = strawberry.field(description="the service it covers; null: none")
    business_unit: t.BusinessUnit | None = strawberry.field(description="the business unit it is agreed with")
    availability_percent: float | None = strawberry.field(description="null when the SLA covers no live service")
    outage_minutes: float | None = strawberry.field(description=f"{OUTAGE}; {NO_SERVICE}")
    degraded_minutes: float | None = strawberry.field(description=f"{DEGRADED}; {NO_SERVICE}")
    target: float | None = strawberry.field(description="the SLA's availabilityTarget, in percent")
    breached: bool | None = strawberry.field(
        description="whether the availability is below the target; null when the SLA covers no live service or has "
        "no target"
    )
    incidents: list[IncidentShare] = strawberry.field(
        description="why: the incidents that made the service DOWN or DEGRADED, most outage first"
    )


async def resolve_sla_report(info: Info[Context, None], start: datetime, end: datetime) -> list[SlaFigure]:
    view = info.context.view(info)
    figures = await uc.sla_report(view.repo, utc(start), utc(end), view.cache)
    return [
        SlaFigure(
            sla=t.item_from_props(f.sla),
            service=t.item_from_props(f.service) if f.service else None,
            business_unit=t.item_from_props(f.unit) if f.unit else None,
            availability_percent=f.result.percent if f.result else None,
            outage_minutes=f.result.outage_minutes if f.result else None,
            degraded_minutes=f.result.degraded_minutes if f.result else None,
            target=f.target,
            breached=f.breached,
            incidents=_shares(f.result),
        )
        for f in figures
    ]
