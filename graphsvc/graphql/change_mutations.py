"""Mutations of the change lifecycle: raise, submit, approve, schedule, implement, fail, cancel.

A status that does not allow the action is an `IllegalTransition` naming the status and what it does allow; a
window whose end is not after its start is `InvalidInput`. Nothing is written when an error is returned.
"""

# No `from __future__ import annotations`: strawberry resolves the union annotations at class creation.

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from graphsvc.domain.facts import Props
from graphsvc.domain.tokens import Role
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.arguments import At, OptionalVersion
from graphsvc.graphql.changes import PolicyException, weights
from graphsvc.graphql.context import Context
from graphsvc.graphql.inputs import NEW_ID, input_dict
from graphsvc.graphql.user_errors import (
    ChangeBlocked,
    DuplicateId,
    IllegalTransition,
    InvalidInput,
    NotFound,
    StaleVersion,
    UnknownReference,
    attempt,
)
from graphsvc.usecases import edits

__all__ = ["ChangeMutations"]


@strawberry.input(description="A new request for change.")
class ChangeInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    title: str = strawberry.field(description="what the change does, in a line")
    type: e.ChangeType = strawberry.field(description="STANDARD, NORMAL or EMERGENCY")
    modifies: list[strawberry.ID] = strawberry.field(description="ids of the services, CIs or groups it changes")
    planned_start: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="the planned window's start; left out: not planned yet"
    )
    planned_end: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="the planned window's end, after its start; left out: not planned yet"
    )
    release: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="the id of the release it ships in"
    )
    resolves: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="ids of the problems it resolves"
    )
    draft: bool = strawberry.field(default=False, description="keep it as a DRAFT instead of SUBMITTED")


@strawberry.type(description="The change as the mutation left it.")
class ChangePayload:
    change: t.Change = strawberry.field(description="the change, with its new status and version")


ChangeResult = Annotated[
    ChangePayload
    | NotFound
    | StaleVersion
    | IllegalTransition
    | ChangeBlocked
    | InvalidInput
    | DuplicateId
    | UnknownReference,
    strawberry.union(
        "ChangeResult", description="The change, or why nothing was written (the error says what is at fault)."
    ),
]


@strawberry.type(description="The exception granted, and the change it lets go ahead.")
class PolicyExceptionPayload:
    change: t.Change = strawberry.field(description="the change")
    exception: PolicyException = strawberry.field(description="the exception as recorded")


PolicyExceptionResult = Annotated[
    PolicyExceptionPayload | NotFound | InvalidInput,
    strawberry.union(
        "PolicyExceptionResult",
        description="The exception, or why none was granted (an unknown change or policy, an empty reason, a policy "
        "that blocks nothing).",
    ),
]

ChangeId = Annotated[strawberry.ID, strawberry.argument(description="the change's id")]


def _change(props: Props) -> ChangePayload:
    return ChangePayload(change=t.item_from_props(props))


async def _step(
    info: Info[Context, None],
    change_id: strawberry.ID,
    action: str,
    version: int | None,
    *,
    at: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> ChangeResult:
    ctx = info.context
    work = edits.change_step(
        ctx.db, str(change_id), action, version=version, at=at, window=window, audit=ctx.audit(info.field_name)
    )
    return await attempt(work, _change)


@strawberry.type
class ChangeMutations:
    @strawberry.mutation(
        metadata=needs(Role.editor), description="raise a request for change: SUBMITTED, or DRAFT with `draft: true`"
    )
    async def raise_change(
        self,
        info: Info[Context, None],
        input: Annotated[ChangeInput, strawberry.argument(description="the request for change")],
    ) -> ChangeResult:
        ctx = info.context
        data = input_dict(input)
        draft = bool(data.pop("draft", False))
        work = edits.raise_change(ctx.db, data, draft=draft, audit=ctx.audit(info.field_name))
        return await attempt(work, _change)

    @strawberry.mutation(metadata=needs(Role.editor), description="DRAFT -> SUBMITTED")
    async def submit_change(
        self, info: Info[Context, None], id: ChangeId, version: OptionalVersion = None
    ) -> ChangeResult:
        return await _step(info, id, "submit", version)

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="SUBMITTED -> APPROVED; refused (ChangeBlocked) while the change breaks a freeze or maintenance "
        "window that no policy exception covers",
    )
    async def approve_change(
        self, info: Info[Context, None], id: ChangeId, version: OptionalVersion = None
    ) -> ChangeResult:
        ctx = info.context
        work = edits.approve_change(
            ctx.db,
            ctx.repo,
            str(id),
            version=version,
            weights=weights(info),
            cache=ctx.graph_cache,
            audit=ctx.audit(info.field_name),
        )
        return await attempt(work, _change)

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="let a change go ahead despite a CHANGE_FREEZE or MAINTENANCE_WINDOW policy it breaks, for a "
        "reason (required, audited); a second grant for the same policy replaces the reason",
    )
    async def grant_policy_exception(
        self,
        info: Info[Context, None],
        change_id: ChangeId,
        policy_id: Annotated[
            strawberry.ID, strawberry.argument(description="the CHANGE_FREEZE or MAINTENANCE_WINDOW policy it breaks")
        ],
        reason: Annotated[
            str, strawberry.argument(description="why it may go ahead anyway: required, at most 2,000 characters")
        ],
    ) -> PolicyExceptionResult:
        ctx = info.context
        who = ctx.principal.name if ctx.principal else "anonymous"
        work = edits.grant_policy_exception(
            ctx.db, str(change_id), str(policy_id), reason, granted_by=who, audit=ctx.audit(info.field_name)
        )
        exception = await attempt(work, PolicyException.of)
        if not isinstance(exception, PolicyException):
            return exception
        change = (await ctx.repo.by_ids([str(change_id)]))[0] or {}
        return PolicyExceptionPayload(change=t.item_from_props(change), exception=exception)

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="APPROVED (or SCHEDULED, to move it) -> SCHEDULED in [plannedStart, plannedEnd)",
    )
    async def schedule_change(
        self,
        info: Info[Context, None],
        id: ChangeId,
        planned_start: Annotated[datetime, strawberry.argument(description="the window's start")],
        planned_end: Annotated[datetime, strawberry.argument(description="the window's end, after its start")],
        version: OptionalVersion = None,
    ) -> ChangeResult:
        return await _step(info, id, "schedule", version, window=(planned_start, planned_end))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="APPROVED or SCHEDULED -> IMPLEMENTED, at `at` (default now)"
    )
    async def implement_change(
        self, info: Info[Context, None], id: ChangeId, at: At = None, version: OptionalVersion = None
    ) -> ChangeResult:
        return await _step(info, id, "implement", version, at=at)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="APPROVED or SCHEDULED -> FAILED, at `at` (default now)"
    )
    async def fail_change(
        self, info: Info[Context, None], id: ChangeId, at: At = None, version: OptionalVersion = None
    ) -> ChangeResult:
        return await _step(info, id, "fail", version, at=at)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="any change not yet IMPLEMENTED, FAILED or CANCELLED -> CANCELLED"
    )
    async def cancel_change(
        self, info: Info[Context, None], id: ChangeId, version: OptionalVersion = None
    ) -> ChangeResult:
        return await _step(info, id, "cancel", version)
