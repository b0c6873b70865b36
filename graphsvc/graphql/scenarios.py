"""Saved what-if scenarios: `saveScenario`, `deleteScenario`, `scenarios`, `scenario(id) { estate { ... } }`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.db.scenarios import SavedScenario
from graphsvc.domain.tokens import Role
from graphsvc.graphql.access import needs
from graphsvc.graphql.arguments import AsOf
from graphsvc.graphql.context import Context
from graphsvc.graphql.estate import Estate, GraphEdit
from graphsvc.graphql.user_errors import InvalidEdit, InvalidInput, NotFound, attempt
from graphsvc.usecases import scenarios as uc

__all__ = ["Scenario", "ScenarioMutations", "resolve_scenario", "resolve_scenarios"]


@strawberry.type(description="A saved what-if scenario: a named list of edits, answered on any estate.")
class Scenario:
    saved: strawberry.Private[SavedScenario]
    id: strawberry.ID = strawberry.field(description="the scenario's id (chosen when saved)")
    name: str = strawberry.field(description="its name")
    description: str | None = strawberry.field(description="what it explores, in words; null: none")
    edits: JSON = strawberry.field(description="the edits, each as the GraphEdit input spells it")
    version: int = strawberry.field(description="1 when first saved, +1 on every save under the same id")
    created_at: datetime = strawberry.field(description="when it was first saved (UTC)")
    created_by: str = strawberry.field(description="who first saved it")
    updated_at: datetime = strawberry.field(description="when it was last saved (UTC)")
    updated_by: str = strawberry.field(description="who last saved it")

    @strawberry.field(
        description="the estate now (or as of a time) with the scenario's edits applied; every read and analysis",
        metadata=needs(Role.analyst, analysis=True),
    )
    async def estate(
        self,
        info: Info[Context, None],
        as_of: AsOf = None,
    ) -> Estate:
        ctx = info.context
        found = await uc.scenario_estate(ctx.repo, self.saved, as_of, ctx.estate_cache)
        ctx.enter_estate(info, found.reads, found.as_of)
        return Estate(as_of=found.as_of, edits=found.edits)


def _of(s: SavedScenario) -> Scenario:
    return Scenario(
        saved=s,
        id=strawberry.ID(s.id),
        name=s.name,
        description=s.description,
        edits=s.edits,  # type: ignore[arg-type]  # JSON: any JSON value
        version=s.version,
        created_at=s.created_at,
        created_by=s.created_by,
        updated_at=s.updated_at,
        updated_by=s.updated_by,
    )


async def resolve_scenarios(info: Info[Context, None]) -> list[Scenario]:
    return [_of(s) for s in await uc.list_scenarios(info.context.repo)]


async def resolve_scenario(info: Info[Context, None], scenario_id: str) -> Scenario | None:
    found = await uc.get_scenario(info.context.repo, scenario_id)
    return _of(found) if found is not None else None


@strawberry.input(description="A scenario to save: an id of your choosing, a name, and its edits in order.")
class ScenarioInput:
    id: strawberry.ID = strawberry.field(description="its id; saving under an existing id replaces that scenario")
    name: str = strawberry.field(description="its name")
    description: str | None = strawberry.field(default=None, description="what it explores, in words")
    edits: list[GraphEdit] = strawberry.field(description="the what-if edits, applied in order")


@strawberry.type(description="The scenario as saved.")
class ScenarioPayload:
    scenario: Scenario = strawberry.field(description="the scenario as saved, with its version")


@strawberry.type(description="The scenario was deleted.")
class ScenarioDeleted:
    id: strawberry.ID = strawberry.field(description="the deleted scenario's id")


ScenarioResult = Annotated[
    ScenarioPayload | InvalidInput | InvalidEdit,
    strawberry.union("ScenarioResult", description="The saved scenario, or why it was not saved."),
]
ScenarioDeleteResult = Annotated[
    ScenarioDeleted | NotFound,
    strawberry.union("ScenarioDeleteResult", description="The deleted scenario, or NotFound if there was none."),
]


@strawberry.type
class ScenarioMutations:
    @strawberry.mutation(
        metadata=needs(Role.editor),
        description="save a what-if scenario (create, or replace one with the same id): its edits must apply to the "
        "estate now; nothing of the CMDB is written",
    )
    async def save_scenario(
        self,
        info: Info[Context, None],
        input: Annotated[ScenarioInput, strawberry.argument(description="the scenario to save")],
    ) -> ScenarioResult:
        ctx = info.context
        work = uc.save_scenario(
            ctx.db,
            ctx.repo,
            str(input.id),
            input.name,
            input.description,
            [edit.edit() for edit in input.edits],
            cache=ctx.estate_cache,
            audit=ctx.audit(info.field_name),
        )
        return await attempt(work, lambda s: ScenarioPayload(scenario=_of(s)))

    @strawberry.mutation(metadata=needs(Role.editor), description="delete a saved scenario")
    async def delete_scenario(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="the scenario's id")],
    ) -> ScenarioDeleteResult:
        work = uc.delete_scenario(info.context.db, str(id), audit=info.context.audit(info.field_name))
        return await attempt(work, lambda s: ScenarioDeleted(id=strawberry.ID(s.id)))
