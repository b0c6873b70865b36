"""Cost allocation (SEMANTICS.md, "Cost allocation"): IT cost carried through the dependency graph to the
business units that consume it.

Cost flows from what is depended on to what depends on it: along each dependency edge (weighted by its `weight`),
from each member to its group (weight 1), and from each service to the business units consuming it (weighted by
`share`). Strongly connected components are pooled. In topological order from dependencies to dependents, a pool's
total is its own cost plus what flows in, split among its direct dependents in proportion to their edge weights;
a pool with no dependents keeps it.

Decimal inside, cents outside. The arithmetic runs in a 60-digit decimal context (exact fractions were exact but
their denominators grow with every split: at 100,000 CIs they took most of the time); an amount of a few billion is
then carried to about 50 places after the point, and the error of a million operations stays below 1e-35 of a cent.
Before rounding, amounts are snapped to 1e-30 of a cent, so that what is exactly a whole or half cent (or a tie
between two remainders) stays one. Only the output is rounded to cents, by the largest-remainder method, so the
rounded parts add up to the rounded total.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import NamedTuple

from graphsvc.analysis.continuity import strongly_connected

__all__ = ["PRECISION", "Allocation", "CostEdge", "allocate", "cents", "money_context", "round_parts"]

PRECISION = 60
ZERO = Decimal(0)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SNAP = Decimal("1e-30")  # in cents: far above the arithmetic's error, far below anything that matters


def money_context() -> Context:
    """The decimal context cost arithmetic runs in."""
    return Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)


class CostEdge(NamedTuple):
    """Cost flows from `source` (what is depended on) to `target` (what depends on it, or a consuming unit)."""

    source: str
    target: str
    weight: Decimal


@dataclass
class Allocation:
    """Amounts in the currency unit, to PRECISION digits."""

    total: Decimal
    totals: dict[str, Decimal]  # T of every node; the members of a pooled cycle each show the pool's T
    kept: dict[str, Decimal]  # what each node (or pool, under its smallest id) without dependents keeps
    flows: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # amount along each edge


def _pools(nodes: list[str], flows_to: Mapping[str, list[tuple[str, Decimal]]]) -> list[list[str]]:
    """The strongly connected components in topological order of the flow (sources first).

    Kahn's algorithm takes everything outside a cycle (nearly all of a CMDB) in linear time; Tarjan then orders only
    what is left: the cycles and what they flow into. `flows_to` has no self-loops."""
    indegree = dict.fromkeys(nodes, 0)
    for out in flows_to.values():
        for t, _ in out:
            indegree[t] += 1
    queue = deque(n for n in nodes if indegree[n] == 0)
    pools: list[list[str]] = []
    while queue:
        n = queue.popleft()
        pools.append([n])
        for t, _ in flows_to.get(n, ()):
            indegree[t] -= 1
            if indegree[t] == 0:
                queue.append(t)
    left = [n for n in nodes if indegree[n] > 0]
    if left:
        rest = set(left)
        comp = strongly_connected(left, {n: {t for t, _ in flows_to.get(n, ()) if t in rest} for n in left})
        members: dict[int, list[str]] = {}
        for n in left:
            members.setdefault(comp[n], []).append(n)
        # Tarjan numbers a component after every component it reaches: descending numbers put sources first.
        pools += [members[c] for c in sorted(members, reverse=True)]
    return pools


def allocate(own: Mapping[str, Decimal], edges: Iterable[CostEdge], units: Iterable[str]) -> Allocation:
    """Allocate `own` costs (services and CIs; groups and units have none) along `edges` to `units`."""
    with localcontext(money_context()):
        return _allocate(own, edges, set(units))


def _allocate(own: Mapping[str, Decimal], edges: Iterable[CostEdge], units: set[str]) -> Allocation:
    flows_to: dict[str, list[tuple[str, Decimal]]] = {}
    ends = set(own) | units
    for source, target, weight in edges:
        if weight > 0:
            ends.add(source)
            ends.add(target)
            if source != target:  # a self-loop stays inside its pool
                flows_to.setdefault(source, []).append((target, weight))
    pools = _pools(sorted(ends), flows_to)
    inflow: dict[str, Decimal] = {}  # by node; a pool's inflow is its members'
    totals: dict[str, Decimal] = {}
    kept: dict[str, Decimal] = {}
    flows: dict[tuple[str, str], Decimal] = {}
    own_get, inflow_get, flows_get, no_edges = own.get, inflow.get, flows.get, ()
    for pool in pools:
        if len(pool) == 1:  # nearly every node: kept short
            n = pool[0]
            pool_total = own_get(n, ZERO) + inflow_get(n, ZERO)
            totals[n] = pool_total
            leaving = [(n, t, w) for t, w in flows_to.get(n, no_edges)]
        else:
            inside = set(pool)
            pool_total = sum((own_get(n, ZERO) + inflow_get(n, ZERO) for n in pool), ZERO)
            for n in pool:
                totals[n] = pool_total  # the members of a pooled cycle share its total
            leaving = [(n, t, w) for n in sorted(pool) for t, w in flows_to.get(n, no_edges) if t not in inside]
        if not leaving:
            # a pool with no dependents keeps its total; a pooled cycle's is kept by its smallest id
            first = min(pool)
            kept[first] = kept.get(first, ZERO) + pool_total
            continue
        share = pool_total / sum([w for _, _, w in leaving], ZERO)
        for s, t, w in leaving:
            amount = share * w
            flows[(s, t)] = flows_get((s, t), ZERO) + amount
            inflow[t] = inflow_get(t, ZERO) + amount
    return Allocation(sum(own.values(), ZERO), totals, kept, flows)


def _in_cents(value: Decimal) -> Decimal:
    return (value * HUNDRED).quantize(SNAP, rounding=ROUND_HALF_EVEN)


def cents(value: Decimal) -> Decimal:
    """`value` rounded to cents (half to even), after the same snapping as round_parts."""
    with localcontext(money_context()):
        return (_in_cents(value).to_integral_value(ROUND_HALF_EVEN) / HUNDRED).quantize(CENT)


def round_parts(parts: Mapping[str, Decimal], total: Decimal | None = None) -> dict[str, Decimal]:
    """Cents per part such that they add up to the rounded total (largest remainder; ties by key)."""
    with localcontext(money_context()):
        whole = _in_cents(sum(parts.values(), ZERO) if total is None else total)
        target = int(whole.to_integral_value(ROUND_HALF_EVEN))
        scaled = {k: _in_cents(v) for k, v in parts.items()}
        floors = {k: int(v.to_integral_value(ROUND_FLOOR)) for k, v in scaled.items()}
        remainder = target - sum(floors.values())
        if remainder > 0:
            order = sorted(parts, key=lambda k: (floors[k] - scaled[k], k))
            for k in order[:remainder]:
                floors[k] += 1
        return {k: (Decimal(v) / HUNDRED).quantize(CENT) for k, v in floors.items()}
