"""Change rules (SEMANTICS.md, "Policies"): freezes and maintenance windows as violations, CAB approval.

The rules apply to changes not yet done (DRAFT, SUBMITTED, APPROVED, SCHEDULED) that have a planned window. A
policy applies to a change when it governs nothing (the whole CMDB) or governs an item the change modifies or
impacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from graphsvc.analysis.exposure import ImpactedService
from graphsvc.analysis.impact import Impact
from graphsvc.analysis.maintenance import describe_window, inside
from graphsvc.domain.changes import RULE_PENDING, ChangeRecord, ChangeType, PolicyRule, RiskLevel
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "CHANGE_RULES",
    "Violation",
    "applies",
    "cab_reasons",
    "emergency_freeze_reasons",
    "freeze_allows",
    "freeze_touched",
    "may_violate",
    "touched",
    "violations",
    "when",
]

CHANGE_RULES = ("CHANGE_FREEZE", "MAINTENANCE_WINDOW", "CAB_APPROVAL")


@dataclass(frozen=True)
class Violation:
    policy: PolicyRule
    rule_type: str
    subject_id: str
    message: str


def _ts(value: datetime) -> str:
    return value.strftime("%a %Y-%m-%d %H:%M")


def when(change: ChangeRecord) -> str:
    """The planned window, readable: "Sat 2026-11-21 01:00 to 03:00 UTC"."""
    start, end = change.planned_start, change.planned_end
    if start is None or end is None:
        return "no planned window"
    tail = end.strftime("%H:%M") if end.date() == start.date() else _ts(end)
    return f"{_ts(start)} to {tail} UTC"


def touched(change: ChangeRecord, impact: Impact) -> set[str]:
    return set(change.modifies) | set(impact.status)


def freeze_touched(change: ChangeRecord, impact: Impact) -> set[str]:
    """What a freeze looks at: the items the change modifies and the services it impacts."""
    return set(change.modifies) | {i for i, _, _ in impact.of_kind(Kind.SERVICE)}


def applies(policy: PolicyRule, change: ChangeRecord, impact: Impact) -> bool:
    """Whether a change rule binds the change. A freeze binds a change that modifies a governed item or impacts a
    governed service; the other rules, one that touches or impacts any governed item."""
    if change.status not in RULE_PENDING or not change.has_window:
        return False
    reach = freeze_touched(change, impact) if policy.rule_type == "CHANGE_FREEZE" else touched(change, impact)
    return policy.governs_any(reach)


def _concerned(policy: PolicyRule, change: ChangeRecord, services: Sequence[ImpactedService]) -> str:
    """The services (else the modified items) the policy governs that the change hits, for the message."""
    hit = [s for s in services if not policy.governs or s.id in policy.governs]
    if hit:
        shown = ", ".join(f"{s.id} ({s.name}, {s.status.name})" for s in hit[:3])
        more = f" and {len(hit) - 3} more" if len(hit) > 3 else ""
        return f"impacts {shown}{more}"
    mods = [m for m in change.modifies if not policy.governs or m in policy.governs]
    return f"modifies {', '.join(mods[:3])}" if mods else "touches governed items"


def _freeze_window(policy: PolicyRule) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(policy.rule["from"]), datetime.fromisoformat(policy.rule["to"])


def _in_freeze(policy: PolicyRule, change: ChangeRecord) -> bool:
    start, end = _freeze_window(policy)
    return change.overlaps(start, end)


def freeze_allows(policy: PolicyRule, change: ChangeRecord) -> bool:
    """An EMERGENCY change may go ahead in a freeze that allows emergencies (with CAB approval)."""
    return change.type is ChangeType.EMERGENCY and bool(policy.rule.get("allowEmergency", True))


def may_violate(policy: PolicyRule, change: ChangeRecord) -> bool:
    """Whether the change could break the freeze or maintenance-window rule at all, judged without its impact
    (status, window, type): `violations` finds nothing for the pair otherwise, so its impact need not be computed."""
    if change.status not in RULE_PENDING or not change.has_window:
        return False
    if policy.rule_type == "CHANGE_FREEZE":
        return _in_freeze(policy, change) and not freeze_allows(policy, change)
    if policy.rule_type == "MAINTENANCE_WINDOW":
        return change.type in (ChangeType.NORMAL, ChangeType.STANDARD) and not inside(
            policy.rule,
            change.planned_start,  # type: ignore[arg-type]
            change.planned_end,  # type: ignore[arg-type]
        )
    return False


def violations(
    change: ChangeRecord, impact: Impact, services: Sequence[ImpactedService], policies: Iterable[PolicyRule]
) -> list[Violation]:
    """CHANGE_FREEZE and MAINTENANCE_WINDOW violations of the change, by policy id."""
    found = []
    for policy in sorted(policies, key=lambda p: p.id):
        if not applies(policy, change, impact):
            continue
        if policy.rule_type == "CHANGE_FREEZE" and _in_freeze(policy, change) and not freeze_allows(policy, change):
            start, end = _freeze_window(policy)
            found.append(
                Violation(
                    policy,
                    "CHANGE_FREEZE",
                    change.id,
                    f"{change.id} ({when(change)}) falls in the change freeze {policy.name!r} "
                    f"({_ts(start)} to {_ts(end)} UTC) and {_concerned(policy, change, services)}",
                )
            )
        elif (
            policy.rule_type == "MAINTENANCE_WINDOW"
            and change.type in (ChangeType.NORMAL, ChangeType.STANDARD)
            and not inside(policy.rule, change.planned_start, change.planned_end)  # type: ignore[arg-type]
        ):
            found.append(
                Violation(
                    policy,
                    "MAINTENANCE_WINDOW",
                    change.id,
                    f"{change.id} ({when(change)}) is not wholly inside the maintenance window "
                    f"{describe_window(policy.rule)} of {policy.name!r}; it {_concerned(policy, change, services)}",
                )
            )
    return found


def emergency_freeze_reasons(change: ChangeRecord, impact: Impact, policies: Iterable[PolicyRule]) -> list[str]:
    """Why CAB must approve an EMERGENCY change that a freeze lets through."""
    return [
        f"EMERGENCY change inside the change freeze {p.id} ({p.name})"
        for p in sorted(policies, key=lambda p: p.id)
        if p.rule_type == "CHANGE_FREEZE"
        and applies(p, change, impact)
        and _in_freeze(p, change)
        and freeze_allows(p, change)
    ]


def cab_reasons(
    change: ChangeRecord, impact: Impact, level: RiskLevel, score: int, policies: Iterable[PolicyRule]
) -> list[str]:
    """CAB_APPROVAL rules the change meets: it touches what they govern at their risk level or above."""
    found = []
    for p in sorted(policies, key=lambda p: p.id):
        if p.rule_type != "CAB_APPROVAL" or not applies(p, change, impact):
            continue
        minimum = RiskLevel(p.rule["minRiskLevel"])
        if level.rank >= minimum.rank:
            found.append(f"risk {level.value} (score {score}) is at or above {minimum.value} under {p.id} ({p.name})")
    return found
