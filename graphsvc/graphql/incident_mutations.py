"""Mutations that close the incident-to-problem loop: open and resolve incidents, make a problem from a
correlation cluster, attribute an incident to a problem, record a known error's workaround.

Every one checks before it writes and writes in one transaction: an error result means nothing changed.
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
from graphsvc.graphql.context import Context
from graphsvc.graphql.inputs import NEW_ID, input_dict
from graphsvc.graphql.user_errors import (
    DuplicateId,
    InvalidInput,
    InvalidState,
    NotFound,
    StaleVersion,
    UnknownReference,
    attempt,
)
from graphsvc.usecases import edits

__all__ = ["IncidentMutations"]


@strawberry.input(description="A new incident; it opens now unless `openedAt` says otherwise.")
class IncidentInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    title: str = strawberry.field(description="what happened, in a line")
    priority: e.IncidentPriority = strawberry.field(description="P1 (most urgent) to P4")
    affects: list[strawberry.ID] = strawberry.field(description="ids of the services or CIs where it shows")
    opened_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="when it began; left out: now")
    effect: e.IncidentEffect | None = strawberry.field(
        default=strawberry.UNSET,
        description="OUTAGE or DEGRADATION; absent: OUTAGE at P1 and P2, DEGRADATION at P3 and P4",
    )
    problem: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="the id of the problem it is attributed to"
    )


@strawberry.input(description="A problem for the incidents of a correlation cluster, blamed on its root cause.")
class ProblemFromClusterInput:
    id: strawberry.ID = strawberry.field(description=NEW_ID)
    title: str = strawberry.field(description="what the problem is, in a line")
    root_cause: strawberry.ID = strawberry.field(
        description="the cluster's root-cause candidate (recorded as causedBy)"
    )
    incidents: list[strawberry.ID] = strawberry.field(description="ids of the cluster's incidents, attributed to it")
    root_cause_text: str | None = strawberry.field(default=None, description="what is known of the cause")
    workaround: str | None = strawberry.field(default=None, description="with one, the problem is a KNOWN_ERROR")


@strawberry.type(description="The incident as the mutation left it.")
class IncidentPayload:
    incident: t.Incident = strawberry.field(description="the incident, with its new status and version")


@strawberry.type(description="The problem as the mutation left it.")
class ProblemPayload:
    problem: t.Problem = strawberry.field(description="the problem, with its new status and version")


IncidentResult = Annotated[
    IncidentPayload | NotFound | StaleVersion | InvalidState | InvalidInput | DuplicateId | UnknownReference,
    strawberry.union("IncidentResult", description="The incident, or why nothing was written."),
]
ProblemResult = Annotated[
    ProblemPayload | NotFound | StaleVersion | InvalidState | InvalidInput | DuplicateId | UnknownReference,
    strawberry.union("ProblemResult", description="The problem, or why nothing was written."),
]


IncidentId = Annotated[strawberry.ID, strawberry.argument(description="the incident's id")]
ProblemId = Annotated[strawberry.ID, strawberry.argument(description="the problem's id")]


def _incident(props: Props) -> IncidentPayload:
    return IncidentPayload(incident=t.item_from_props(props))


def _problem(props: Props) -> ProblemPayload:
    return ProblemPayload(problem=t.item_from_props(props))


@strawberry.type
class IncidentMutations:
    @strawberry.mutation(metadata=needs(Role.editor), description="open an incident (status OPEN)")
    async def open_incident(
        self,
        info: Info[Context, None],
        input: Annotated[IncidentInput, strawberry.argument(description="the new incident")],
    ) -> IncidentResult:
        ctx = info.context
        work = edits.open_incident(ctx.db, input_dict(input), audit=ctx.audit(info.field_name))
        return await attempt(work, _incident)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="OPEN -> RESOLVED at `at` (default now; not before it opened)"
    )
    async def resolve_incident(
        self,
        info: Info[Context, None],
        id: IncidentId,
        at: At = None,
        version: OptionalVersion = None,
    ) -> IncidentResult:
        ctx = info.context
        work = edits.resolve_incident(ctx.db, str(id), at=at, version=version, audit=ctx.audit(info.field_name))
        return await attempt(work, _incident)

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="create a problem for a correlation cluster: blamed on its root cause, its incidents attributed",
    )
    async def create_problem_from_cluster(
        self,
        info: Info[Context, None],
        input: Annotated[ProblemFromClusterInput, strawberry.argument(description="the problem and its cluster")],
    ) -> ProblemResult:
        ctx = info.context
        work = edits.problem_from_cluster(
            ctx.db,
            problem_id=str(input.id),
            title=input.title,
            root_cause=str(input.root_cause),
            incidents=[str(i) for i in input.incidents],
            root_cause_text=input.root_cause_text,
            workaround=input.workaround,
            audit=ctx.audit(info.field_name),
        )
        return await attempt(work, _problem)

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="attribute an incident to a problem (replacing any earlier attribution)",
    )
    async def link_incident_to_problem(
        self, info: Info[Context, None], incident_id: IncidentId, problem_id: ProblemId
    ) -> IncidentResult:
        ctx = info.context
        work = edits.attribute_incident(
            ctx.db, ctx.repo, str(incident_id), str(problem_id), audit=ctx.audit(info.field_name)
        )
        return await attempt(work, _incident)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="OPEN or KNOWN_ERROR -> KNOWN_ERROR with this workaround"
    )
    async def record_known_error(
        self,
        info: Info[Context, None],
        problem_id: ProblemId,
        workaround: Annotated[str, strawberry.argument(description="how to live with the problem until it is fixed")],
        version: OptionalVersion = None,
    ) -> ProblemResult:
        ctx = info.context
        work = edits.record_known_error(
            ctx.db, str(problem_id), workaround, version=version, audit=ctx.audit(info.field_name)
        )
        return await attempt(work, _problem)
