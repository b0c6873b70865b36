"""Changes, change rules and the history the change analyses read (no database, no GraphQL here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "BLOCKING_RULES",
    "PENDING",
    "RULE_PENDING",
    "RULE_TYPES",
    "TRANSITIONS",
    "ChangeRecord",
    "ChangeStatus",
    "ChangeType",
    "ConflictReason",
    "Decision",
    "History",
    "PolicyException",
    "PolicyRule",
    "RiskLevel",
    "allowed_actions",
]


class Decision(StrEnum):
    """What a change needs to go ahead (SEMANTICS.md, "Changes"), most demanding first."""

    BLOCKED = "BLOCKED"  # it breaks a freeze or a maintenance window, with no exception granted
    CAB = "CAB"  # the CAB approves
    OWNERS = "OWNERS"  # the owners of the impacted business services approve


# The rule types whose violation blocks a change until an exception is granted.
BLOCKING_RULES = ("CHANGE_FREEZE", "MAINTENANCE_WINDOW")


@dataclass(frozen=True)
class PolicyException:
    """A change allowed to go ahead despite one policy it violates, with the reason and who granted it."""

    change: str
    policy: str
    reason: str
    granted_by: str
    granted_at: datetime


class ChangeStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    SCHEDULED = "SCHEDULED"
    IMPLEMENTED = "IMPLEMENTED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class ChangeType(StrEnum):
    STANDARD = "STANDARD"
    NORMAL = "NORMAL"
    EMERGENCY = "EMERGENCY"


class ConflictReason(StrEnum):
    """Why two changes conflict; the first that holds, in this order (SEMANTICS.md, "Changes")."""

    SAME_ITEM = "SAME_ITEM"
    DEPENDENT_ITEM = "DEPENDENT_ITEM"
    COMPOUNDED = "COMPOUNDED"
    SHARED_IMPACT = "SHARED_IMPACT"


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


TRANSITIONS: dict[str, tuple[frozenset[ChangeStatus], ChangeStatus]] = {
    "submit": (frozenset({ChangeStatus.DRAFT}), ChangeStatus.SUBMITTED),
    "approve": (frozenset({ChangeStatus.SUBMITTED}), ChangeStatus.APPROVED),
    "schedule": (frozenset({ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}), ChangeStatus.SCHEDULED),
    "implement": (frozenset({ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}), ChangeStatus.IMPLEMENTED),
    "fail": (frozenset({ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}), ChangeStatus.FAILED),
    "cancel": (
        frozenset({ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED}),
        ChangeStatus.CANCELLED,
    ),
}
"""The change lifecycle: action -> (the statuses it may start from, the status it leads to).
IMPLEMENTED, FAILED and CANCELLED are final."""


def allowed_actions(status: ChangeStatus) -> list[str]:
    """The actions a change in `status` may take next."""
    return [action for action, (sources, _) in TRANSITIONS.items() if status in sources]


RULE_TYPES = (
    "CHANGE_FREEZE",
    "MAINTENANCE_WINDOW",
    "CAB_APPROVAL",
    "NO_SINGLE_POINT_OF_FAILURE",
    "RECOVERY_OBJECTIVES_MET",
    "OWNER_REQUIRED",
    "CAPACITY_HEADROOM",
)
"""The machine-checkable rule types of the exchange format (SEMANTICS.md, "Policies")."""

PENDING = frozenset({ChangeStatus.SUBMITTED, ChangeStatus.APPROVED, ChangeStatus.SCHEDULED})
"""Changes that can conflict: submitted, approved or scheduled."""
RULE_PENDING = PENDING | {ChangeStatus.DRAFT}
"""Changes the change rules apply to (with a planned window): not yet done."""


@dataclass(frozen=True)
class ChangeRecord:
    id: str
    title: str
    type: ChangeType
    status: ChangeStatus
    modifies: tuple[str, ...]
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    implemented_at: datetime | None = None
    release: str | None = None
    props: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        if self.planned_start is None or self.planned_end is None:
            return None
        return self.planned_start, self.planned_end

    @property
    def has_window(self) -> bool:
        return self.planned_start is not None and self.planned_end is not None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the planned window overlaps [start, end)."""
        return self.has_window and self.planned_start < end and start < self.planned_end  # type: ignore[operator]


@dataclass(frozen=True)
class PolicyRule:
    """A policy with a machine-checkable rule; `governs` empty means the whole CMDB."""

    id: str
    name: str
    rule_type: str
    rule: dict[str, Any]
    governs: frozenset[str] = frozenset()
    props: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def governs_any(self, ids: set[str] | frozenset[str]) -> bool:
        return not self.governs or not self.governs.isdisjoint(ids)


@dataclass(frozen=True)
class History:
    """What went wrong recently on the items a change modifies: incidents and failed changes, by id."""

    incidents: tuple[str, ...] = ()
    failed_changes: tuple[str, ...] = ()
