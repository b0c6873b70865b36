"""Cost allocation over the CMDB: read the costs and edges, allocate (Decimal inside), round to cents consistently."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from typing import Any

from graphsvc.analysis.cost import allocate_indexed, cents, contributions_indexed, round_parts
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.sources import Source, cost_inputs

__all__ = ["CostReport", "CostSource", "cost_allocation", "cost_inputs", "cost_report", "cost_sources", "unit_sources"]

ZERO = Decimal(0)


class _Money(dict[Any, Decimal]):
    """Stored amounts and weights as Decimals: strings as written, floats by their shortest repr, missing = 0.
    Remembers each value it converted: weights repeat, and a lookup costs less than a conversion."""

    def __missing__(self, value: Any) -> Decimal:
        found = self[value] = ZERO if value is None else Decimal(value if isinstance(value, str) else str(value))
        return found


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
class CostSource:
    """How much of an item's own cost ends up with a business unit."""

    id: str
    name: str
    kind: str  # its itemKind
    own_cost: Decimal
    amount: Decimal


@dataclass(frozen=True)
class _Allocated:
    """What the allocation ran on (numbered nodes: the items read, then the units), kept for `unit_sources`."""

    ids: list[str]
    kinds: list[str]
    names: list[str]
    own: list[Decimal]
    sources: list[int]
    targets: list[int]
    weights: list[Decimal]
    amounts: dict[str, Decimal]  # each unit's rounded amount
    found: dict[str, list[CostSource]] = field(default_factory=dict)  # unit_sources' answers, by unit


@dataclass(frozen=True)
class CostReport:
    total: Decimal
    unallocated_total: Decimal
    business_units: list[UnitAmount]  # by id
    services: list[ServiceCost]  # by id
    unallocated: list[tuple[str, str, Decimal]]  # (id, name, amount), largest first
    allocated: _Allocated | None = field(default=None, compare=False, repr=False)


async def cost_allocation(repo: Source, cache: GraphCache | None = None) -> CostReport:
    """The allocation of every live item's monthly cost to the business units (SEMANTICS.md).

    With the server's cache, computed once per version of the graph (every graphsvc write to items, dependencies or
    business units bumps it). The computation runs in a worker thread: at 100,000 CIs it takes seconds, and the
    server keeps answering meanwhile."""

    async def compute() -> CostReport:
        return await asyncio.to_thread(cost_report, await cost_inputs(repo))

    return await (cache.remember("cost_allocation", compute) if cache is not None else compute())


def cost_report(record: Mapping[str, Any]) -> CostReport:
    """The report from what cost_inputs read (columns: see cypher/cost/*.cypher).

    Nodes are numbered in the order read, business units after them; the edges become lists of those numbers."""
    money = _Money()
    ids, kinds, names = record["ids"], record["kinds"], record["names"]
    unit_ids, unit_names = record["unit_ids"], record["unit_names"]
    count = len(ids)
    every = [*ids, *unit_ids]
    index = dict(zip(every, range(len(every)), strict=True))
    own = [ZERO if kind == "REDUNDANCY_GROUP" else money[c] for kind, c in zip(kinds, record["costs"], strict=True)]
    own += [ZERO] * len(unit_ids)
    sources: list[int] = []
    targets: list[int] = []
    weights: list[Decimal] = []
    find = index.get
    for froms, tos, ws in (
        (record["dep_sources"], record["dep_targets"], record["dep_weights"]),
        (record["member_ids"], record["group_ids"], repeat(1.0, len(record["member_ids"]))),
        (record["consumed_ids"], record["consumer_ids"], record["shares"]),
    ):
        for a, b, w in zip(froms, tos, ws, strict=True):
            s, t = find(a), find(b)
            if s is not None and t is not None and s < count:  # cost leaves nodes only; an end not read is dropped
                sources.append(s)
                targets.append(t)
                weights.append(money[w])
    result = allocate_indexed(every, own, sources, targets, weights, [False] * count + [True] * len(unit_ids))
    kept = {every[i]: amount for i, amount in result.kept.items()}
    for u in unit_ids:  # every unit is reported, also one nothing reaches
        kept.setdefault(u, ZERO)
    rounded = round_parts(kept, result.total)
    into: dict[int, dict[str, Decimal]] = {index[u]: {} for u in unit_ids}
    for (s, t), amount in result.flows.items():
        into[t][every[s]] = amount
    business_units = []
    for u, name in sorted(zip(unit_ids, unit_names, strict=True)):
        parts = into[index[u]]
        by_service = round_parts(parts, rounded[u]) if parts else {}
        business_units.append(UnitAmount(u, name, rounded[u], sorted(by_service.items())))
    unallocated = sorted(
        ((ids[i], names[i], rounded[ids[i]]) for i, amount in result.kept.items() if i < count and amount != 0),
        key=lambda x: (-x[2], x[0]),
    )
    services = [
        ServiceCost(i, names[n], cents(own[n]), cents(result.totals[n]))
        for i, n in sorted((ids[n], n) for n in range(count) if kinds[n] == "SERVICE")
    ]
    allocated = _Allocated(
        every,
        [*kinds, *repeat("BUSINESS_UNIT", len(unit_ids))],
        [*names, *unit_names],
        own,
        sources,
        targets,
        weights,
        {u: rounded[u] for u in unit_ids},
    )
    return CostReport(
        cents(result.total),
        sum((a for _, _, a in unallocated), Decimal("0.00")),
        business_units,
        services,
        unallocated,
        allocated,
    )


def unit_sources(report: CostReport, unit_id: str) -> list[CostSource]:
    """The items whose own cost reaches business unit `unit_id`, with how much of it: largest amount first, then id.
    The amounts are rounded to cents so that they add up to the unit's amount in the report; an unknown unit has
    none. Remembered in the report (it is computed once per version of the graph, like the report itself)."""
    a = report.allocated
    if a is None or unit_id not in a.amounts:
        return []
    if unit_id in a.found:
        return a.found[unit_id]
    exact = contributions_indexed(a.ids, a.own, a.sources, a.targets, a.weights, a.ids.index(unit_id))
    rounded = round_parts({a.ids[i]: amount for i, amount in exact.items()}, a.amounts[unit_id]) if exact else {}
    index = {a.ids[i]: i for i in exact}
    found = a.found[unit_id] = sorted(
        (
            CostSource(i, a.names[index[i]], a.kinds[index[i]], cents(a.own[index[i]]), amount)
            for i, amount in rounded.items()
        ),
        key=lambda s: (-s.amount, s.id),
    )
    return found


async def cost_sources(report: CostReport, unit_id: str) -> list[CostSource]:
    """unit_sources in a worker thread (a unit fed by most of a large estate takes a moment)."""
    a = report.allocated
    if a is not None and unit_id in a.found:
        return a.found[unit_id]
    return await asyncio.to_thread(unit_sources, report, unit_id)
