"""The Mutation root: import, create/update/delete of the main kinds, dependencies.

Expected failures are typed results (`ServiceResult = ServicePayload | DuplicateId | UnknownReference | ...`);
every one has a `message` naming the id or field at fault, and nothing is written when one is returned.
"""

# No `from __future__ import annotations`: the resolver factories annotate with closure variables.

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.arguments import ItemId, OptionalVersion, Version
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
from graphsvc.graphql.scenarios import ScenarioMutations
from graphsvc.graphql.user_errors import (
    DuplicateId,
    InvalidInput,
    NotFound,
    SelfDependency,
    StaleVersion,
    StillReferenced,
    UnknownReference,
    attempt,
)
from graphsvc.graphql.utilization import UtilizationMutations
from graphsvc.usecases import edits

__all__ = ["Mutation"]


AS_WRITTEN = "The item as the mutation wrote it."
WRITTEN = "the item, with its new version"
RESULT = "The item written, or why nothing was written (the error names the id or field at fault)."
DEPENDENT = "the id of the dependent"


@strawberry.type(description="The item that was deleted.")
class Deleted:
    id: strawberry.ID = strawberry.field(description="its id")
    item_kind: Kind = strawberry.field(description="its kind")


@strawberry.type(description="The dependency as written: `dependent` depends on `dependsOn`.")
class DependencyPayload:
    dependent: t.Item = strawberry.field(description="the dependent item")
    depends_on: t.Item = strawberry.field(description="the item it depends on")
    dependent_version: int = strawberry.field(description="the dependent's version after the write (it went up by 1)")


@strawberry.type(description="The dependency that was removed.")
class DependencyRemoved:
    from_id: strawberry.ID = strawberry.field(description=DEPENDENT)
    to_id: strawberry.ID = strawberry.field(description="the id of what it depended on")


@strawberry.type(description=AS_WRITTEN)
class ServicePayload:
    service: t.Service = strawberry.field(description=WRITTEN)


@strawberry.type(description=AS_WRITTEN)
class ConfigurationItemPayload:
    configuration_item: t.ConfigurationItem = strawberry.field(description=WRITTEN)


@strawberry.type(description=AS_WRITTEN)
class TeamPayload:
    team: t.Team = strawberry.field(description=WRITTEN)


@strawberry.type(description=AS_WRITTEN)
class SitePayload:
    site: t.Site = strawberry.field(description=WRITTEN)


@strawberry.type(description=AS_WRITTEN)
class BusinessUnitPayload:
    business_unit: t.BusinessUnit = strawberry.field(description=WRITTEN)


@strawberry.type(description=AS_WRITTEN)
class RedundancyGroupPayload:
    redundancy_group: t.RedundancyGroup = strawberry.field(description=WRITTEN)


ServiceResult = Annotated[
    ServicePayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("ServiceResult", description=RESULT),
]
ConfigurationItemResult = Annotated[
    ConfigurationItemPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("ConfigurationItemResult", description=RESULT),
]
TeamResult = Annotated[
    TeamPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("TeamResult", description=RESULT),
]
SiteResult = Annotated[
    SitePayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("SiteResult", description=RESULT),
]
BusinessUnitResult = Annotated[
    BusinessUnitPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("BusinessUnitResult", description=RESULT),
]
RedundancyGroupResult = Annotated[
    RedundancyGroupPayload | DuplicateId | UnknownReference | InvalidInput | NotFound | StaleVersion,
    strawberry.union("RedundancyGroupResult", description=RESULT),
]
DeleteResult = Annotated[
    Deleted | NotFound | StaleVersion | StillReferenced,
    strawberry.union("DeleteResult", description="The deleted item, or why nothing was deleted."),
]
DependencyResult = Annotated[
    DependencyPayload | UnknownReference | SelfDependency | InvalidInput,
    strawberry.union("DependencyResult", description="The dependency written, or why nothing was written."),
]
RemoveDependencyResult = Annotated[
    DependencyRemoved | NotFound,
    strawberry.union("RemoveDependencyResult", description="The dependency removed, or NotFound if there was none."),
]
NEW = "the new item's fields"
PATCH = "the fields to change: an absent field stays as it is, null clears it"


async def _create(info: Info[Context, None], kind: Kind, data: Any, wrap: Any) -> Any:
    ctx = info.context
    work = edits.create_item(ctx.db, kind, input_dict(data), audit=ctx.audit(info.field_name))
    return await attempt(work, lambda props: wrap(t.item_from_props(props)))


async def _update(info: Info[Context, None], kind: Kind, item_id: str, version: int, patch: Any, wrap: Any) -> Any:
    ctx = info.context
    work = edits.update_item(
        ctx.db, ctx.repo, kind, item_id, version, input_dict(patch), audit=ctx.audit(info.field_name)
    )
    return await attempt(work, lambda props: wrap(t.item_from_props(props)))


@strawberry.type(
    description="Writes, each audited and each all or nothing: import, create, update and delete items and "
    "dependencies, the change and incident lifecycles, policy exceptions, API tokens and saved scenarios. Expected "
    "failures are typed results (UserError) and write nothing."
)
class Mutation(ChangeMutations, IncidentMutations, UtilizationMutations, AuditMutations, ScenarioMutations):
    import_cmdb: ImportResult = strawberry.mutation(
        metadata=needs(Role.editor),
        resolver=import_cmdb,
        description="validate and upsert an exchange document; invalid ones write nothing",
    )

    @strawberry.mutation(metadata=needs(Role.editor), description="create a service")
    async def create_service(
        self, info: Info[Context, None], input: Annotated[ServiceInput, strawberry.argument(description=NEW)]
    ) -> ServiceResult:
        return await _create(info, Kind.SERVICE, input, lambda s: ServicePayload(service=s))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="change a service's fields if it is still at `version`"
    )
    async def update_service(
        self,
        info: Info[Context, None],
        id: ItemId,
        version: Version,
        patch: Annotated[ServicePatch, strawberry.argument(description=PATCH)],
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
        self, info: Info[Context, None], input: Annotated[ConfigurationItemInput, strawberry.argument(description=NEW)]
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
        self,
        info: Info[Context, None],
        id: ItemId,
        version: Version,
        patch: Annotated[ConfigurationItemPatch, strawberry.argument(description=PATCH)],
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
    async def create_team(
        self, info: Info[Context, None], input: Annotated[TeamInput, strawberry.argument(description=NEW)]
    ) -> TeamResult:
        return await _create(info, Kind.TEAM, input, lambda s: TeamPayload(team=s))

    @strawberry.mutation(metadata=needs(Role.editor), description="change a team's fields if it is still at `version`")
    async def update_team(
        self,
        info: Info[Context, None],
        id: ItemId,
        version: Version,
        patch: Annotated[TeamPatch, strawberry.argument(description=PATCH)],
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
    async def create_site(
        self, info: Info[Context, None], input: Annotated[SiteInput, strawberry.argument(description=NEW)]
    ) -> SiteResult:
        return await _create(info, Kind.SITE, input, lambda s: SitePayload(site=s))

    @strawberry.mutation(metadata=needs(Role.editor), description="change a site's fields if it is still at `version`")
    async def update_site(
        self,
        info: Info[Context, None],
        id: ItemId,
        version: Version,
        patch: Annotated[SitePatch, strawberry.argument(description=PATCH)],
    ) -> SiteResult:
        return await _update(info, Kind.SITE, str(id), version, patch, lambda s: SitePayload(site=s))

    @strawberry.mutation(metadata=needs(Role.editor), description="create a business unit")
    async def create_business_unit(
        self, info: Info[Context, None], input: Annotated[BusinessUnitInput, strawberry.argument(description=NEW)]
    ) -> BusinessUnitResult:
        return await _create(info, Kind.BUSINESS_UNIT, input, lambda b: BusinessUnitPayload(business_unit=b))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="change a business unit's fields if it is still at `version`"
    )
    async def update_business_unit(
        self,
        info: Info[Context, None],
        id: ItemId,
        version: Version,
        patch: Annotated[BusinessUnitPatch, strawberry.argument(description=PATCH)],
    ) -> BusinessUnitResult:
        return await _update(
            info, Kind.BUSINESS_UNIT, str(id), version, patch, lambda b: BusinessUnitPayload(business_unit=b)
        )

    @strawberry.mutation(metadata=needs(Role.editor), description="create a redundancy group of CIs or services")
    async def create_redundancy_group(
        self, info: Info[Context, None], input: Annotated[RedundancyGroupInput, strawberry.argument(description=NEW)]
    ) -> RedundancyGroupResult:
        return await _create(info, Kind.REDUNDANCY_GROUP, input, lambda g: RedundancyGroupPayload(redundancy_group=g))

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="change a redundancy group (members are replaced as a whole) at `version`",
    )
    async def update_redundancy_group(
        self,
        info: Info[Context, None],
        id: ItemId,
        version: Version,
        patch: Annotated[RedundancyGroupPatch, strawberry.argument(description=PATCH)],
    ) -> RedundancyGroupResult:
        return await _update(
            info, Kind.REDUNDANCY_GROUP, str(id), version, patch, lambda g: RedundancyGroupPayload(redundancy_group=g)
        )

    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="delete any item; refused while others refer to it unless detach is true",
    )
    async def delete_item(
        self,
        info: Info[Context, None],
        id: ItemId,
        version: OptionalVersion = None,
        detach: Annotated[
            bool,
            strawberry.argument(
                description="also delete the relationships that still point at it; false: refuse (StillReferenced)"
            ),
        ] = False,
    ) -> DeleteResult:
        ctx = info.context
        work = edits.delete_item(ctx.db, str(id), version, detach=detach, audit=ctx.audit(info.field_name))
        return await attempt(work, lambda kind: Deleted(id=id, item_kind=kind))

    @strawberry.mutation(
        metadata=needs(Role.editor), description="add a dependency (or update its kind, strength and weight)"
    )
    async def add_dependency(
        self, info: Info[Context, None], input: Annotated[DependencyInput, strawberry.argument(description=NEW)]
    ) -> DependencyResult:
        ctx = info.context
        data = {
            "from": str(input.from_),
            "to": str(input.to),
            "kind": input.kind.value,
            "strength": input.strength.value,
            "weight": input.weight,
        }
        work = edits.add_dependency(ctx.db, ctx.repo, data, audit=ctx.audit(info.field_name))
        return await attempt(
            work,
            lambda done: DependencyPayload(
                dependent=t.item_from_props(done[0]),
                depends_on=t.item_from_props(done[1]),
                dependent_version=done[2],
            ),
        )

    @strawberry.mutation(metadata=needs(Role.editor), description="remove a dependency")
    async def remove_dependency(
        self,
        info: Info[Context, None],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from", description=DEPENDENT)],
        to: Annotated[strawberry.ID, strawberry.argument(description="the id of what it depends on")],
    ) -> RemoveDependencyResult:
        ctx = info.context
        work = edits.remove_dependency(ctx.db, str(from_), str(to), audit=ctx.audit(info.field_name))
        return await attempt(work, lambda _: DependencyRemoved(from_id=from_, to_id=to))
