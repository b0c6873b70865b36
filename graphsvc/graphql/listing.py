"""The item fields of the Query root that an estate has too: each kind by id and as a filtered connection. Their
resolvers read through `info.context.view(info)`, so under `estate(...)` they answer on that estate."""

# No `from __future__ import annotations` here: the resolver factories annotate with closure variables.

import asyncio
import dataclasses
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.arguments import After, First, ItemId
from graphsvc.graphql.compiled import PLAIN_READ, PlainRead
from graphsvc.graphql.context import Context
from graphsvc.graphql.pagination import Connection, Edge, PageInfo, decode_cursor, encode_cursor, page_size

__all__ = ["ITEM_FIELDS", "item_fields"]

CRITICALITY = f"only items of this criticality: {e.CRITICALITY_SCALE}"
FILTER = "restrict the list to the items that match every field given; null: every item of the kind"


@strawberry.input(description="Filters on configuration items; an absent field means no restriction.")
class ConfigurationItemFilter:
    type: e.CIType | None = strawberry.field(default=None, description="only CIs of this type")
    environment: e.CIEnvironment | None = strawberry.field(default=None, description="only CIs in this environment")
    status: e.CIStatus | None = strawberry.field(default=None, description="only CIs in this lifecycle status")
    criticality: int | None = strawberry.field(default=None, description=CRITICALITY)
    site: strawberry.ID | None = strawberry.field(default=None, description="id of the site")
    owner: strawberry.ID | None = strawberry.field(default=None, description="id of the owning team")


@strawberry.input(description="Filters on services; an absent field means no restriction.")
class ServiceFilter:
    tier: e.ServiceTier | None = strawberry.field(default=None, description="only services of this tier")
    status: e.ServiceStatus | None = strawberry.field(default=None, description="only services in this status")
    criticality: int | None = strawberry.field(default=None, description=CRITICALITY)
    owner: strawberry.ID | None = strawberry.field(default=None, description="only services this team owns (its id)")


@strawberry.input(description="Filters on requirements; an absent field means no restriction.")
class RequirementFilter:
    kind: e.RequirementKind | None = strawberry.field(default=None, description="only requirements of this kind")


@strawberry.input(description="Filters on policies; an absent field means no restriction.")
class PolicyFilter:
    kind: e.PolicyKind | None = strawberry.field(default=None, description="only policies of this kind")
    rule_type: e.RuleType | None = strawberry.field(
        default=None, description="only policies whose machine-checkable rule is of this type"
    )


@strawberry.input(description="Filters on ITIL processes; an absent field means no restriction.")
class ProcessFilter:
    area: e.ProcessArea | None = strawberry.field(default=None, description="only processes of this area")


@strawberry.input(description="Filters on incidents; an absent field means no restriction.")
class IncidentFilter:
    status: e.IncidentStatus | None = strawberry.field(default=None, description="only incidents in this status")
    priority: e.IncidentPriority | None = strawberry.field(default=None, description="only incidents of this priority")


@strawberry.input(description="Filters on problems; an absent field means no restriction.")
class ProblemFilter:
    status: e.ProblemStatus | None = strawberry.field(default=None, description="only problems in this status")


@strawberry.input(description="Filters on changes; an absent field means no restriction.")
class ChangeFilter:
    status: e.ChangeStatus | None = strawberry.field(default=None, description="only changes in this status")
    type: e.ChangeType | None = strawberry.field(default=None, description="only changes of this type")


def _filter_params(flt: Any) -> tuple[dict[str, Any], str | None, str | None]:
    """Property filters as a {stored name: value} map, plus the site and owner relationship filters."""
    if flt is None:
        return {}, None, None
    props: dict[str, Any] = {}
    site = owner = None
    for f in dataclasses.fields(flt):
        name, value = f.name, getattr(flt, f.name)
        if value is None:
            continue
        if name == "site":
            site = str(value)
        elif name == "owner":
            owner = str(value)
        else:
            props[t._camel(name)] = value.value if isinstance(value, Enum) else value
    return props, site, owner


async def _get(info: Info[Context, None], item_id: str, kind: Kind) -> Any:
    props = await info.context.view(info).loaders.item.load(item_id)
    if props is None or props.get("itemKind") != kind.value:
        return None
    return t.item_from_props(props)


def _by_id(kind: Kind, type_: type) -> Any:
    async def resolve(info: Info[Context, None], id: ItemId) -> type_ | None:  # type: ignore[valid-type]
        return await _get(info, str(id), kind)

    resolve.__name__ = f"resolve_{kind.value.lower()}"
    return strawberry.field(
        resolver=resolve,
        description=f"one {kind.value} by id (null if there is none)",
        metadata={**needs(Role.viewer, kept=True), PLAIN_READ: PlainRead(kind, page=False)},
    )


def _coerced_filters(filter_type: type) -> Callable[[Mapping[str, Any]], Any]:
    """What a compiled read makes of the executor's coerced `filter` (its fields by GraphQL name): the filters of
    the input object the field-by-field resolver is given."""
    fields = filter_type.__strawberry_definition__.fields  # type: ignore[attr-defined]
    names = {f.graphql_name or t._camel(f.python_name): f.python_name for f in fields}

    def filters(given: Mapping[str, Any]) -> Any:
        return _filter_params(filter_type(**{names[key]: value for key, value in given.items()}))

    return filters


def _listing(kind: Kind, type_: type, filter_type: type | None) -> Any:
    async def page(info: Info[Context, None], first: int, after: str | None, flt: Any) -> Any:
        ctx = info.context
        view = ctx.view(info)
        size = page_size(first, ctx.settings.max_page_size)
        props, site, owner = _filter_params(flt)
        result, total = await asyncio.gather(  # two statements at once: Neo4j runs them on two cores
            view.repo.page(kind, first=size, after=decode_cursor(after), props=props, site=site, owner=owner),
            view.repo.count(kind, props=props, site=site, owner=owner),
        )
        edges = [Edge(cursor=encode_cursor(p["id"]), node=t.item_from_props(p)) for p in result.items]
        for p in result.items:
            view.loaders.item.prime(p["id"], p)
        return Connection(
            total_count=total,
            edges=edges,
            page_info=PageInfo(has_next_page=result.has_next, end_cursor=edges[-1].cursor if edges else None),
        )

    async def plain(info: Info[Context, None], first: First = 50, after: After = None) -> Connection[type_] | None:  # type: ignore[valid-type]
        return await page(info, first, after, None)

    resolve: Any = plain
    if filter_type is not None:

        async def filtered(
            info: Info[Context, None],
            first: First = 50,
            after: After = None,
            filter: Annotated[filter_type | None, strawberry.argument(description=FILTER)] = None,  # type: ignore[valid-type]
        ) -> Connection[type_] | None:  # type: ignore[valid-type]
            return await page(info, first, after, filter)

        resolve = filtered
    resolve.__name__ = f"resolve_{kind.collection}"
    return strawberry.field(
        resolver=resolve,
        description=f"{kind.value} items in id order, a page at a time",
        metadata={
            **needs(Role.viewer, kept=True),
            PLAIN_READ: PlainRead(kind, page=True, filters=_coerced_filters(filter_type) if filter_type else None),
        },
    )


# Each kind by id and as a connection: the root's and every estate's (a new field object for each).
ITEM_FIELDS: dict[str, Callable[[], Any]] = {
    "business_unit": lambda: _by_id(Kind.BUSINESS_UNIT, t.BusinessUnit),
    "business_units": lambda: _listing(Kind.BUSINESS_UNIT, t.BusinessUnit, None),
    "team": lambda: _by_id(Kind.TEAM, t.Team),
    "teams": lambda: _listing(Kind.TEAM, t.Team, None),
    "site": lambda: _by_id(Kind.SITE, t.Site),
    "sites": lambda: _listing(Kind.SITE, t.Site, None),
    "requirement": lambda: _by_id(Kind.REQUIREMENT, t.Requirement),
    "requirements": lambda: _listing(Kind.REQUIREMENT, t.Requirement, RequirementFilter),
    "metric": lambda: _by_id(Kind.METRIC, t.Metric),
    "metrics": lambda: _listing(Kind.METRIC, t.Metric, None),
    "service": lambda: _by_id(Kind.SERVICE, t.Service),
    "services": lambda: _listing(Kind.SERVICE, t.Service, ServiceFilter),
    "configuration_item": lambda: _by_id(Kind.CONFIGURATION_ITEM, t.ConfigurationItem),
    "configuration_items": lambda: _listing(Kind.CONFIGURATION_ITEM, t.ConfigurationItem, ConfigurationItemFilter),
    "redundancy_group": lambda: _by_id(Kind.REDUNDANCY_GROUP, t.RedundancyGroup),
    "redundancy_groups": lambda: _listing(Kind.REDUNDANCY_GROUP, t.RedundancyGroup, None),
    "sla": lambda: _by_id(Kind.SLA, t.Sla),
    "slas": lambda: _listing(Kind.SLA, t.Sla, None),
    "policy": lambda: _by_id(Kind.POLICY, t.Policy),
    "policies": lambda: _listing(Kind.POLICY, t.Policy, PolicyFilter),
    "process": lambda: _by_id(Kind.PROCESS, t.Process),
    "process_connection": lambda: _listing(Kind.PROCESS, t.Process, ProcessFilter),
    "incident": lambda: _by_id(Kind.INCIDENT, t.Incident),
    "incidents": lambda: _listing(Kind.INCIDENT, t.Incident, IncidentFilter),
    "problem": lambda: _by_id(Kind.PROBLEM, t.Problem),
    "problems": lambda: _listing(Kind.PROBLEM, t.Problem, ProblemFilter),
    "change": lambda: _by_id(Kind.CHANGE, t.Change),
    "changes": lambda: _listing(Kind.CHANGE, t.Change, ChangeFilter),
    "release": lambda: _by_id(Kind.RELEASE, t.Release),
    "releases": lambda: _listing(Kind.RELEASE, t.Release, None),
}


def item_fields() -> dict[str, Any]:
    return {name: make() for name, make in ITEM_FIELDS.items()}
