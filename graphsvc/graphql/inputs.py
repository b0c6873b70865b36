"""Mutation inputs. `XInput` creates an item; `XPatch` changes one: an absent field stays as it is, null clears
it. Field names and rules are the exchange format's; the pydantic models check the values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from graphsvc.graphql import enums as e

__all__ = [
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


@strawberry.input
class ServiceInput:
    id: strawberry.ID
    name: str
    tier: e.ServiceTier
    criticality: int
    status: e.ServiceStatus | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    availability_target: float | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    source: str | None = strawberry.field(default=strawberry.UNSET, description="where it came from (`manual`, ...)")
    last_seen_at: datetime | None = strawberry.UNSET
    satisfies: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input(description="Fields to change; an absent field stays as it is, null clears it.")
class ServicePatch:
    name: str | None = strawberry.UNSET
    tier: e.ServiceTier | None = strawberry.UNSET
    criticality: int | None = strawberry.UNSET
    status: e.ServiceStatus | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    availability_target: float | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    source: str | None = strawberry.field(default=strawberry.UNSET, description="where it came from (`manual`, ...)")
    last_seen_at: datetime | None = strawberry.UNSET
    satisfies: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class ConfigurationItemInput:
    id: strawberry.ID
    name: str
    type: e.CIType
    environment: e.CIEnvironment | None = strawberry.UNSET
    status: e.CIStatus | None = strawberry.UNSET
    criticality: int | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    utilization: float | None = strawberry.UNSET
    site: strawberry.ID | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    vendor: str | None = strawberry.UNSET
    source: str | None = strawberry.field(default=strawberry.UNSET, description="where it came from (`manual`, ...)")
    last_seen_at: datetime | None = strawberry.UNSET
    attributes: strawberry.scalars.JSON | None = strawberry.UNSET


@strawberry.input(description="Fields to change; an absent field stays as it is, null clears it.")
class ConfigurationItemPatch:
    name: str | None = strawberry.UNSET
    type: e.CIType | None = strawberry.UNSET
    environment: e.CIEnvironment | None = strawberry.UNSET
    status: e.CIStatus | None = strawberry.UNSET
    criticality: int | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    utilization: float | None = strawberry.UNSET
    site: strawberry.ID | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    vendor: str | None = strawberry.UNSET
    source: str | None = strawberry.field(default=strawberry.UNSET, description="where it came from (`manual`, ...)")
    last_seen_at: datetime | None = strawberry.UNSET
    attributes: strawberry.scalars.JSON | None = strawberry.UNSET


@strawberry.input
class TeamInput:
    id: strawberry.ID
    name: str
    email: str | None = strawberry.UNSET


@strawberry.input
class TeamPatch:
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET


@strawberry.input
class SiteInput:
    id: strawberry.ID
    name: str
    region: str | None = strawberry.UNSET


@strawberry.input
class SitePatch:
    name: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET


@strawberry.input
class BusinessUnitInput:
    id: strawberry.ID
    name: str
    cost_center: str | None = strawberry.UNSET


@strawberry.input
class BusinessUnitPatch:
    name: str | None = strawberry.UNSET
    cost_center: str | None = strawberry.UNSET


@strawberry.input(description="A redundancy group: it serves while at least minHealthy of its members are up.")
class RedundancyGroupInput:
    id: strawberry.ID
    name: str
    min_healthy: int
    members: list[strawberry.ID]


@strawberry.input
class RedundancyGroupPatch:
    name: str | None = strawberry.UNSET
    min_healthy: int | None = strawberry.UNSET
    members: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class DependencyInput:
    from_: strawberry.ID = strawberry.field(name="from", description="the dependent")
    to: strawberry.ID = strawberry.field(description="what it depends on")
    kind: e.DependencyKind = e.DependencyKind.USES
    strength: e.DependencyStrength = e.DependencyStrength.HARD
    weight: float = 1.0
