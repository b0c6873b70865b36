"""Cost allocation over the CMDB: read the costs and edges, allocate exactly, round to cents consistently."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from graphsvc.analysis.cost import CostEdge, allocate, round_parts
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository

__all__ = ["CostReport", "cost_allocation"]


def _exact(value: Any) -> Fraction:
    return Fraction(Decimal(str(value))) if value is not None else Fraction(0)


@dataclass(frozen=True)
class UnitAmount:
    id: str
    name: str
    amount: Decimal
    by_service: list[tuple[str, Decimal]]


@dataclass(frozen=True)
class ServiceCost:
    id: str
    name: str
    own_cost: Decimal
    total: Decimal


@dataclass(frozen=True)
class CostReport:
    total: Decimal
    unallocated_total: Decimal
    business_units: list[UnitAmount]  # by id
    services: list[ServiceCost]  # by id
    unallocated: list[tuple[str, str, Decimal]]  # (id, name, amount), largest first


async def cost_allocation(repo: ItemRepository) -> CostReport:
    record = (await repo.read(cypher("cost/inputs")))[0]
    names = {i: name for i, _, _, name in record["nodes"]}
    kinds = {i: kind for i, kind, _, _ in record["nodes"]}
    own = {i: _exact(cost) for i, kind, cost, _ in record["nodes"] if kind != "REDUNDANCY_GROUP"}
    units = {i: name for i, name in record["units"]}
    edges = [
        CostEdge(a, b, _exact(w))
        for a, b, w in (*record["deps"], *record["memberships"], *record["consumption"])
        if a in kinds and (b in kinds or b in units)
    ]
    result = allocate(own, edges, units)
    kept = dict(result.kept)
    for u in units:  # every unit is reported, also one nothing reaches
        kept.setdefault(u, Fraction(0))
    rounded = round_parts(kept, result.total)
    total = round_parts({"total": result.total})["total"]
    business_units = []
    for u in sorted(units):
        flows = {s: amount for (s, target), amount in result.flows.items() if target == u}
        by_service = round_parts(flows, Fraction(rounded[u])) if flows else {}
        business_units.append(UnitAmount(u, units[u], rounded[u], sorted(by_service.items())))
    unallocated = sorted(
        ((i, names.get(i, i), rounded[i]) for i in kept if i not in units and kept[i] != 0),
        key=lambda x: (-x[2], x[0]),
    )
    services = [
        ServiceCost(
            i,
            names[i],
            round_parts({"x": own.get(i, Fraction(0))})["x"],
            round_parts({"x": result.totals.get(i, own.get(i, Fraction(0)))})["x"],
        )
        for i in sorted(kinds)
        if kinds[i] == "SERVICE"
    ]
    return CostReport(
        total, sum((a for _, _, a in unallocated), Decimal("0.00")), business_units, services, unallocated
    )
