"""Cost allocation (SEMANTICS.md, "Cost allocation"): IT cost carried through the dependency graph to the
business units that consume it, exactly.

Cost flows from what is depended on to what depends on it: along each dependency edge (weighted by its `weight`),
from each member to its group (weight 1), and from each service to the business units consuming it (weighted by
`share`). Strongly connected components are pooled. In topological order from dependencies to dependents, a pool's
total is its own cost plus what flows in, split among its direct dependents in proportion to their edge weights;
a pool with no dependents keeps it. Arithmetic is exact (fractions); only the output is rounded to cents, by the
largest-remainder method, so the rounded parts add up to the rounded total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from graphsvc.analysis.continuity import strongly_connected

__all__ = ["Allocation", "CostEdge", "allocate", "round_parts"]

CENT = Fraction(1, 100)


@dataclass(frozen=True)
class CostEdge:
    """Cost flows from `source` (what is depended on) to `target` (what depends on it, or a consuming unit)."""

    source: str
    target: str
    weight: Fraction


@dataclass
class Allocation:
    """Exact amounts (fractions of the currency unit)."""

    total: Fraction
    totals: dict[str, Fraction]  # T of every node; the members of a pooled cycle each show the pool's T
    kept: dict[str, Fraction]  # what each node (or pool, under its smallest id) without dependents keeps
    flows: dict[tuple[str, str], Fraction] = field(default_factory=dict)  # amount along each edge


def allocate(own: Mapping[str, Fraction], edges: Iterable[CostEdge], units: Iterable[str]) -> Allocation:
    """Allocate `own` costs (services and CIs; groups and units have none) along `edges` to `units`."""
    unit_ids = set(units)
    edges = [e for e in edges if e.weight > 0]
    nodes = sorted(set(own) | unit_ids | {e.source for e in edges} | {e.target for e in edges})
    # Tarjan over "flows into" gives components in reverse topological order of the flow: sinks first.
    flows_to: dict[str, list[str]] = {}
    for e in edges:
        flows_to.setdefault(e.source, []).append(e.target)
    comp = strongly_connected(nodes, {n: set(flows_to.get(n, ())) for n in nodes})
    members: dict[int, list[str]] = {}
    for n in nodes:
        members.setdefault(comp[n], []).append(n)
    inflow: dict[int, Fraction] = {c: Fraction(0) for c in members}
    out_edges: dict[int, list[CostEdge]] = {}
    for e in edges:
        if comp[e.source] != comp[e.target]:
            out_edges.setdefault(comp[e.source], []).append(e)
    totals: dict[str, Fraction] = {}
    kept: dict[str, Fraction] = {}
    flows: dict[tuple[str, str], Fraction] = {}
    # Sources first: reverse of Tarjan's order.
    for c in sorted(members, reverse=True):
        pool_total = sum((own.get(n, Fraction(0)) for n in members[c]), Fraction(0)) + inflow[c]
        for n in members[c]:
            totals[n] = pool_total  # the members of a pooled cycle share its total
        leaving = out_edges.get(c, [])
        weight = sum((e.weight for e in leaving), Fraction(0))
        if not leaving:
            # a pool with no dependents keeps its total; a pooled cycle's is kept by its smallest id
            kept[min(members[c])] = kept.get(min(members[c]), Fraction(0)) + pool_total
            continue
        for e in leaving:
            amount = pool_total * e.weight / weight
            flows[(e.source, e.target)] = flows.get((e.source, e.target), Fraction(0)) + amount
            inflow[comp[e.target]] += amount
    total = sum(own.values(), Fraction(0))
    return Allocation(total, totals, kept, flows)


def round_parts(parts: Mapping[str, Fraction], total: Fraction | None = None) -> dict[str, Decimal]:
    """Cents per part such that they add up to the rounded total (largest remainder; ties by key)."""
    whole = sum(parts.values(), Fraction(0)) if total is None else total
    target = int((whole / CENT).__round__())
    floors = {k: (v / CENT).__floor__() for k, v in parts.items()}
    remainder = target - sum(floors.values())
    order = sorted(parts, key=lambda k: (-((parts[k] / CENT) - floors[k]), k))
    for k in order[: max(0, remainder)]:
        floors[k] += 1
    return {k: (Decimal(v) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) for k, v in floors.items()}
