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
    name: str = strawberry.field(description="the factor's name (docs/risk.md lists them with their weights)")
    contribution: int = strawberry.field(description="points this factor adds (negative: lowers the risk)")
    detail: str = strawberry.field(description="what it found, in words")


@strawberry.type(description="A change's risk: the sum of its factors, capped to 0-100, and its level.")
class Risk:
    score: int = strawberry.field(description="0 to 100: the sum of the factors' contributions, capped")
    level: RiskLevel = strawberry.field(description="the score's band: LOW < 25, MEDIUM < 50, HIGH < 75, CRITICAL")
    factors: list[RiskFactor] = strawberry.field(description="every factor, with its contribution")


def risk_type(risk: RiskResult) -> Risk:
    return Risk(
        score=risk.score,
        level=risk.level,
        factors=[RiskFactor(name=f.name, contribution=f.contribution, detail=f.detail) for f in risk.factors],
    )


@strawberry.type(description="Another pending change this one conflicts with, why, and the ids concerned.")
class ChangeConflict:
    change: t.Change = strawberry.field(description="the other change")
    reason: ConflictReason = strawberry.field(description="the first reason that holds")
    items: list[strawberry.ID] = strawberry.field(description="the ids the reason concerns (items or services)")


@strawberry.type(description="A policy rule the change breaks.")
class PolicyViolation:
    policy: t.Policy = strawberry.field(description="the policy whose rule is broken")
    rule_type: e.RuleType = strawberry.field(description="the type of that rule")
    subject_id: strawberry.ID = strawberry.field(
        description="what breaks it: the change (change rules), the single point of failure, the violating item, or "
        "the item itself (OWNER_REQUIRED, CAPACITY_HEADROOM)"
    )
    message: str = strawberry.field(
        description="the violation in words, naming the service concerned where there is one"
    )


@strawberry.type(description='Who must approve the change: "CAB" or an owning team\'s id, and why.')
class RequiredApproval:
    approver: str = strawberry.field(description='"CAB", or the id of the team that must approve')
    reason: str = strawberry.field(description="why this approval is needed")
    team: t.Team | None = strawberry.field(default=None, description="the approving team; null: the CAB")


@strawberry.type(description="A window of time, [start, end).")
class TimeWindow:
    start: datetime = strawberry.field(description="when it starts (UTC), included")
    end: datetime = strawberry.field(description="when it ends (UTC), excluded")


@strawberry.type(description="A change allowed to go ahead despite a policy it violates, and why.")
class PolicyException:
    policy_id: strawberry.ID = strawberry.field(description="the policy the change may break")
    reason: str = strawberry.field(description="why it may go ahead anyway")
    granted_by: str = strawberry.field(description="the name of the token that granted it")
    granted_at: datetime = strawberry.field(description="when it was granted (UTC)")

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


IMPACT = "the impact of what the change modifies"
EXCEPTIONS = "the policy exceptions granted to the change"
RISK = "its risk score, level and factors"
VIOLATIONS = "the policy rules it breaks (still listed when an exception covers them)"
CONFLICTS = "the pending changes it conflicts with, by reason (SAME_ITEM first), then change id"
APPROVALS = "who must approve: the CAB first, then the owning teams of impacted business services, by id"

DECISION = (
    "BLOCKED while it breaks a freeze or maintenance window with no exception granted; else CAB when the CAB must "
    "approve; else OWNERS (the owners of impacted business services approve)"
)


@strawberry.type(description="What a change would do and what stands in its way.")
class ChangeAssessment:
    decision: e.ChangeDecision = strawberry.field(description=DECISION)
    policy_exceptions: list[PolicyException] = strawberry.field(description=EXCEPTIONS)
    impact: ImpactResult = strawberry.field(description=IMPACT)
    risk: Risk = strawberry.field(description=RISK)
    conflicts: list[ChangeConflict] = strawberry.field(description=CONFLICTS)
    policy_violations: list[PolicyViolation] = strawberry.field(description=VIOLATIONS)
    required_approvals: list[RequiredApproval] = strawberry.field(description=APPROVALS)


@strawberry.type(description="A change on the CAB agenda, with its assessment.")
class CabAgendaEntry:
    change: t.Change = strawberry.field(description="the change")
    decision: e.ChangeDecision = strawberry.field(description=DECISION)
    policy_exceptions: list[PolicyException] = strawberry.field(description=EXCEPTIONS)
    impact: ImpactResult = strawberry.field(description=IMPACT)
    risk: Risk = strawberry.field(description=RISK)
    conflicts: list[ChangeConflict] = strawberry.field(description=CONFLICTS)
    policy_violations: list[PolicyViolation] = strawberry.field(description=VIOLATIONS)
    required_approvals: list[RequiredApproval] = strawberry.field(description=APPROVALS)


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
