"""Mutation inputs. `XInput` creates an item; `XPatch` changes one: an absent field stays as it is, null clears
it. Field names and rules are the exchange format's; the pydantic models check the values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from graphsvc.graphql import enums as e
from graphsvc.graphql.enums import CRITICALITY_SCALE

__all__ = [
    "NAME",
    "NEW_ID",
    "BusinessUnitInput",
    "BusinessUnitPatch",
    "ConfigurationItemInput",
    "ConfigurationItemPatch",
    "DependencyInput",
    "RedundancyGroupInput",
    "RedundancyGroupPatch",
    "ServiceInput",
    "ServicePatch",
    "SiteInput",
    "SitePatch",
    "TeamInput",
    "TeamPatch",
    "input_dict",
]


def clean_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


def input_dict(data: Any) -> dict[str, Any]:
    """A strawberry input as an exchange dict: camelCase keys, UNSET fields left out, None kept (= clear)."""
    out: dict[str, Any] = {}
    for name, value in vars(data).items():
        if value is strawberry.UNSET:
            continue
        head, *rest = name.split("_")
        out[head + "".join(p.title() for p in rest)] = clean_value(value)
    return out


def _optional(description: str) -> Any:
    """An input field that may be left out (UNSET: as it is, or the default) or given as null (clear it)."""
    return strawberry.field(default=strawberry.UNSET, description=description)


NEW_ID = "the new item's id: unique across all kinds, 1 to 128 of A-Z a-z 0-9 . _ : - (starting with a letter or digit)"
NAME = "its name: no control or bidirectional-override characters"
CRITICALITY = f"1 to 4: {CRITICALITY_SCALE}"
OWNER = "the id of the owning team"
RTO = "recovery time objective in minutes (>= 0)"
RPO = "recovery point objective in minutes (>= 0)"
CI_RTO = "how long it takes to recover, in minutes (>= 0)"
CI_RPO = "how much data its recovery can lose, in minutes (>= 0)"
MONEY = 'its own monthly cost: a decimal >= 0 with up to 4 decimals (e.g. "285.74"); one currency for the CMDB'
PERCENT = "in percent, 0 to 100"
AVAILABILITY = f"the availability it must reach, {PERCENT}"
SOURCE = "where it came from: a discovery source (`kubernetes:shop`) or `manual`"
LAST_SEEN = "when its discovery source last saw it"
SATISFIES = "ids of the requirements it satisfies (replaced as a whole)"
SERVICE_STATUS = "its lifecycle status (ACTIVE if left out)"
CI_STATUS = "its lifecycle status (ACTIVE if left out)"
ENVIRONMENT = "its environment (PRODUCTION if left out)"
SITE = "the id of the site it runs at"
UTILIZATION = f"peak utilization of its main resource, {PERCENT}"
VENDOR = "who supplies it"
ATTRIBUTES = "free-form attributes: a JSON object of scalars (hostname, ip, version, ...)"
EMAIL = "the team's e-mail address"
REGION = "the site's region"
COST_CENTER = "the business unit's cost centre code"
MIN_HEALTHY = "the quorum: how many members must not be DOWN, at least 1"
MEMBERS = "ids of the member CIs or services (replaced as a whole)"


@strawberry.input(description="A new service; fields left out are not set.")
class ServiceInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    name: str = strawberry.field(description=NAME)
    tier: e.ServiceTier = strawberry.field(description="BUSINESS or TECHNICAL")
    criticality: int = strawberry.field(description=CRITICALITY)
    status: e.ServiceStatus | None = _optional(SERVICE_STATUS)
    rto_minutes: int | None = _optional(RTO)
    rpo_minutes: int | None = _optional(RPO)
    availability_target: float | None = _optional(AVAILABILITY)
    monthly_cost: Decimal | None = _optional(MONEY)
    owner: strawberry.ID | None = _optional(OWNER)
    source: str | None = _optional(SOURCE)
    last_seen_at: datetime | None = _optional(LAST_SEEN)
    satisfies: list[strawberry.ID] | None = _optional(SATISFIES)


@strawberry.input(description="Fields to change; an absent field stays as it is, null clears it.")
class ServicePatch:
    name: str | None = _optional(NAME)
    tier: e.ServiceTier | None = _optional("BUSINESS or TECHNICAL")
    criticality: int | None = _optional(CRITICALITY)
    status: e.ServiceStatus | None = _optional(SERVICE_STATUS)
    rto_minutes: int | None = _optional(RTO)
    rpo_minutes: int | None = _optional(RPO)
    availability_target: float | None = _optional(AVAILABILITY)
    monthly_cost: Decimal | None = _optional(MONEY)
    owner: strawberry.ID | None = _optional(OWNER)
    source: str | None = _optional(SOURCE)
    last_seen_at: datetime | None = _optional(LAST_SEEN)
    satisfies: list[strawberry.ID] | None = _optional(SATISFIES)


@strawberry.input(description="A new configuration item; fields left out are not set.")
class ConfigurationItemInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    name: str = strawberry.field(description=NAME)
    type: e.CIType = strawberry.field(description="what the CI is")
    environment: e.CIEnvironment | None = _optional(ENVIRONMENT)
    status: e.CIStatus | None = _optional(CI_STATUS)
    criticality: int | None = _optional(CRITICALITY)
    monthly_cost: Decimal | None = _optional(MONEY)
    rto_minutes: int | None = _optional(CI_RTO)
    rpo_minutes: int | None = _optional(CI_RPO)
    utilization: float | None = _optional(UTILIZATION)
    site: strawberry.ID | None = _optional(SITE)
    owner: strawberry.ID | None = _optional(OWNER)
    vendor: str | None = _optional(VENDOR)
    source: str | None = _optional(SOURCE)
    last_seen_at: datetime | None = _optional(LAST_SEEN)
    attributes: strawberry.scalars.JSON | None = _optional(ATTRIBUTES)


@strawberry.input(description="Fields to change; an absent field stays as it is, null clears it.")
class ConfigurationItemPatch:
    name: str | None = _optional(NAME)
    type: e.CIType | None = _optional("what the CI is")
    environment: e.CIEnvironment | None = _optional(ENVIRONMENT)
    status: e.CIStatus | None = _optional(CI_STATUS)
    criticality: int | None = _optional(CRITICALITY)
    monthly_cost: Decimal | None = _optional(MONEY)
    rto_minutes: int | None = _optional(CI_RTO)
    rpo_minutes: int | None = _optional(CI_RPO)
    utilization: float | None = _optional(UTILIZATION)
    site: strawberry.ID | None = _optional(SITE)
    owner: strawberry.ID | None = _optional(OWNER)
    vendor: str | None = _optional(VENDOR)
    source: str | None = _optional(SOURCE)
    last_seen_at: datetime | None = _optional(LAST_SEEN)
    attributes: strawberry.scalars.JSON | None = _optional(ATTRIBUTES)


@strawberry.input(description="A new team.")
class TeamInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    name: str = strawberry.field(description=NAME)
    email: str | None = _optional(EMAIL)


@strawberry.input(description="Fields of a team to change; an absent field stays as it is, null clears it.")
class TeamPatch:
    name: str | None = _optional(NAME)
    email: str | None = _optional(EMAIL)


@strawberry.input(description="A new site.")
class SiteInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    name: str = strawberry.field(description=NAME)
    region: str | None = _optional(REGION)


@strawberry.input(description="Fields of a site to change; an absent field stays as it is, null clears it.")
class SitePatch:
    name: str | None = _optional(NAME)
    region: str | None = _optional(REGION)


@strawberry.input(description="A new business unit.")
class BusinessUnitInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    name: str = strawberry.field(description=NAME)
    cost_center: str | None = _optional(COST_CENTER)


@strawberry.input(description="Fields of a business unit to change; an absent field stays as it is, null clears it.")
class BusinessUnitPatch:
    name: str | None = _optional(NAME)
    cost_center: str | None = _optional(COST_CENTER)


@strawberry.input(description="A redundancy group: it serves while at least minHealthy of its members are up.")
class RedundancyGroupInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    name: str = strawberry.field(description=NAME)
    min_healthy: int = strawberry.field(description=MIN_HEALTHY)
    members: list[strawberry.ID] = strawberry.field(description=MEMBERS)


@strawberry.input(description="Fields of a redundancy group to change; an absent field stays as it is, null clears it.")
class RedundancyGroupPatch:
    name: str | None = _optional(NAME)
    min_healthy: int | None = _optional(MIN_HEALTHY)
    members: list[strawberry.ID] | None = _optional(MEMBERS)


@strawberry.input(description="A dependency: `from` depends on `to`, so when `to` fails `from` is affected.")
class DependencyInput:
    from_: strawberry.ID = strawberry.field(name="from", description="the dependent")
    to: strawberry.ID = strawberry.field(description="what it depends on")
    kind: e.DependencyKind = strawberry.field(default=e.DependencyKind.USES, description="what the dependency is")
    strength: e.DependencyStrength = strawberry.field(
        default=e.DependencyStrength.HARD, description="HARD: `from` is DOWN when `to` is; SOFT: only DEGRADED"
    )
    weight: float = strawberry.field(default=1.0, description="the dependent's relative share of the cost of `to`, > 0")
