"""`estate(asOf:, edits:)`: the CMDB as of a time and/or with what-if edits, with the reads and analyses of the root
answering on it; and `estateDiff(from:, to:)` (SEMANTICS.md, "The estate as of a time, and what-if").

The estate's fields are the root's (graphql/shared_fields.py, every name in its ESTATE, tests/unit check they
agree): they read through `info.context.view(info)`, which under a root `estate` field is that estate in memory
(graphql/context.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import strawberry
from strawberry.types import Info

from graphsvc.domain import whatif as w
from graphsvc.domain.estate import EstateDiff
from graphsvc.domain.facts import Props, display_name
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql.context import Context
from graphsvc.graphql.listing import item_fields
from graphsvc.graphql.shared_fields import ESTATE, shared_field
from graphsvc.usecases import estate as uc

__all__ = ["Estate", "EstateDiffResult", "GraphEdit", "resolve_estate", "resolve_estate_diff"]

DEPENDENT = "the id of the dependent (service, CI or group)"
DEPENDED_ON = "the id of what it depends on"


@strawberry.input(description="A group and its new quorum.")
class MinHealthyEdit:
    group: strawberry.ID = strawberry.field(description="the redundancy group's id")
    min_healthy: int = strawberry.field(description="its new quorum: how many members must be up, at least 1")


@strawberry.input(description="A dependency to add: `from` depends on `to`.")
class DependencyEdit:
    from_: strawberry.ID = strawberry.field(name="from", description=DEPENDENT)
    to: strawberry.ID = strawberry.field(description=DEPENDED_ON)
    strength: e.DependencyStrength = strawberry.field(
        default=e.DependencyStrength.HARD, description="HARD (the default) or SOFT"
    )


@strawberry.input(description="A dependency to remove.")
class DependencyEnds:
    from_: strawberry.ID = strawberry.field(name="from", description=DEPENDENT)
    to: strawberry.ID = strawberry.field(description=DEPENDED_ON)


@strawberry.input(description="A redundancy group and one member.")
class MemberEdit:
    group: strawberry.ID = strawberry.field(description="the redundancy group's id")
    member: strawberry.ID = strawberry.field(description="the id of the CI or service that joins or leaves it")


@strawberry.input(
    one_of=True,
    description="One what-if edit: exactly one field. Applied in order to the estate, never written; an edit that "
    "names an unknown id or makes an impossible graph is an error naming its index (edits[i]).",
)
class GraphEdit:
    retire: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="a service or CI becomes RETIRED"
    )
    set_min_healthy: MinHealthyEdit | None = strawberry.field(
        default=strawberry.UNSET, description="a redundancy group gets a new quorum"
    )
    add_dependency: DependencyEdit | None = strawberry.field(default=strawberry.UNSET, description="a new dependency")
    remove_dependency: DependencyEnds | None = strawberry.field(
        default=strawberry.UNSET, description="a dependency goes away"
    )
    add_member: MemberEdit | None = strawberry.field(
        default=strawberry.UNSET, description="a CI or service joins a redundancy group"
    )
    remove_member: MemberEdit | None = strawberry.field(
        default=strawberry.UNSET, description="a member leaves a redundancy group"
    )

    def edit(self) -> w.Edit:
        if self.retire:
            return w.Retire(str(self.retire))
        if self.set_min_healthy:
            return w.SetMinHealthy(str(self.set_min_healthy.group), self.set_min_healthy.min_healthy)
        if self.add_dependency:
            d = self.add_dependency
            return w.AddDependency(str(d.from_), str(d.to), d.strength.value)
        if self.remove_dependency:
            return w.RemoveDependency(str(self.remove_dependency.from_), str(self.remove_dependency.to))
        if self.add_member:
            return w.AddMember(str(self.add_member.group), str(self.add_member.member))
        assert self.remove_member  # @oneOf: exactly one is set
        return w.RemoveMember(str(self.remove_member.group), str(self.remove_member.member))


@strawberry.type(
    description="The CMDB as of a time and/or with what-if edits: the root's reads and analyses, answered on it. "
    "Nothing is written."
)
class Estate:
    as_of: datetime | None = strawberry.field(description="the time answered for; null: now")
    edits: int = strawberry.field(description="how many edits were applied")

    locals().update({name: shared_field(name) for name in ESTATE})  # the root's analyses (graphql/shared_fields.py)
    locals().update(item_fields())  # each kind by id and as a connection (graphql/listing.py)


async def resolve_estate(info: Info[Context, None], as_of: datetime | None, edits: list[GraphEdit] | None) -> Estate:
    ctx = info.context
    found = await uc.estate_at(ctx.repo, as_of, [edit.edit() for edit in edits or ()], ctx.estate_cache)
    ctx.enter_estate(info, found.reads, found.as_of)
    return Estate(as_of=found.as_of, edits=found.edits)


@strawberry.type(description="An item added to or removed from the estate.")
class EstateItem:
    id: strawberry.ID = strawberry.field(description="the item's id")
    item_kind: Kind = strawberry.field(description="SERVICE, CONFIGURATION_ITEM, ...")
    name: str = strawberry.field(description="its name (a record's title) in the estate it is in")


@strawberry.type(description="An item in both estates whose stored fields differ (version and updatedAt aside).")
class ChangedItem:
    id: strawberry.ID = strawberry.field(description="the item's id")
    item_kind: Kind = strawberry.field(description="its kind")
    name: str = strawberry.field(description="its name at `to`")
    fields: list[str] = strawberry.field(description="the names of the fields whose values differ")


@strawberry.type(description="A dependency: `from` depends on `to`.")
class DependencyChange:
    from_: strawberry.ID = strawberry.field(name="from", description=DEPENDENT)
    to: strawberry.ID = strawberry.field(description=DEPENDED_ON)


@strawberry.type(description="What changed in the estate between two times; each list in id order.")
class EstateDiffResult:
    start: strawberry.Private[datetime]
    end: strawberry.Private[datetime]
    found: strawberry.Private[EstateDiff]
    items_from: strawberry.Private[Mapping[str, Props]]
    items_to: strawberry.Private[Mapping[str, Props]]

    @strawberry.field(description="items that exist at `to` but not at `from`")
    def added(self) -> list[EstateItem]:
        return [_item(self.items_to[i]) for i in self.found.added]

    @strawberry.field(description="items that existed at `from` but not at `to`")
    def removed(self) -> list[EstateItem]:
        return [_item(self.items_from[i]) for i in self.found.removed]

    @strawberry.field(description="items in both whose fields differ, with the names of those fields")
    def changed(self) -> list[ChangedItem]:
        return [
            ChangedItem(
                id=strawberry.ID(i),
                item_kind=Kind(self.items_to[i]["itemKind"]),
                name=display_name(self.items_to[i]),
                fields=fields,
            )
            for i, fields in self.found.changed
        ]

    @strawberry.field(description="dependencies that exist at `to` but not at `from`")
    def dependencies_added(self) -> list[DependencyChange]:
        return [DependencyChange(from_=strawberry.ID(a), to=strawberry.ID(b)) for a, b in self.found.dependencies_added]

    @strawberry.field(description="dependencies that existed at `from` but not at `to`")
    def dependencies_removed(self) -> list[DependencyChange]:
        return [
            DependencyChange(from_=strawberry.ID(a), to=strawberry.ID(b)) for a, b in self.found.dependencies_removed
        ]


def _item(props: Props) -> EstateItem:
    return EstateItem(id=strawberry.ID(props["id"]), item_kind=Kind(props["itemKind"]), name=display_name(props))


async def resolve_estate_diff(info: Info[Context, None], start: datetime, end: datetime) -> EstateDiffResult:
    found, before, after = await uc.estate_diff(info.context.repo, start, end)
    return EstateDiffResult(start=start, end=end, found=found, items_from=before.items, items_to=after.items)
