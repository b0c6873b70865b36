"""Mutations of the change lifecycle: raise, submit, approve, schedule, implement, fail, cancel.

A status that does not allow the action is an `IllegalTransition` naming the status and what it does allow; a
window whose end is not after its start is `InvalidInput`. Nothing is written when an error is returned.
"""

# No `from __future__ import annotations`: strawberry resolves the union annotations at class creation.

from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError
from strawberry.types import Info

from graphsvc.db import writes
from graphsvc.db.change_writes import IllegalTransitionError, transition_change
from graphsvc.domain import exchange as x
from graphsvc.domain.tokens import Role
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.context import Context
from graphsvc.graphql.inputs import input_dict
from graphsvc.graphql.user_errors import (
    DuplicateId,
    InputProblem,
    InvalidInput,
    NotFound,
    StaleVersion,
    UnknownReference,
    UserError,
    from_document_invalid,
    from_validation_error,
    from_write_error,
)

__all__ = ["ChangeMutations"]


@strawberry.input(description="A new request for change.")
class ChangeInput:
    id: strawberry.ID
    title: str
    type: e.ChangeType
    modifies: list[strawberry.ID] = strawberry.field(description="ids of the services, CIs or groups it changes")
    planned_start: datetime | None = strawberry.UNSET
    planned_end: datetime | None = strawberry.UNSET
    release: strawberry.ID | None = strawberry.UNSET
    resolves: list[strawberry.ID] | None = strawberry.UNSET
    draft: bool = strawberry.field(default=False, description="keep it as a DRAFT instead of SUBMITTED")


@strawberry.type
class ChangePayload:
    change: t.Change


@strawberry.type(description="The change's status does not allow this action; nothing was written.")
class IllegalTransition(UserError):
    id: strawberry.ID
    status: e.ChangeStatus
    action: str
    allowed_actions: list[str] = strawberry.field(description="what the change's status does allow")


ChangeResult = Annotated[
    ChangePayload | NotFound | StaleVersion | IllegalTransition | InvalidInput | DuplicateId | UnknownReference,
    strawberry.union("ChangeResult"),
]


def _bad_window(start: datetime, end: datetime) -> InvalidInput | None:
    if start.tzinfo is None or end.tzinfo is None:
        problem = InputProblem(field="plannedStart", message="times need an offset, such as 2026-11-21T01:00:00Z")
        return InvalidInput(message=f"{problem.field}: {problem.message}", problems=[problem])
    if end <= start:
        problem = InputProblem(field="plannedEnd", message=f"must be after plannedStart ({start.isoformat()})")
        return InvalidInput(message=f"plannedEnd: {problem.message}", problems=[problem])
    return None


def _error(exc: writes.WriteError) -> Any:
    if isinstance(exc, IllegalTransitionError):
        from graphsvc.domain.changes import allowed_actions

        return IllegalTransition(
            message=str(exc),
            id=strawberry.ID(exc.id),
            status=e.ChangeStatus(exc.current.value),
            action=exc.action,
            allowed_actions=allowed_actions(exc.current),
        )
    return from_write_error(exc)


async def _transition(
    info: Info[Context, None], change_id: str, action: str, version: int | None, **fields: datetime
) -> Any:
    ctx = info.context
    try:
        props = await ctx.db.bind(transition_change)(
            change_id,
            action,
            version=version,
            fields=fields,
            audit=ctx.audit(info.field_name),
        )
    except writes.NotFoundError:
        return NotFound(message=f"no CHANGE with id {change_id!r}", id=strawberry.ID(change_id))
    except writes.WriteError as exc:
        return _error(exc)
    return ChangePayload(change=t.item_from_props(props))


def _when(at: datetime | None) -> datetime | InvalidInput:
    if at is not None and at.tzinfo is None:
        problem = InputProblem(field="at", message="the time needs an offset, such as 2026-11-21T01:00:00Z")
        return InvalidInput(message=f"at: {problem.message}", problems=[problem])
    return (at or datetime.now(UTC)).astimezone(UTC)


@strawberry.type
class ChangeMutations:
    @strawberry.mutation(
        metadata=needs(Role.editor), description="raise a request for change: SUBMITTED, or DRAFT with `draft: true`"
    )
    async def raise_change(self, info: Info[Context, None], input: ChangeInput) -> ChangeResult:
        data = {k: v for k, v in input_dict(input).items() if v is not None}
        data["status"] = "DRAFT" if data.pop("draft", False) else "SUBMITTED"
        start, end = input.planned_start, input.planned_end
        if isinstance(start, datetime) and isinstance(end, datetime) and (bad := _bad_window(start, end)):
            return bad
        ctx = info.context
        try:
            item = x.ChangeRecord.model_validate(data)
            props = await ctx.db.bind(writes.create_item)(Kind.CHANGE, item, audit=ctx.audit(info.field_name))
        except ValidationError as exc:
            return from_validation_error(exc)
        except DocumentInvalid as exc:
            return from_document_invalid(exc)
        except writes.WriteError as exc:
            return _error(exc)
        return ChangePayload(change=t.item_from_props(props))

    @strawberry.mutation(metadata=needs(Role.editor), description="DRAFT -> SUBMITTED")
    async def submit_change(
        self, info: Info[Context, None], id: strawberry.ID, version: int | None = None
    ) -> ChangeResult:
        return await _transition(info, str(id), "submit", version)

    @strawberry.mutation(metadata=needs(Role.editor), description="SUBMITTED -> APPROVED")
    async def approve_change(
        self, info: Info[Context, None], id: strawberry.ID, version: int | None = None
    ) -> ChangeResult:
        return await _transition(info, str(id), "approve", version)

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="APPROVED (or SCHEDULED, to move it) -> SCHEDULED in [plannedStart, plannedEnd)",
    )
    async def schedule_change(
        self,
        info: Info[Context, None],
        id: strawberry.ID,
        planned_start: datetime,
        planned_end: datetime,
        version: int | None = None,
    ) -> ChangeResult:
        if bad := _bad_window(planned_start, planned_end):
            return bad
        return await _transition(
            info,
            str(id),
            "schedule",
            version,
            plannedStart=planned_start.astimezone(UTC),
            plannedEnd=planned_end.astimezone(UTC),
        )

    @strawberry.mutation(
        metadata=needs(Role.editor), description="APPROVED or SCHEDULED -> IMPLEMENTED, at `at` (default now)"
    )
    async def implement_change(
        self, info: Info[Context, None], id: strawberry.ID, at: datetime | None = None, version: int | None = None
    ) -> ChangeResult:
        when = _when(at)
        if isinstance(when, InvalidInput):
            return when
        return await _transition(info, str(id), "implement", version, implementedAt=when)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="APPROVED or SCHEDULED -> FAILED, at `at` (default now)"
    )
    async def fail_change(
        self, info: Info[Context, None], id: strawberry.ID, at: datetime | None = None, version: int | None = None
    ) -> ChangeResult:
        when = _when(at)
        if isinstance(when, InvalidInput):
            return when
        return await _transition(info, str(id), "fail", version, implementedAt=when)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="any change not yet IMPLEMENTED, FAILED or CANCELLED -> CANCELLED"
    )
    async def cancel_change(
        self, info: Info[Context, None], id: strawberry.ID, version: int | None = None
    ) -> ChangeResult:
        return await _transition(info, str(id), "cancel", version)
