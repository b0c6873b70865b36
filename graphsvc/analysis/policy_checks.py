"""Policy rules checked over the dependency graph: who owns what, capacity headroom, single points of failure,
recovery objectives, and the change rules (freezes, maintenance windows) over each pending change's impact.

Pure: usecases/policies.py reads the policies, the items they may govern, the graph and the pending changes, and
hands them here. Violations come by policy, then subject.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graphsvc.analysis import change_rules as rules
from graphsvc.analysis.continuity import closure, single_points_of_failure, strongly_connected
from graphsvc.analysis.exposure import ImpactedService, impacted_services
from graphsvc.analysis.impact import Impact, compute_impact
from graphsvc.domain.changes import ChangeRecord, PolicyRule
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.packed import HARD, KINDS, MEMBERSHIP, PackedGraph, numpy
from graphsvc.domain.vocabulary import Kind

__all__ = ["SpofFinder", "Subject", "violations"]


@dataclass(frozen=True)
class Subject:
    id: str
    kind: str
    name: str
    criticality: int | None
    utilization: float | None
    rto: int | None
    rpo: int | None
    owned: bool


def violations(
    policies: Sequence[PolicyRule],
    items: dict[str, Subject],
    graph: DependencyGraph,
    changes: Sequence[ChangeRecord],
) -> list[rules.Violation]:
    """Violations of `policies`: the change rules over `changes` (by id), the others over `items` and `graph`."""
    impacts: dict[str, tuple[Impact, tuple[ImpactedService, ...]]] = {}  # by change, shared by the change rules
    spofs = SpofFinder(graph, wide=any(p.rule_type in _SPOF_RULES and not p.governs for p in policies))
    found: list[rules.Violation] = []
    for policy in sorted(policies, key=lambda p: p.id):
        if policy.rule_type in ("CHANGE_FREEZE", "MAINTENANCE_WINDOW"):
            reach = _reach(graph, policy)
            for change in changes:
                if not rules.may_violate(policy, change):
                    continue  # what decides it needs no impact: most changes are done with here
                if reach is not None and reach.isdisjoint(change.modifies):
                    continue  # it can touch nothing the policy governs
                if change.id not in impacts:
                    impact = compute_impact(graph, change.modifies)
                    impacts[change.id] = (impact, impacted_services(impact))
                impact, services = impacts[change.id]
                found += rules.violations(change, impact, services, [policy])
        else:
            found += _check(policy, items, graph, spofs)
    return found


def _reach(graph: DependencyGraph, policy: PolicyRule) -> set[str] | None:
    """What a change must modify for its impact to reach an item the policy governs: those items and their
    closures. None when that is no filter: the policy governs everything."""
    if not policy.governs:
        return None
    reach = set(policy.governs)
    for item in policy.governs:
        if item in graph.nodes:
            reach |= closure(graph, item)
    return reach


_SPOF_RULES = ("NO_SINGLE_POINT_OF_FAILURE", "RECOVERY_OBJECTIVES_MET")


class SpofFinder:
    """The single points of failure of any service of the graph, from one pass over the whole graph.

    `continuity.single_points_of_failure` solves the killers K(n) (the single failures that take n DOWN) over the
    closure of one service. K(n) depends on n's own closure only, so it is the same whichever service's closure n
    is found in: policies that look at thousands of services solve every node once, here, the same equations in
    the same order (strongly connected components dependencies first, iterating inside each).
    """

    def __init__(self, graph: DependencyGraph, *, wide: bool) -> None:
        self.graph = graph
        self.wide = wide  # a rule over every service: solve the whole graph once, not service by service
        self._killers: dict[str, frozenset[str]] | None = None

    def of(self, service: str) -> tuple[str, ...]:
        """The CIs and services in D(service) whose loss alone takes it DOWN, by id."""
        if not self.wide:  # a few governed services: their closures are cheaper than the whole graph
            return single_points_of_failure(self.graph, service, closure(self.graph, service))
        killers = self._solve() if self._killers is None else self._killers
        reach = killers[service] - {service}
        kinds = (Kind.CONFIGURATION_ITEM, Kind.SERVICE)
        return tuple(sorted(c for c in reach if c != service and self.graph.nodes[c].kind in kinds))

    def _solve(self) -> dict[str, frozenset[str]]:
        graph = self.graph
        hard, members = _down_edges(graph)
        killers: dict[str, frozenset[str]] = {}

        def solve(n: str) -> frozenset[str]:
            if n in members or graph.is_group(n):
                total, need = graph.members_total.get(n, 0), graph.quorum(n)
                counts: dict[str, int] = {}  # member deaths per failure
                for m in members.get(n, ()):
                    for c in killers.get(m, frozenset({m})):
                        counts[c] = counts.get(c, 0) + 1
                return frozenset({n}) | {c for c, k in counts.items() if total - k < need}
            found = {n}
            for d in hard.get(n, ()):
                found |= killers.get(d, frozenset({d}))
            return frozenset(found)

        for component in _dependencies_first(sorted(graph.nodes), hard, members):
            changed = True
            while changed:
                changed = False
                for n in component:
                    new = solve(n)
                    if n not in killers or new != killers[n]:
                        killers[n], changed = new, True
        self._killers = killers
        return killers


def _down_edges(graph: DependencyGraph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each service's and CI's HARD dependencies, and each group's members, by id, in the order of `graph.out`. From
    a packed graph's columns when it is one (domain/packed.py): at 1M CIs, no `Edge` made for two million edges."""
    hard: dict[str, list[str]] = {}
    members: dict[str, list[str]] = {}
    packed: PackedGraph | None = graph.derived.get("packed")
    if packed is None:
        for n in graph.nodes:
            group = graph.is_group(n)
            for e in graph.out.get(n, ()):
                if group:
                    if e.membership:
                        members.setdefault(n, []).append(e.target)
                elif e.hard and not e.membership:
                    hard.setdefault(n, []).append(e.target)
        return hard, members
    flags, start = numpy(packed.out_flags), numpy(packed.out_start)
    sources = np.repeat(np.arange(len(packed.ids)), np.diff(start))  # out rows are by source number, as graph.out
    group = numpy(packed.kind)[sources] == KINDS.index(Kind.REDUNDANCY_GROUP)
    membership = (flags & MEMBERSHIP) != 0
    ids, targets = packed.ids, numpy(packed.out_target)
    for found, chosen in ((members, group & membership), (hard, ~group & ~membership & ((flags & HARD) != 0))):
        for s, t in zip(sources[chosen].tolist(), targets[chosen].tolist(), strict=True):
            found.setdefault(ids[s], []).append(ids[t])
    return hard, members


def _dependencies_first(nodes: list[str], hard: dict[str, list[str]], members: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of the HARD and membership edges, what is depended on first: Kahn's
    algorithm for everything outside a cycle, Tarjan for what is left."""
    dependents: dict[str, list[str]] = {}
    left_deps = {}
    for n in nodes:
        deps = set(hard.get(n, ())) | set(members.get(n, ()))
        deps.discard(n)
        left_deps[n] = len(deps)
        for d in deps:
            dependents.setdefault(d, []).append(n)
    queue = deque(n for n in nodes if left_deps[n] == 0)
    order: list[list[str]] = []
    while queue:
        n = queue.popleft()
        order.append([n])
        for m in dependents.get(n, ()):
            left_deps[m] -= 1
            if left_deps[m] == 0:
                queue.append(m)
    left = [n for n in nodes if left_deps[n] > 0]
    if left:
        rest = set(left)
        deps_left = {n: {d for d in (*hard.get(n, ()), *members.get(n, ())) if d in rest} for n in left}
        comp = strongly_connected(left, deps_left)
        by_comp: dict[int, list[str]] = {}
        for n in left:
            by_comp.setdefault(comp[n], []).append(n)
        order += [by_comp[c] for c in sorted(by_comp)]  # Tarjan: ascending numbers put dependencies first
    return order


def _governed(policy: PolicyRule, items: dict[str, Subject], kind: str) -> list[Subject]:
    pool = [s for s in items.values() if s.kind == kind]
    return sorted((s for s in pool if not policy.governs or s.id in policy.governs), key=lambda s: s.id)


def _first_services(graph: DependencyGraph, services: list[str], want: set[str], via: dict[str, str]) -> None:
    """For each node of `want` not in `via`, the first of `services` (in order) whose closure holds it.

    One walk for all services: a node reached by an earlier service has its whole closure reached already, so it is
    not walked again."""
    missing = want - via.keys()
    seen: set[str] = set()
    for svc in services:
        if not missing:
            return
        if svc in seen:
            continue
        queue = deque([svc])
        while queue:
            for edge in graph.out.get(queue.popleft(), ()):
                t = edge.target
                if t not in seen and t != svc:
                    seen.add(t)
                    if t not in via:
                        via[t] = svc
                        missing.discard(t)
                    queue.append(t)


def _check(
    policy: PolicyRule, items: dict[str, Subject], graph: DependencyGraph, spofs: SpofFinder
) -> list[rules.Violation]:
    """Violations of one non-change rule; CAB_APPROVAL is never one."""
    t, out = policy.rule_type, []
    if t == "OWNER_REQUIRED":
        for s in _governed(policy, items, "SERVICE") + _governed(policy, items, "CONFIGURATION_ITEM"):
            if not s.owned:
                out.append(rules.Violation(policy, t, s.id, f"{s.id} ({s.name}) has no owner"))
    elif t == "CAPACITY_HEADROOM":
        limit = float(policy.rule["maxPercent"])
        via: dict[str, str] = {c.id: "" for c in _governed(policy, items, "CONFIGURATION_ITEM")}
        hot = {
            i
            for i, s in items.items()
            if s.kind == "CONFIGURATION_ITEM" and s.utilization is not None and s.utilization > limit
        }
        services = [svc.id for svc in _governed(policy, items, "SERVICE") if svc.id in graph.nodes]
        _first_services(graph, services, hot, via)
        for ci_id, service in sorted((i, via[i]) for i in hot if i in via):
            ci = items[ci_id]
            concerned = f", which {service} depends on" if service else ""
            message = f"{ci_id} ({ci.name}) runs at {ci.utilization:g}%, above {limit:g}%{concerned}"
            out.append(rules.Violation(policy, t, ci_id, message))
    elif t in ("NO_SINGLE_POINT_OF_FAILURE", "RECOVERY_OBJECTIVES_MET"):
        worst = int(policy.rule.get("maxCriticality") or 4)
        for svc in _governed(policy, items, "SERVICE"):
            if svc.id not in graph.nodes or (t == "NO_SINGLE_POINT_OF_FAILURE" and (svc.criticality or 4) > worst):
                continue
            found = spofs.of(svc.id)
            if t == "NO_SINGLE_POINT_OF_FAILURE":
                about = f"{svc.id} ({svc.name}, criticality {svc.criticality})"
                out += [
                    rules.Violation(policy, t, spof, f"{spof} is a single point of failure of {about}")
                    for spof in found
                ]
                continue
            for label, needed, of in (("RTO", svc.rto, "rto"), ("RPO", svc.rpo, "rpo")):
                if needed is None:
                    continue
                for c in found:
                    item = items.get(c)
                    minutes = getattr(item, of) if item is not None else None
                    if minutes is not None and minutes > needed:
                        message = f"{c}'s {label} is {minutes} min but {svc.id} ({svc.name}) needs {needed}"
                        out.append(rules.Violation(policy, t, c, message))
    return out
