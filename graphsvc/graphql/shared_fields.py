"""Fields the Query root and an `Estate` share: one resolver and one declaration each, mounted on both.

A resolver reads through `info.context.view(info)` (graphql/context.py): at the root that is the database, under
`estate(...)` the estate in memory, so the same function answers both. An analysis joins the estate by its use case
reading through `usecases/sources.py` and its name being listed in `ESTATE` (graphql/estate.py mounts those).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from graphsvc.domain.tokens import Role
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import Access, needs
from graphsvc.graphql.arguments import From, ItemId, Origin, ServiceId, To
from graphsvc.graphql.changes import CabAgendaEntry, PolicyViolation, resolve_cab_agenda, resolve_policy_violations
from graphsvc.graphql.context import Context
from graphsvc.graphql.continuity import (
    AvailabilityResult,
    ContinuityResult,
    CorrelationResult,
    SlaFigure,
    resolve_availability,
    resolve_continuity,
    resolve_correlation,
    resolve_sla_report,
)
from graphsvc.graphql.cost import CostAllocation, resolve_cost_allocation
from graphsvc.graphql.error_codes import Code
from graphsvc.graphql.health import CmdbHealth, resolve_health
from graphsvc.graphql.impact import ImpactResult, resolve_impact, resolve_site_failure
from graphsvc.graphql.requirements import (
    CapacityRisk,
    RequirementStatusEntry,
    RequirementTrace,
    resolve_capacity,
    resolve_compliance,
    resolve_trace,
)
from graphsvc.graphql.status import ServiceStatusBoard, resolve_service_status

__all__ = ["ESTATE", "shared_field"]


async def item(info: Info[Context, None], id: ItemId) -> t.Item | None:
    props = await info.context.view(info).loaders.item.load(str(id))
    return t.item_from_props(props) if props else None


async def items(
    info: Info[Context, None],
    ids: Annotated[
        list[strawberry.ID],
        strawberry.argument(
            description="the items' ids, at most the server's page-size cap (GRAPHSVC_MAX_PAGE_SIZE, 500 unless "
            "configured); more is a BAD_USER_INPUT error"
        ),
    ],
) -> list[t.Item | None]:
    """One read for many items (a drawing's nodes, a path's steps) where `item` would need an alias per id."""
    maximum = info.context.settings.max_page_size
    if len(ids) > maximum:
        raise GraphQLError(
            f"ids: {len(ids)} ids asked, at most {maximum} (GRAPHSVC_MAX_PAGE_SIZE) in one request",
            extensions={"code": Code.BAD_USER_INPUT, "argument": "ids"},
        )
    found = await info.context.view(info).loaders.item.load_many([str(i) for i in ids])
    return [t.item_from_props(props) if props else None for props in found]


async def impact(
    info: Info[Context, None],
    origin: Origin,
    degraded: Annotated[
        list[strawberry.ID] | None,
        strawberry.argument(description="items that work, but badly (a DEGRADATION incident): DEGRADED origins"),
    ] = None,
) -> ImpactResult | None:
    return await resolve_impact(info, origin, degraded)


async def site_failure(
    info: Info[Context, None],
    site_id: Annotated[strawberry.ID, strawberry.argument(description="the site whose CIs all fail")],
) -> ImpactResult | None:
    return await resolve_site_failure(info, site_id)


async def continuity(info: Info[Context, None], service_id: ServiceId) -> ContinuityResult | None:
    return await resolve_continuity(info, str(service_id))


async def availability(
    info: Info[Context, None], service_id: ServiceId, start: From, end: To
) -> AvailabilityResult | None:
    return await resolve_availability(info, str(service_id), start, end)


async def cost_allocation(info: Info[Context, None]) -> CostAllocation | None:
    return await resolve_cost_allocation(info)


async def sla_report(info: Info[Context, None], start: From, end: To) -> list[SlaFigure] | None:
    return await resolve_sla_report(info, start, end)


async def incident_correlation(
    info: Info[Context, None],
    since: Annotated[datetime, strawberry.argument(description="consider incidents opened at or after this time")],
    until: Annotated[datetime, strawberry.argument(description="and before this time (excluded)")],
    window_minutes: Annotated[
        int | None,
        strawberry.argument(
            description="how far apart (minutes) the openings of one cluster's incidents may be: 1 to 10080 (a "
            "week); null: 60"
        ),
    ] = 60,
    min_incidents: Annotated[
        int | None, strawberry.argument(description="the fewest incidents that make a cluster, at least 1; null: 2")
    ] = 2,
) -> CorrelationResult | None:
    return await resolve_correlation(
        info,
        since,
        until,
        60 if window_minutes is None else window_minutes,
        2 if min_incidents is None else min_incidents,
    )


async def cab_agenda(info: Info[Context, None], start: From, end: To) -> list[CabAgendaEntry] | None:
    return await resolve_cab_agenda(info, start, end)


async def capacity_risks(
    info: Info[Context, None],
    threshold_percent: Annotated[
        float, strawberry.argument(description="the utilization (percent, 0 to 100) a CI must exceed to be listed")
    ] = 85.0,
) -> list[CapacityRisk] | None:
    return await resolve_capacity(info, threshold_percent)


async def requirement_compliance(info: Info[Context, None]) -> list[RequirementStatusEntry] | None:
    return await resolve_compliance(info)


async def requirement_trace(
    info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="the requirement's id")]
) -> RequirementTrace | None:
    return await resolve_trace(info, str(id))


async def policy_violations(
    info: Info[Context, None],
    policy_id: Annotated[
        strawberry.ID | None, strawberry.argument(description="check only this policy; null: every policy")
    ] = None,
    rule_type: Annotated[
        e.RuleType | None, strawberry.argument(description="check only rules of this type; null: every type")
    ] = None,
) -> list[PolicyViolation] | None:
    return await resolve_policy_violations(info, policy_id, rule_type)


async def cmdb_health(info: Info[Context, None]) -> CmdbHealth | None:
    return await resolve_health(info)


async def service_status(info: Info[Context, None]) -> ServiceStatusBoard | None:
    return await resolve_service_status(info)


_ANALYSIS = Access(Role.analyst, analysis=True)
_GRAPH = Access(Role.analyst, kept=True, analysis=True)  # moves with the stored data alone: may be kept

SHARED: dict[str, tuple[Any, str, Access]] = {
    "item": (item, "any item by id, whatever its kind", Access(Role.viewer, kept=True)),
    "items": (
        items,
        "items by id, whatever their kind, in the order asked; null where there is no such item",
        Access(Role.viewer, kept=True),
    ),
    "impact": (
        impact,
        "what failing (or changing) these services, CIs or groups takes DOWN or leaves DEGRADED",
        _GRAPH,
    ),
    "site_failure": (site_failure, "the impact of losing a whole site: every CI located there fails", _GRAPH),
    "continuity": (continuity, "single points of failure, RTO/RPO gaps and recovery waves of a service", _ANALYSIS),
    "availability": (
        availability,
        "a service's availability over [from, to) from the incidents, against its targets",
        _ANALYSIS,
    ),
    "cost_allocation": (
        cost_allocation,
        "monthly IT cost allocated through the dependency graph to the business units",
        _ANALYSIS,
    ),
    "sla_report": (sla_report, "every SLA with its service's availability over [from, to), breaches first", _ANALYSIS),
    "incident_correlation": (
        incident_correlation,
        "incidents opened in [since, until) grouped by a nearest common dependency",
        _ANALYSIS,
    ),
    "cab_agenda": (
        cab_agenda,
        "the SUBMITTED, APPROVED and SCHEDULED changes planned to start in [from, to): BLOCKED ones first, then "
        "those the CAB decides, then the rest, riskiest first within each",
        _ANALYSIS,
    ),
    "capacity_risks": (
        capacity_risks,
        "CIs above the utilization threshold, hottest first, with what they would degrade",
        _ANALYSIS,
    ),
    "requirement_compliance": (requirement_compliance, "every requirement, MET or UNMET with the reasons", _ANALYSIS),
    "requirement_trace": (
        requirement_trace,
        "a requirement traced to the services and CIs that serve it",
        _ANALYSIS,
    ),
    "policy_violations": (
        policy_violations,
        "every policy rule checked against what it governs; one policy or rule type if asked",
        _ANALYSIS,
    ),
    "service_status": (
        service_status,
        "the service desk's board: every service DOWN or DEGRADED now (under an estate: at its time) from the open "
        "incidents, with the incidents behind each",
        # Kept in the response cache: the board moves with the stored data (every write moves the fingerprint); the
        # clock only matters for an incident dated ahead (opened or resolved after now), seen within the cache's
        # lifetime. Wall screens poll it: only the first ask after a write computes it.
        Access(Role.viewer, kept=True, analysis=True),
    ),
    "cmdb_health": (
        cmdb_health,
        "how far the CMDB can be trusted: completeness, correctness and compliance, with findings",
        _ANALYSIS,
    ),
}

# The shared fields an estate has: every one whose use case reads through usecases/sources.py.
ESTATE = (
    "item",
    "items",
    "impact",
    "site_failure",
    "continuity",
    "availability",
    "cost_allocation",
    "sla_report",
    "incident_correlation",
    "cab_agenda",
    "capacity_risks",
    "requirement_compliance",
    "requirement_trace",
    "policy_violations",
    "cmdb_health",
    "service_status",
)


def shared_field(name: str) -> Any:
    """The field `name` of SHARED, for the Query root or an Estate (a new field object each time)."""
    resolver, description, access = SHARED[name]
    return strawberry.field(
        resolver=resolver,
        description=description,
        metadata=needs(access.role, kept=access.kept, analysis=access.analysis),
    )
