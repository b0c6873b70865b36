"""`change(id) { approvedAssessment }`: the assessment a change was approved on, and how today's differs from it (under
`estate(...)`: the last one kept by the estate's time, and how the estate's assessment differs)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from graphsvc.domain.changes import ApprovedAssessment as Kept
from graphsvc.domain.changes import ConflictReason, RiskLevel, since_approval
from graphsvc.domain.tokens import Role
from graphsvc.graphql import enums as e
from graphsvc.graphql.access import needs
from graphsvc.graphql.changes import Risk, RiskFactor, granted, weights
from graphsvc.graphql.context import Context
from graphsvc.graphql.impact import ImpactStatus
from graphsvc.usecases import changes as uc

__all__ = ["ApprovedAssessment", "resolve_approved"]


@strawberry.type(description="A service the change took DOWN or left DEGRADED when it was approved.")
class ApprovedService:
    id: strawberry.ID = strawberry.field(description="the service's id")
    status: ImpactStatus = strawberry.field(description="DOWN or DEGRADED, then")


@strawberry.type(description="A change this one conflicted with when it was approved.")
class ApprovedConflict:
    change_id: strawberry.ID = strawberry.field(description="the other change's id")
    reason: ConflictReason = strawberry.field(description="the first reason that held")
    items: list[strawberry.ID] = strawberry.field(description="the ids the reason concerned")


@strawberry.type(description="A policy the change violated when it was approved.")
class ApprovedViolation:
    policy_id: strawberry.ID = strawberry.field(description="the policy's id")
    rule_type: e.RuleType = strawberry.field(description="the type of its rule")
    subject_id: strawberry.ID = strawberry.field(description="what broke it (the change, for change rules)")
    message: str = strawberry.field(description="the violation in words, as it was then")


@strawberry.type(description="Who had to approve the change when it was approved.")
class ApprovedApproval:
    approver: str = strawberry.field(description='"CAB", or the id of the team that had to approve')
    reason: str = strawberry.field(description="why that approval was needed")


@strawberry.type(
    description="The assessment a change was approved on (kept by approveChange): what the board saw, to compare "
    "with what happened."
)
class ApprovedAssessment:
    kept: strawberry.Private[Kept]
    change_id: strawberry.Private[str]
    approved_at: datetime = strawberry.field(description="when it was approved (UTC)")
    approved_by: str = strawberry.field(description="the name of the token that approved it")
    decision: e.ChangeDecision = strawberry.field(description="the decision then")
    risk: Risk = strawberry.field(description="the risk then")
    impacted_services: list[ApprovedService] = strawberry.field(description="worst first")
    conflicts: list[ApprovedConflict] = strawberry.field(description="the conflicts then")
    policy_violations: list[ApprovedViolation] = strawberry.field(description="the policy violations then")
    required_approvals: list[ApprovedApproval] = strawberry.field(description="the approvals required then")
    policy_exceptions: list[strawberry.ID] = strawberry.field(description="the policies excepted")

    @strawberry.field(
        description="how the change's assessment now (under estate(...): on that estate) differs from this one, a "
        "sentence each (empty: it does not)",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def since_approval(self, info: Info[Context, None]) -> list[str]:
        view = info.context.view(info)  # under estate(...): how that estate's assessment differs
        now = await uc.assess(view.repo, weights(info), self.change_id, view.cache, granted(info, view))
        return since_approval(self.kept, uc.evidence_of(now, self.kept.at, self.kept.approved_by))


def _of(change_id: str, kept: Kept) -> ApprovedAssessment:
    return ApprovedAssessment(
        kept=kept,
        change_id=change_id,
        approved_at=kept.at,
        approved_by=kept.approved_by,
        decision=e.ChangeDecision(kept.decision),
        risk=Risk(
            score=kept.risk_score,
            level=RiskLevel(kept.risk_level),
            factors=[RiskFactor(name=n, contribution=c, detail=d) for n, c, d in kept.factors],
        ),
        impacted_services=[ApprovedService(id=strawberry.ID(i), status=ImpactStatus[s]) for i, s in kept.services],
        conflicts=[
            ApprovedConflict(change_id=strawberry.ID(c), reason=ConflictReason(r), items=[strawberry.ID(i) for i in x])
            for c, r, x in kept.conflicts
        ],
        policy_violations=[
            ApprovedViolation(
                policy_id=strawberry.ID(p), rule_type=e.RuleType(r), subject_id=strawberry.ID(s), message=m
            )
            for p, r, s, m in kept.violations
        ],
        required_approvals=[ApprovedApproval(approver=a, reason=r) for a, r in kept.approvals],
        policy_exceptions=[strawberry.ID(p) for p in kept.exceptions],
    )


async def resolve_approved(info: Info[Context, None], change_id: str) -> ApprovedAssessment | None:
    # kept beside the change in the database, not in an estate: the last one kept by the estate's time
    kept = await uc.approved_assessment(info.context.repo, change_id, info.context.view(info).as_of)
    return _of(change_id, kept) if kept is not None else None
