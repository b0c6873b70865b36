"""GraphQL enums, with the values of the exchange format."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum, EnumMeta
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from graphsvc.domain.changes import ChangeStatus, ChangeType
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "CRITICALITY_SCALE",
    "CIEnvironment",
    "CIStatus",
    "CIType",
    "ChangeDecision",
    "ChangeStatus",
    "ChangeType",
    "Comparator",
    "DependencyKind",
    "DependencyStrength",
    "HealthFindingKind",
    "IncidentEffect",
    "IncidentPriority",
    "IncidentStatus",
    "ItemKind",
    "NeighbourDirection",
    "PolicyKind",
    "ProblemStatus",
    "ProcessArea",
    "RequirementKind",
    "RuleType",
    "ServiceStatus",
    "ServiceTier",
    "describe_values",
]

EnumT = TypeVar("EnumT", bound=EnumMeta)


def describe_values(cls: EnumT, descriptions: Mapping[str, str]) -> EnumT:
    """Give each value of a strawberry enum its description, by member name (strawberry's `enum_value` would change the
    members' Python values, and the domain's enums may not import strawberry); every member needs one."""
    definition: StrawberryEnumDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    names = {value.name for value in definition.values}
    if names != set(descriptions):
        raise ValueError(f"{definition.name}: describe exactly {sorted(names)}, not {sorted(descriptions)}")
    for value in definition.values:
        value.description = descriptions[value.name]
    return cls


CRITICALITY_SCALE = "1 = mission critical, 2 = high, 3 = medium, 4 = low"

ItemKind = describe_values(
    strawberry.enum(Kind, name="ItemKind", description="The kind of an item (its `itemKind`)."),
    {
        "BUSINESS_UNIT": "a part of the business that consumes services and agrees SLAs",
        "TEAM": "a team that owns services and CIs",
        "SITE": "a location (data centre, cloud region) where CIs run",
        "REQUIREMENT": "something the business needs, met by services and measured by metrics",
        "METRIC": "a measured value with a target that tells whether a requirement is met",
        "SERVICE": "a business or technical service",
        "CONFIGURATION_ITEM": "a configuration item (CI): an application, database, server, device, ...",
        "REDUNDANCY_GROUP": "a set of interchangeable CIs or services that serves while a quorum of them is up",
        "SLA": "a service level agreement between a business unit and a service",
        "POLICY": "a policy, standard or rule, possibly with a machine-checkable rule",
        "PROCESS": "an ITIL process",
        "INCIDENT": "an incident: something stopped working or works badly",
        "PROBLEM": "a problem: the underlying cause of incidents",
        "CHANGE": "a change to the estate, with a planned window",
        "RELEASE": "a release that ships changes",
    },
)
# The domain's own enums, registered with strawberry in place (so the API and the analyses share one definition).
describe_values(
    strawberry.enum(ChangeType, name="ChangeType", description="How a change is handled."),
    {
        "STANDARD": "routine and low-risk: lowers the risk score",
        "NORMAL": "assessed and approved as usual",
        "EMERGENCY": "urgent: raises the risk score; inside a freeze that allows emergencies it needs the CAB",
    },
)
describe_values(
    strawberry.enum(ChangeStatus, name="ChangeStatus", description="A change's lifecycle status."),
    {
        "DRAFT": "being written; not yet submitted",
        "SUBMITTED": "awaiting approval",
        "APPROVED": "approved, to be scheduled or implemented",
        "SCHEDULED": "approved and given its window",
        "IMPLEMENTED": "carried out",
        "FAILED": "carried out and failed",
        "CANCELLED": "withdrawn",
    },
)


@strawberry.enum(description="What a configuration item is.")
class CIType(Enum):
    APPLICATION = "APPLICATION"
    DATABASE = "DATABASE"
    SERVER = "SERVER"
    VIRTUAL_MACHINE = "VIRTUAL_MACHINE"
    CONTAINER = "CONTAINER"
    NETWORK_DEVICE = "NETWORK_DEVICE"
    LOAD_BALANCER = "LOAD_BALANCER"
    STORAGE = "STORAGE"
    CLOUD_RESOURCE = "CLOUD_RESOURCE"
    SAAS = "SAAS"
    FACILITY = "FACILITY"
    OTHER = "OTHER"


describe_values(
    CIType,
    {
        "APPLICATION": "a deployed application or workload",
        "DATABASE": "a database or cache",
        "SERVER": "a physical server",
        "VIRTUAL_MACHINE": "a virtual machine",
        "CONTAINER": "a container",
        "NETWORK_DEVICE": "a switch, router, firewall or other network device",
        "LOAD_BALANCER": "a load balancer",
        "STORAGE": "a storage system or volume",
        "CLOUD_RESOURCE": "a cloud provider's managed resource",
        "SAAS": "a software-as-a-service product used from outside",
        "FACILITY": "power, cooling or another facility",
        "OTHER": "anything else",
    },
)


@strawberry.enum(description="The environment a configuration item belongs to.")
class CIEnvironment(Enum):
    PRODUCTION = "PRODUCTION"
    STAGING = "STAGING"
    TEST = "TEST"
    DEVELOPMENT = "DEVELOPMENT"
    DR = "DR"


describe_values(
    CIEnvironment,
    {
        "PRODUCTION": "serves real users (the default)",
        "STAGING": "pre-production",
        "TEST": "testing",
        "DEVELOPMENT": "development",
        "DR": "disaster recovery standby",
    },
)

RETIRED = "retired: left out of every analysis, as if absent (still readable)"


@strawberry.enum(description="A configuration item's lifecycle status.")
class CIStatus(Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    MAINTENANCE = "MAINTENANCE"
    RETIRED = "RETIRED"


describe_values(
    CIStatus,
    {
        "PLANNED": "not yet in service",
        "ACTIVE": "in service (the default)",
        "MAINTENANCE": "under maintenance; the analyses still count it as live",
        "RETIRED": RETIRED,
    },
)


@strawberry.enum(description="Whether a service faces the business or supports other services.")
class ServiceTier(Enum):
    BUSINESS = "BUSINESS"
    TECHNICAL = "TECHNICAL"


describe_values(
    ServiceTier,
    {
        "BUSINESS": "a business service: its owning team approves changes that impact it",
        "TECHNICAL": "a technical service other services depend on",
    },
)


@strawberry.enum(description="A service's lifecycle status.")
class ServiceStatus(Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"


describe_values(
    ServiceStatus,
    {
        "PLANNED": "not yet in service; it does not satisfy requirements",
        "ACTIVE": "in service (the default); only an ACTIVE service satisfies a requirement",
        "RETIRED": RETIRED,
    },
)


@strawberry.enum(description="What a requirement is about.")
class RequirementKind(Enum):
    BUSINESS = "BUSINESS"
    SERVICE = "SERVICE"
    OPERATIONAL = "OPERATIONAL"
    TECHNOLOGY = "TECHNOLOGY"


describe_values(
    RequirementKind,
    {
        "BUSINESS": "a business need",
        "SERVICE": "what a service must provide",
        "OPERATIONAL": "how it must be run (availability, recovery, support)",
        "TECHNOLOGY": "a technical constraint",
    },
)


@strawberry.enum(description="How a metric's current value is compared with its target.")
class Comparator(Enum):
    GTE = "GTE"
    LTE = "LTE"


describe_values(
    Comparator,
    {"GTE": "met when current >= target", "LTE": "met when current <= target"},
)


@strawberry.enum(description="What a dependency is, for people: the analyses look at its strength, not its kind.")
class DependencyKind(Enum):
    RUNS_ON = "RUNS_ON"
    HOSTED_ON = "HOSTED_ON"
    USES = "USES"
    CONNECTS_TO = "CONNECTS_TO"
    STORES_DATA_IN = "STORES_DATA_IN"
    AUTHENTICATES_WITH = "AUTHENTICATES_WITH"
    OTHER = "OTHER"


describe_values(
    DependencyKind,
    {
        "RUNS_ON": "runs on it (a workload on a server or cluster)",
        "HOSTED_ON": "is hosted on it",
        "USES": "uses it (the default)",
        "CONNECTS_TO": "connects to it over the network",
        "STORES_DATA_IN": "keeps its data in it",
        "AUTHENTICATES_WITH": "authenticates its users or itself with it",
        "OTHER": "any other dependency",
    },
)


@strawberry.enum(description="What a dependency's failure does to the dependent.")
class DependencyStrength(Enum):
    HARD = "HARD"
    SOFT = "SOFT"


describe_values(
    DependencyStrength,
    {
        "HARD": "the dependent is DOWN when this is DOWN (the default)",
        "SOFT": "the dependent is only DEGRADED when this is DOWN",
    },
)


@strawberry.enum(description="Which side of an item's neighbourhood to read.")
class NeighbourDirection(Enum):
    DEPENDS_ON = "DEPENDS_ON"
    DEPENDENTS = "DEPENDENTS"
    MEMBERS = "MEMBERS"
    MEMBER_OF = "MEMBER_OF"


describe_values(
    NeighbourDirection,
    {
        "DEPENDS_ON": "what it depends on (its outgoing DEPENDS_ON)",
        "DEPENDENTS": "what depends on it (incoming DEPENDS_ON)",
        "MEMBERS": "a redundancy group's members (its outgoing HAS_MEMBER; none for a service or CI)",
        "MEMBER_OF": "the redundancy groups it is a member of (incoming HAS_MEMBER)",
    },
)


@strawberry.enum(description="What sort of governing document a policy is; a label only, the rule is what is checked.")
class PolicyKind(Enum):
    POLICY = "POLICY"
    PRACTICE = "PRACTICE"
    PROCEDURE = "PROCEDURE"
    GUIDELINE = "GUIDELINE"
    STANDARD = "STANDARD"
    CONVENTION = "CONVENTION"
    RULE = "RULE"


describe_values(
    PolicyKind,
    {
        "POLICY": "a policy",
        "PRACTICE": "a practice",
        "PROCEDURE": "a procedure",
        "GUIDELINE": "a guideline",
        "STANDARD": "a standard",
        "CONVENTION": "a convention",
        "RULE": "a rule",
    },
)


@strawberry.enum(description="The type of a policy's machine-checkable rule (SEMANTICS.md, Policies).")
class RuleType(Enum):
    CHANGE_FREEZE = "CHANGE_FREEZE"
    MAINTENANCE_WINDOW = "MAINTENANCE_WINDOW"
    CAB_APPROVAL = "CAB_APPROVAL"
    NO_SINGLE_POINT_OF_FAILURE = "NO_SINGLE_POINT_OF_FAILURE"
    RECOVERY_OBJECTIVES_MET = "RECOVERY_OBJECTIVES_MET"
    OWNER_REQUIRED = "OWNER_REQUIRED"
    CAPACITY_HEADROOM = "CAPACITY_HEADROOM"


describe_values(
    RuleType,
    {
        "CHANGE_FREEZE": "no change touching or impacting governed items may overlap [from, to); blocks the change "
        "(with allowEmergency, an EMERGENCY change needs the CAB instead)",
        "MAINTENANCE_WINDOW": "NORMAL and STANDARD changes must lie wholly inside the allowed weekdays and hours; "
        "blocks the change",
        "CAB_APPROVAL": "changes at minRiskLevel or above need the CAB's approval (not a violation)",
        "NO_SINGLE_POINT_OF_FAILURE": "a governed service of criticality at most maxCriticality has no single point "
        "of failure",
        "RECOVERY_OBJECTIVES_MET": "a governed service's single points of failure recover within its RTO and RPO",
        "OWNER_REQUIRED": "every governed service and CI has an owner",
        "CAPACITY_HEADROOM": "no governed CI (or CI a governed service depends on) is above maxPercent utilization",
    },
)


@strawberry.enum(description="The area of ITIL a process belongs to.")
class ProcessArea(Enum):
    REQUIREMENTS_DEFINITION = "REQUIREMENTS_DEFINITION"
    SERVICE_DELIVERY = "SERVICE_DELIVERY"
    SERVICE_SUPPORT = "SERVICE_SUPPORT"
    FUNCTION = "FUNCTION"


describe_values(
    ProcessArea,
    {
        "REQUIREMENTS_DEFINITION": "defining what the business requires",
        "SERVICE_DELIVERY": "ITIL service delivery: planning and delivering services",
        "SERVICE_SUPPORT": "ITIL service support: keeping services running",
        "FUNCTION": "an ITIL function (a team that carries processes, such as the service desk)",
    },
)


@strawberry.enum(description="What a change needs to go ahead, most demanding first.")
class ChangeDecision(Enum):
    BLOCKED = "BLOCKED"
    CAB = "CAB"
    OWNERS = "OWNERS"


describe_values(
    ChangeDecision,
    {
        "BLOCKED": "it breaks a CHANGE_FREEZE or MAINTENANCE_WINDOW policy that no approved exception covers",
        "CAB": "the change advisory board must approve (a CAB_APPROVAL rule, or an EMERGENCY change in a freeze)",
        "OWNERS": "the owners of the impacted business services approve",
    },
)


@strawberry.enum(description="What a CMDB health finding is about (SEMANTICS.md, CMDB health).")
class HealthFindingKind(Enum):
    EMPTY_GROUP = "EMPTY_GROUP"
    MISSING_FIELD = "MISSING_FIELD"
    ORPHAN_CI = "ORPHAN_CI"
    RETIRED_DEPENDENCY = "RETIRED_DEPENDENCY"
    UNDER_PROVISIONED_GROUP = "UNDER_PROVISIONED_GROUP"


describe_values(
    HealthFindingKind,
    {
        "EMPTY_GROUP": "a redundancy group with no live member (counts against correctness)",
        "MISSING_FIELD": "an expected field is empty: a service's owner, criticality or rtoMinutes, a CI's owner, "
        "site or monthlyCost (counts against completeness)",
        "ORPHAN_CI": "a live CI with no dependency to or from a live item and in no group (counts against correctness)",
        "RETIRED_DEPENDENCY": "a live item depends on a RETIRED one, which the analyses drop (counts against "
        "correctness)",
        "UNDER_PROVISIONED_GROUP": "a redundancy group whose minHealthy exceeds its live members (counts against "
        "correctness)",
    },
)


@strawberry.enum(description="What an incident does to what it affects.")
class IncidentEffect(Enum):
    OUTAGE = "OUTAGE"
    DEGRADATION = "DEGRADATION"


describe_values(
    IncidentEffect,
    {
        "OUTAGE": "what it affects does not work: its items are DOWN origins of the impact",
        "DEGRADATION": "what it affects works, badly: its items are DEGRADED origins of the impact",
    },
)


@strawberry.enum(description="How urgent an incident is, P1 most.")
class IncidentPriority(Enum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


describe_values(
    IncidentPriority,
    {
        "P1": "critical (an alert of severity critical); an OUTAGE unless its effect says otherwise",
        "P2": "high (severity error or major); an OUTAGE unless its effect says otherwise",
        "P3": "medium (severity warning); a DEGRADATION unless its effect says otherwise",
        "P4": "low (any other severity); a DEGRADATION unless its effect says otherwise",
    },
)


@strawberry.enum(description="An incident's lifecycle status.")
class IncidentStatus(Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


describe_values(
    IncidentStatus,
    {
        "OPEN": "still going on",
        "RESOLVED": "service restored at resolvedAt",
        "CLOSED": "resolved and closed",
    },
)


@strawberry.enum(description="A problem's lifecycle status.")
class ProblemStatus(Enum):
    OPEN = "OPEN"
    KNOWN_ERROR = "KNOWN_ERROR"
    RESOLVED = "RESOLVED"


describe_values(
    ProblemStatus,
    {
        "OPEN": "under investigation",
        "KNOWN_ERROR": "the cause is known and a workaround is recorded",
        "RESOLVED": "fixed",
    },
)
