"""`neighbours` on every Dependable: one side of an item's neighbourhood, capped and counted, for a graph explorer
that must never ask for a hub's thousands of dependents whole (domain/neighbours.py says the order)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graphsvc.domain.neighbours import Neighbourhood
from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import DEPENDABLE, Kind, Rel
from graphsvc.graphql import enums as e
from graphsvc.graphql.access import needs
from graphsvc.graphql.context import Context
from graphsvc.graphql.pagination import page_size
from graphsvc.graphql.types import Item, item_from_props

__all__ = ["BY_TYPE_MOST", "Neighbour", "NeighbourCount", "Neighbours", "resolve_neighbours"]

# byType holds an entry per kind of neighbour (services, groups) and per CI type, whatever the data
BY_TYPE_MOST = len(DEPENDABLE) - 1 + len(e.CIType)

_SIDES = {
    e.NeighbourDirection.DEPENDS_ON: (Rel.DEPENDS_ON, True),
    e.NeighbourDirection.DEPENDENTS: (Rel.DEPENDS_ON, False),
    e.NeighbourDirection.MEMBERS: (Rel.HAS_MEMBER, True),
    e.NeighbourDirection.MEMBER_OF: (Rel.HAS_MEMBER, False),
}


@strawberry.type(description="How many of an item's neighbours on one side are of one kind (and CI type).")
class NeighbourCount:
    item_kind: Kind = strawberry.field(description="their kind")
    ci_type: e.CIType | None = strawberry.field(description="their CI type; null: they are not CIs")
    count: int = strawberry.field(description="how many")


@strawberry.type(description="One neighbour: the item, and the dependency to or from it (null for membership).")
class Neighbour:
    item: Item = strawberry.field(description="the neighbouring item, whole (RETIRED ones included)")
    kind: e.DependencyKind | None = strawberry.field(description="the dependency's kind; null for membership")
    strength: e.DependencyStrength | None = strawberry.field(
        description="the dependency's strength, HARD or SOFT; null for membership"
    )


@strawberry.type(description="One side of an item's neighbourhood: counted whole, the first few listed.")
class Neighbours:
    total: int = strawberry.field(description="how many neighbours on this side in all")
    by_type: list[NeighbourCount] = strawberry.field(
        description="over all of them (not just the first): the count per (itemKind, ciType), largest first, then "
        "by kind, then by CI type",
        metadata=needs(Role.viewer, most=BY_TYPE_MOST),  # costed at the kinds it can hold, not at the list cap
    )
    edges: list[Neighbour] = strawberry.field(
        description="the first `first` neighbours: services first, then by criticality (1 first, none last), then id"
    )


def _neighbours(found: Neighbourhood, membership: bool) -> Neighbours:
    return Neighbours(
        total=found.total,
        by_type=[
            NeighbourCount(
                item_kind=Kind(c.item_kind), ci_type=e.CIType(c.ci_type) if c.ci_type else None, count=c.count
            )
            for c in found.by_type
        ],
        edges=[
            Neighbour(
                item=item_from_props(n.item),
                kind=None if membership else e.DependencyKind(n.rel.get("kind") or "USES"),
                strength=None if membership else e.DependencyStrength(n.rel.get("strength") or "HARD"),
            )
            for n in found.first
        ],
    )


async def resolve_neighbours(
    info: Info[Context, None], item_id: str, direction: e.NeighbourDirection, first: int
) -> Neighbours:
    """Dependable.neighbours: `first` checked as every page's is, then read through the field's view (the database,
    or the estate of an `estate(...)` above it), batched per (side, first)."""
    size = page_size(first, info.context.settings.max_page_size)
    rel, outgoing = _SIDES[direction]
    loader = info.context.view(info).loaders.neighbours(rel, outgoing=outgoing, first=size)
    return _neighbours(await loader.load(item_id), membership=rel is Rel.HAS_MEMBER)
