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
    flows: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # amount along each edge into a unit


def allocate(own: Mapping[str, Decimal], edges: Iterable[tuple[str, str, Decimal]], units: Iterable[str]) -> Allocation:
    """Allocate `own` costs (services and CIs; groups and units have none) along `edges` to `units`."""
    with localcontext(money_context()):
        return _allocate(own, edges, set(units))


def _allocate(own: Mapping[str, Decimal], edges: Iterable[tuple[str, str, Decimal]], units: set[str]) -> Allocation:
    """Nodes are numbered (in id order) and kept in lists: at 100,000 CIs the dictionaries keyed by id and the
    per-edge tuples were most of the time. Kahn's algorithm handles everything outside a cycle (nearly all of a CMDB)
    as it goes, in linear time; Tarjan then pools and orders only what is left: the cycles and what they flow into."""
    kept_edges = [(s, t, w) for s, t, w in edges if w > 0]
    ids = sorted(set(own).union(units, (s for s, _, _ in kept_edges), (t for _, t, _ in kept_edges)))
    index = {n: i for i, n in enumerate(ids)}
    size = len(ids)
    out: list[list[tuple[int, Decimal]]] = [[] for _ in range(size)]
    indegree = [0] * size
    for source, target, weight in kept_edges:
        if source != target:  # a self-loop stays inside its pool
            ti = index[target]
            out[index[source]].append((ti, weight))
            indegree[ti] += 1
    inflow = [ZERO] * size
    for n, cost in own.items():
        inflow[index[n]] = cost  # a node's own cost counts as flowing into it
    is_unit = [False] * size
    for u in units:
        is_unit[index[u]] = True
    totals: list[Decimal] = [ZERO] * size
    kept: dict[str, Decimal] = {}
    flows: dict[tuple[str, str], Decimal] = {}

    def spread(amount: Decimal, leaving: list[tuple[int, int, Decimal]]) -> None:
        """Split `amount` among the `leaving` edges (from, to, weight) in proportion to their weights."""
        share = amount / sum([w for _, _, w in leaving], ZERO) if amount else ZERO
        for a, b, w in leaving:
            part = share * w
            inflow[b] += part
            if is_unit[b]:
                key = (ids[a], ids[b])
                flows[key] = flows.get(key, ZERO) + part

    # Kahn's order, each node taken when everything flowing into it is in: the loop every CI goes through, inlined.
    queue = deque(i for i in range(size) if indegree[i] == 0)
    pop, push = queue.popleft, queue.append
    while queue:
        i = pop()
        total = totals[i] = inflow[i]
        leaving = out[i]
        if not leaving:
            kept[ids[i]] = total
            continue
        share = total / sum([w for _, w in leaving], ZERO) if total else ZERO
        for t, w in leaving:
            part = share * w
            inflow[t] += part
            if is_unit[t]:
                key = (ids[i], ids[t])
                flows[key] = flows.get(key, ZERO) + part
            indegree[t] -= 1
            if indegree[t] == 0:
                push(t)
    left = [i for i in range(size) if indegree[i] > 0]
    for pool in _pools_of(left, out):
        inside = set(pool)
        pool_total = sum((inflow[i] for i in pool), ZERO)
        for i in pool:
            totals[i] = pool_total  # the members of a pooled cycle share its total
        out_of_pool = [(i, t, w) for i in pool for t, w in out[i] if t not in inside]
        if out_of_pool:
            spread(pool_total, out_of_pool)
        else:  # a pooled cycle without dependents: kept by its smallest id
            kept[ids[pool[0]]] = pool_total
    return Allocation(sum(own.values(), ZERO), dict(zip(ids, totals, strict=True)), kept, flows)


def _pools_of(left: list[int], out: list[list[tuple[int, Decimal]]]) -> list[list[int]]:
    """The strongly connected components among `left` (each sorted, so its smallest id first), in topological order
    of the flow (sources first)."""
    if not left:
        return []
    rest = set(left)
    names = [str(i) for i in left]  # strongly_connected takes names; there are few of these
    by_name = dict(zip(names, left, strict=True))
    comp = strongly_connected(names, {str(i): {str(t) for t, _ in out[i] if t in rest} for i in left})
    members: dict[int, list[int]] = {}
    for name in names:
        members.setdefault(comp[name], []).append(by_name[name])
    # Tarjan numbers a component after every component it reaches: descending numbers put sources first.
    return [sorted(members[c]) for c in sorted(members, reverse=True)]


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
