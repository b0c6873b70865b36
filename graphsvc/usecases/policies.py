"""Policy compliance (SEMANTICS.md, "Policies"): every rule checked against what its policy governs."""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.analysis import change_rules as rules
from graphsvc.analysis.continuity import closure, continuity
from graphsvc.analysis.exposure import impacted_services
from graphsvc.analysis.impact import compute_impact
from graphsvc.db import changes as dbc
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.domain.changes import RULE_TYPES, PolicyRule
from graphsvc.domain.graph import DependencyGraph
from graphsvc.errors import NotFound
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph

__all__ = ["policy_violations"]


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


async def policy_violations(
    repo: ItemRepository,
    policy_id: str | None = None,
    rule_type: str | None = None,
    cache: GraphCache | None = None,
) -> list[rules.Violation]:
    """Violations of every policy with a rule (or of one policy, or one rule type), by policy, then subject."""
    policies = await dbc.policies(repo, [rule_type] if rule_type else RULE_TYPES)
    if policy_id is not None:
        policies = [p for p in policies if p.id == policy_id]
        if not policies:
            raise NotFound(f"policyId: no policy with a rule has id {policy_id!r}")
    record = (await repo.read(cypher("policies/subjects")))[0]
    items = {row[0]: Subject(*row) for row in record["items"]}
    graph = await whole_graph(repo, cache)
    changes = []
    if any(p.rule_type in ("CHANGE_FREEZE", "MAINTENANCE_WINDOW") for p in policies):
        changes = sorted((await dbc.changes_by_ids(repo, record["changes"])).values(), key=lambda c: c.id)
    found: list[rules.Violation] = []
    for policy in sorted(policies, key=lambda p: p.id):
        if policy.rule_type in ("CHANGE_FREEZE", "MAINTENANCE_WINDOW"):
            for change in changes:
                impact = compute_impact(graph, change.modifies)
                found += rules.violations(change, impact, impacted_services(impact), [policy])
        else:
            found += _check(policy, items, graph)
    return found


def _governed(policy: PolicyRule, items: dict[str, Subject], kind: str) -> list[Subject]:
    pool = [s for s in items.values() if s.kind == kind]
    return sorted((s for s in pool if not policy.governs or s.id in policy.governs), key=lambda s: s.id)


def _check(policy: PolicyRule, items: dict[str, Subject], graph: DependencyGraph) -> list[rules.Violation]:
    """Violations of one non-change rule; CAB_APPROVAL is never one."""
    t, out = policy.rule_type, []
    if t == "OWNER_REQUIRED":
        for s in _governed(policy, items, "SERVICE") + _governed(policy, items, "CONFIGURATION_ITEM"):
            if not s.owned:
                out.append(rules.Violation(policy, t, s.id, f"{s.id} ({s.name}) has no owner"))
    elif t == "CAPACITY_HEADROOM":
        limit = float(policy.rule["maxPercent"])
        via: dict[str, str] = {c.id: "" for c in _governed(policy, items, "CONFIGURATION_ITEM")}
        for svc in _governed(policy, items, "SERVICE"):
            if svc.id in graph.nodes:
                for n in sorted(closure(graph, svc.id)):
                    via.setdefault(n, svc.id)
        for ci_id, service in sorted(via.items()):
            ci = items.get(ci_id)
            if ci is None or ci.kind != "CONFIGURATION_ITEM" or ci.utilization is None or ci.utilization <= limit:
                continue
            concerned = f", which {service} depends on" if service else ""
            message = f"{ci_id} ({ci.name}) runs at {ci.utilization:g}%, above {limit:g}%{concerned}"
            out.append(rules.Violation(policy, t, ci_id, message))
    elif t in ("NO_SINGLE_POINT_OF_FAILURE", "RECOVERY_OBJECTIVES_MET"):
        rto = {i: s.rto for i, s in items.items()}
        rpo = {i: s.rpo for i, s in items.items()}
        worst = int(policy.rule.get("maxCriticality") or 4)
        for svc in _governed(policy, items, "SERVICE"):
            if svc.id not in graph.nodes or (t == "NO_SINGLE_POINT_OF_FAILURE" and (svc.criticality or 4) > worst):
                continue
            c = continuity(graph, svc.id, rto, rpo)
            if t == "NO_SINGLE_POINT_OF_FAILURE":
                about = f"{svc.id} ({svc.name}, criticality {svc.criticality})"
                out += [
                    rules.Violation(policy, t, spof, f"{spof} is a single point of failure of {about}")
                    for spof in c.single_points_of_failure
                ]
            else:
                for label, gaps in (("RTO", c.rto_violations), ("RPO", c.rpo_violations)):
                    out += [
                        rules.Violation(
                            policy,
                            t,
                            g.item,
                            f"{g.item}'s {label} is {g.item_minutes} min but {svc.id} ({svc.name}) needs "
                            f"{g.service_minutes}",
                        )
                        for g in gaps
                    ]
    return out
