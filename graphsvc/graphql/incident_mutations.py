"""Mutations that close the incident-to-problem loop: open and resolve incidents, make a problem from a
correlation cluster, attribute an incident to a problem, record a known error's workaround.

Every one checks before it writes and writes in one transaction: an error result means nothing changed.
"""

# No `from __future__ import annotations`: strawberry resolves the union annotations at class creation.

from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry
from pydantic import ValidationError
from strawberry.types import Info

from graphsvc.db import record_writes as rw
from graphsvc.db import writes
from graphsvc.domain import exchange as x
from graphsvc.domain.rows import content_hash, item_props
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

__all__ = ["IncidentMutations"]


@strawberry.input(description="A new incident; it opens now unless `openedAt` says otherwise.")
class IncidentInput:
    id: strawberry.ID
    title: str
    priority: e.IncidentPriority
    affects: list[strawberry.ID] = strawberry.field(description="ids of the services or CIs where it shows")
    opened_at: datetime | None = strawberry.UNSET
    problem: strawberry.ID | None = strawberry.UNSET


@strawberry.input(description="A problem for the incidents of a correlation cluster, blamed on its root cause.")
class ProblemFromClusterInput:
    id: strawberry.ID
    title: str
    root_cause: strawberry.ID = strawberry.field(
        description="the cluster's root-cause candidate (recorded as causedBy)"
    )
    incidents: list[strawberry.ID]
    root_cause_text: str | None = strawberry.field(default=None, description="what is known of the cause")
    workaround: str | None = strawberry.field(default=None, description="with one, the problem is a KNOWN_ERROR")


@strawberry.type
class IncidentPayload:
    incident: t.Incident


@strawberry.type
class ProblemPayload:
    problem: t.Problem


@strawberry.type(description="The record's status (or kind) does not allow this; nothing was written.")
class InvalidState(UserError):
    id: strawberry.ID
    status: str


IncidentResult = Annotated[
    IncidentPayload | NotFound | StaleVersion | InvalidState | InvalidInput | DuplicateId | UnknownReference,
    strawberry.union("IncidentResult"),
]
ProblemResult = Annotated[
    ProblemPayload | NotFound | StaleVersion | InvalidState | InvalidInput | DuplicateId | UnknownReference,
    strawberry.union("ProblemResult"),
]


def _error(exc: Exception) -> Any:
    if isinstance(exc, rw.RecordStateError):
        return InvalidState(message=str(exc), id=strawberry.ID(exc.id), status=exc.status)
    if isinstance(exc, writes.NotFoundError):
        return NotFound(message=f"no item with id {exc.id!r} of the kind needed", id=strawberry.ID(exc.id))
    if isinstance(exc, ValidationError):
        return from_validation_error(exc)
    if isinstance(exc, DocumentInvalid):
        return from_document_invalid(exc)
    if isinstance(exc, writes.WriteError):
        return from_write_error(exc)
    raise exc


def _bad_time(field: str, message: str) -> InvalidInput:
    return InvalidInput(message=f"{field}: {message}", problems=[InputProblem(field=field, message=message)])


def _utc(value: datetime | None) -> datetime:
    return (value or datetime.now(UTC)).astimezone(UTC)


@strawberry.type
class IncidentMutations:
    @strawberry.mutation(metadata=needs(Role.editor), description="open an incident (status OPEN)")
    async def open_incident(self, info: Info[Context, None], input: IncidentInput) -> IncidentResult:
        data = {k: v for k, v in input_dict(input).items() if v is not None}
        if isinstance(input.opened_at, datetime) and input.opened_at.tzinfo is None:
            return _bad_time("openedAt", "the time needs an offset, such as 2026-11-21T01:00:00Z")
        data.setdefault("openedAt", datetime.now(UTC))
        data["status"] = "OPEN"
        ctx = info.context
        try:
            item = x.Incident.model_validate(data)
            props = await ctx.db.bind(writes.create_item)(Kind.INCIDENT, item, audit=ctx.audit(info.field_name))
        except (ValidationError, DocumentInvalid, writes.WriteError) as exc:
            return _error(exc)
        return IncidentPayload(incident=t.item_from_props(props))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="OPEN -> RESOLVED at `at` (default now; not before it opened)"
    )
    async def resolve_incident(
        self, info: Info[Context, None], id: strawberry.ID, at: datetime | None = None, version: int | None = None
    ) -> IncidentResult:
        if at is not None and at.tzinfo is None:
            return _bad_time("at", "the time needs an offset, such as 2026-11-21T01:00:00Z")
        when = _utc(at)

        def not_before_opening(current: dict[str, Any]) -> None:
            if current["openedAt"] > when:
                raise rw.RecordStateError(
                    str(id), "OPEN", f"at: {when.isoformat()} is before {id} opened ({current['openedAt'].isoformat()})"
                )

        ctx = info.context
        try:
            props = await ctx.db.bind(rw.update_record)(
                Kind.INCIDENT,
                str(id),
                allowed=["OPEN"],
                action="resolve",
                props={"status": "RESOLVED", "resolvedAt": when},
                version=version,
                check=not_before_opening,
                audit=ctx.audit(info.field_name),
            )
        except writes.WriteError as exc:
            return _error(exc)
        return IncidentPayload(incident=t.item_from_props(props))

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="create a problem for a correlation cluster: blamed on its root cause, its incidents attributed",
    )
    async def create_problem_from_cluster(
        self, info: Info[Context, None], input: ProblemFromClusterInput
    ) -> ProblemResult:
        ctx = info.context
        incidents = list(dict.fromkeys(str(i) for i in input.incidents))
        if not incidents:
            problem = InputProblem(field="incidents", message="a cluster has at least one incident")
            return InvalidInput(message="incidents: a cluster has at least one incident", problems=[problem])
        data: dict[str, Any] = {
            "id": str(input.id),
            "title": input.title,
            "status": "KNOWN_ERROR" if input.workaround else "OPEN",
            "causedBy": [str(input.root_cause)],
        }
        if input.root_cause_text:
            data["rootCause"] = input.root_cause_text
        if input.workaround:
            data["workaround"] = input.workaround
        taken = (await ctx.repo.by_ids([str(input.id)]))[0]
        if taken is not None:
            return _error(writes.DuplicateIdError(str(input.id), Kind(taken["itemKind"])))
        try:
            item = x.Problem.model_validate(data)
            doc = x.ExchangeDocument.model_validate({"format": x.FORMAT, "problems": [item]})
            await ctx.db.bind(writes.check_refs)(doc, new_ids={item.id})
            create = {"props": item_props(Kind.PROBLEM, item), "hash": content_hash(item), "causedBy": item.causedBy}
            props = await ctx.db.bind(rw.attribute_incidents)(
                item.id, incidents, create=create, audit=ctx.audit(info.field_name)
            )
        except (ValidationError, DocumentInvalid, writes.WriteError) as exc:
            return _error(exc)
        return ProblemPayload(problem=t.item_from_props(props))

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="attribute an incident to a problem (replacing any earlier attribution)",
    )
    async def link_incident_to_problem(
        self, info: Info[Context, None], incident_id: strawberry.ID, problem_id: strawberry.ID
    ) -> IncidentResult:
        ctx = info.context
        try:
            await ctx.db.bind(rw.attribute_incidents)(
                str(problem_id), [str(incident_id)], audit=ctx.audit(info.field_name)
            )
        except writes.WriteError as exc:
            return _error(exc)
        props = (await ctx.repo.by_ids([str(incident_id)]))[0]
        assert props is not None  # checked inside the write
        return IncidentPayload(incident=t.item_from_props(props))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="OPEN or KNOWN_ERROR -> KNOWN_ERROR with this workaround"
    )
    async def record_known_error(
        self, info: Info[Context, None], problem_id: strawberry.ID, workaround: str, version: int | None = None
    ) -> ProblemResult:
        if not workaround.strip():
            return _bad_time("workaround", "must not be empty")
        ctx = info.context
        try:
            props = await ctx.db.bind(rw.update_record)(
                Kind.PROBLEM,
                str(problem_id),
                allowed=["OPEN", "KNOWN_ERROR"],
                action="recording a known error",
                props={"status": "KNOWN_ERROR", "workaround": workaround},
                version=version,
                audit=ctx.audit(info.field_name),
            )
        except writes.WriteError as exc:
            return _error(exc)
        return ProblemPayload(problem=t.item_from_props(props))
