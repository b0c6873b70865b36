"""The Mutation root: import, create/update/delete of the main kinds, dependencies.

Expected failures are typed results (`ServiceResult = ServicePayload | DuplicateId | UnknownReference | ...`);
every one has a `message` naming the id or field at fault, and nothing is written when one is returned.
"""

# No `from __future__ import annotations`: the resolver factories annotate with closure variables.

from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.types import Info

from graphsvc.db import writes
from graphsvc.db.items import Props
from graphsvc.domain import exchange as x
from graphsvc.domain.rows import item_from_props as exchange_from_props
from graphsvc.domain.validation import DocumentInvalid, json_path
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.context import Context
from graphsvc.graphql.imports import ImportResult, import_cmdb

__all__ = ["Mutation"]


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


@strawberry.type
class Deleted:
    id: strawberry.ID
    item_kind: Kind


@strawberry.type
class DependencyPayload:
    dependent: t.Item
    depends_on: t.Item
    dependent_version: int


@strawberry.type
class DependencyRemoved:
    from_id: strawberry.ID
    to_id: strawberry.ID


def _invalid(exc: DocumentInvalid, prefix: str = "") -> Any:
    """The most specific typed error for the problems a write met."""
    problems = exc.problems
    for p in problems:
        if "cannot depend on itself" in p.message:
            return SelfDependency(message=str(p), id=strawberry.ID(p.message.split("'")[1]))
    for p in problems:
        if p.message.startswith("unknown id") or " is a " in p.message:
            field = p.path.split("].", 1)[-1] if "]." in p.path else p.path
            return UnknownReference(
                message=f"{field}: {p.message}", field=field, id=strawberry.ID(p.message.split("'")[1])
            )
    return InvalidInput(
        message="; ".join(str(p) for p in problems),
        problems=[InputProblem(field=p.path, message=p.message) for p in problems],
    )


def _pydantic_invalid(exc: ValidationError) -> InvalidInput:
    problems = [InputProblem(field=json_path(err["loc"]), message=err["msg"]) for err in exc.errors(include_url=False)]
    return InvalidInput(message="; ".join(f"{p.field}: {p.message}" for p in problems), problems=problems)


def _write_error(exc: writes.WriteError) -> Any:
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


def _clean(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _input_dict(data: Any) -> dict[str, Any]:
    """A strawberry input as an exchange dict: camelCase keys, UNSET fields left out, None kept (= clear)."""
    out: dict[str, Any] = {}
    for name, value in vars(data).items():
        if value is strawberry.UNSET:
            continue
        head, *rest = name.split("_")
        out[head + "".join(p.title() for p in rest)] = _clean(value)
    return out


@strawberry.input
class ServiceInput:
    id: strawberry.ID
    name: str
    tier: e.ServiceTier
    criticality: int
    status: e.ServiceStatus | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    availability_target: float | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    satisfies: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input(description="Fields to change; an absent field stays as it is, null clears it.")
class ServicePatch:
    name: str | None = strawberry.UNSET
    tier: e.ServiceTier | None = strawberry.UNSET
    criticality: int | None = strawberry.UNSET
    status: e.ServiceStatus | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    availability_target: float | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    satisfies: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class ConfigurationItemInput:
    id: strawberry.ID
    name: str
    type: e.CIType
    environment: e.CIEnvironment | None = strawberry.UNSET
    status: e.CIStatus | None = strawberry.UNSET
    criticality: int | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    utilization: float | None = strawberry.UNSET
    site: strawberry.ID | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    vendor: str | None = strawberry.UNSET
    attributes: strawberry.scalars.JSON | None = strawberry.UNSET


@strawberry.input(description="Fields to change; an absent field stays as it is, null clears it.")
class ConfigurationItemPatch:
    name: str | None = strawberry.UNSET
    type: e.CIType | None = strawberry.UNSET
    environment: e.CIEnvironment | None = strawberry.UNSET
    status: e.CIStatus | None = strawberry.UNSET
    criticality: int | None = strawberry.UNSET
    monthly_cost: Decimal | None = strawberry.UNSET
    rto_minutes: int | None = strawberry.UNSET
    rpo_minutes: int | None = strawberry.UNSET
    utilization: float | None = strawberry.UNSET
    site: strawberry.ID | None = strawberry.UNSET
    owner: strawberry.ID | None = strawberry.UNSET
    vendor: str | None = strawberry.UNSET
    attributes: strawberry.scalars.JSON | None = strawberry.UNSET


@strawberry.input
class TeamInput:
    id: strawberry.ID
    name: str
    email: str | None = strawberry.UNSET


@strawberry.input
class TeamPatch:
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET


@strawberry.input
class DependencyInput:
    from_: strawberry.ID = strawberry.field(name="from", description="the dependent")
    to: strawberry.ID = strawberry.field(description="what it depends on")
    kind: e.DependencyKind = e.DependencyKind.USES
    strength: e.DependencyStrength = e.DependencyStrength.HARD
    weight: float = 1.0


@strawberry.type
class ServicePayload:
    service: t.Service


@strawberry.type
class ConfigurationItemPayload:
    configuration_item: t.ConfigurationItem


@strawberry.type
class TeamPayload:
    team: t.Team


_ERRORS = (DuplicateId, UnknownReference, InvalidInput, NotFound, StaleVersion)
ServiceResult = Annotated[
    ServicePayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("ServiceResult"),
]
ConfigurationItemResult = Annotated[
    ConfigurationItemPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("ConfigurationItemResult"),
]
TeamResult = Annotated[
    TeamPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("TeamResult"),
]
DeleteResult = Annotated[Deleted | NotFound | StaleVersion | StillReferenced, strawberry.union("DeleteResult")]
DependencyResult = Annotated[
    DependencyPayload | UnknownReference | SelfDependency | InvalidInput, strawberry.union("DependencyResult")
]
RemoveDependencyResult = Annotated[DependencyRemoved | NotFound, strawberry.union("RemoveDependencyResult")]


_MODELS: dict[Kind, type[BaseModel]] = {
    Kind.SERVICE: x.Service,
    Kind.CONFIGURATION_ITEM: x.ConfigurationItem,
    Kind.TEAM: x.Team,
}


async def _create(info: Info[Context, None], kind: Kind, data: Any, wrap: Any) -> Any:
    ctx = info.context
    try:
        # On create, a null field means the same as an absent one.
        item = _MODELS[kind].model_validate({k: v for k, v in _input_dict(data).items() if v is not None})
        return wrap(t.item_from_props(await writes.create_item(ctx.driver, ctx.database, kind, item)))
    except ValidationError as exc:
        return _pydantic_invalid(exc)
    except DocumentInvalid as exc:
        return _invalid(exc)
    except writes.WriteError as exc:
        return _write_error(exc)


async def _update(info: Info[Context, None], kind: Kind, item_id: str, version: int, patch: Any, wrap: Any) -> Any:
    ctx = info.context
    props: Props | None = (await ctx.repo.by_ids([item_id]))[0]
    if props is None or props["itemKind"] != kind.value:
        return NotFound(message=f"no {kind.value} with id {item_id!r}", id=strawberry.ID(item_id))
    refs = await writes.current_refs(ctx.driver, ctx.database, kind, item_id)
    merged = exchange_from_props(kind, props, refs) | _input_dict(patch)
    try:
        item = _MODELS[kind].model_validate({k: v for k, v in merged.items() if v is not None})
        return wrap(t.item_from_props(await writes.update_item(ctx.driver, ctx.database, kind, item, version)))
    except ValidationError as exc:
        return _pydantic_invalid(exc)
    except DocumentInvalid as exc:
        return _invalid(exc)
    except writes.WriteError as exc:
        return _write_error(exc)


@strawberry.type
class Mutation:
    import_cmdb: ImportResult = strawberry.mutation(
        resolver=import_cmdb, description="validate and upsert an exchange document; invalid ones write nothing"
    )

    @strawberry.mutation(description="create a service")
    async def create_service(self, info: Info[Context, None], input: ServiceInput) -> ServiceResult:
        return await _create(info, Kind.SERVICE, input, lambda s: ServicePayload(service=s))

    @strawberry.mutation(description="change a service's fields if it is still at `version`")
    async def update_service(
        self, info: Info[Context, None], id: strawberry.ID, version: int, patch: ServicePatch
    ) -> ServiceResult:
        return await _update(
            info,
            Kind.SERVICE,
            str(id),
            version,
            patch,
            lambda s: ServicePayload(service=s),
        )

    @strawberry.mutation(description="create a configuration item")
    async def create_configuration_item(
        self, info: Info[Context, None], input: ConfigurationItemInput
    ) -> ConfigurationItemResult:
        return await _create(
            info,
            Kind.CONFIGURATION_ITEM,
            input,
            lambda c: ConfigurationItemPayload(configuration_item=c),
        )

    @strawberry.mutation(description="change a configuration item's fields if it is still at `version`")
    async def update_configuration_item(
        self, info: Info[Context, None], id: strawberry.ID, version: int, patch: ConfigurationItemPatch
    ) -> ConfigurationItemResult:
        return await _update(
            info,
            Kind.CONFIGURATION_ITEM,
            str(id),
            version,
            patch,
            lambda c: ConfigurationItemPayload(configuration_item=c),
        )

    @strawberry.mutation(description="create a team")
    async def create_team(self, info: Info[Context, None], input: TeamInput) -> TeamResult:
        return await _create(info, Kind.TEAM, input, lambda s: TeamPayload(team=s))

    @strawberry.mutation(description="change a team's fields if it is still at `version`")
    async def update_team(
        self, info: Info[Context, None], id: strawberry.ID, version: int, patch: TeamPatch
    ) -> TeamResult:
        return await _update(
            info,
            Kind.TEAM,
            str(id),
            version,
            patch,
            lambda s: TeamPayload(team=s),
        )

    @strawberry.mutation(description="delete any item; refused while others refer to it unless detach is true")
    async def delete_item(
        self, info: Info[Context, None], id: strawberry.ID, version: int | None = None, detach: bool = False
    ) -> DeleteResult:
        ctx = info.context
        try:
            kind = await writes.delete_item(ctx.driver, ctx.database, str(id), version, detach=detach)
        except writes.WriteError as exc:
            return _write_error(exc)
        return Deleted(id=id, item_kind=kind)

    @strawberry.mutation(description="add a dependency (or update its kind, strength and weight)")
    async def add_dependency(self, info: Info[Context, None], input: DependencyInput) -> DependencyResult:
        ctx = info.context
        try:
            dep = x.Dependency.model_validate(
                {
                    "from": str(input.from_),
                    "to": str(input.to),
                    "kind": input.kind.value,
                    "strength": input.strength.value,
                    "weight": input.weight,
                }
            )
            version = await writes.add_dependency(ctx.driver, ctx.database, dep)
        except ValidationError as exc:
            return _pydantic_invalid(exc)
        except DocumentInvalid as exc:
            return _invalid(exc)
        both = await ctx.repo.by_ids([dep.from_, dep.to])
        return DependencyPayload(
            dependent=t.item_from_props(both[0] or {}),
            depends_on=t.item_from_props(both[1] or {}),
            dependent_version=version,
        )

    @strawberry.mutation(description="remove a dependency")
    async def remove_dependency(
        self,
        info: Info[Context, None],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
    ) -> RemoveDependencyResult:
        ctx = info.context
        if await writes.remove_dependency(ctx.driver, ctx.database, str(from_), str(to)):
            return DependencyRemoved(from_id=from_, to_id=to)
        return NotFound(message=f"no dependency {str(from_)!r} -> {str(to)!r}", id=from_)
