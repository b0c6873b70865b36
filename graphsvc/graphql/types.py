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
from graphsvc.graphql.arguments import First
from graphsvc.graphql.context import Context
from graphsvc.graphql.enums import CRITICALITY_SCALE

if TYPE_CHECKING:
    from graphsvc.graphql.approval import ApprovedAssessment
    from graphsvc.graphql.changes import ChangeAssessment, TimeWindow
    from graphsvc.graphql.impact import ImpactResult
    from graphsvc.graphql.neighbours import Neighbours
    from graphsvc.graphql.utilization import UtilizationHistory

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


def _camel(name: str) -> str:
    """A python field name as its stored property and GraphQL name (`rto_minutes` -> `rtoMinutes`)."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


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
    id: strawberry.ID = strawberry.field(description="the item's id, unique across all kinds (the exchange id)")
    item_kind: Kind = strawberry.field(description="the type of the item: SERVICE, CONFIGURATION_ITEM, ...")
    name: str = strawberry.field(description="the item's name (a record's title)")
    version: int = strawberry.field(description="bumped by every change; pass it back to update")
    created_at: datetime | None = strawberry.field(default=None, description="when graphsvc first stored it (UTC)")
    updated_at: datetime | None = strawberry.field(default=None, description="when graphsvc last changed it (UTC)")

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


CRITICALITY = f"how critical it is: {CRITICALITY_SCALE}"
MONEY = (
    'its own monthly cost as a decimal string rounded to cents, e.g. "1234.50" (up to 4 decimals are stored); one '
    "currency for the whole CMDB, not recorded; null: none recorded (0 in cost allocation)"
)
RTO = "recovery time objective in minutes: the longest it may take to come back"
RPO = "recovery point objective in minutes: the most recent data it may lose"
OWNER = "the team that owns it; null: none (a MISSING_FIELD finding)"
SLAS = "the SLAs on it"
STATUS = "where it is in its lifecycle"

SOURCE = (
    "where it came from: the discovery source that found it (`kubernetes:shop`), `manual`, or null (the API or an "
    "import)"
)
LAST_SEEN = "when its discovery source last saw it (bookkeeping: null under estate(...))"


@strawberry.type(description="One dependency edge: the item depended on, with the edge's properties.")
class DependencyEdge:
    item: Item = strawberry.field(description="the item depended on")
    kind: e.DependencyKind = strawberry.field(description="what the dependency is (USES by default)")
    strength: e.DependencyStrength = strawberry.field(description="HARD (by default) or SOFT")
    weight: float = strawberry.field(
        description="the dependent's relative share of the depended-on item's cost (> 0, 1 by default)"
    )
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

    @strawberry.field(
        description="one side of an item's neighbourhood, capped: the first `first` neighbours (services first, then "
        "the most critical, then by id), how many there are in all, and how many of each kind and CI type"
    )
    async def neighbours(
        self,
        info: Info[Context, None],
        direction: Annotated[e.NeighbourDirection, strawberry.argument(description="which side to read")],
        first: First = 25,
    ) -> Annotated["Neighbours", strawberry.lazy("graphsvc.graphql.neighbours")]:  # noqa: UP037
        from graphsvc.graphql.neighbours import resolve_neighbours

        return await resolve_neighbours(info, str(self.id), direction, first)

    @strawberry.field(description="redundancy groups this item is a member of")
    async def member_of(self, info: Info[Context, None]) -> list[RedundancyGroup]:
        return await _items(info, self.id, Rel.HAS_MEMBER, outgoing=False)

    @strawberry.field(description="incidents whose symptoms showed on this item")
    async def incidents(self, info: Info[Context, None]) -> list[Incident]:
        return await _items(info, self.id, Rel.AFFECTS, outgoing=False)

    @strawberry.field(description="problems whose root cause lies in this item")
    async def problems(self, info: Info[Context, None]) -> list[Problem]:
        return await _items(info, self.id, Rel.CAUSED_BY, outgoing=False)


@strawberry.type(description="A part of the business: consumes services, agrees SLAs, raises requirements.")
class BusinessUnit(Item):
    cost_center: str | None = strawberry.field(default=None, description="its cost centre code; null: none")

    @strawberry.field(description="services this unit consumes, with its share")
    async def consumes(self, info: Info[Context, None]) -> list[Consumption]:
        found = await _rels(info, self.id, Rel.CONSUMES, outgoing=True)
        return [
            Consumption(business_unit=self, service=item_from_props(r.item), share=r.rel.get("share", 1.0))
            for r in found
        ]

    @strawberry.field(description="the SLAs agreed with this unit")
    async def slas(self, info: Info[Context, None]) -> list[Sla]:
        return await _items(info, self.id, Rel.AGREED_WITH, outgoing=False)

    @strawberry.field(description="requirements this unit raised")
    async def requirements(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.RAISED_BY, outgoing=False)


@strawberry.type(description="A team that owns services and CIs, and is notified when they are impacted.")
class Team(Item):
    email: str | None = strawberry.field(default=None, description="the team's e-mail address; null: none")

    @strawberry.field(description="services and CIs this team owns")
    async def owns(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.OWNED_BY, outgoing=False)


@strawberry.type(description="A location where CIs run: a data centre, a cloud region or zone.")
class Site(Item):
    region: str | None = strawberry.field(default=None, description="the site's region; null: none")

    @strawberry.field(description="CIs located at this site")
    async def items(self, info: Info[Context, None]) -> list[ConfigurationItem]:
        return await _items(info, self.id, Rel.LOCATED_AT, outgoing=False)


@strawberry.type(
    description="Something the business needs: MET when its metrics meet their targets and it is served (SEMANTICS.md)."
)
class Requirement(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"kind": e.RequirementKind}
    kind: e.RequirementKind = strawberry.field(description="BUSINESS, SERVICE, OPERATIONAL or TECHNOLOGY")
    priority: int | None = strawberry.field(default=None, description=f"how much it matters: {CRITICALITY_SCALE}")
    description: str | None = strawberry.field(default=None, description="what is required, in words")

    @strawberry.field(description="the requirements this one refines (its parents)")
    async def refines(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.REFINES)

    @strawberry.field(description="the requirements that refine this one (its children)")
    async def refined_by(self, info: Info[Context, None]) -> list[Requirement]:
        return await _items(info, self.id, Rel.REFINES, outgoing=False)

    @strawberry.field(description="the business units that raised it")
    async def raised_by(self, info: Info[Context, None]) -> list[BusinessUnit]:
        return await _items(info, self.id, Rel.RAISED_BY)

    @strawberry.field(description="the metrics that measure it")
    async def metrics(self, info: Info[Context, None]) -> list[Metric]:
        return await _items(info, self.id, Rel.MEASURES, outgoing=False)

    @strawberry.field(description="services that satisfy this requirement")
    async def satisfied_by(self, info: Info[Context, None]) -> list[Service]:
        return await _items(info, self.id, Rel.SATISFIES, outgoing=False)


@strawberry.type(description="A measured value with a target: whether its requirement is met.")
class Metric(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"comparator": e.Comparator}
    unit: str | None = strawberry.field(default=None, description="the unit of target and current (e.g. %, ms)")
    target: float = strawberry.field(default=0.0, description="the value to reach, in `unit`")
    comparator: e.Comparator = strawberry.field(
        default=e.Comparator.GTE, description="GTE: current must be >= target; LTE: <= target"
    )
    current: float | None = strawberry.field(
        default=None, description="the latest measured value, in `unit`; null: unknown (METRIC_UNKNOWN)"
    )

    @strawberry.field(description="the requirement it measures")
    async def requirement(self, info: Info[Context, None]) -> Requirement | None:
        return await _one(info, self.id, Rel.MEASURES)


@strawberry.type(description="A business or technical service: what business units consume and SLAs cover.")
class Service(Dependable):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"tier": e.ServiceTier, "status": e.ServiceStatus}
    tier: e.ServiceTier = strawberry.field(
        default=e.ServiceTier.BUSINESS, description="BUSINESS (faces the business) or TECHNICAL"
    )
    criticality: int = strawberry.field(default=4, description=CRITICALITY)
    status: e.ServiceStatus = strawberry.field(
        default=e.ServiceStatus.ACTIVE, description="its lifecycle status; RETIRED ones are left out of the analyses"
    )
    rto_minutes: int | None = strawberry.field(
        default=None,
        description=f"{RTO}; its single points of failure must recover within it; null: none (nothing to violate)",
    )
    rpo_minutes: int | None = strawberry.field(
        default=None,
        description=f"{RPO}; its single points of failure must lose no more; null: none (nothing to violate)",
    )
    availability_target: float | None = strawberry.field(
        default=None, description="the availability it must reach, in percent (0 to 100); null: none"
    )
    monthly_cost: Decimal | None = strawberry.field(default=None, description=MONEY)
    source: str | None = strawberry.field(default=None, description=SOURCE)
    last_seen_at: datetime | None = strawberry.field(default=None, description=LAST_SEEN)

    @strawberry.field(description=OWNER)
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

    @strawberry.field(description=SLAS)
    async def slas(self, info: Info[Context, None]) -> list[Sla]:
        return await _items(info, self.id, Rel.COVERS, outgoing=False)


@strawberry.type(description="A configuration item (CI): an application, database, server, device, ...")
class ConfigurationItem(Dependable):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {
        "type": e.CIType,
        "environment": e.CIEnvironment,
        "status": e.CIStatus,
    }
    type: e.CIType = strawberry.field(default=e.CIType.OTHER, description="what the CI is")
    environment: e.CIEnvironment = strawberry.field(
        default=e.CIEnvironment.PRODUCTION, description="the environment it belongs to"
    )
    status: e.CIStatus = strawberry.field(
        default=e.CIStatus.ACTIVE, description="its lifecycle status; RETIRED ones are left out of the analyses"
    )
    criticality: int | None = strawberry.field(default=None, description=f"{CRITICALITY}; null: not set")
    monthly_cost: Decimal | None = strawberry.field(default=None, description=MONEY)
    rto_minutes: int | None = strawberry.field(
        default=None,
        description="how long it takes to recover, in minutes, held against the RTO of services that rely on it; "
        "null: unknown (reported as unknown, never as compliant)",
    )
    rpo_minutes: int | None = strawberry.field(
        default=None,
        description="how much data its recovery can lose, in minutes, held against the RPO of services that rely "
        "on it; null: unknown",
    )
    utilization: float | None = strawberry.field(
        default=None,
        description="peak utilization of its main resource, in percent (0 to 100): its latest reading; null: none",
    )
    vendor: str | None = strawberry.field(default=None, description="who supplies it; null: not recorded")
    attributes: JSON | None = strawberry.field(
        default=None,
        description="free-form attributes as a JSON object of scalars (hostname, ip, version, ...); null: none",
    )
    source: str | None = strawberry.field(default=None, description=SOURCE)
    last_seen_at: datetime | None = strawberry.field(default=None, description=LAST_SEEN)

    @strawberry.field(description="the site it runs at; null: none (a MISSING_FIELD finding)")
    async def site(self, info: Info[Context, None]) -> Site | None:
        return await _one(info, self.id, Rel.LOCATED_AT)

    @strawberry.field(description=OWNER)
    async def owner(self, info: Info[Context, None]) -> Team | None:
        return await _one(info, self.id, Rel.OWNED_BY)

    @strawberry.field(
        description="its utilization readings in [from, to), oldest first; long ranges, and days older than "
        "GRAPHSVC_UTILIZATION_RAW_DAYS (kept as hourly means), come as hourly or daily means (see `resolution`). The "
        "readings as stored now, also under an estate",
        metadata=needs(Role.viewer),
    )
    async def utilization_history(
        self,
        info: Info[Context, None],
        start: Annotated[datetime, strawberry.argument(name="from", description="the first time, included (RFC 3339)")],
        end: Annotated[
            datetime | None, strawberry.argument(name="to", description="the last time, excluded (RFC 3339); null: now")
        ] = None,
    ) -> Annotated["UtilizationHistory", strawberry.lazy("graphsvc.graphql.utilization")] | None:  # noqa: UP037
        from graphsvc.graphql.utilization import resolve_history

        return await resolve_history(info, str(self.id), start, end)


@strawberry.type(
    description="Interchangeable CIs or services: the group serves while a quorum of its members is not DOWN."
)
class RedundancyGroup(Dependable):
    min_healthy: int = strawberry.field(
        default=1,
        description="the quorum: how many members must not be DOWN (at least 1); the analyses use at most the "
        "number of live members",
    )

    @strawberry.field(description="the CIs or services in the group")
    async def members(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.HAS_MEMBER)


@strawberry.type(description="A business unit's consumption of a service")
class Consumption:
    business_unit: BusinessUnit = strawberry.field(description="the consuming business unit")
    service: Service = strawberry.field(description="the service consumed")
    share: float = strawberry.field(
        description="its relative share (> 0, 1 by default) of the service's cost, normalised over the service's "
        "consumers"
    )


@strawberry.type(name="SLA", description="A service level agreement between a business unit and a service.")
class Sla(Item):
    availability_target: float = strawberry.field(
        default=0.0, description="the agreed availability, in percent (0 to 100)"
    )
    response_minutes: int | None = strawberry.field(
        default=None, description="the agreed time to respond to an incident, in minutes; null: none agreed"
    )
    resolution_minutes: int | None = strawberry.field(
        default=None, description="the agreed time to resolve an incident, in minutes; null: none agreed"
    )

    @strawberry.field(description="the service it covers")
    async def service(self, info: Info[Context, None]) -> Service | None:
        return await _one(info, self.id, Rel.COVERS)

    @strawberry.field(description="the business unit it is agreed with")
    async def business_unit(self, info: Info[Context, None]) -> BusinessUnit | None:
        return await _one(info, self.id, Rel.AGREED_WITH)


@strawberry.type(
    description="A policy, standard or rule; one with a machine-checkable rule is checked (policyViolations)."
)
class Policy(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"kind": e.PolicyKind, "ruleType": e.RuleType}
    kind: e.PolicyKind = strawberry.field(description="POLICY, PRACTICE, PROCEDURE, GUIDELINE, STANDARD, ...")
    statement: str | None = strawberry.field(default=None, description="what the policy says, in words")
    rule_type: e.RuleType | None = strawberry.field(
        default=None, description="the type of its rule; null: no rule (filed, not checked)"
    )
    rule: JSON | None = strawberry.field(default=None, description="the machine-checkable rule, as in the exchange")

    @strawberry.field(description="what this policy governs; empty means the whole CMDB")
    async def governs(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.GOVERNS)


@strawberry.type(description="An ITIL process.")
class Process(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"area": e.ProcessArea}
    area: e.ProcessArea = strawberry.field(
        default=e.ProcessArea.SERVICE_SUPPORT, description="the ITIL area it belongs to"
    )
    purpose: str | None = strawberry.field(default=None, description="what it is for, in words")

    @strawberry.field(description="processes this one hands work to")
    async def interfaces_with(self, info: Info[Context, None]) -> list[Process]:
        return await _items(info, self.id, Rel.INTERFACES_WITH)

    @strawberry.field(description="processes that hand work to this one")
    async def interfaced_by(self, info: Info[Context, None]) -> list[Process]:
        return await _items(info, self.id, Rel.INTERFACES_WITH, outgoing=False)


@strawberry.type(description="Something stopped working or works badly; open over [openedAt, resolvedAt).")
class Incident(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"priority": e.IncidentPriority, "status": e.IncidentStatus}
    title: str = strawberry.field(default="", description="what happened, in a line")
    priority: e.IncidentPriority = strawberry.field(default=e.IncidentPriority.P3, description="P1 (most urgent) to P4")
    status: e.IncidentStatus = strawberry.field(default=e.IncidentStatus.OPEN, description=STATUS)
    opened_at: datetime | None = strawberry.field(default=None, description="when it began (UTC)")
    resolved_at: datetime | None = strawberry.field(
        default=None, description="when service was restored (UTC); null: still open (counted until now)"
    )
    recorded_effect: strawberry.Private[str | None] = None

    @classmethod
    def from_props(cls, props: Props) -> Any:
        incident = super().from_props(props)
        incident.recorded_effect = props.get("effect")
        return incident

    @strawberry.field(description="OUTAGE or DEGRADATION: as recorded, else OUTAGE at P1 and P2, DEGRADATION at P3, P4")
    def effect(self) -> e.IncidentEffect:
        return e.IncidentEffect(effect_of(self.priority.value, self.recorded_effect))

    @strawberry.field(description="the CIs and services where its symptom shows: the origins of its impact")
    async def affects(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.AFFECTS)

    @strawberry.field(description="the problem it is attributed to; null: none")
    async def problem(self, info: Info[Context, None]) -> Problem | None:
        return await _one(info, self.id, Rel.ATTRIBUTED_TO)


@strawberry.type(description="The underlying cause of one or more incidents.")
class Problem(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"status": e.ProblemStatus}
    title: str = strawberry.field(default="", description="what the problem is, in a line")
    status: e.ProblemStatus = strawberry.field(default=e.ProblemStatus.OPEN, description=STATUS)
    root_cause: str | None = strawberry.field(default=None, description="the root cause, in words; null: not known")
    workaround: str | None = strawberry.field(
        default=None, description="how to live with it until it is fixed; null: none (a KNOWN_ERROR has one)"
    )

    @strawberry.field(description="the CIs, services or groups its root cause lies in")
    async def caused_by(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.CAUSED_BY)

    @strawberry.field(description="the incidents attributed to it")
    async def incidents(self, info: Info[Context, None]) -> list[Incident]:
        return await _items(info, self.id, Rel.ATTRIBUTED_TO, outgoing=False)

    @strawberry.field(description="changes that resolve this problem")
    async def resolved_by(self, info: Info[Context, None]) -> list[Change]:
        return await _items(info, self.id, Rel.RESOLVES, outgoing=False)


@strawberry.type(description="A change to the estate: what it modifies, when, and how far it got.")
class Change(Item):
    ENUMS: ClassVar[dict[str, type[Enum]]] = {"type": e.ChangeType, "status": e.ChangeStatus}
    title: str = strawberry.field(default="", description="what the change does, in a line")
    type: e.ChangeType = strawberry.field(default=e.ChangeType.NORMAL, description="STANDARD, NORMAL or EMERGENCY")
    status: e.ChangeStatus = strawberry.field(default=e.ChangeStatus.DRAFT, description=STATUS)
    planned_start: datetime | None = strawberry.field(
        default=None, description="the planned window's start (UTC); null: not planned yet"
    )
    planned_end: datetime | None = strawberry.field(
        default=None, description="the planned window's end (UTC), after its start; null: not planned yet"
    )
    implemented_at: datetime | None = strawberry.field(
        default=None, description="when it was carried out (or failed), UTC; null: not yet"
    )

    @strawberry.field(description="the items it modifies: the origins of its impact")
    async def modifies(self, info: Info[Context, None]) -> list[Item]:
        return await _items(info, self.id, Rel.MODIFIES)

    @strawberry.field(description="the release it ships in; null: none")
    async def release(self, info: Info[Context, None]) -> Release | None:
        return await _one(info, self.id, Rel.PART_OF)

    @strawberry.field(description="the problems it resolves")
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
        self,
        info: Info[Context, None],
        duration_minutes: Annotated[
            int, strawberry.argument(description="the window's length in minutes: 1 to 20160 (14 days)")
        ],
        after: Annotated[
            datetime | None, strawberry.argument(description="the earliest the window may start; null: now")
        ] = None,
    ) -> Annotated["TimeWindow", strawberry.lazy("graphsvc.graphql.changes")] | None:  # noqa: UP037
        from graphsvc.graphql.changes import next_window

        return await next_window(info, str(self.id), duration_minutes, after)


@strawberry.type(description="A release: a set of changes shipped together.")
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
