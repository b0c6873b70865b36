"""Pydantic models of the CMDB exchange document (contract/cmdb-exchange.schema.json).

They accept exactly what the JSON Schema accepts (a test runs both on the same documents) and normalise what the
schema leaves loose: timestamps become timezone-aware UTC, money becomes Decimal, defaults are filled in.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
)

from graphsvc.domain.clock import as_utc
from graphsvc.domain.safe_json import MAX_SAFE_INTEGER
from graphsvc.domain.text import control_characters, find_control, lone_surrogates, strip_controls

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
    "UtilizationReading",
    "is_id",
]

_T = TypeVar("_T")
FORMAT = "graphsvc-cmdb/1"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_ID_RE = re.compile(ID_PATTERN.strip("^$"))
MONEY_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
_MONEY_RE = re.compile(MONEY_PATTERN)


def is_id(text: str) -> bool:
    """Whether `text` is an id the exchange format allows (its `Id` pattern, the whole text)."""
    return _ID_RE.fullmatch(text) is not None


# The schema's "date-time": RFC 3339 with "T", seconds and an offset (hours 00-23, minutes 00-59).
_RFC3339_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)


# The validators below run for most fields of every item (millions of calls in a large import): each first takes
# the common case (a plain value within bounds) and returns it, before the checks that name what is wrong.


def _number(value: Any) -> Any:
    # JSON numbers only: the schema's "number" rejects booleans and numeric strings. NaN and the infinities are not
    # JSON numbers at all (Python's json reads them; other tools would not read them back), and an integer beyond
    # +-2^53 is not held exactly by JavaScript and most JSON readers.
    if (type(value) is float or type(value) is int) and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value  # (NaN is not within the bounds, the infinities neither)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number (got {value})")
    return _safe_integer(value)


def _safe_integer(value: Any) -> Any:
    # Every number of the exchange, integer or not: the schema bounds them all the same way.
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        raise ValueError("must be within -2^53 and 2^53 (9007199254740992)")
    return value


def _integer(value: Any) -> Any:
    # The schema's "integer" is any number with a zero fractional part: 2.0 is one (booleans are not).
    if type(value) is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    if isinstance(value, float) and value.is_integer():
        return _safe_integer(int(value))
    return _safe_integer(value)


def _attribute(value: Any) -> Any:
    # One validator instead of a union, so that a refused value gets one message, not one per member of the union.
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, int | float):
        return _number(value)
    raise ValueError("must be a string, a number, a boolean or null")


def _name(value: Any) -> Any:
    # Before a name's own checks (a lone surrogate fails pydantic's length check with a message that names nothing),
    # so anything but a string goes on to them as it is.
    if not isinstance(value, str) or find_control(value) is None:
        return value
    found = control_characters(value)
    if found:
        raise ValueError(f"must not hold control or bidirectional-override characters (found {', '.join(found)})")
    if found := lone_surrogates(value):
        raise ValueError(f"must be text: it holds lone surrogates, halves of UTF-16 pairs ({', '.join(found)})")
    return value


def _timestamp(value: Any) -> Any:
    # JSON gives strings; Python callers may pass a datetime. Pydantic alone would also take epoch numbers,
    # "2026-11-20 10:00Z", "+0200" offsets and lower-case "t"/"z", which the schema's date-time rejects.
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339_RE.fullmatch(value):
        raise ValueError(f"must be an RFC 3339 timestamp with an offset, such as 2026-11-20T10:00:00Z (got {value!r})")
    return datetime.fromisoformat(value)  # ValueError for impossible dates and times (Feb 30, 24:00)


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("must not be null (leave the field out instead)")
    return value


def _money(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = str(value)
    if not isinstance(value, str) or not _MONEY_RE.fullmatch(value):
        raise ValueError(f'money must be a string of digits with up to 4 decimals, such as "1234.50" (got {value!r})')
    return value


def _utc(value: datetime) -> datetime:
    return as_utc(value)


Id = Annotated[StrictStr, Field(pattern=ID_PATTERN)]
Name = Annotated[StrictStr, Field(min_length=1), BeforeValidator(_name)]
# Free text keeps tab and newline and loses the other control and bidirectional-override characters.
Text = Annotated[StrictStr, AfterValidator(strip_controls)]
# A short label (a region, an e-mail address, a version) refuses them as a name does.
Label = Annotated[StrictStr, AfterValidator(_name)]
Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    PlainSerializer(lambda d: str(d), return_type=str),
]
Number = Annotated[float, BeforeValidator(_number)]
Integer = Annotated[StrictInt, BeforeValidator(_integer)]
Minutes = Annotated[Integer, Field(ge=0)]
Criticality = Annotated[Integer, Field(ge=1, le=4)]
Percent = Annotated[float, BeforeValidator(_number), Field(ge=0, le=100)]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_timestamp), AfterValidator(_utc)]


# An optional field that may be left out but not be null (the schema says null only where a field allows it).
Omittable = Annotated[_T | None, BeforeValidator(_not_null)]


class _Model(BaseModel):
    # Fields are validated by their JSON names only ("from", never "from_": the schema has no such property).
    model_config = ConfigDict(extra="forbid", frozen=True)


class BusinessUnit(_Model):
    id: Id
    name: Name
    costCenter: Omittable[Label] = None


class Team(_Model):
    id: Id
    name: Name
    email: Omittable[Label] = None


class Site(_Model):
    id: Id
    name: Name
    region: Omittable[Label] = None


class Requirement(_Model):
    id: Id
    name: Name
    kind: Literal["BUSINESS", "SERVICE", "OPERATIONAL", "TECHNOLOGY"]
    priority: Omittable[Criticality] = None
    description: Omittable[Text] = None
    refines: list[Id] = []
    raisedBy: list[Id] = []


class Metric(_Model):
    id: Id
    name: Name
    requirement: Id
    unit: Omittable[Label] = None
    target: Number
    comparator: Literal["GTE", "LTE"]
    current: Number | None = None  # null allowed: not measured yet


class Service(_Model):
    id: Id
    name: Name
    tier: Literal["BUSINESS", "TECHNICAL"]
    criticality: Criticality
    status: Literal["PLANNED", "ACTIVE", "RETIRED"] = "ACTIVE"
    rtoMinutes: Omittable[Minutes] = None
    rpoMinutes: Omittable[Minutes] = None
    availabilityTarget: Omittable[Percent] = None
    monthlyCost: Omittable[Money] = None
    owner: Omittable[Id] = None
    source: Omittable[Label] = None  # a discovery source, or "manual" (docs/discovery.md)
    lastSeenAt: Omittable[Timestamp] = None
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
AttributeValue = Annotated[str | int | float | bool | None, PlainValidator(_attribute)]

# Sorted, so that equal attributes hash equal whatever order a document lists them in.
Attributes = Annotated[dict[Label, AttributeValue], AfterValidator(lambda a: dict(sorted(a.items())))]


class ConfigurationItem(_Model):
    id: Id
    name: Name
    type: CIType
    environment: Literal["PRODUCTION", "STAGING", "TEST", "DEVELOPMENT", "DR"] = "PRODUCTION"
    status: Literal["PLANNED", "ACTIVE", "MAINTENANCE", "RETIRED"] = "ACTIVE"
    criticality: Omittable[Criticality] = None
    monthlyCost: Omittable[Money] = None
    rtoMinutes: Omittable[Minutes] = None
    rpoMinutes: Omittable[Minutes] = None
    utilization: Omittable[Percent] = None
    site: Omittable[Id] = None
    owner: Omittable[Id] = None
    vendor: Omittable[Label] = None
    source: Omittable[Label] = None  # a discovery source, or "manual" (docs/discovery.md)
    lastSeenAt: Omittable[Timestamp] = None
    attributes: Omittable[Attributes] = None


class RedundancyGroup(_Model):
    id: Id
    name: Name
    minHealthy: Annotated[Integer, Field(ge=1)]
    members: Annotated[list[Id], Field(min_length=1)]


class Dependency(_Model):
    from_: Id = Field(alias="from")
    to: Id
    kind: Literal["RUNS_ON", "HOSTED_ON", "USES", "CONNECTS_TO", "STORES_DATA_IN", "AUTHENTICATES_WITH", "OTHER"] = (
        "USES"
    )
    strength: Literal["HARD", "SOFT"] = "HARD"
    weight: Annotated[float, BeforeValidator(_number), Field(gt=0)] = 1.0
    source: Omittable[Label] = None  # the discovery source that found it (docs/discovery.md)
    lastSeenAt: Omittable[Timestamp] = None
    attributes: Omittable[Attributes] = None  # its evidence: `via`, `callCount`


class Consumption(_Model):
    businessUnit: Id
    service: Id
    share: Annotated[float, BeforeValidator(_number), Field(gt=0)] = 1.0


class UtilizationReading(_Model):
    """One utilization reading of a CI: its percent at a time."""

    ci: Id
    at: Timestamp
    percent: Percent


class Sla(_Model):
    id: Id
    name: Name
    service: Id
    businessUnit: Id
    availabilityTarget: Percent
    responseMinutes: Omittable[Minutes] = None
    resolutionMinutes: Omittable[Minutes] = None


Weekday = Literal["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]


class ChangeFreezeRule(_Model):
    type: Literal["CHANGE_FREEZE"]
    from_: Timestamp = Field(alias="from")
    to: Timestamp
    allowEmergency: StrictBool = True


class MaintenanceWindowRule(_Model):
    type: Literal["MAINTENANCE_WINDOW"]
    weekdays: list[Weekday]
    startHour: Annotated[Integer, Field(ge=0, le=23)]
    endHour: Annotated[Integer, Field(ge=1, le=24)]
    timezone: Label = "UTC"


class CabApprovalRule(_Model):
    type: Literal["CAB_APPROVAL"]
    minRiskLevel: Literal["LOW", "MEDIUM", "HIGH", "CRITICAL"]


class NoSpofRule(_Model):
    type: Literal["NO_SINGLE_POINT_OF_FAILURE"]
    maxCriticality: Omittable[Criticality] = None


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
    statement: Omittable[Text] = None
    rule: Omittable[Rule] = None
    governs: list[Id] = []


class Process(_Model):
    id: Id
    name: Name
    area: Literal["REQUIREMENTS_DEFINITION", "SERVICE_DELIVERY", "SERVICE_SUPPORT", "FUNCTION"]
    purpose: Omittable[Text] = None
    interfacesWith: list[Id] = []


class Incident(_Model):
    id: Id
    title: Name
    priority: Literal["P1", "P2", "P3", "P4"]
    status: Literal["OPEN", "RESOLVED", "CLOSED"]
    openedAt: Timestamp
    resolvedAt: Timestamp | None = None  # null allowed
    affects: Annotated[list[Id], Field(min_length=1)]
    effect: Omittable[Literal["OUTAGE", "DEGRADATION"]] = None  # absent: by priority (domain.incidents.effect_of)
    problem: Omittable[Id] = None


class Problem(_Model):
    id: Id
    title: Name
    status: Literal["OPEN", "KNOWN_ERROR", "RESOLVED"]
    rootCause: Omittable[Text] = None
    workaround: Omittable[Text] = None
    causedBy: list[Id] = []


class ChangeRecord(_Model):
    id: Id
    title: Name
    type: Literal["STANDARD", "NORMAL", "EMERGENCY"]
    status: Literal["DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED", "IMPLEMENTED", "FAILED", "CANCELLED"]
    plannedStart: Omittable[Timestamp] = None
    plannedEnd: Omittable[Timestamp] = None
    implementedAt: Omittable[Timestamp] = None
    modifies: Annotated[list[Id], Field(min_length=1)]
    release: Omittable[Id] = None
    resolves: list[Id] = []


class Release(_Model):
    id: Id
    name: Name
    version: Omittable[Label] = None


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
    utilizationReadings: list[UtilizationReading] = []
