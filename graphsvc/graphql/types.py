"""GraphQL object types for every kind of item, built from stored properties.

Every type implements the `Item` interface (id, itemKind, name, version). A kind's own `kind` field, where the
exchange format has one (requirements, policies), keeps its exchange meaning (BUSINESS, STANDARD, ...): the item's
type is `itemKind`. Relationship fields in both directions load through the request's DataLoaders.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from graphsvc.db.items import Related
from graphsvc.domain.facts import Props, display_name
from graphsvc.domain.incidents import effect_of
from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import Kind, Rel
from graphsvc.graphql import enums as e
from graphsvc.graphql.access import needs
from graphsvc.graphql.context import Context

if TYPE_CHECKING:
    from graphsvc.graphql.approval import ApprovedAssessment
    from graphsvc.graphql.changes import ChangeAssessment, TimeWindow
    from graphsvc.graphql.impact import ImpactResult

__all__ = ["Item", "item_from_props", "money"]

CENT = Decimal("0.01")


def money(value: Any) -> Decimal | None:
    """Stored money (a decimal string) as a Decimal rounded to cents for the API."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT)


_DATA_FIELDS: dict[type, frozenset[str]] = {}


def _data_fields(cls: type) -> frozenset[str]:
    """The python names of a type's plain (resolver-less) fields."""
    if cls not in _DATA_FIELDS:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        _DATA_FIELDS[cls] = frozenset(f.python_name for f in definition.fields if f.base_resolver is None)
    return _DATA_FIELDS[cls]


@functools.cache  # the same few dozen property names, for every item of every page
def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


async def _rels(info: Info[Context, None], item_id: str, rel: Rel, *, outgoing: bool) -> list[Related]:
    return await info.context.view(info).loaders.rel(rel, outgoing=outgoing).load(item_id)


# What a light read of related items carries (cypher/items/related_*_light.cypher); `name` falls back to the title.
LIGHT_FIELDS = frozenset({"id", "name", "itemKind", "__typename"})


def _light(info: Info[Context, None]) -> bool:
    """Whether the field asks for nothing of its items but LIGHT_FIELDS (no fragments: they may ask for more)."""
    return all(
        isinstance(selection, SelectedField) and selection.name in LIGHT_FIELDS
        for field in info.selected_fields
        for selection in field.selections
    )


async def _items(info: Info[Context, None], item_id: str, rel: Rel, *, outgoing: bool = True) -> list[Any]:
    loader = info.context.view(info).loaders.rel(rel, outgoing=outgoing, light=_light(info))
    return [item_from_props(r.item) for r in await loader.load(item_id)]


async def _one(info: Info[Context, None], item_id: str, rel: Rel) -> Any:
    found = await info.context.view(info).loaders.rel(rel, outgoing=True, light=_light(info)).load(item_id)
    return item_from_props(found[0].item) if found else None


@strawberry.interface(description="Anything in the CMDB; ids are unique across all kinds.")
class Item:
    id: strawberry.ID
    item_kind: Kind = strawberry.field(description="the type of the item: SERVICE, CONFIGURATION_ITEM, ...")
    name: str = strawberry.field(description="the item's name (a record's title)")
    version: int = strawberry.field(description="bumped by every change; pass it back to update")
    created_at: datetime | None = None
    updated_at: datetime | None = None

    ENUMS: ClassVar[dict[str, type[Enum]]] = {}
    MONEY: ClassVar[frozenset[str]] = frozenset({"monthlyCost"})
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset({"attributes", "rule"})

    @classmethod
    def from_props(cls, props: Props) -> Any:
        fields = _data_fields(cls)
        values: dict[str, Any] = {f: None for f in fields}
        for key, value in props.items():
            name = _snake(key)
            if name not in fields:
                continue
            if key in cls.ENUMS and value is not None:
                value = cls.ENUMS[key](value)
            elif key in cls.MONEY:
                value = money(value)
            elif key in cls.JSON_FIELDS and isinstance(value, str):
                value = json.loads(value)
            values[name] = value
        values["id"] = strawberry.ID(props["id"])
        values["item_kind"] = Kind(props["itemKind"])
        values["name"] = display_name(props)
        values["version"] = int(props.get("version") or 0)
        return cls(**values)

    @strawberry.field(description="policies that govern this item")
    async def governed_by(self, info: Info[Context, None]) -> list[Policy]:
        return await _items(info, self.id, Rel.GOVERNS, outgoing=False)

    @strawberry.field(description="changes that modify this item")
    async def changes(self, info: Info[Context, None]) -> list[Change]:
        return await _items(info, self.id, Rel.MODIFIES, outgoing=False)


SOURCE = (
    "where it came from: the discovery source that found it (`kubernetes:shop`), `manual`, or null (the API or an "
    "import)"
)
LAST_SEEN = "when its discovery source last saw it (bookkeeping: null under estate(...))"


@strawberry.type(description="One dependency edge: the item depended on, with the edge's properties.")
class DependencyEdge:
    item: Item
    kind: e.DependencyKind
    strength: e.DependencyStrength
    weight: float
    source: str | None = strawberry.field(default=None, description=SOURCE)
    last_seen_at: datetime | None = strawberry.field(default=None, description=LAST_SEEN)
    attributes: JSON | None = strawberry.field(
        default=None, description="the discovery source's evidence for it (`via`, `callCount`)"
    )


def _edges(found: list[Related]) -> list[DependencyEdge]:
    return [
        DependencyEdge(
            item=item_from_props(r.item),
            kind=e.DependencyKind(r.rel.get("kind", "USES")),
            strength=e.DependencyStrength(r.rel.get("strength", "HARD")),
            weight=float(r.rel.get("weight", 1.0)),
            source=r.rel.get("source"),
            last_seen_at=r.rel.get("lastSeenAt"),
            attributes=json.loads(r.rel["attributes"]) if r.rel.get("attributes") else None,
        )
        for r in found
    ]


@strawberry.interface(description="An item that can depend on others: a service, CI or redundancy group.")
class Dependable(Item):
    @strawberry.field(description="what this item depends on")
    async def depends_on(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.DEPENDS_ON)

    @strawberry.field(description="what depends on this item")
    async def dependents(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.DEPENDS_ON, outgoing=False)

    @strawberry.field(description="outgoing dependency edges with kind, strength and weight")
    async def dependencies(self, info: Info[Context, None]) -> list[DependencyEdge]:
        return _edges(await _rels(info, self.id, Rel.DEPENDS_ON, outgoing=True))

    @strawberry.field(description="redundancy groups this item is a member of")
    async def member_of(self, info: Info[Context, None]) -> list[RedundancyGroup]:
        return await _items(info, self.id, Rel.HAS_MEMBER, outgoing=False)

    @strawberry.field(description="incidents whose symptoms showed on this item")
    async def incidents(self, info: Info[Context, None]) -> list[Incident]:
        return await _items(info, self.id, Rel.AFFECTS, outgoing=False)

    @strawberry.field(description="problems whose root cause lies in this item")
    async def problems(self, info: Info[Context, None]) -> list[Problem]:
        return await _items(info, self.id, Rel.CAUSED_BY, outgoing=False)


@strawberry.type
class BusinessUnit(Item):
    cost_center: str | None = None

    @strawberry.field(description="services this unit consumes, with its share")
    async def consumes(self, info: Info[Context, None]) -> list[Consumption]:
        found = await _rels(info, self.id, Rel.CONSUMES, outgoing=True)
        return [
            Consumption(business_unit=self, service=item_from_props(r.item), share=r.rel.get("share", 1.0))
            for r in found
        ]

    @strawberry.field
    async def slas(self, info: Info[Context, None]) -> list[Sla]:
        return await _items(info, self.id, Rel.AGREED_WITH, outgoing=False)

    @strawberry.field(description="requirements this unit raised")
    async def requirements(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.RAISED_BY, outgoing=False)


@strawberry.type
class Team(Item):
    email: str | None = None

    @strawberry.field(description="services and CIs this team owns")
    async def owns(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.OWNED_BY, outgoing=False)


@strawberry.type
class Site(Item):
    region: str | None = None

    @strawberry.field(description="CIs located at this site")
    async def items(self, info: Info[Context, None]) -> list[ConfigurationItem]:
        return await _items(info, self.id, Rel.LOCATED_AT, outgoing=False)


@strawberry.type
class Requirement(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"kind": e.RequirementKind}
    kind: e.RequirementKind = strawberry.field(description="BUSINESS, SERVICE, OPERATIONAL or TECHNOLOGY")
    priority: int | None = None
    description: str | None = None

    @strawberry.field(description="the requirements this one refines (its parents)")
    async def refines(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.REFINES)

    @strawberry.field(description="the requirements that refine this one (its children)")
    async def refined_by(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.REFINES, outgoing=False)

    @strawberry.field
    async def raised_by(self, info: Info[Context, None]) -> list[BusinessUnit]:
        return await _items(info, self.id, Rel.RAISED_BY)

    @strawberry.field
    async def metrics(self, info: Info[Context, None]) -> list[Metric]:
        return await _items(info, self.id, Rel.MEASURES, outgoing=False)

    @strawberry.field(description="services that satisfy this requirement")
    async def satisfied_by(self, info: Info[Context, None]) -> list[Service]:
        return await _items(info, self.id, Rel.SATISFIES, outgoing=False)


@strawberry.type
class Metric(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"comparator": e.Comparator}
    unit: str | None = None
    target: float = 0.0
    comparator: e.Comparator = e.Comparator.GTE
    current: float | None = None

    @strawberry.field
    async def requirement(self, info: Info[Context, None]) -> Requirement | None:
        return await _one(info, self.id, Rel.MEASURES)


@strawberry.type
class Service(Dependable):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"tier": e.ServiceTier, "status": e.ServiceStatus}
    tier: e.ServiceTier = e.ServiceTier.BUSINESS
    criticality: int = 4
    status: e.ServiceStatus = e.ServiceStatus.ACTIVE
    rto_minutes: int | None = None
    rpo_minutes: int | None = None
    availability_target: float | None = None
    monthly_cost: Decimal | None = None
    source: str | None = strawberry.field(default=None, description=SOURCE)
    last_seen_at: datetime | None = strawberry.field(default=None, description=LAST_SEEN)

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> Team | None:
        return await _one(info, self.id, Rel.OWNED_BY)

    @strawberry.field(description="requirements this service satisfies")
    async def satisfies(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.SATISFIES)

    @strawberry.field(description="business units that consume this service, with their shares")
    async def consumers(self, info: Info[Context, None]) -> list[Consumption]:
        found = await _rels(info, self.id, Rel.CONSUMES, outgoing=False)
        return [
            Consumption(business_unit=item_from_props(r.item), service=self, share=r.rel.get("share", 1.0))
            for r in found
        ]

    @strawberry.field
    async def slas(self, info: Info[Context, None]) -> list[Sla]:
        return await _items(info, self.id, Rel.COVERS, outgoing=False)


@strawberry.type
class ConfigurationItem(Dependable):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {
        "type": e.CIType,
        "environment": e.CIEnvironment,
        "status": e.CIStatus,
    }
    type: e.CIType = e.CIType.OTHER
    environment: e.CIEnvironment = e.CIEnvironment.PRODUCTION
    status: e.CIStatus = e.CIStatus.ACTIVE
    criticality: int | None = None
    monthly_cost: Decimal | None = None
    rto_minutes: int | None = None
    rpo_minutes: int | None = None
    utilization: float | None = None
    vendor: str | None = None
    attributes: JSON | None = None
    source: str | None = strawberry.field(default=None, description=SOURCE)
    last_seen_at: datetime | None = strawberry.field(default=None, description=LAST_SEEN)

    @strawberry.field
    async def site(self, info: Info[Context, None]) -> Site | None:
        return await _one(info, self.id, Rel.LOCATED_AT)

    @strawberry.field
    async def owner(self, info: Info[Context, None]) -> Team | None:
        return await _one(info, self.id, Rel.OWNED_BY)


@strawberry.type
class RedundancyGroup(Dependable):
    min_healthy: int = 1

    @strawberry.field
    async def members(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.HAS_MEMBER)


@strawberry.type(description="A business unit's consumption of a service")
class Consumption:
    business_unit: BusinessUnit
    service: Service
    share: float


@strawberry.type(name="SLA")
class Sla(Item):
    availability_target: float = 0.0
    response_minutes: int | None = None
    resolution_minutes: int | None = None

    @strawberry.field
    async def service(self, info: Info[Context, None]) -> Service | None:
        return await _one(info, self.id, Rel.COVERS)

    @strawberry.field
    async def business_unit(self, info: Info[Context, None]) -> BusinessUnit | None:
        return await _one(info, self.id, Rel.AGREED_WITH)


@strawberry.type
class Policy(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"kind": e.PolicyKind, "ruleType": e.RuleType}
    kind: e.PolicyKind = strawberry.field(description="POLICY, PRACTICE, PROCEDURE, GUIDELINE, STANDARD, ...")
    statement: str | None = None
    rule_type: e.RuleType | None = None
    rule: JSON | None = strawberry.field(default=None, description="the machine-checkable rule, as in the exchange")

    @strawberry.field(description="what this policy governs; empty means the whole CMDB")
    async def governs(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.GOVERNS)


@strawberry.type
class Process(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"area": e.ProcessArea}
    area: e.ProcessArea = e.ProcessArea.SERVICE_SUPPORT
    purpose: str | None = None

    @strawberry.field(description="processes this one hands work to")
    async def interfaces_with(self, info: Info[Context, None]) -> list[Process]:
        return await _items(info, self.id, Rel.INTERFACES_WITH)

    @strawberry.field(description="processes that hand work to this one")
    async def interfaced_by(self, info: Info[Context, None]) -> list[Process]:
        return await _items(info, self.id, Rel.INTERFACES_WITH, outgoing=False)


@strawberry.type
class Incident(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"priority": e.IncidentPriority, "status": e.IncidentStatus}
    title: str = ""
    priority: e.IncidentPriority = e.IncidentPriority.P3
    status: e.IncidentStatus = e.IncidentStatus.OPEN
    opened_at: datetime | None = None
    resolved_at: datetime | None = None
    recorded_effect: strawberry.Private[str | None] = None

    @classmethod
    def from_props(cls, props: Props) -> Any:
        incident = super().from_props(props)
        incident.recorded_effect = props.get("effect")
        return incident

    @strawberry.field(description="OUTAGE or DEGRADATION: as recorded, else OUTAGE at P1 and P2, DEGRADATION at P3, P4")
    def effect(self) -> e.IncidentEffect:
        return e.IncidentEffect(effect_of(self.priority.value, self.recorded_effect))

    @strawberry.field
    async def affects(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.AFFECTS)

    @strawberry.field
    async def problem(self, info: Info[Context, None]) -> Problem | None:
        return await _one(info, self.id, Rel.ATTRIBUTED_TO)


@strawberry.type
class Problem(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"status": e.ProblemStatus}
    title: str = ""
    status: e.ProblemStatus = e.ProblemStatus.OPEN
    root_cause: str | None = None
    workaround: str | None = None

    @strawberry.field
    async def caused_by(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.CAUSED_BY)

    @strawberry.field
    async def incidents(self, info: Info[Context, None]) -> list[Incident]:
        return await _items(info, self.id, Rel.ATTRIBUTED_TO, outgoing=False)

    @strawberry.field(description="changes that resolve this problem")
    async def resolved_by(self, info: Info[Context, None]) -> list[Change]:
        return await _items(info, self.id, Rel.RESOLVES, outgoing=False)


@strawberry.type
class Change(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"type": e.ChangeType, "status": e.ChangeStatus}
    title: str = ""
    type: e.ChangeType = e.ChangeType.NORMAL
    status: e.ChangeStatus = e.ChangeStatus.DRAFT
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    implemented_at: datetime | None = None

    @strawberry.field
    async def modifies(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.MODIFIES)

    @strawberry.field
    async def release(self, info: Info[Context, None]) -> Release | None:
        return await _one(info, self.id, Rel.PART_OF)

    @strawberry.field
    async def resolves(self, info: Info[Context, None]) -> list[Problem]:
        return await _items(info, self.id, Rel.RESOLVES)

    @strawberry.field(
        description="impact, risk, conflicts, policy violations and required approvals",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def assessment(
        self, info: Info[Context, None]
    ) -> Annotated["ChangeAssessment", strawberry.lazy("graphsvc.graphql.changes")]:  # noqa: UP037
        from graphsvc.graphql.changes import assess_change

        return await assess_change(info, str(self.id))

    @strawberry.field(description="the assessment it was last approved on (null: not approved), to compare with now")
    async def approved_assessment(
        self, info: Info[Context, None]
    ) -> Annotated["ApprovedAssessment", strawberry.lazy("graphsvc.graphql.approval")] | None:  # noqa: UP037
        from graphsvc.graphql.approval import resolve_approved

        return await resolve_approved(info, str(self.id))

    @strawberry.field(
        description="the earliest window of that length (after `after`, default now) inside the maintenance windows "
        "that govern what the change touches, outside freezes, conflicting with no pending change; null if none "
        "within a year",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def next_conflict_free_window(
        self, info: Info[Context, None], duration_minutes: int, after: datetime | None = None
    ) -> Annotated["TimeWindow", strawberry.lazy("graphsvc.graphql.changes")] | None:  # noqa: UP037
        from graphsvc.graphql.changes import next_window

        return await next_window(info, str(self.id), duration_minutes, after)


@strawberry.type
class Release(Item):
    release_version: str | None = strawberry.field(default=None, description="the release's own version string")

    @strawberry.field(name="changes", description="the changes shipped in this release")
    async def release_changes(self, info: Info[Context, None]) -> list[Change]:
        return await _items(info, self.id, Rel.PART_OF, outgoing=False)

    @strawberry.field(
        description="the impact of everything the release's changes modify, together",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def impact(
        self, info: Info[Context, None]
    ) -> Annotated["ImpactResult", strawberry.lazy("graphsvc.graphql.impact")]:  # noqa: UP037
        from graphsvc.graphql.changes import release_impact

        return await release_impact(info, str(self.id))


TYPES: dict[Kind, type[Item]] = {
    Kind.BUSINESS_UNIT: BusinessUnit,
    Kind.TEAM: Team,
    Kind.SITE: Site,
    Kind.REQUIREMENT: Requirement,
    Kind.METRIC: Metric,
    Kind.SERVICE: Service,
    Kind.CONFIGURATION_ITEM: ConfigurationItem,
    Kind.REDUNDANCY_GROUP: RedundancyGroup,
    Kind.SLA: Sla,
    Kind.POLICY: Policy,
    Kind.PROCESS: Process,
    Kind.INCIDENT: Incident,
    Kind.PROBLEM: Problem,
    Kind.CHANGE: Change,
    Kind.RELEASE: Release,
}


def item_from_props(props: Props) -> Any:
    """The GraphQL object for a stored item, of the type its kind names."""
    return TYPES[Kind(props["itemKind"])].from_props(props)
