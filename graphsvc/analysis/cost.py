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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import wraps
from itertools import accumulate
from typing import NamedTuple, ParamSpec, TypeVar

from graphsvc.analysis.continuity import strongly_connected

__all__ = [
    "PRECISION",
    "Allocation",
    "CostEdge",
    "IndexedAllocation",
    "allocate",
    "allocate_indexed",
    "cents",
    "contributions",
    "contributions_indexed",
    "money_context",
    "round_parts",
]

PRECISION = 60
ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SNAP = Decimal("1e-30")  # in cents: far above the arithmetic's error, far below anything that matters
P = ParamSpec("P")
R = TypeVar("R")


def money_context() -> Context:
    """The decimal context cost arithmetic runs in."""
    return Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)


def _in_money_context(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run in money_context(), whatever context its caller has."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(money_context()):
            return function(*args, **kwargs)

    return run


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


@dataclass
class IndexedAllocation:
    """An allocation over numbered nodes (`ids[i]` is node i): what `allocate_indexed` gives."""

    total: Decimal
    ids: Sequence[str]
    totals: list[Decimal]  # T of node i
    kept: dict[int, Decimal]  # node (or pool, under its smallest id) without dependents -> what it keeps
    flows: dict[tuple[int, int], Decimal]  # (node, unit) -> amount along that edge


def allocate(own: Mapping[str, Decimal], edges: Iterable[tuple[str, str, Decimal]], units: Iterable[str]) -> Allocation:
    """Allocate `own` costs (services and CIs; groups and units have none) along `edges` to `units`."""
    unit_set = set(units)
    ids, own_list, sources, targets, weights = _numbered(own, edges, unit_set)
    r = allocate_indexed(ids, own_list, sources, targets, weights, [n in unit_set for n in ids])
    return Allocation(
        r.total,
        dict(zip(ids, r.totals, strict=True)),
        {ids[i]: v for i, v in r.kept.items()},
        {(ids[a], ids[b]): v for (a, b), v in r.flows.items()},
    )


def contributions(
    own: Mapping[str, Decimal], edges: Iterable[tuple[str, str, Decimal]], unit: str
) -> dict[str, Decimal]:
    """How much of each node's own cost `allocate(own, edges, ...)` leaves with `unit` (nodes that give it nothing
    are left out); they add up to what `unit` keeps."""
    ids, own_list, sources, targets, weights = _numbered(own, edges, {unit})
    found = contributions_indexed(ids, own_list, sources, targets, weights, ids.index(unit))
    return {ids[i]: v for i, v in found.items()}


def _numbered(
    own: Mapping[str, Decimal], edges: Iterable[tuple[str, str, Decimal]], units: set[str]
) -> tuple[list[str], list[Decimal], list[int], list[int], list[Decimal]]:
    """Nodes numbered in id order, with their own costs and the edges (of weight above 0) as numbers."""
    edges = [e for e in edges if e[2] > 0]  # an edge of weight 0 or less carries nothing
    ids = sorted(set(own).union(units, (s for s, _, _ in edges), (t for _, t, _ in edges)))
    index = {n: i for i, n in enumerate(ids)}
    own_list = [ZERO] * len(ids)
    for n, cost in own.items():
        own_list[index[n]] = cost
    return ids, own_list, [index[s] for s, _, _ in edges], [index[t] for _, t, _ in edges], [w for _, _, w in edges]


def _by_source(
    size: int, sources: Sequence[int], targets: Sequence[int], weights: Sequence[Decimal]
) -> tuple[list[int], list[int], list[Decimal], list[int]]:
    """The edges that carry cost (not self-loops: those stay inside their pool; weight above 0) as one array sorted
    by source (a counting sort): node i's are start[i]:start[i+1], to dst[k] with weight wt[k]. And the number of
    such edges into each node."""
    count = [0] * (size + 1)
    for s, t, w in zip(sources, targets, weights, strict=True):
        if s != t and w > 0:
            count[s + 1] += 1
    start = list(accumulate(count))
    place = start[:-1]
    dst = [0] * start[-1]
    wt = [ZERO] * start[-1]
    indegree = [0] * size
    for s, t, w in zip(sources, targets, weights, strict=True):
        if s != t and w > 0:
            k = place[s]
            dst[k], wt[k] = t, w
            place[s] = k + 1
            indegree[t] += 1
    return start, dst, wt, indegree


@_in_money_context
def allocate_indexed(
    ids: Sequence[str],
    own: Sequence[Decimal],
    sources: Sequence[int],
    targets: Sequence[int],
    weights: Sequence[Decimal],
    is_unit: Sequence[bool],
) -> IndexedAllocation:
    """The allocation over numbered nodes: `own[i]` is node i's own cost, edge k carries cost from `sources[k]` to
    `targets[k]` with `weights[k]` (edges of weight 0 or less carry nothing), `is_unit[i]` marks business units.

    Everything is in flat lists of numbers, not in per-node lists of per-edge tuples: at 1,000,000 CIs the two
    million small containers cost more (allocating them, and the garbage collector scanning them again and again)
    than the arithmetic. Kahn's algorithm handles everything outside a cycle (nearly all of a CMDB) as it goes, in
    linear time; Tarjan then pools and orders only what is left: the cycles and what they flow into."""
    size = len(ids)
    start, dst, wt, indegree = _by_source(size, sources, targets, weights)
    inflow = list(own)  # a node's own cost counts as flowing into it
    totals: list[Decimal] = [ZERO] * size
    kept: dict[int, Decimal] = {}
    flows: dict[tuple[int, int], Decimal] = {}

    # Kahn's order, each node taken when everything flowing into it is in: the loop every CI goes through, inlined.
    queue = deque(i for i in range(size) if indegree[i] == 0)
    pop, push = queue.popleft, queue.append
    while queue:
        i = pop()
        total = totals[i] = inflow[i]
        first, last = start[i], start[i + 1]
        if first == last:
            kept[i] = total
            continue
        share = total / sum(wt[first:last], ZERO) if total else ZERO
        for k in range(first, last):
            t = dst[k]
            part = share * wt[k]
            inflow[t] += part
            if is_unit[t]:
                flows[i, t] = flows.get((i, t), ZERO) + part
            indegree[t] -= 1
            if indegree[t] == 0:
                push(t)
    left = [i for i in range(size) if indegree[i] > 0]
    for pool in _pools_of(left, ids, start, dst):
        inside = set(pool)
        pool_total = sum((inflow[i] for i in pool), ZERO)
        for i in pool:
            totals[i] = pool_total  # the members of a pooled cycle share its total
        leaving = [(i, dst[k], wt[k]) for i in pool for k in range(start[i], start[i + 1]) if dst[k] not in inside]
        if not leaving:  # a pooled cycle without dependents: kept by its smallest id
            kept[pool[0]] = pool_total
            continue
        share = pool_total / sum([w for _, _, w in leaving], ZERO) if pool_total else ZERO
        for i, t, w in leaving:
            part = share * w
            inflow[t] += part
            if is_unit[t]:
                flows[i, t] = flows.get((i, t), ZERO) + part
    return IndexedAllocation(sum(own, ZERO), ids, totals, kept, flows)


@_in_money_context
def contributions_indexed(
    ids: Sequence[str],
    own: Sequence[Decimal],
    sources: Sequence[int],
    targets: Sequence[int],
    weights: Sequence[Decimal],
    unit: int,
) -> dict[int, Decimal]:
    """How much of each node's own cost `allocate_indexed` (same arguments) leaves with node `unit`: node -> amount,
    for the nodes that give it something (own cost and a way there).

    The allocation is linear in the own costs, so node x gives own[x] * f(x), f(x) being the fraction of what
    leaves x that `unit` keeps: f = 1 at `unit` (if it keeps what reaches it: it has no dependents), and elsewhere
    the weighted mean of f over the edges out of x, each pool (strongly connected component) taking one f over the
    edges leaving it, as the allocation pools it. One backward pass over the nodes that can reach `unit`, in
    reverse topological order: Kahn's algorithm backwards, then Tarjan for the cycles (and what feeds them)."""
    size = len(ids)
    start, dst, wt, _ = _by_source(size, sources, targets, weights)
    # The same edges by target: node i's sources are src[into[i]:into[i+1]].
    count = [0] * (size + 1)
    for t in dst:
        count[t + 1] += 1
    into = list(accumulate(count))
    place = into[:-1]
    src = [0] * len(dst)
    for s in range(size):
        for k in range(start[s], start[s + 1]):
            t = dst[k]
            src[place[t]] = s
            place[t] += 1
    # The nodes whose cost can reach `unit`; f is 0 everywhere else.
    reaches = [False] * size
    reaches[unit] = True
    stack = [unit]
    while stack:
        x = stack.pop()
        for k in range(into[x], into[x + 1]):
            s = src[k]
            if not reaches[s]:
                reaches[s] = True
                stack.append(s)
    upstream = [i for i in range(size) if reaches[i]]
    # A node is taken once f is known for every node it sends to that can reach `unit`.
    waiting = [0] * size
    for i in upstream:
        waiting[i] = sum(1 for k in range(start[i], start[i + 1]) if reaches[dst[k]])
    f = [ZERO] * size
    queue = [i for i in upstream if waiting[i] == 0]
    while queue:
        x = queue.pop()
        first, last = start[x], start[x + 1]
        if first == last:
            f[x] = ONE if x == unit else ZERO
        else:
            f[x] = sum((wt[k] * f[dst[k]] for k in range(first, last)), ZERO) / sum(wt[first:last], ZERO)
        for k in range(into[x], into[x + 1]):
            s = src[k]
            waiting[s] -= 1
            if waiting[s] == 0:
                queue.append(s)
    left = [i for i in upstream if waiting[i] > 0]
    for pool in reversed(_pools_of(left, ids, start, dst)):  # dependents first
        inside = set(pool)
        leaving = [k for i in pool for k in range(start[i], start[i + 1]) if dst[k] not in inside]
        if not leaving:  # kept by its smallest id
            share = ONE if pool[0] == unit else ZERO
        else:
            share = sum((wt[k] * f[dst[k]] for k in leaving), ZERO) / sum((wt[k] for k in leaving), ZERO)
        for i in pool:
            f[i] = share
    found = {}
    for i in upstream:
        if own[i] and f[i]:
            found[i] = own[i] * f[i]
    return found


def _pools_of(left: list[int], ids: Sequence[str], start: list[int], dst: list[int]) -> list[list[int]]:
    """The strongly connected components among `left` (each in id order, so its smallest id first), in topological
    order of the flow (sources first)."""
    if not left:
        return []
    rest = set(left)
    by_id = {ids[i]: i for i in left}
    names = sorted(by_id)
    comp = strongly_connected(
        names, {ids[i]: {ids[dst[k]] for k in range(start[i], start[i + 1]) if dst[k] in rest} for i in left}
    )
    members: dict[int, list[int]] = {}
    for name in names:  # in id order, so each pool's members are too
        members.setdefault(comp[name], []).append(by_id[name])
    # Tarjan numbers a component after every component it reaches: descending numbers put sources first.
    return [members[c] for c in sorted(members, reverse=True)]


def _in_cents(value: Decimal) -> Decimal:
    return (value * HUNDRED).quantize(SNAP, rounding=ROUND_HALF_EVEN)


@_in_money_context
def cents(value: Decimal) -> Decimal:
    """`value` rounded to cents (half to even), after the same snapping as round_parts."""
    return (_in_cents(value).to_integral_value(ROUND_HALF_EVEN) / HUNDRED).quantize(CENT)


@_in_money_context
def round_parts(parts: Mapping[str, Decimal], total: Decimal | None = None) -> dict[str, Decimal]:
    """Cents per part such that they add up to the rounded total (largest remainder; ties by key)."""
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
