"""Requirement compliance and traceability (requirements.graphql)."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from graphsvc.domain.vocabulary import Rel
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.context import Context
from graphsvc.usecases import requirements as uc

__all__ = [
    "CapacityRisk",
    "RequirementStatusEntry",
    "RequirementTrace",
    "resolve_capacity",
    "resolve_compliance",
    "resolve_trace",
]


@strawberry.enum(description="MET or UNMET (SEMANTICS.md, Requirements)")
class RequirementStatus(Enum):
    MET = "MET"
    UNMET = "UNMET"


@strawberry.enum(description="Why a requirement is UNMET")
class UnmetReason(Enum):
    NO_SERVICE = "NO_SERVICE"
    METRIC_MISSED = "METRIC_MISSED"
    METRIC_UNKNOWN = "METRIC_UNKNOWN"
    CHILD_UNMET = "CHILD_UNMET"


e.describe_values(
    RequirementStatus,
    {
        "MET": "every metric meets its target, and an ACTIVE service satisfies it or every refining requirement is MET",
        "UNMET": "not MET; the reasons say why",
    },
)
e.describe_values(
    UnmetReason,
    {
        "NO_SERVICE": "no ACTIVE service satisfies it and no requirement refines it",
        "METRIC_MISSED": "a metric's current value misses its target",
        "METRIC_UNKNOWN": "a metric has no current value",
        "CHILD_UNMET": "a requirement that refines it is UNMET",
    },
)


@strawberry.type(description="A requirement's compliance: MET, or UNMET with every reason that holds.")
class RequirementStatusEntry:
    requirement: t.Requirement = strawberry.field(description="the requirement")
    status: RequirementStatus = strawberry.field(description="MET or UNMET")
    reasons: list[UnmetReason] = strawberry.field(description="why it is UNMET (empty when MET)")


async def resolve_compliance(info: Info[Context, None]) -> list[RequirementStatusEntry]:
    return [
        RequirementStatusEntry(
            requirement=t.item_from_props(c.requirement),
            status=RequirementStatus.MET if c.met else RequirementStatus.UNMET,
            reasons=[UnmetReason(r) for r in c.reasons],
        )
        for c in await uc.requirement_compliance(info.context.view(info).repo)
    ]


async def _load(info: Info[Context, None], ids: list[str]) -> list[Any]:
    found = await info.context.view(info).loaders.item.load_many(ids)
    return [t.item_from_props(p) for p in found if p is not None]


@strawberry.type(description="From a requirement down to the infrastructure that serves it.")
class RequirementTrace:
    requirement: t.Requirement = strawberry.field(description="the requirement traced")
    refined_by_ids: strawberry.Private[list[str]]
    service_ids: strawberry.Private[list[str]]
    ci_ids: strawberry.Private[list[str]]

    @strawberry.field(description="every requirement that refines it, transitively")
    async def refined_by(self, info: Info[Context, None]) -> list[t.Requirement]:
        return await _load(info, self.refined_by_ids)

    @strawberry.field(description="the services that satisfy it or any requirement refining it")
    async def services(self, info: Info[Context, None]) -> list[t.Service]:
        return await _load(info, self.service_ids)

    @strawberry.field(description="the configuration items those services depend on, transitively")
    async def configuration_items(self, info: Info[Context, None]) -> list[t.ConfigurationItem]:
        return await _load(info, self.ci_ids)


async def resolve_trace(info: Info[Context, None], requirement_id: str) -> RequirementTrace:
    view = info.context.view(info)
    trace = await uc.requirement_trace(view.repo, requirement_id, view.cache)
    return RequirementTrace(
        requirement=t.item_from_props(trace.requirement),
        refined_by_ids=trace.refined_by,
        service_ids=trace.services,
        ci_ids=trace.configuration_items,
    )


@strawberry.type(description="A CI running above the threshold, and the services its saturation would degrade.")
class CapacityRisk:
    configuration_item: t.ConfigurationItem = strawberry.field(description="the CI")
    utilization: float = strawberry.field(description="its utilization, in percent (above the threshold)")
    service_ids: strawberry.Private[list[str]]

    @strawberry.field(description="the services that need it (directly or not): saturation degrades them")
    async def services(self, info: Info[Context, None]) -> list[t.Service]:
        return await _load(info, self.service_ids)

    @strawberry.field(description="the team that owns the CI")
    async def owner(self, info: Info[Context, None]) -> t.Team | None:
        found = (
            await info.context.view(info).loaders.rel(Rel.OWNED_BY, outgoing=True).load(str(self.configuration_item.id))
        )
        return t.item_from_props(found[0].item) if found else None


async def resolve_capacity(info: Info[Context, None], threshold: float) -> list[CapacityRisk]:
    from graphsvc.usecases.capacity import capacity_risks

    view = info.context.view(info)
    found = await capacity_risks(view.repo, threshold, view.cache)
    return [
        CapacityRisk(
            configuration_item=t.item_from_props(r.ci),
            utilization=r.utilization,
            service_ids=[s.id for s in r.services],
        )
        for r in found
    ]
