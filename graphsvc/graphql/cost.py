"""Cost allocation types (cost.graphql): money as Decimal, rounded to cents so the parts add up to the total."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import types as t
from graphsvc.graphql.arguments import First
from graphsvc.graphql.context import Context
from graphsvc.graphql.pagination import page_size
from graphsvc.usecases.cost import CostReport, cost_allocation, cost_sources

__all__ = ["CostAllocation", "resolve_cost_allocation"]

PER_MONTH = "per month, rounded to cents (in the CMDB's one currency)"


@strawberry.type(description="What one consumed service brought to a business unit.")
class ServiceShare:
    service_id: strawberry.ID = strawberry.field(description="the consumed service's id")
    amount: Decimal = strawberry.field(description=f"what it brought the unit, {PER_MONTH}")


@strawberry.type(description="An item whose own monthly cost reaches a business unit, and how much of it does.")
class CostSource:
    id: strawberry.ID = strawberry.field(description="the item's id")
    name: str = strawberry.field(description="its name")
    kind: Kind = strawberry.field(description="its kind: SERVICE or CONFIGURATION_ITEM (groups have no own cost)")
    own_cost: Decimal = strawberry.field(description=f"its own cost, {PER_MONTH}")
    amount: Decimal = strawberry.field(description=f"how much of its own cost ends up with the unit, {PER_MONTH}")

    @strawberry.field(description="the item itself")
    async def item(self, info: Info[Context, None]) -> t.Item | None:
        props = await info.context.view(info).loaders.item.load(str(self.id))
        return t.item_from_props(props) if props else None


@strawberry.type(description="A business unit's monthly IT cost, with the services it consumes directly.")
class UnitCost:
    id: strawberry.ID = strawberry.field(description="the business unit's id")
    name: str = strawberry.field(description="its name")
    amount: Decimal = strawberry.field(description=f"everything that reaches it, {PER_MONTH}")
    by_service: list[ServiceShare] = strawberry.field(
        description="its amount by the services it consumes directly (they add up to the amount)"
    )
    report: strawberry.Private[CostReport]

    @strawberry.field(
        description="the items whose own cost reaches this unit, largest share first (then id): how much of each "
        "item's own monthly cost ends up here; they add up to `amount` (rounded to cents by the largest-remainder "
        "method, as everywhere)"
    )
    async def sources(self, info: Info[Context, None], first: First = 50) -> list[CostSource]:
        size = page_size(first, info.context.settings.max_page_size)
        found = await cost_sources(self.report, str(self.id))
        return [
            CostSource(id=strawberry.ID(s.id), name=s.name, kind=Kind(s.kind), own_cost=s.own_cost, amount=s.amount)
            for s in found[:size]
        ]


@strawberry.type(name="ServiceCost", description="A service's own monthly cost and its total (own plus inflow).")
class ServiceCostType:
    id: strawberry.ID = strawberry.field(description="the service's id")
    name: str = strawberry.field(description="its name")
    own_cost: Decimal = strawberry.field(description=f"its own monthlyCost (0 if none), {PER_MONTH}")
    total: Decimal = strawberry.field(
        description=f"its own cost plus everything flowing into it from what it depends on, {PER_MONTH}"
    )


@strawberry.type(description="Cost that reaches no business unit: a service nobody consumes, a CI nothing needs.")
class UnallocatedCost:
    id: strawberry.ID = strawberry.field(description="the item's id")
    name: str = strawberry.field(description="its name")
    amount: Decimal = strawberry.field(description=f"what it keeps, {PER_MONTH}")


@strawberry.type(
    description="Monthly IT cost carried through the dependency graph to business units; total = units + unallocated"
)
class CostAllocation:
    total: Decimal = strawberry.field(description=f"the sum of every live item's own cost, {PER_MONTH}")
    unallocated_total: Decimal = strawberry.field(description=f"what reaches no business unit, {PER_MONTH}")
    business_units: list[UnitCost] = strawberry.field(description="what reaches each business unit")
    services: list[ServiceCostType] = strawberry.field(description="each service's own cost and total")
    unallocated: list[UnallocatedCost] = strawberry.field(description="the items that keep cost nobody consumes")

    @strawberry.field(description="one business unit's entry of `businessUnits` (null: no such unit)")
    def business_unit(
        self, id: Annotated[strawberry.ID, strawberry.argument(description="the unit's id")]
    ) -> UnitCost | None:
        return next((u for u in self.business_units if u.id == id), None)


async def resolve_cost_allocation(info: Info[Context, None]) -> CostAllocation:
    view = info.context.view(info)
    r = await cost_allocation(view.repo, view.cache)
    return CostAllocation(
        total=r.total,
        unallocated_total=r.unallocated_total,
        business_units=[
            UnitCost(
                id=strawberry.ID(u.id),
                name=u.name,
                amount=u.amount,
                by_service=[ServiceShare(service_id=strawberry.ID(s), amount=a) for s, a in u.by_service],
                report=r,
            )
            for u in r.business_units
        ],
        services=[
            ServiceCostType(id=strawberry.ID(s.id), name=s.name, own_cost=s.own_cost, total=s.total) for s in r.services
        ],
        unallocated=[UnallocatedCost(id=strawberry.ID(i), name=n, amount=a) for i, n, a in r.unallocated],
    )
