"""Pydantic models of the CMDB exchange document (contract/cmdb-exchange.schema.json).

They accept exactly what the JSON Schema accepts (a test runs both on the same documents) and normalise what the
schema leaves loose: timestamps become timezone-aware UTC, money becomes Decimal, defaults are filled in.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
)

__all__ = [
    "BusinessUnit",
    "ChangeRecord",
    "ConfigurationItem",
    "Consumption",
    "Dependency",
    "ExchangeDocument",
    "Incident",
    "Metric",
    "Policy",
    "Problem",
    "Process",
    "RedundancyGroup",
    "Release",
    "Requirement",
    "Rule",
    "Service",
    "Site",
    "Sla",
    "Team",
]

FORMAT = "graphsvc-cmdb/1"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
MONEY_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
_MONEY_RE = re.compile(MONEY_PATTERN)


def _number(value: Any) -> Any:
    # JSON numbers only: the schema's "number" rejects booleans and numeric strings.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


def _money(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = str(value)
    if not isinstance(value, str) or not _MONEY_RE.fullmatch(value):
        raise ValueError(f'money must be a string of digits with up to 4 decimals, such as "1234.50" (got {value!r})')
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


Id = Annotated[StrictStr, Field(pattern=ID_PATTERN)]
Name = Annotated[StrictStr, Field(min_length=1)]
Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(lambda d: str(d), return_type=str),
]
Number = Annotated[float, BeforeValidator(_number)]
Minutes = Annotated[StrictInt, Field(ge=0)]
Criticality = Annotated[StrictInt, Field(ge=1, le=4)]
Percent = Annotated[float, BeforeValidator(_number), Field(ge=0, le=100)]
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class BusinessUnit(_Model):
    id: Id
    name: Name
    costCenter: StrictStr | None = None


class Team(_Model):
    id: Id
    name: Name
    email: StrictStr | None = None


class Site(_Model):
    id: Id
    name: Name
    region: StrictStr | None = None


class Requirement(_Model):
    id: Id
    name: Name
    kind: Literal["BUSINESS", "SERVICE", "OPERATIONAL", "TECHNOLOGY"]
    priority: Criticality | None = None
    description: StrictStr | None = None
    refines: list[Id] = []
    raisedBy: list[Id] = []


class Metric(_Model):
    id: Id
    name: Name
    requirement: Id
    unit: StrictStr | None = None
    target: Number
    comparator: Literal["GTE", "LTE"]
    current: Number | None = None


class Service(_Model):
    id: Id
    name: Name
    tier: Literal["BUSINESS", "TECHNICAL"]
    criticality: Criticality
    status: Literal["PLANNED", "ACTIVE", "RETIRED"] = "ACTIVE"
    rtoMinutes: Minutes | None = None
    rpoMinutes: Minutes | None = None
    availabilityTarget: Percent | None = None
    monthlyCost: Money | None = None
    owner: Id | None = None
    satisfies: list[Id] = []


CIType = Literal[
    "APPLICATION",
    "DATABASE",
    "SERVER",
    "VIRTUAL_MACHINE",
    "CONTAINER",
    "NETWORK_DEVICE",
    "LOAD_BALANCER",
    "STORAGE",
    "CLOUD_RESOURCE",
    "SAAS",
    "FACILITY",
    "OTHER",
]
AttributeValue = StrictStr | Annotated[float, BeforeValidator(_number)] | StrictInt | StrictBool | None


class ConfigurationItem(_Model):
    id: Id
    name: Name
    type: CIType
    environment: Literal["PRODUCTION", "STAGING", "TEST", "DEVELOPMENT", "DR"] = "PRODUCTION"
    status: Literal["PLANNED", "ACTIVE", "MAINTENANCE", "RETIRED"] = "ACTIVE"
    criticality: Criticality | None = None
    monthlyCost: Money | None = None
    rtoMinutes: Minutes | None = None
    rpoMinutes: Minutes | None = None
    utilization: Percent | None = None
    site: Id | None = None
    owner: Id | None = None
    vendor: StrictStr | None = None
    # Sorted, so that equal attributes hash equal whatever order a document lists them in.
    attributes: Annotated[
        dict[str, StrictStr | StrictBool | StrictInt | Number | None] | None,
        AfterValidator(lambda a: dict(sorted(a.items())) if a is not None else None),
    ] = None


class RedundancyGroup(_Model):
    id: Id
    name: Name
    minHealthy: Annotated[StrictInt, Field(ge=1)]
    members: Annotated[list[Id], Field(min_length=1)]


class Dependency(_Model):
    from_: Id = Field(alias="from")
    to: Id
    kind: Literal["RUNS_ON", "HOSTED_ON", "USES", "CONNECTS_TO", "STORES_DATA_IN", "AUTHENTICATES_WITH", "OTHER"] = (
        "USES"
    )
    strength: Literal["HARD", "SOFT"] = "HARD"
    weight: Annotated[float, BeforeValidator(_number), Field(gt=0)] = 1.0


class Consumption(_Model):
    businessUnit: Id
    service: Id
    share: Annotated[float, BeforeValidator(_number), Field(gt=0)] = 1.0


class Sla(_Model):
    id: Id
    name: Name
    service: Id
    businessUnit: Id
    availabilityTarget: Percent
    responseMinutes: Minutes | None = None
    resolutionMinutes: Minutes | None = None


Weekday = Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


class ChangeFreezeRule(_Model):
    type: Literal["CHANGE_FREEZE"]
    from_: Timestamp = Field(alias="from")
    to: Timestamp
    allowEmergency: StrictBool = True


class MaintenanceWindowRule(_Model):
    type: Literal["MAINTENANCE_WINDOW"]
    weekdays: list[Weekday]
    startHour: Annotated[StrictInt, Field(ge=0, le=23)]
    endHour: Annotated[StrictInt, Field(ge=1, le=24)]
    timezone: StrictStr = "UTC"


class CabApprovalRule(_Model):
    type: Literal["CAB_APPROVAL"]
    minRiskLevel: Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"]


class NoSpofRule(_Model):
    type: Literal["NO_SINGLE_POINT_OF_FAILURE"]
    maxCriticality: Criticality | None = None


class RecoveryObjectivesRule(_Model):
    type: Literal["RECOVERY_OBJECTIVES_MET"]


class OwnerRequiredRule(_Model):
    type: Literal["OWNER_REQUIRED"]


class CapacityHeadroomRule(_Model):
    type: Literal["CAPACITY_HEADROOM"]
    maxPercent: Percent


Rule = Annotated[
    ChangeFreezeRule
    | MaintenanceWindowRule
    | CabApprovalRule
    | NoSpofRule
    | RecoveryObjectivesRule
    | OwnerRequiredRule
    | CapacityHeadroomRule,
    Field(discriminator="type"),
]


class Policy(_Model):
    id: Id
    name: Name
    kind: Literal["POLICY", "PRACTICE", "PROCEDURE", "GUIDELINE", "STANDARD", "CONVENTION", "RULE"]
    statement: StrictStr | None = None
    rule: Rule | None = None
    governs: list[Id] = []


class Process(_Model):
    id: Id
    name: Name
    area: Literal["REQUIREMENTS_DEFINITION", "SERVICE_DELIVERY", "SERVICE_SUPPORT", "FUNCTION"]
    purpose: StrictStr | None = None
    interfacesWith: list[Id] = []


class Incident(_Model):
    id: Id
    title: Name
    priority: Literal["P1", "P2", "P3", "P4"]
    status: Literal["OPEN", "RESOLVED", "CLOSED"]
    openedAt: Timestamp
    resolvedAt: Timestamp | None = None
    affects: Annotated[list[Id], Field(min_length=1)]
    problem: Id | None = None


class Problem(_Model):
    id: Id
    title: Name
    status: Literal["OPEN", "KNOWN_ERROR", "RESOLVED"]
    rootCause: StrictStr | None = None
    workaround: StrictStr | None = None
    causedBy: list[Id] = []


class ChangeRecord(_Model):
    id: Id
    title: Name
    type: Literal["STANDARD", "NORMAL", "EMERGENCY"]
    status: Literal["DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED", "IMPLEMENTED", "FAILED", "CANCELLED"]
    plannedStart: Timestamp | None = None
    plannedEnd: Timestamp | None = None
    implementedAt: Timestamp | None = None
    modifies: Annotated[list[Id], Field(min_length=1)]
    release: Id | None = None
    resolves: list[Id] = []


class Release(_Model):
    id: Id
    name: Name
    version: StrictStr | None = None


class ExchangeDocument(_Model):
    """A whole exchange document; every list is optional."""

    format: Literal["graphsvc-cmdb/1"]
    businessUnits: list[BusinessUnit] = []
    teams: list[Team] = []
    sites: list[Site] = []
    requirements: list[Requirement] = []
    metrics: list[Metric] = []
    services: list[Service] = []
    configurationItems: list[ConfigurationItem] = []
    redundancyGroups: list[RedundancyGroup] = []
    dependencies: list[Dependency] = []
    consumption: list[Consumption] = []
    slas: list[Sla] = []
    policies: list[Policy] = []
    processes: list[Process] = []
    incidents: list[Incident] = []
    problems: list[Problem] = []
    changes: list[ChangeRecord] = []
    releases: list[Release] = []
