"""Impact types: `ImpactResult` (from `impact`, `siteFailure` and a change's assessment) and its entries.

Lists that can be long (`impacted`, `services`) take `first`/`offset` and the totals say how many there are; the
exposure (requirements, business units, SLAs, teams) is read from the database only if a field asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from graphsvc.analysis.exposure import ImpactedService as ServiceHit
from graphsvc.analysis.exposure import impacted_services
from graphsvc.analysis.impact import Impact
from graphsvc.domain.facts import Props
from graphsvc.domain.graph import Status
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.arguments import Offset
from graphsvc.graphql.context import Context, View
from graphsvc.graphql.error_codes import Code
from graphsvc.graphql.pagination import page_size
from graphsvc.settings import Settings
from graphsvc.usecases.impact import ImpactAnalysis, impact_of, site_failure

__all__ = [
    "ImpactResult",
    "ImpactStatus",
    "check_window",
    "impact_analysis",
    "impacted_entries",
    "requirement_entries",
    "service_entries",
    "site_failure_analysis",
]


@strawberry.enum(description="How an impacted item fares: DOWN (out of service) or DEGRADED (working, at risk)")
class ImpactStatus(Enum):
    DOWN = "DOWN"
    DEGRADED = "DEGRADED"


e.describe_values(
    ImpactStatus,
    {
        "DOWN": "out of service: an origin, or it needs something DOWN (HARD), or a group below its quorum",
        "DEGRADED": "working, at risk: it needs something DEGRADED, SOFT-depends on something DOWN, or is a group that "
        "lost members but keeps its quorum",
    },
)


ImpactFirst = Annotated[
    int,
    strawberry.argument(
        description="how many entries to return: 0 up to GRAPHSVC_MAX_IMPACT_ITEMS (10,000 unless configured); totals "
        "says how many there are"
    ),
]
ID = "the item's id"
NAME = "its name (a record's title)"
STATUS = "DOWN or DEGRADED"


def _status(status: Status) -> ImpactStatus:
    return ImpactStatus(status.name)


def check_window(settings: Settings, first: int, offset: int) -> int:
    """The page size `first` asks for, once `first` and `offset` are checked (a GraphQLError naming what is wrong)."""
    size = page_size(first, settings.max_impact_items)
    if offset < 0:
        raise GraphQLError(f"offset must not be negative, got {offset}", extensions={"code": Code.BAD_USER_INPUT})
    return size


def _window(settings: Settings, items: Sequence[Any], first: int, offset: int) -> Sequence[Any]:
    return items[offset : offset + check_window(settings, first, offset)]


@strawberry.type(description="One impacted item: its status, distance from the origin and why.")
class ImpactedItem:
    id: strawberry.ID = strawberry.field(description=ID)
    kind: Kind = strawberry.field(description="the type of the item")
    name: str = strawberry.field(description=NAME)
    status: ImpactStatus = strawberry.field(description=STATUS)
    depth: int = strawberry.field(description="the fewest dependency edges from this item to the origin")
    path: list[strawberry.ID] = strawberry.field(description="one shortest path: ids from this item to the origin")
    explanation: str = strawberry.field(
        description='why, e.g. "DOWN: needs RG-DB, which has 1 of 3 members up and needs 2"'
    )

    @strawberry.field(description="the item itself")
    async def item(self, info: Info[Context, None]) -> t.Item | None:
        props = await info.context.view(info).loaders.item.load(str(self.id))
        return t.item_from_props(props) if props else None


@strawberry.type(description="An impacted service.")
class ImpactedService:
    id: strawberry.ID = strawberry.field(description="the service's id")
    name: str = strawberry.field(description="its name")
    status: ImpactStatus = strawberry.field(description=STATUS)
    criticality: int = strawberry.field(description="1 (most critical) to 4")
    depth: int = strawberry.field(description="the fewest dependency edges from the service to an origin")
    tier: e.ServiceTier | None = strawberry.field(description="BUSINESS or TECHNICAL; null: not recorded")

    @strawberry.field(description="the service itself")
    async def service(self, info: Info[Context, None]) -> t.Service | None:
        props = await info.context.view(info).loaders.item.load(str(self.id))
        return t.item_from_props(props) if props else None


def service_entry(s: ServiceHit) -> ImpactedService:
    return ImpactedService(
        id=strawberry.ID(s.id),
        name=s.name,
        status=_status(s.status),
        criticality=s.criticality,
        depth=s.depth,
        tier=e.ServiceTier(s.tier) if s.tier else None,
    )


@strawberry.type(description="A requirement an impacted service satisfies, or an ancestor of one.")
class ImpactedRequirement:
    id: strawberry.ID = strawberry.field(description="the requirement's id")
    name: str = strawberry.field(description="its name")
    kind: e.RequirementKind = strawberry.field(description="what the requirement is about")
    status: ImpactStatus = strawberry.field(description="the worst status of the impacted services that reach it")

    @strawberry.field(description="the requirement itself")
    async def requirement(self, info: Info[Context, None]) -> t.Requirement | None:
        props = await info.context.view(info).loaders.item.load(str(self.id))
        return t.item_from_props(props) if props else None


# What each of ImpactTotals' fields counts, by field name: the impact's items, or (True) its exposure's. The resolvers
# below and the compiled plan (compiled_impact.py) both count from here.
TOTALS: dict[str, tuple[Callable[[Any], int], bool]] = {
    "impacted": (lambda impact: len(impact.status), False),
    "down": (lambda impact: impact.count(Status.DOWN), False),
    "degraded": (lambda impact: impact.count(Status.DEGRADED), False),
    "services": (lambda impact: len(impact.of_kind(Kind.SERVICE)), False),
    "requirements": (lambda exposure: len(exposure.requirements), True),
    "businessUnits": (lambda exposure: len(exposure.business_units), True),
    "slas": (lambda exposure: len(exposure.slas), True),
    "teams": (lambda exposure: len(exposure.teams), True),
}


@strawberry.type(description="How many entries each list of an impact has in all.")
class ImpactTotals:
    analysis: strawberry.Private[ImpactAnalysis]

    def _count(self, name: str) -> int:
        return TOTALS[name][0](self.analysis.impact)

    async def _exposed(self, name: str) -> int:
        return TOTALS[name][0](await self.analysis.exposure())

    @strawberry.field(description="impacted items of every kind")
    def impacted(self) -> int:
        return self._count("impacted")

    @strawberry.field(description="impacted items that are DOWN")
    def down(self) -> int:
        return self._count("down")

    @strawberry.field(description="impacted items that are DEGRADED")
    def degraded(self) -> int:
        return self._count("degraded")

    @strawberry.field(description="impacted services (the length of `services`)")
    def services(self) -> int:
        return self._count("services")

    @strawberry.field(description="impacted requirements (the length of `requirements`)")
    async def requirements(self) -> int:
        return await self._exposed("requirements")

    @strawberry.field(description="exposed business units (the length of `businessUnits`)")
    async def business_units(self) -> int:
        return await self._exposed("businessUnits")

    @strawberry.field(description="SLAs at risk (the length of `slas`)")
    async def slas(self) -> int:
        return await self._exposed("slas")

    @strawberry.field(description="teams to notify (the length of `teams`)")
    async def teams(self) -> int:
        return await self._exposed("teams")


@strawberry.type(description="What an origin set takes DOWN or leaves DEGRADED, and who and what that exposes.")
class ImpactResult:
    analysis: strawberry.Private[ImpactAnalysis]

    @strawberry.field(description="the origin ids that count (RETIRED items are absent, as if not there)")
    def origin(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self.analysis.impact.origin]

    @strawberry.field(description="the degraded origin ids that count (not RETIRED, not also an origin)")
    def degraded(self) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in self.analysis.impact.degraded_origin]

    @strawberry.field(description="how many entries each list has in all")
    def totals(self) -> ImpactTotals:
        return ImpactTotals(analysis=self.analysis)

    @strawberry.field(description="impacted services, CIs and groups, nearest first (depth, then id)")
    def impacted(
        self,
        info: Info[Context, None],
        first: ImpactFirst = 1000,
        offset: Offset = 0,
        status: Annotated[
            ImpactStatus | None, strawberry.argument(description="only items of this status; null: both")
        ] = None,
        kind: Annotated[
            Kind | None, strawberry.argument(description="only items of this kind; null: every kind")
        ] = None,
    ) -> list[ImpactedItem]:
        return impacted_entries(self.analysis.impact, info.context.settings, first, offset, status, kind)

    @strawberry.field(description="impacted services, worst first: DOWN, then most critical, then id")
    async def services(
        self, info: Info[Context, None], first: ImpactFirst = 1000, offset: Offset = 0
    ) -> list[ImpactedService]:
        return service_entries(self.analysis.impact, info.context.settings, first, offset)

    @strawberry.field(description="requirements the impacted services satisfy, with their ancestors, by id")
    async def requirements(self) -> list[ImpactedRequirement]:
        return requirement_entries((await self.analysis.exposure()).requirements)

    @strawberry.field(description="business units consuming, or with an SLA on, an impacted service")
    async def business_units(self) -> list[t.BusinessUnit]:
        return [t.item_from_props(p) for p in (await self.analysis.exposure()).business_units]

    @strawberry.field(description="SLAs on an impacted service")
    async def slas(self) -> list[t.Sla]:
        return [t.item_from_props(p) for p in (await self.analysis.exposure()).slas]

    @strawberry.field(description="owners of impacted services and CIs")
    async def teams(self) -> list[t.Team]:
        return [t.item_from_props(p) for p in (await self.analysis.exposure()).teams]


def impacted_entries(
    impact: Impact,
    settings: Settings,
    first: int,
    offset: int,
    status: ImpactStatus | None = None,
    kind: Kind | None = None,
) -> list[ImpactedItem]:
    """`ImpactResult.impacted`'s entries (also graphql/compiled_impact.py's)."""
    ids = impact.ids()
    if status is not None:
        ids = [i for i in ids if impact.status[i].name == status.value]
    if kind is not None:
        ids = [i for i in ids if impact.graph.kind_of(i) is kind]  # without making every impacted node
    entries = []
    graph = impact.graph
    for i in _window(settings, ids, first, offset):
        entries.append(
            ImpactedItem(
                id=strawberry.ID(i),
                kind=graph.kind_of(i),
                name=graph.name_of(i),
                status=_status(impact.status[i]),
                depth=impact.depth[i],
                path=[strawberry.ID(p) for p in impact.path(i)],
                explanation=impact.explanation(i),
            )
        )
    return entries


def service_entries(impact: Impact, settings: Settings, first: int, offset: int) -> list[ImpactedService]:
    """`ImpactResult.services`' entries (also graphql/compiled_impact.py's)."""
    return [service_entry(s) for s in _window(settings, impacted_services(impact), first, offset)]


def requirement_entries(found: list[tuple[Props, Status]]) -> list[ImpactedRequirement]:
    """`ImpactResult.requirements`' entries (also graphql/compiled_impact.py's)."""
    return [
        ImpactedRequirement(
            id=strawberry.ID(p["id"]),
            name=p.get("name") or p["id"],
            kind=e.RequirementKind(p["kind"]),
            status=_status(s),
        )
        for p, s in found
    ]


# The `degraded` argument of impact, at the root and under an estate.
DEGRADED_ORIGINS = "items that work, but badly (a DEGRADATION incident): DEGRADED origins"


async def impact_analysis(view: View, origin: Sequence[object], degraded: Sequence[object] | None) -> ImpactAnalysis:
    """`impact`'s analysis through a view (also graphql/compiled_impact.py's)."""
    worse = [str(i) for i in degraded or ()]
    return await impact_of(view.repo, [str(i) for i in origin], view.cache, worse)


async def site_failure_analysis(view: View, site_id: object) -> ImpactAnalysis:
    """`siteFailure`'s analysis through a view (also graphql/compiled_impact.py's)."""
    return await site_failure(view.repo, str(site_id), view.cache)


async def resolve_impact(
    info: Info[Context, None], origin: list[strawberry.ID], degraded: list[strawberry.ID] | None
) -> ImpactResult:
    return ImpactResult(analysis=await impact_analysis(info.context.view(info), origin, degraded))


async def resolve_site_failure(info: Info[Context, None], site_id: strawberry.ID) -> ImpactResult:
    return ImpactResult(analysis=await site_failure_analysis(info.context.view(info), site_id))
