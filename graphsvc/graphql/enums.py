"""GraphQL enums, with the values of the exchange format."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphsvc.domain.changes import ChangeStatus, ChangeType
from graphsvc.domain.vocabulary import Kind

__all__ = [
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
    "PolicyKind",
    "ProblemStatus",
    "ProcessArea",
    "RequirementKind",
    "RuleType",
    "ServiceStatus",
    "ServiceTier",
]

ItemKind = strawberry.enum(Kind, name="ItemKind", description="The kind of an item")
# The domain's own enums, registered with strawberry in place (so the API and the analyses share one definition).
strawberry.enum(ChangeType, name="ChangeType")
strawberry.enum(ChangeStatus, name="ChangeStatus", description="a change's lifecycle status")


@strawberry.enum
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


@strawberry.enum
class CIEnvironment(Enum):
    PRODUCTION = "PRODUCTION"
    STAGING = "STAGING"
    TEST = "TEST"
    DEVELOPMENT = "DEVELOPMENT"
    DR = "DR"


@strawberry.enum
class CIStatus(Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    MAINTENANCE = "MAINTENANCE"
    RETIRED = "RETIRED"


@strawberry.enum
class ServiceTier(Enum):
    BUSINESS = "BUSINESS"
    TECHNICAL = "TECHNICAL"


@strawberry.enum
class ServiceStatus(Enum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"


@strawberry.enum
class RequirementKind(Enum):
    BUSINESS = "BUSINESS"
    SERVICE = "SERVICE"
    OPERATIONAL = "OPERATIONAL"
    TECHNOLOGY = "TECHNOLOGY"


@strawberry.enum
class Comparator(Enum):
    GTE = "GTE"
    LTE = "LTE"


@strawberry.enum
class DependencyKind(Enum):
    RUNS_ON = "RUNS_ON"
    HOSTED_ON = "HOSTED_ON"
    USES = "USES"
    CONNECTS_TO = "CONNECTS_TO"
    STORES_DATA_IN = "STORES_DATA_IN"
    AUTHENTICATES_WITH = "AUTHENTICATES_WITH"
    OTHER = "OTHER"


@strawberry.enum
class DependencyStrength(Enum):
    HARD = "HARD"
    SOFT = "SOFT"


@strawberry.enum
class PolicyKind(Enum):
    POLICY = "POLICY"
    PRACTICE = "PRACTICE"
    PROCEDURE = "PROCEDURE"
    GUIDELINE = "GUIDELINE"
    STANDARD = "STANDARD"
    CONVENTION = "CONVENTION"
    RULE = "RULE"


@strawberry.enum
class RuleType(Enum):
    CHANGE_FREEZE = "CHANGE_FREEZE"
    MAINTENANCE_WINDOW = "MAINTENANCE_WINDOW"
    CAB_APPROVAL = "CAB_APPROVAL"
    NO_SINGLE_POINT_OF_FAILURE = "NO_SINGLE_POINT_OF_FAILURE"
    RECOVERY_OBJECTIVES_MET = "RECOVERY_OBJECTIVES_MET"
    OWNER_REQUIRED = "OWNER_REQUIRED"
    CAPACITY_HEADROOM = "CAPACITY_HEADROOM"


@strawberry.enum
class ProcessArea(Enum):
    REQUIREMENTS_DEFINITION = "REQUIREMENTS_DEFINITION"
    SERVICE_DELIVERY = "SERVICE_DELIVERY"
    SERVICE_SUPPORT = "SERVICE_SUPPORT"
    FUNCTION = "FUNCTION"


@strawberry.enum(description="what a change needs to go ahead, most demanding first")
class ChangeDecision(Enum):
    BLOCKED = "BLOCKED"
    CAB = "CAB"
    OWNERS = "OWNERS"


@strawberry.enum(description="what a CMDB health finding is about")
class HealthFindingKind(Enum):
    EMPTY_GROUP = "EMPTY_GROUP"
    MISSING_FIELD = "MISSING_FIELD"
    ORPHAN_CI = "ORPHAN_CI"
    RETIRED_DEPENDENCY = "RETIRED_DEPENDENCY"
    UNDER_PROVISIONED_GROUP = "UNDER_PROVISIONED_GROUP"


@strawberry.enum(description="what an incident does to what it affects")
class IncidentEffect(Enum):
    OUTAGE = "OUTAGE"
    DEGRADATION = "DEGRADATION"


@strawberry.enum
class IncidentPriority(Enum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


@strawberry.enum
class IncidentStatus(Enum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


@strawberry.enum
class ProblemStatus(Enum):
    OPEN = "OPEN"
    KNOWN_ERROR = "KNOWN_ERROR"
    RESOLVED = "RESOLVED"
