"""Change assessment types, the CAB agenda, and the change fields that need the analyses."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from graphsvc.analysis.risk import Risk as RiskResult
from graphsvc.analysis.risk import RiskWeights
from graphsvc.domain.changes import ConflictReason, RiskLevel
from graphsvc.domain.changes import PolicyException as PolicyExceptionRecord
from graphsvc.domain.clock import as_utc
from graphsvc.errors import InvalidArgument
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.context import Context, View
from graphsvc.graphql.impact import ImpactResult
from graphsvc.usecases import changes as uc

__all__ = [
    "CabAgendaEntry",
    "ChangeAssessment",
    "PolicyViolation",
    "TimeWindow",
    "assess_change",
    "resolve_cab_agenda",
    "resolve_policy_violations",
    "utc",
]

e.describe_values(
    strawberry.enum(RiskLevel, name="RiskLevel", description="LOW (< 25), MEDIUM (< 50), HIGH (< 75), CRITICAL"),
    {
        "LOW": "risk score below 25",
        "MEDIUM": "risk score 25 to below 50",
        "HIGH": "risk score 50 to below 75",
        "CRITICAL": "risk score 75 to 100",
    },
)
e.describe_values(
    strawberry.enum(
        ConflictReason, name="ConflictReason", description="why two changes conflict: the first reason that holds"
    ),
    {
        "SAME_ITEM": "both modify a common item (items: the common items)",
        "DEPENDENT_ITEM": "one modifies an item the other's impact reaches (items: those items)",
        "COMPOUNDED": "together they take a service DOWN that neither takes DOWN alone (items: those services)",
        "SHARED_IMPACT": "both impact a common service (items: the common services)",
    },
)


def utc(value: datetime) -> datetime:
    """Times without an offset are taken as UTC; one that cannot be expressed in UTC is a clear error."""
    try:
        return as_utc(value)
    except OverflowError:
        raise InvalidArgument(f"{value.isoformat()} is out of range") from None


@strawberry.type(description="One named part of a change's risk score.")
class RiskFactor:
    name: str
    contribution: int = strawberry.field(description="points this factor adds (negative: lowers the risk)")
    detail: str


@strawberry.type(description="A change's risk: the sum of its factors, capped to 0-100, and its level.")
class Risk:
    score: int
    level: RiskLevel
    factors: list[RiskFactor]


def risk_type(risk: RiskResult) -> Risk:
    return Risk(
        score=risk.score,
        level=risk.level,
        factors=[RiskFactor(name=f.name, contribution=f.contribution, detail=f.detail) for f in risk.factors],
    )


@strawberry.type(description="Another pending change this one conflicts with, why, and the ids concerned.")
class ChangeConflict:
    change: t.Change
    reason: ConflictReason
    items: list[strawberry.ID]


@strawberry.type(description="A policy rule the change breaks.")
class PolicyViolation:
    policy: t.Policy
    rule_type: e.RuleType
    subject_id: strawberry.ID
    message: str


@strawberry.type(description='Who must approve the change: "CAB" or an owning team\'s id, and why.')
class RequiredApproval:
    approver: str
    reason: str
    team: t.Team | None = None


@strawberry.type(description="A window of time, [start, end).")
class TimeWindow:
    start: datetime
    end: datetime


@strawberry.type(description="A change allowed to go ahead despite a policy it violates, and why.")
class PolicyException:
    policy_id: strawberry.ID
    reason: str
    granted_by: str = strawberry.field(description="the name of the token that granted it")
    granted_at: datetime

    @classmethod
    def of(cls, x: PolicyExceptionRecord) -> PolicyException:
        return cls(policy_id=strawberry.ID(x.policy), reason=x.reason, granted_by=x.granted_by, granted_at=x.granted_at)


def _parts(a: uc.Assessment) -> dict[str, object]:
    return {
        "decision": e.ChangeDecision(a.decision.value),
        "policy_exceptions": [PolicyException.of(x) for x in a.exceptions],
        "impact": ImpactResult(analysis=a.analysis),
        "risk": risk_type(a.risk),
        "conflicts": [
            ChangeConflict(
                change=t.item_from_props(c.other.props),
                reason=c.reason,
                items=[strawberry.ID(i) for i in c.items],
            )
            for c in a.conflicts
        ],
        "policy_violations": [
            PolicyViolation(
                policy=t.item_from_props(v.policy.props),
                rule_type=e.RuleType(v.rule_type),
                subject_id=strawberry.ID(v.subject_id),
                message=v.message,
            )
            for v in a.violations
        ],
        "required_approvals": [
            RequiredApproval(approver=p.approver, reason=p.reason, team=t.item_from_props(p.team) if p.team else None)
            for p in a.approvals
        ],
    }


DECISION = (
    "BLOCKED while it breaks a freeze or maintenance window with no exception granted; else CAB when the CAB must "
    "approve; else OWNERS (the owners of impacted business services approve)"
)


@strawberry.type(description="What a change would do and what stands in its way.")
class ChangeAssessment:
    decision: e.ChangeDecision = strawberry.field(description=DECISION)
    policy_exceptions: list[PolicyException]
    impact: ImpactResult = strawberry.field(description="the impact of what the change modifies")
    risk: Risk
    conflicts: list[ChangeConflict] = strawberry.field(description="by reason (SAME_ITEM first), then change id")
    policy_violations: list[PolicyViolation]
    required_approvals: list[RequiredApproval] = strawberry.field(description="CAB first, then teams by id")


@strawberry.type(description="A change on the CAB agenda, with its assessment.")
class CabAgendaEntry:
    change: t.Change
    decision: e.ChangeDecision = strawberry.field(description=DECISION)
    policy_exceptions: list[PolicyException]
    impact: ImpactResult
    risk: Risk
    conflicts: list[ChangeConflict]
    policy_violations: list[PolicyViolation]
    required_approvals: list[RequiredApproval]


def weights(info: Info[Context, None]) -> RiskWeights:
    return uc.weights_from(info.context.settings.risk_weights_file)


def granted(info: Info[Context, None], view: View) -> uc.Granted:
    """The policy exceptions as they stood at the time `view` answers for (the database's: no estate holds them)."""
    return uc.Granted(info.context.repo, view.as_of)


async def assess_change(info: Info[Context, None], change_id: str) -> ChangeAssessment:
    view = info.context.view(info)
    assessment = await uc.assess(view.repo, weights(info), change_id, view.cache, granted(info, view))
    return ChangeAssessment(**_parts(assessment))  # type: ignore[arg-type]


async def next_window(
    info: Info[Context, None], change_id: str, duration_minutes: int, after: datetime | None
) -> TimeWindow | None:
    view = info.context.view(info)
    change = await uc.get_change(view.repo, change_id)
    found = await uc.next_window(
        view.repo,
        weights(info),
        change,
        duration_minutes,
        utc(after) if after else None,
        view.cache,
        granted(info, view),
    )
    return TimeWindow(start=found[0], end=found[1]) if found else None


async def resolve_cab_agenda(info: Info[Context, None], start: datetime, end: datetime) -> list[CabAgendaEntry]:
    view = info.context.view(info)
    assessed = await uc.cab_agenda(view.repo, weights(info), utc(start), utc(end), view.cache, granted(info, view))
    return [CabAgendaEntry(change=t.item_from_props(a.change.props), **_parts(a)) for a in assessed]  # type: ignore[arg-type]


async def release_impact(info: Info[Context, None], release_id: str) -> ImpactResult:
    view = info.context.view(info)
    return ImpactResult(analysis=await uc.release_impact(view.repo, release_id, view.cache))


async def resolve_policy_violations(
    info: Info[Context, None], policy_id: str | None, rule_type: e.RuleType | None
) -> list[PolicyViolation]:
    from graphsvc.usecases.policies import policy_violations

    view = info.context.view(info)
    found = await policy_violations(
        view.repo,
        str(policy_id) if policy_id is not None else None,
        rule_type.value if rule_type is not None else None,
        view.cache,
    )
    # one GraphQL object per policy and per rule type, not per violation: at 100,000 CIs there are 284,000 of these
    policies = {v.policy.id: t.item_from_props(v.policy.props) for v in found}
    rule_types = {v.rule_type: e.RuleType(v.rule_type) for v in found}
    return [
        PolicyViolation(
            policy=policies[v.policy.id],
            rule_type=rule_types[v.rule_type],
            subject_id=strawberry.ID(v.subject_id),
            message=v.message,
        )
        for v in found
    ]
