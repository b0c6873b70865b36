"""Changes, change rules and the history the change analyses read (no database, no GraphQL here)."""

from __future__ import annotations

import json
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
    "ApprovedAssessment",
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
    "since_approval",
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


@dataclass(frozen=True)
class ApprovedAssessment:
    """What the board saw when it approved a change: kept with the change (evidence for a post-incident review)."""

    at: datetime
    approved_by: str
    decision: str
    risk_score: int
    risk_level: str
    factors: tuple[tuple[str, int, str], ...]  # (name, contribution, detail)
    services: tuple[tuple[str, str], ...]  # impacted services (id, DOWN or DEGRADED), worst first
    conflicts: tuple[tuple[str, str, tuple[str, ...]], ...]  # (other change, reason, items)
    violations: tuple[tuple[str, str, str, str], ...]  # (policy, rule type, subject, message)
    approvals: tuple[tuple[str, str], ...]  # (approver, reason)
    exceptions: tuple[str, ...]  # policies excepted

    def to_json(self) -> str:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "at"}
        return json.dumps({"at": self.at.isoformat(), **data}, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ApprovedAssessment:
        data = json.loads(text)
        return cls(
            at=datetime.fromisoformat(data["at"]),
            approved_by=data["approved_by"],
            decision=data["decision"],
            risk_score=int(data["risk_score"]),
            risk_level=data["risk_level"],
            factors=tuple((n, int(c), d) for n, c, d in data["factors"]),
            services=tuple((i, s) for i, s in data["services"]),
            conflicts=tuple((c, r, tuple(items)) for c, r, items in data["conflicts"]),
            violations=tuple((p, r, s, m) for p, r, s, m in data["violations"]),
            approvals=tuple((a, r) for a, r in data["approvals"]),
            exceptions=tuple(data["exceptions"]),
        )


def since_approval(then: ApprovedAssessment, now: ApprovedAssessment) -> list[str]:
    """How the assessment now differs from the one approved, one sentence each; empty when it does not."""
    found = []
    if (then.risk_level, then.risk_score) != (now.risk_level, now.risk_score):
        found.append(f"risk was {then.risk_level} {then.risk_score}, now {now.risk_level} {now.risk_score}")
    if then.decision != now.decision:
        found.append(f"decision was {then.decision}, now {now.decision}")

    def moved(what: str, before: set[str], after: set[str]) -> None:
        if after - before:
            found.append(f"{what} since approval: {', '.join(sorted(after - before))}")
        if before - after:
            found.append(f"{what} at approval, no longer: {', '.join(sorted(before - after))}")

    moved("impacted", {f"{i} ({s})" for i, s in then.services}, {f"{i} ({s})" for i, s in now.services})
    moved("conflicting", {c for c, _, _ in then.conflicts}, {c for c, _, _ in now.conflicts})
    moved("violated", {p for p, *_ in then.violations}, {p for p, *_ in now.violations})
    moved("required to approve", {a for a, _ in then.approvals}, {a for a, _ in now.approvals})
    return found
