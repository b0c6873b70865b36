"""Expected failures of mutations, as GraphQL types (members of each result union), and the one mapping from the
errors the use cases raise to them (`attempt`). Every one has a `message` naming the id or field at fault."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from pydantic import ValidationError

import graphsvc.errors as errors
from graphsvc.domain.validation import DocumentInvalid, json_path
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e

__all__ = [
    "ChangeBlocked",
    "DuplicateId",
    "IllegalTransition",
    "InputProblem",
    "InvalidEdit",
    "InvalidInput",
    "InvalidState",
    "NotFound",
    "SelfDependency",
    "StaleVersion",
    "StillReferenced",
    "UnknownReference",
    "UserError",
    "attempt",
    "user_error",
]

T = TypeVar("T")
ID_ASKED = "the id the mutation named"


@strawberry.interface(description="An expected failure of a mutation; nothing was written.")
class UserError:
    message: str = strawberry.field(description="what went wrong, naming the id or field at fault")


@strawberry.type(description="The id is already used by another item (ids are unique across all kinds).")
class DuplicateId(UserError):
    id: strawberry.ID = strawberry.field(description="the id asked for")
    existing_kind: Kind = strawberry.field(description="the kind of the item that has it")


@strawberry.type(description="A field refers to an id that does not exist, or to an item of the wrong kind.")
class UnknownReference(UserError):
    field: str = strawberry.field(description="the input field that names it (e.g. owner)")
    id: strawberry.ID = strawberry.field(description="the id that was not found, or is of the wrong kind")


@strawberry.type(description="An item cannot depend on itself.")
class SelfDependency(UserError):
    id: strawberry.ID = strawberry.field(description="the item given as both `from` and `to`")


@strawberry.type(description="One problem with an input value.")
class InputProblem:
    field: str = strawberry.field(description="the input field at fault (e.g. criticality)")
    message: str = strawberry.field(description="what is wrong with its value")


@strawberry.type(description="The input broke a rule of the exchange format (pattern, range, ...).")
class InvalidInput(UserError):
    problems: list[InputProblem] = strawberry.field(description="every problem found, one per field and rule")


@strawberry.type(description="No item of the expected kind has this id.")
class NotFound(UserError):
    id: strawberry.ID = strawberry.field(description=ID_ASKED)


@strawberry.type(description="The item changed since you read it: re-read it and apply your change to the new version.")
class StaleVersion(UserError):
    id: strawberry.ID = strawberry.field(description=ID_ASKED)
    expected_version: int = strawberry.field(description="the version the mutation named")
    actual_version: int = strawberry.field(description="the item's version now")


@strawberry.type(description="Other items still refer to this one; pass detach: true to delete it anyway.")
class StillReferenced(UserError):
    id: strawberry.ID = strawberry.field(description=ID_ASKED)
    references: int = strawberry.field(description="how many relationships point at it")
    referenced_by: list[str] = strawberry.field(
        description="a sample of them, each as `id (RELATIONSHIP)` of the item that points at it"
    )


@strawberry.type(description="The record's status (or kind) does not allow this; nothing was written.")
class InvalidState(UserError):
    id: strawberry.ID = strawberry.field(description="the record's id")
    status: str = strawberry.field(description="its status (or kind) now")


@strawberry.type(description="The change's status does not allow this action; nothing was written.")
class IllegalTransition(UserError):
    id: strawberry.ID = strawberry.field(description="the change's id")
    status: e.ChangeStatus = strawberry.field(description="its status now")
    action: str = strawberry.field(description="the action refused: submit, approve, schedule, implement, ...")
    allowed_actions: list[str] = strawberry.field(description="what the change's status does allow")


@strawberry.type(description="A what-if edit cannot apply: it names an unknown id or makes an impossible graph.")
class InvalidEdit(UserError):
    index: int = strawberry.field(description="the edit's position in the list, from 0")
    edit: str = strawberry.field(description="its kind: retire, setMinHealthy, addDependency, ...")


@strawberry.type(
    description="The change breaks a freeze or maintenance window and no exception covers it; nothing was written."
)
class ChangeBlocked(UserError):
    id: strawberry.ID = strawberry.field(description="the change's id")
    policy_ids: list[strawberry.ID] = strawberry.field(description="the policies it breaks")


def _field(path: str) -> str:
    """`services[0].owner` -> `owner`: a mutation writes one item, so the list position says nothing."""
    return path.split("].", 1)[-1] if "]." in path else path


def from_document_invalid(exc: DocumentInvalid) -> Any:
    """The most specific typed error for the problems a write met."""
    problems = exc.problems
    for p in problems:
        if p.kind == "SELF" and p.reference is not None:
            return SelfDependency(message=str(p), id=strawberry.ID(p.reference))
    for p in problems:
        if p.kind in ("UNKNOWN", "WRONG_KIND") and p.reference is not None:
            field = _field(p.path)
            return UnknownReference(message=f"{field}: {p.message}", field=field, id=strawberry.ID(p.reference))
    fields = [InputProblem(field=_field(p.path), message=p.message) for p in problems]
    return InvalidInput(message="; ".join(f"{p.field}: {p.message}" for p in fields), problems=fields)


def from_validation_error(exc: ValidationError) -> InvalidInput:
    problems = [InputProblem(field=json_path(err["loc"]), message=err["msg"]) for err in exc.errors(include_url=False)]
    return InvalidInput(message="; ".join(f"{p.field}: {p.message}" for p in problems), problems=problems)


def user_error(exc: Exception) -> Any:
    """The typed result for an expected failure; anything else is re-raised (a GraphQL error with its code)."""
    match exc:
        case ValidationError():
            return from_validation_error(exc)
        case DocumentInvalid():
            return from_document_invalid(exc)
        case errors.InvalidEdit():
            return InvalidEdit(message=str(exc), index=exc.index, edit=exc.edit)
        case errors.NotFound():
            return NotFound(message=str(exc), id=strawberry.ID(exc.id or ""))
        case errors.DuplicateId():
            return DuplicateId(message=str(exc), id=strawberry.ID(exc.id), existing_kind=Kind(exc.existing_kind))
        case errors.StaleVersion():
            return StaleVersion(
                message=str(exc),
                id=strawberry.ID(exc.id),
                expected_version=exc.expected,
                actual_version=exc.actual,
            )
        case errors.StillReferenced():
            return StillReferenced(
                message=str(exc), id=strawberry.ID(exc.id), references=exc.total, referenced_by=exc.sample
            )
        case errors.InvalidState():
            return InvalidState(message=str(exc), id=strawberry.ID(exc.id), status=exc.status)
        case errors.Blocked():
            return ChangeBlocked(
                message=str(exc), id=strawberry.ID(exc.id), policy_ids=[strawberry.ID(p) for p in exc.policies]
            )
        case errors.IllegalTransition():
            return IllegalTransition(
                message=str(exc),
                id=strawberry.ID(exc.id),
                status=e.ChangeStatus(exc.status),
                action=exc.action,
                allowed_actions=exc.allowed,
            )
    raise exc


EXPECTED = (ValidationError, DocumentInvalid, errors.NotFound, errors.Refused, errors.InvalidEdit)


async def attempt(work: Awaitable[T], answer: Callable[[T], Any]) -> Any:
    """`answer(await work)`, or the typed result for the expected failure `work` raised (nothing was written)."""
    try:
        result = await work
    except EXPECTED as exc:
        return user_error(exc)
    return answer(result)
