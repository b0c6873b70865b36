"""Expected failures of mutations, as GraphQL types (members of each result union), and the mapping from the
domain's and the database layer's errors to them. Every one has a `message` naming the id or field at fault."""

from __future__ import annotations

from typing import Any

import strawberry
from pydantic import ValidationError

from graphsvc.db import writes
from graphsvc.domain.validation import DocumentInvalid, json_path
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "DuplicateId",
    "InputProblem",
    "InvalidInput",
    "NotFound",
    "SelfDependency",
    "StaleVersion",
    "StillReferenced",
    "UnknownReference",
    "UserError",
    "from_document_invalid",
    "from_validation_error",
    "from_write_error",
]


@strawberry.interface(description="An expected failure of a mutation; nothing was written.")
class UserError:
    message: str


@strawberry.type(description="The id is already used by another item (ids are unique across all kinds).")
class DuplicateId(UserError):
    id: strawberry.ID
    existing_kind: Kind


@strawberry.type(description="A field refers to an id that does not exist, or to an item of the wrong kind.")
class UnknownReference(UserError):
    field: str
    id: strawberry.ID


@strawberry.type(description="An item cannot depend on itself.")
class SelfDependency(UserError):
    id: strawberry.ID


@strawberry.type(description="One problem with an input value.")
class InputProblem:
    field: str
    message: str


@strawberry.type(description="The input broke a rule of the exchange format (pattern, range, ...).")
class InvalidInput(UserError):
    problems: list[InputProblem]


@strawberry.type(description="No item of the expected kind has this id.")
class NotFound(UserError):
    id: strawberry.ID


@strawberry.type(description="The item changed since you read it: re-read it and apply your change to the new version.")
class StaleVersion(UserError):
    id: strawberry.ID
    expected_version: int
    actual_version: int


@strawberry.type(description="Other items still refer to this one; pass detach: true to delete it anyway.")
class StillReferenced(UserError):
    id: strawberry.ID
    references: int
    referenced_by: list[str]


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


def from_write_error(exc: writes.WriteError) -> Any:
    if isinstance(exc, writes.NotFoundError):
        return NotFound(message=f"no item with id {exc.id!r}", id=strawberry.ID(exc.id))
    if isinstance(exc, writes.DuplicateIdError):
        return DuplicateId(
            message=f"id {exc.id!r} is already used by a {exc.existing_kind.value}",
            id=strawberry.ID(exc.id),
            existing_kind=exc.existing_kind,
        )
    if isinstance(exc, writes.StaleVersionError):
        return StaleVersion(
            message=f"{exc.id!r} is at version {exc.actual}, not {exc.expected}: re-read it and retry",
            id=strawberry.ID(exc.id),
            expected_version=exc.expected,
            actual_version=exc.actual,
        )
    if isinstance(exc, writes.StillReferencedError):
        sample = [f"{source} ({rel})" for source, rel in exc.sample]
        return StillReferenced(
            message=f"{exc.id!r} is still referenced {exc.total} time(s), e.g. by {', '.join(sample)}",
            id=strawberry.ID(exc.id),
            references=exc.total,
            referenced_by=sample,
        )
    raise exc
