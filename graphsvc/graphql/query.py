"""The Query root: every kind readable by id and as a paginated, filterable list; full-text search."""

# No `from __future__ import annotations` here: the resolver factories below annotate with closure variables.

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from graphsvc.domain.facts import display_name
from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.arguments import After, AsOf, First, ItemId, Origin, ServiceId, UntilNow
from graphsvc.graphql.audit import ApiToken, AuditPage, resolve_audit_log, resolve_history, resolve_tokens
from graphsvc.graphql.context import Context
from graphsvc.graphql.discovery import DiscoveryRun, resolve_discovery_runs
from graphsvc.graphql.drift import ContinuityPoint, ImpactDriftResult, resolve_impact_drift, resolve_trend
from graphsvc.graphql.estate import Estate, EstateDiffResult, GraphEdit, resolve_estate, resolve_estate_diff
from graphsvc.graphql.listing import item_fields
from graphsvc.graphql.pagination import page_size
from graphsvc.graphql.scenarios import Scenario, resolve_scenario, resolve_scenarios
from graphsvc.graphql.shared_fields import shared_field
from graphsvc.graphql.utilization import CapacityForecastEntry, resolve_capacity_forecast

__all__ = ["Query"]

MAX_SEARCH_TEXT = 500  # characters: far beyond a search anyone types; Lucene is never handed a megabyte


@strawberry.type(description="A full-text search hit.")
class SearchHit:
    id: strawberry.ID = strawberry.field(description="the id of the item found")
    kind: Kind = strawberry.field(description="the type of the item found")
    name: str = strawberry.field(description="its name (a record's title)")
    score: float = strawberry.field(description="the full-text relevance (Lucene score): higher is better")
    item: t.Item = strawberry.field(description="the item itself")


@strawberry.type(
    description="Reads: every kind of item by id and as a paginated list, full-text search, the analyses (impact, "
    "changes, continuity, availability, cost, compliance, health), the estate as of a time or what-if, and the "
    "audit trail."
)
class Query:
    item = shared_field("item")
    items = shared_field("items")

    @strawberry.field(
        description="items whose id, name, title, description or statement match the text, best first",
        metadata=needs(Role.viewer, kept=True),
    )
    async def search(
        self,
        info: Info[Context, None],
        text: Annotated[
            str,
            strawberry.argument(
                description="the words to find (at most 500 characters; 16 words are used, each matching exactly or "
                "as a prefix, any word may match); never read as Lucene syntax"
            ),
        ],
        first: First = 20,
    ) -> list[SearchHit] | None:
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
        as_of: AsOf = None,
        edits: Annotated[
            list[GraphEdit] | None,
            strawberry.argument(description="what-if edits applied in order to that CMDB, never written; null: none"),
        ] = None,
    ) -> Estate | None:
        return await resolve_estate(info, as_of, edits)

    @strawberry.field(
        description="what changed in the estate from one time to another: items added, removed and changed (with "
        "the fields that changed), dependencies added and removed",
        metadata=needs(Role.analyst, kept=True, analysis=True),
    )
    async def estate_diff(
        self,
        info: Info[Context, None],
        start: Annotated[datetime, strawberry.argument(name="from", description="the earlier time")],
        end: Annotated[datetime, strawberry.argument(name="to", description="the later time")],
    ) -> EstateDiffResult | None:
        return await resolve_estate_diff(info, start, end)

    @strawberry.field(
        description="the impact of an origin set as of `from` and as of `to` (null: now), and how its services moved",
        metadata=needs(Role.analyst, kept=True, analysis=True),
    )
    async def impact_drift(
        self,
        info: Info[Context, None],
        origin: Origin,
        start: Annotated[datetime, strawberry.argument(name="from", description="the earlier time")],
        end: UntilNow = None,
    ) -> ImpactDriftResult | None:
        return await resolve_impact_drift(info, origin, start, end)

    @strawberry.field(
        description="a service's single points of failure week by week: `weeks` + 1 points ending at `to` (now)",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def continuity_trend(
        self,
        info: Info[Context, None],
        service_id: ServiceId,
        end: UntilNow = None,
        weeks: Annotated[int, strawberry.argument(description="how many weeks back from `to`: 1 to 52")] = 8,
    ) -> list[ContinuityPoint] | None:
        return await resolve_trend(info, str(service_id), end, weeks)

    @strawberry.field(description="the saved what-if scenarios, by id", metadata=needs(Role.viewer))
    async def scenarios(self, info: Info[Context, None]) -> list[Scenario] | None:
        return await resolve_scenarios(info)

    @strawberry.field(description="one saved what-if scenario", metadata=needs(Role.viewer))
    async def scenario(
        self, info: Info[Context, None], id: Annotated[strawberry.ID, strawberry.argument(description="its id")]
    ) -> Scenario | None:
        return await resolve_scenario(info, str(id))

    @strawberry.field(
        description="discovery runs, newest first (of one source if given): counts and what each reported",
        metadata=needs(Role.viewer),
    )
    async def discovery_runs(
        self,
        info: Info[Context, None],
        source: Annotated[
            str | None,
            strawberry.argument(description="only this source's runs (e.g. `kubernetes:shop`); null: every source's"),
        ] = None,
        first: Annotated[int, strawberry.argument(description="how many runs, newest first: 1 to 500")] = 20,
    ) -> list[DiscoveryRun] | None:
        return await resolve_discovery_runs(info, source, first)

    site_failure = shared_field("site_failure")

    cab_agenda = shared_field("cab_agenda")

    continuity = shared_field("continuity")

    availability = shared_field("availability")

    capacity_risks = shared_field("capacity_risks")

    @strawberry.field(
        description="every CI whose utilization readings reach the threshold: the latest reading, the slope of the "
        "least-squares line through the window's readings, when it reaches the threshold, the services that depend "
        "on it and its owner; by forecast date, then id (SEMANTICS.md). Root only: readings are not part of an "
        "estate",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def capacity_forecast(
        self,
        info: Info[Context, None],
        threshold_percent: Annotated[
            float | None, strawberry.argument(description="the utilization (percent, 0 to 100) to reach; null: 85")
        ] = 85.0,
        window_days: Annotated[
            int | None,
            strawberry.argument(description="fit the readings of the last this many days: 1 to 365; null: 30"),
        ] = 30,
    ) -> list[CapacityForecastEntry] | None:
        return await resolve_capacity_forecast(
            info, 85.0 if threshold_percent is None else threshold_percent, 30 if window_days is None else window_days
        )

    policy_violations = shared_field("policy_violations")

    cmdb_health = shared_field("cmdb_health")

    service_status = shared_field("service_status")

    requirement_compliance = shared_field("requirement_compliance")

    requirement_trace = shared_field("requirement_trace")

    cost_allocation = shared_field("cost_allocation")

    sla_report = shared_field("sla_report")

    incident_correlation = shared_field("incident_correlation")

    @strawberry.field(
        description="an item's changes, newest first: who, which mutation or import, before and after",
        metadata=needs(Role.viewer),
    )
    async def history(
        self, info: Info[Context, None], id: ItemId, first: First = 50, after: After = None
    ) -> AuditPage | None:
        return await resolve_history(info, str(id), first, after)

    @strawberry.field(
        description="every write since a time, newest first, optionally one actor's (admin)", metadata=needs(Role.admin)
    )
    async def audit_log(
        self,
        info: Info[Context, None],
        since: Annotated[datetime, strawberry.argument(description="list the writes made at or after this time")],
        actor: Annotated[
            str | None,
            strawberry.argument(description="only the writes of this actor (a token id or name); null: everyone's"),
        ] = None,
        first: First = 50,
        after: After = None,
    ) -> AuditPage | None:
        return await resolve_audit_log(info, since, actor, first, after)

    @strawberry.field(
        description="the API tokens, newest first, without their secrets (admin)", metadata=needs(Role.admin)
    )
    async def api_tokens(self, info: Info[Context, None]) -> list[ApiToken] | None:
        return await resolve_tokens(info)

    locals().update(item_fields())  # each kind by id and as a connection (graphql/listing.py)

    @strawberry.field(
        description="every ITIL process in id order (a small catalogue, so a plain list as requirements.graphql "
        "asks; processConnection pages it like the other kinds)",
        metadata=needs(Role.viewer, kept=True),
    )
    async def processes(
        self,
        info: Info[Context, None],
        area: Annotated[
            e.ProcessArea | None, strawberry.argument(description="only this area; null: every area")
        ] = None,
    ) -> list[t.Process] | None:
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
