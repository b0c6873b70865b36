"""The Mutation root: import, create/update/delete of the main kinds, dependencies.

Expected failures are typed results (`ServiceResult = ServicePayload | DuplicateId | UnknownReference | ...`);
every one has a `message` naming the id or field at fault, and nothing is written when one is returned.
"""

# No `from __future__ import annotations`: the resolver factories annotate with closure variables.

from typing import Annotated, Any

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.types import Info

from graphsvc.db import writes
from graphsvc.db.items import Props
from graphsvc.domain import exchange as x
from graphsvc.domain.rows import item_from_props as exchange_from_props
from graphsvc.domain.tokens import Role
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.audit import AuditMutations
from graphsvc.graphql.change_mutations import ChangeMutations
from graphsvc.graphql.context import Context
from graphsvc.graphql.imports import ImportResult, import_cmdb
from graphsvc.graphql.incident_mutations import IncidentMutations
from graphsvc.graphql.inputs import (
    BusinessUnitInput,
    BusinessUnitPatch,
    ConfigurationItemInput,
    ConfigurationItemPatch,
    DependencyInput,
    RedundancyGroupInput,
    RedundancyGroupPatch,
    ServiceInput,
    ServicePatch,
    SiteInput,
    SitePatch,
    TeamInput,
    TeamPatch,
    input_dict,
)
from graphsvc.graphql.user_errors import (
    DuplicateId,
    InvalidInput,
    NotFound,
    SelfDependency,
    StaleVersion,
    StillReferenced,
    UnknownReference,
    from_document_invalid,
    from_validation_error,
    from_write_error,
)

__all__ = ["Mutation"]


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


@strawberry.type
class ServicePayload:
    service: t.Service


@strawberry.type
class ConfigurationItemPayload:
    configuration_item: t.ConfigurationItem


@strawberry.type
class TeamPayload:
    team: t.Team


@strawberry.type
class SitePayload:
    site: t.Site


@strawberry.type
class BusinessUnitPayload:
    business_unit: t.BusinessUnit


@strawberry.type
class RedundancyGroupPayload:
    redundancy_group: t.RedundancyGroup


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
SiteResult = Annotated[
    SitePayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("SiteResult"),
]
BusinessUnitResult = Annotated[
    BusinessUnitPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("BusinessUnitResult"),
]
RedundancyGroupResult = Annotated[
    RedundancyGroupPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("RedundancyGroupResult"),
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
    Kind.SITE: x.Site,
    Kind.BUSINESS_UNIT: x.BusinessUnit,
    Kind.REDUNDANCY_GROUP: x.RedundancyGroup,
}


async def _create(info: Info[Context, None], kind: Kind, data: Any, wrap: Any) -> Any:
    ctx = info.context
    try:
        # On create, a null field means the same as an absent one.
        item = _MODELS[kind].model_validate({k: v for k, v in input_dict(data).items() if v is not None})
        return wrap(
            t.item_from_props(await ctx.db.bind(writes.create_item)(kind, item, audit=ctx.audit(info.field_name)))
        )
    except ValidationError as exc:
        return from_validation_error(exc)
    except DocumentInvalid as exc:
        return from_document_invalid(exc)
    except writes.WriteError as exc:
        return from_write_error(exc)


async def _update(info: Info[Context, None], kind: Kind, item_id: str, version: int, patch: Any, wrap: Any) -> Any:
    ctx = info.context
    props: Props | None = (await ctx.repo.by_ids([item_id]))[0]
    if props is None or props["itemKind"] != kind.value:
        return NotFound(message=f"no {kind.value} with id {item_id!r}", id=strawberry.ID(item_id))
    refs = await ctx.db.bind(writes.current_refs)(kind, item_id)
    merged = exchange_from_props(kind, props, refs) | input_dict(patch)
    try:
        item = _MODELS[kind].model_validate({k: v for k, v in merged.items() if v is not None})
        return wrap(
            t.item_from_props(
                await ctx.db.bind(writes.update_item)(kind, item, version, audit=ctx.audit(info.field_name))
            )
        )
    except ValidationError as exc:
        return from_validation_error(exc)
    except DocumentInvalid as exc:
        return from_document_invalid(exc)
    except writes.WriteError as exc:
        return from_write_error(exc)


@strawberry.type
class Mutation(ChangeMutations, IncidentMutations, AuditMutations):
    import_cmdb: ImportResult = strawberry.mutation(
        metadata=needs(Role.editor),
        resolver=import_cmdb,
        description="validate and upsert an exchange document; invalid ones write nothing",
    )

    @strawberry.mutation(metadata=needs(Role.editor), description="create a service")
    async def create_service(self, info: Info[Context, None], input: ServiceInput) -> ServiceResult:
        return await _create(info, Kind.SERVICE, input, lambda s: ServicePayload(service=s))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="change a service's fields if it is still at `version`"
    )
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

    @strawberry.mutation(metadata=needs(Role.editor), description="create a configuration item")
    async def create_configuration_item(
        self, info: Info[Context, None], input: ConfigurationItemInput
    ) -> ConfigurationItemResult:
        return await _create(
            info,
            Kind.CONFIGURATION_ITEM,
            input,
            lambda c: ConfigurationItemPayload(configuration_item=c),
        )

    @strawberry.mutation(
        metadata=needs(Role.editor), description="change a configuration item's fields if it is still at `version`"
    )
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

    @strawberry.mutation(metadata=needs(Role.editor), description="create a team")
    async def create_team(self, info: Info[Context, None], input: TeamInput) -> TeamResult:
        return await _create(info, Kind.TEAM, input, lambda s: TeamPayload(team=s))

    @strawberry.mutation(metadata=needs(Role.editor), description="change a team's fields if it is still at `version`")
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

    @strawberry.mutation(metadata=needs(Role.editor), description="create a site")
    async def create_site(self, info: Info[Context, None], input: SiteInput) -> SiteResult:
        return await _create(info, Kind.SITE, input, lambda s: SitePayload(site=s))

    @strawberry.mutation(metadata=needs(Role.editor), description="change a site's fields if it is still at `version`")
    async def update_site(
        self, info: Info[Context, None], id: strawberry.ID, version: int, patch: SitePatch
    ) -> SiteResult:
        return await _update(info, Kind.SITE, str(id), version, patch, lambda s: SitePayload(site=s))

    @strawberry.mutation(metadata=needs(Role.editor), description="create a business unit")
    async def create_business_unit(self, info: Info[Context, None], input: BusinessUnitInput) -> BusinessUnitResult:
        return await _create(info, Kind.BUSINESS_UNIT, input, lambda b: BusinessUnitPayload(business_unit=b))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="change a business unit's fields if it is still at `version`"
    )
    async def update_business_unit(
        self, info: Info[Context, None], id: strawberry.ID, version: int, patch: BusinessUnitPatch
    ) -> BusinessUnitResult:
        return await _update(
            info, Kind.BUSINESS_UNIT, str(id), version, patch, lambda b: BusinessUnitPayload(business_unit=b)
        )

    @strawberry.mutation(metadata=needs(Role.editor), description="create a redundancy group of CIs or services")
    async def create_redundancy_group(
        self, info: Info[Context, None], input: RedundancyGroupInput
    ) -> RedundancyGroupResult:
        return await _create(info, Kind.REDUNDANCY_GROUP, input, lambda g: RedundancyGroupPayload(redundancy_group=g))

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="change a redundancy group (members are replaced as a whole) at `version`",
    )
    async def update_redundancy_group(
        self, info: Info[Context, None], id: strawberry.ID, version: int, patch: RedundancyGroupPatch
    ) -> RedundancyGroupResult:
        return await _update(
            info, Kind.REDUNDANCY_GROUP, str(id), version, patch, lambda g: RedundancyGroupPayload(redundancy_group=g)
        )

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="delete any item; refused while others refer to it unless detach is true",
    )
    async def delete_item(
        self, info: Info[Context, None], id: strawberry.ID, version: int | None = None, detach: bool = False
    ) -> DeleteResult:
        ctx = info.context
        try:
            kind = await ctx.db.bind(writes.delete_item)(
                str(id), version, detach=detach, audit=ctx.audit(info.field_name)
            )
        except writes.WriteError as exc:
            return from_write_error(exc)
        return Deleted(id=id, item_kind=kind)

    @strawberry.mutation(
        metadata=needs(Role.editor), description="add a dependency (or update its kind, strength and weight)"
    )
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
            version = await ctx.db.bind(writes.add_dependency)(dep, audit=ctx.audit(info.field_name))
        except ValidationError as exc:
            return from_validation_error(exc)
        except DocumentInvalid as exc:
            return from_document_invalid(exc)
        both = await ctx.repo.by_ids([dep.from_, dep.to])
        return DependencyPayload(
            dependent=t.item_from_props(both[0] or {}),
            depends_on=t.item_from_props(both[1] or {}),
            dependent_version=version,
        )

    @strawberry.mutation(metadata=needs(Role.editor), description="remove a dependency")
    async def remove_dependency(
        self,
        info: Info[Context, None],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
    ) -> RemoveDependencyResult:
        ctx = info.context
        if await ctx.db.bind(writes.remove_dependency)(str(from_), str(to), audit=ctx.audit(info.field_name)):
            return DependencyRemoved(from_id=from_, to_id=to)
        return NotFound(message=f"no dependency {str(from_)!r} -> {str(to)!r}", id=from_)
