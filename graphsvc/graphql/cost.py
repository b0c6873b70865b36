"""Cost allocation types (cost.graphql): money as Decimal, rounded to cents so the parts add up to the total."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from graphsvc.graphql.context import Context
from graphsvc.usecases.cost import cost_allocation

__all__ = ["CostAllocation", "resolve_cost_allocation"]


@strawberry.type(description="What one consumed service brought to a business unit.")
class ServiceShare:
    service_id: strawberry.ID
    amount: Decimal


@strawberry.type(description="A business unit's monthly IT cost, with the services it consumes directly.")
class UnitCost:
    id: strawberry.ID
    name: str
    amount: Decimal
    by_service: list[ServiceShare]


@strawberry.type(name="ServiceCost", description="A service's own monthly cost and its total (own plus inflow).")
class ServiceCostType:
    id: strawberry.ID
    name: str
    own_cost: Decimal
    total: Decimal


@strawberry.type(description="Cost that reaches no business unit: a service nobody consumes, a CI nothing needs.")
class UnallocatedCost:
    id: strawberry.ID
    name: str
    amount: Decimal


@strawberry.type(
    description="Monthly IT cost carried through the dependency graph to business units; total = units + unallocated"
)
class CostAllocation:
    total: Decimal
    unallocated_total: Decimal
    business_units: list[UnitCost]
    services: list[ServiceCostType]
    unallocated: list[UnallocatedCost]


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
            )
            for u in r.business_units
        ],
        services=[
            ServiceCostType(id=strawberry.ID(s.id), name=s.name, own_cost=s.own_cost, total=s.total) for s in r.services
        ],
        unallocated=[UnallocatedCost(id=strawberry.ID(i), name=n, amount=a) for i, n, a in r.unallocated],
    )
