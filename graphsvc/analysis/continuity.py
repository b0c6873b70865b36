"""Service continuity (SEMANTICS.md, "Continuity of a service S"): closure, single points of failure, recovery
objectives and recovery waves."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "Continuity",
    "ObjectiveGap",
    "closure",
    "continuity",
    "recovery_waves",
    "restrict",
    "single_points_of_failure",
    "strongly_connected",
]


def closure(graph: DependencyGraph, service: str) -> set[str]:
    """D(S): every node reachable from S along edges (dependencies and memberships), S excluded."""
    seen: set[str] = set()
    queue = deque([service])
    while queue:
        for edge in graph.out.get(queue.popleft(), ()):
            if edge.target not in seen and edge.target != service:
                seen.add(edge.target)
                queue.append(edge.target)
    return seen


def restrict(graph: DependencyGraph, keep: set[str]) -> DependencyGraph:
    """The subgraph on `keep`. Group member counts stay whole: a group in `keep` has all its members there too."""
    nodes = [graph.nodes[n] for n in keep if n in graph.nodes]
    edges = [e for n in keep for e in graph.out.get(n, ()) if e.target in keep]
    members = {g: graph.members_total[g] for g in keep if g in graph.members_total}
    return DependencyGraph.build(nodes, edges, members)


@dataclass(frozen=True)
class ObjectiveGap:
    item: str
    item_minutes: int
    service_minutes: int


@dataclass(frozen=True)
class Continuity:
    service: str
    closure: frozenset[str]
    single_points_of_failure: tuple[str, ...]
    rto_violations: tuple[ObjectiveGap, ...]
    rpo_violations: tuple[ObjectiveGap, ...]
    unknown_rto: tuple[str, ...]
    unknown_rpo: tuple[str, ...]
    waves: tuple[tuple[str, ...], ...]


def _gaps(
    spofs: tuple[str, ...], objectives: Mapping[str, int | None], service_value: int | None
) -> tuple[tuple[ObjectiveGap, ...], tuple[str, ...]]:
    """Violations (the item's value exceeds the service's) and unknowns (no value); nothing if S has none."""
    if service_value is None:
        return (), ()
    unknown = tuple(c for c in spofs if objectives.get(c) is None)
    violations = tuple(
        ObjectiveGap(c, v, service_value) for c in spofs if (v := objectives.get(c)) is not None and v > service_value
    )
    return violations, unknown


def continuity(
    graph: DependencyGraph,
    service: str,
    rto: Mapping[str, int | None],
    rpo: Mapping[str, int | None],
) -> Continuity:
    """SPOFs of S (CIs and services c in D(S) whose loss alone takes S DOWN), RTO/RPO gaps, recovery waves.

    `rto`/`rpo` hold the minutes of S and of the items in D(S) (None where unknown).
    """
    reach = closure(graph, service)
    sub = restrict(graph, reach | {service})
    spofs = single_points_of_failure(sub, service, reach)
    rto_violations, unknown_rto = _gaps(spofs, rto, rto.get(service))
    rpo_violations, unknown_rpo = _gaps(spofs, rpo, rpo.get(service))
    return Continuity(
        service,
        frozenset(reach),
        spofs,
        rto_violations,
        rpo_violations,
        unknown_rto,
        unknown_rpo,
        recovery_waves(sub, service, reach),
    )


def single_points_of_failure(graph: DependencyGraph, service: str, reach: set[str]) -> tuple[str, ...]:
    """The CIs and services c in D(S) whose loss alone takes S DOWN, by id.

    Rather than one impact per candidate (quadratic), one pass computes for every node n its killers K(n): the
    single failures that take n DOWN. For an ordinary node, n itself and the killers of its HARD dependencies; for a
    group, itself and each failure that takes down more than (live members - quorum) of its members. Whether c is
    in K(n) depends only on whether c is in the killers of n's dependencies, so the least solution of these set
    equations is, failure by failure, the least fixpoint of SEMANTICS.md; strongly connected components are solved
    dependencies first, iterating inside each.
    """
    nodes = sorted(reach | {service})
    index = {n: i for i, n in enumerate(nodes)}
    hard: dict[str, list[str]] = {}
    members: dict[str, list[str]] = {}
    for n in nodes:
        for e in graph.out.get(n, ()):
            if e.target not in index:
                continue
            if graph.is_group(n):
                if e.membership:
                    members.setdefault(n, []).append(e.target)
            elif e.hard and not e.membership:
                hard.setdefault(n, []).append(e.target)
    deps = {n: set(hard.get(n, ())) | set(members.get(n, ())) for n in nodes}
    component = strongly_connected(nodes, deps)
    order: dict[int, list[str]] = {}
    for n in nodes:
        order.setdefault(component[n], []).append(n)
    killers: dict[str, frozenset[int]] = {}

    def solve(n: str) -> frozenset[int]:
        own = frozenset({index[n]})
        if graph.is_group(n):
            total, need = graph.members_total.get(n, 0), graph.quorum(n)
            counts: dict[int, int] = {}
            for m in members.get(n, ()):
                for c in killers.get(m, frozenset({index[m]})):
                    counts[c] = counts.get(c, 0) + 1
            return own | {c for c, k in counts.items() if total - k < need}
        found = set(own)
        for d in hard.get(n, ()):
            found |= killers.get(d, frozenset({index[d]}))
        return frozenset(found)

    # Tarjan numbers components in reverse topological order of `deps`: dependencies come first.
    for comp in sorted(order):
        members_of = order[comp]
        changed = True
        while changed:
            changed = False
            for n in members_of:
                new = solve(n)
                if new != killers.get(n):
                    killers[n], changed = new, True
    kinds = (Kind.CONFIGURATION_ITEM, Kind.SERVICE)
    return tuple(
        sorted(nodes[c] for c in killers[service] if nodes[c] != service and graph.nodes[nodes[c]].kind in kinds)
    )


def recovery_waves(graph: DependencyGraph, service: str, reach: set[str]) -> tuple[tuple[str, ...], ...]:
    """D(S) and S with each group replaced by its members (an edge into G becomes an edge into each member), each
    strongly connected component one unit; wave 0 has no dependencies in the set, any other unit comes one wave
    after its latest dependency. Each wave's ids sorted; S is in the last wave."""
    groups = {n for n in reach | {service} if graph.is_group(n)}

    def targets(n: str) -> set[str]:
        out: set[str] = set()
        stack = [e.target for e in graph.out.get(n, ())]
        seen: set[str] = set()
        while stack:  # through groups (and groups of groups) to their members
            t = stack.pop()
            if t in seen:
                continue
            seen.add(t)
            if t in groups:
                stack.extend(e.target for e in graph.out.get(t, ()))
            else:
                out.add(t)
        return out

    units = sorted((reach | {service}) - groups)
    deps = {n: targets(n) - {n} for n in units}
    component = strongly_connected(units, deps)
    comp_deps: dict[int, set[int]] = {}
    for n in units:
        comp_deps.setdefault(component[n], set()).update(component[d] for d in deps[n] if component[d] != component[n])
    wave: dict[int, int] = {}
    for start in sorted(set(component.values())):  # the condensation is a DAG: depth-first, without recursion
        stack = [start]
        while stack:
            c = stack[-1]
            if c in wave:
                stack.pop()
                continue
            pending = [d for d in comp_deps.get(c, ()) if d not in wave]
            if pending:
                stack.extend(pending)
            else:
                wave[c] = 1 + max((wave[d] for d in comp_deps.get(c, ())), default=-1)
                stack.pop()

    by_wave: dict[int, list[str]] = {}
    for n in units:
        by_wave.setdefault(wave[component[n]], []).append(n)
    return tuple(tuple(sorted(by_wave[w])) for w in sorted(by_wave))


def strongly_connected(nodes: list[str], deps: Mapping[str, set[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative): node -> component number. A component is numbered
    after every component it reaches, so ascending numbers put what is reached (depended on) first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comp: dict[str, int] = {}
    counter = 0
    components = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(deps.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(deps.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp[member] = components
                    if member == node:
                        break
                components += 1
    return comp
