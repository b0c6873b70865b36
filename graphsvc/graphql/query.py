"""The Query root: every kind readable by id and as a paginated, filterable list; full-text search."""

# No `from __future__ import annotations` here: the resolver factories below annotate with closure variables.

import asyncio
import dataclasses
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc.domain.facts import display_name
from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.audit import ApiToken, AuditPage, resolve_audit_log, resolve_history, resolve_tokens
from graphsvc.graphql.changes import CabAgendaEntry, PolicyViolation, cab_agenda, resolve_policy_violations
from graphsvc.graphql.context import Context
from graphsvc.graphql.drift import ContinuityPoint, ImpactDriftResult, resolve_impact_drift, resolve_trend
from graphsvc.graphql.estate import Estate, EstateDiffResult, GraphEdit, resolve_estate, resolve_estate_diff
from graphsvc.graphql.health import CmdbHealth, resolve_health
from graphsvc.graphql.pagination import Connection, Edge, PageInfo, decode_cursor, encode_cursor, page_size
from graphsvc.graphql.requirements import (
    CapacityRisk,
    RequirementStatusEntry,
    RequirementTrace,
    resolve_capacity,
    resolve_compliance,
    resolve_trace,
)
from graphsvc.graphql.scenarios import Scenario, resolve_scenario, resolve_scenarios
from graphsvc.graphql.shared_fields import shared_field

__all__ = ["Query"]

MAX_SEARCH_TEXT = 500  # characters: far beyond a search anyone types; Lucene is never handed a megabyte


@strawberry.input(description="Filters on configuration items; an absent field means no restriction.")
class ConfigurationItemFilter:
    type: e.CIType | None = None
    environment: e.CIEnvironment | None = None
    status: e.CIStatus | None = None
    criticality: int | None = None
    site: strawberry.ID | None = strawberry.field(default=None, description="id of the site")
    owner: strawberry.ID | None = strawberry.field(default=None, description="id of the owning team")


@strawberry.input
class ServiceFilter:
    tier: e.ServiceTier | None = None
    status: e.ServiceStatus | None = None
    criticality: int | None = None
    owner: strawberry.ID | None = None


@strawberry.input
class RequirementFilter:
    kind: e.RequirementKind | None = None


@strawberry.input
class PolicyFilter:
    kind: e.PolicyKind | None = None
    rule_type: e.RuleType | None = None


@strawberry.input
class ProcessFilter:
    area: e.ProcessArea | None = None


@strawberry.input
class IncidentFilter:
    status: e.IncidentStatus | None = None
    priority: e.IncidentPriority | None = None


@strawberry.input
class ProblemFilter:
    status: e.ProblemStatus | None = None


@strawberry.input
class ChangeFilter:
    status: e.ChangeStatus | None = None
    type: e.ChangeType | None = None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _filter_params(flt: Any) -> tuple[dict[str, Any], str | None, str | None]:
    """Property filters as a {stored name: value} map, plus the site and owner relationship filters."""
    if flt is None:
        return {}, None, None
    props: dict[str, Any] = {}
    site = owner = None
    for f in dataclasses.fields(flt):
        value = getattr(flt, f.name)
        if value is None:
            continue
        if f.name == "site":
            site = str(value)
        elif f.name == "owner":
            owner = str(value)
        else:
            props[_camel(f.name)] = value.value if isinstance(value, Enum) else value
    return props, site, owner


async def _get(info: Info[Context, None], item_id: str, kind: Kind) -> Any:
    props = await info.context.view(info).loaders.item.load(item_id)
    if props is None or props.get("itemKind") != kind.value:
        return None
    return t.item_from_props(props)


def _by_id(kind: Kind, type_: type) -> Any:
    async def resolve(info: Info[Context, None], id: strawberry.ID) -> type_ | None:  # type: ignore[valid-type]
        return await _get(info, str(id), kind)

    resolve.__name__ = f"resolve_{kind.value.lower()}"
    return strawberry.field(
        resolver=resolve,
        description=f"one {kind.value} by id (null if there is none)",
        metadata=needs(Role.viewer, kept=True),
    )


def _listing(kind: Kind, type_: type, filter_type: type | None) -> Any:
    async def page(info: Info[Context, None], first: int, after: str | None, flt: Any) -> Any:
        ctx = info.context
        size = page_size(first, ctx.settings.max_page_size)
        props, site, owner = _filter_params(flt)
        result, total = await asyncio.gather(  # two statements at once: Neo4j runs them on two cores
            ctx.repo.page(kind, first=size, after=decode_cursor(after), props=props, site=site, owner=owner),
            ctx.repo.count(kind, props=props, site=site, owner=owner),
        )
        edges = [Edge(cursor=encode_cursor(p["id"]), node=t.item_from_props(p)) for p in result.items]
        for p in result.items:
            info.context.view(info).loaders.item.prime(p["id"], p)
        return Connection(
            total_count=total,
            edges=edges,
            page_info=PageInfo(has_next_page=result.has_next, end_cursor=edges[-1].cursor if edges else None),
        )

    async def plain(info: Info[Context, None], first: int = 50, after: str | None = None) -> Connection[type_]:  # type: ignore[valid-type]
        return await page(info, first, after, None)

    resolve: Any = plain
    if filter_type is not None:

        async def filtered(
            info: Info[Context, None],
            first: int = 50,
            after: str | None = None,
            filter: filter_type | None = None,  # type: ignore[valid-type]
        ) -> Connection[type_]:  # type: ignore[valid-type]
            return await page(info, first, after, filter)

        resolve = filtered
    resolve.__name__ = f"resolve_{kind.collection}"
    return strawberry.field(
        resolver=resolve,
        description=f"{kind.value} items in id order, a page at a time",
        metadata=needs(Role.viewer, kept=True),
    )


@strawberry.type(description="A full-text search hit.")
class SearchHit:
    id: strawberry.ID
    kind: Kind = strawberry.field(description="the type of the item found")
    name: str
    score: float
    item: t.Item


@strawberry.type
class Query:
    item = shared_field("item")

    @strawberry.field(
        description="items whose id, name, title, description or statement match the text, best first",
        metadata=needs(Role.viewer, kept=True),
    )
    async def search(self, info: Info[Context, None], text: str, first: int = 20) -> list[SearchHit]:
        if len(text) > MAX_SEARCH_TEXT:
            raise InvalidArgument(
                f"text: a search is at most {MAX_SEARCH_TEXT} characters (this one has {len(text):,}); "
                "search for the words that matter"
            )
        size = page_size(first, info.context.settings.max_page_size)
        hits = await info.context.repo.search(text, limit=size)
        return [
            SearchHit(
                id=strawberry.ID(p["id"]),
                kind=Kind(p["itemKind"]),
                name=display_name(p),
                score=score,
                item=t.item_from_props(p),
            )
            for p, score in hits
        ]

    impact = shared_field("impact")

    @strawberry.field(
        description="the CMDB as of a time (rebuilt from the audit trail; null: now) and/or with what-if edits applied "
        "in order, never written: every read and analysis under it answers as it would on that CMDB",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def estate(
        self,
        info: Info[Context, None],
        as_of: datetime | None = None,
        edits: list[GraphEdit] | None = None,
    ) -> Estate:
        return await resolve_estate(info, as_of, edits)

    @strawberry.field(
        description="what changed in the estate from one time to another: items added, removed and changed (with "
        "the fields that changed), dependencies added and removed",
        metadata=needs(Role.analyst, kept=True, analysis=True),
    )
    async def estate_diff(
        self,
        info: Info[Context, None],
        start: Annotated[datetime, strawberry.argument(name="from")],
        end: Annotated[datetime, strawberry.argument(name="to")],
    ) -> EstateDiffResult:
        return await resolve_estate_diff(info, start, end)

    @strawberry.field(
        description="the impact of an origin set as of `from` and as of `to` (null: now), and how its services moved",
        metadata=needs(Role.analyst, kept=True, analysis=True),
    )
    async def impact_drift(
        self,
        info: Info[Context, None],
        origin: list[strawberry.ID],
        start: Annotated[datetime, strawberry.argument(name="from")],
        end: Annotated[datetime | None, strawberry.argument(name="to")] = None,
    ) -> ImpactDriftResult:
        return await resolve_impact_drift(info, origin, start, end)

    @strawberry.field(
        description="a service's single points of failure week by week: `weeks` + 1 points ending at `to` (now)",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def continuity_trend(
        self,
        info: Info[Context, None],
        service_id: strawberry.ID,
        end: Annotated[datetime | None, strawberry.argument(name="to")] = None,
        weeks: int = 8,
    ) -> list[ContinuityPoint]:
        return await resolve_trend(info, str(service_id), end, weeks)

    @strawberry.field(description="the saved what-if scenarios, by id", metadata=needs(Role.viewer))
    async def scenarios(self, info: Info[Context, None]) -> list[Scenario]:
        return await resolve_scenarios(info)

    @strawberry.field(description="one saved what-if scenario", metadata=needs(Role.viewer))
    async def scenario(self, info: Info[Context, None], id: strawberry.ID) -> Scenario | None:
        return await resolve_scenario(info, str(id))

    site_failure = shared_field("site_failure")

    @strawberry.field(
        description="the SUBMITTED, APPROVED and SCHEDULED changes planned to start in [from, to): BLOCKED ones "
        "first, then those the CAB decides, then the rest, riskiest first within each",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def cab_agenda(
        self,
        info: Info[Context, None],
        start: Annotated[datetime, strawberry.argument(name="from")],
        end: Annotated[datetime, strawberry.argument(name="to")],
    ) -> list[CabAgendaEntry]:
        return await cab_agenda(info, start, end)

    continuity = shared_field("continuity")

    availability = shared_field("availability")

    @strawberry.field(
        description="CIs above the utilization threshold, hottest first, with what they would degrade",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def capacity_risks(self, info: Info[Context, None], threshold_percent: float = 85.0) -> list[CapacityRisk]:
        return await resolve_capacity(info, threshold_percent)

    @strawberry.field(
        description="every policy rule checked against what it governs; one policy or rule type if asked",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def policy_violations(
        self, info: Info[Context, None], policy_id: strawberry.ID | None = None, rule_type: e.RuleType | None = None
    ) -> list[PolicyViolation]:
        return await resolve_policy_violations(info, policy_id, rule_type)

    @strawberry.field(
        description="how far the CMDB can be trusted: completeness, correctness and compliance, with findings",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def cmdb_health(self, info: Info[Context, None]) -> CmdbHealth:
        return await resolve_health(info)

    @strawberry.field(
        description="every requirement, MET or UNMET with the reasons", metadata=needs(Role.analyst, analysis=True)
    )
    async def requirement_compliance(self, info: Info[Context, None]) -> list[RequirementStatusEntry]:
        return await resolve_compliance(info)

    @strawberry.field(
        description="a requirement traced to the services and CIs that serve it",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def requirement_trace(self, info: Info[Context, None], id: strawberry.ID) -> RequirementTrace:
        return await resolve_trace(info, str(id))

    cost_allocation = shared_field("cost_allocation")

    sla_report = shared_field("sla_report")

    incident_correlation = shared_field("incident_correlation")

    @strawberry.field(
        description="an item's changes, newest first: who, which mutation or import, before and after",
        metadata=needs(Role.viewer),
    )
    async def history(
        self, info: Info[Context, None], id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> AuditPage:
        return await resolve_history(info, str(id), first, after)

    @strawberry.field(
        description="every write since a time, newest first, optionally one actor's (admin)", metadata=needs(Role.admin)
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        since: datetime,
        actor: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AuditPage:
        return await resolve_audit_log(info, since, actor, first, after)

    @strawberry.field(
        description="the API tokens, newest first, without their secrets (admin)", metadata=needs(Role.admin)
    )
    async def api_tokens(self, info: Info[Context, None]) -> list[ApiToken]:
        return await resolve_tokens(info)

    business_unit = _by_id(Kind.BUSINESS_UNIT, t.BusinessUnit)
    business_units = _listing(Kind.BUSINESS_UNIT, t.BusinessUnit, None)
    team = _by_id(Kind.TEAM, t.Team)
    teams = _listing(Kind.TEAM, t.Team, None)
    site = _by_id(Kind.SITE, t.Site)
    sites = _listing(Kind.SITE, t.Site, None)
    requirement = _by_id(Kind.REQUIREMENT, t.Requirement)
    requirements = _listing(Kind.REQUIREMENT, t.Requirement, RequirementFilter)
    metric = _by_id(Kind.METRIC, t.Metric)
    metrics = _listing(Kind.METRIC, t.Metric, None)
    service = _by_id(Kind.SERVICE, t.Service)
    services = _listing(Kind.SERVICE, t.Service, ServiceFilter)
    configuration_item = _by_id(Kind.CONFIGURATION_ITEM, t.ConfigurationItem)
    configuration_items = _listing(Kind.CONFIGURATION_ITEM, t.ConfigurationItem, ConfigurationItemFilter)
    redundancy_group = _by_id(Kind.REDUNDANCY_GROUP, t.RedundancyGroup)
    redundancy_groups = _listing(Kind.REDUNDANCY_GROUP, t.RedundancyGroup, None)
    sla = _by_id(Kind.SLA, t.Sla)
    slas = _listing(Kind.SLA, t.Sla, None)
    policy = _by_id(Kind.POLICY, t.Policy)
    policies = _listing(Kind.POLICY, t.Policy, PolicyFilter)
    process = _by_id(Kind.PROCESS, t.Process)
    process_connection = _listing(Kind.PROCESS, t.Process, ProcessFilter)

    @strawberry.field(
        description="every ITIL process in id order (a small catalogue, so a plain list as requirements.graphql "
        "asks; processConnection pages it like the other kinds)",
        metadata=needs(Role.viewer, kept=True),
    )
    async def processes(self, info: Info[Context, None], area: e.ProcessArea | None = None) -> list[t.Process]:
        props = {} if area is None else {"area": area.value}
        found: list[t.Process] = []
        after: str | None = None
        while True:
            page = await info.context.repo.page(Kind.PROCESS, first=500, after=after, props=props)
            for p in page.items:
                info.context.view(info).loaders.item.prime(p["id"], p)
                found.append(t.item_from_props(p))
            if not page.has_next:
                return found
            after = page.items[-1]["id"]

    incident = _by_id(Kind.INCIDENT, t.Incident)
    incidents = _listing(Kind.INCIDENT, t.Incident, IncidentFilter)
    problem = _by_id(Kind.PROBLEM, t.Problem)
    problems = _listing(Kind.PROBLEM, t.Problem, ProblemFilter)
    change = _by_id(Kind.CHANGE, t.Change)
    changes = _listing(Kind.CHANGE, t.Change, ChangeFilter)
    release = _by_id(Kind.RELEASE, t.Release)
    releases = _listing(Kind.RELEASE, t.Release, None)
