"""Governance and records for the synthetic CMDB: requirements and metrics, ITIL processes, policies,
incidents, problems, changes and releases.

Split out of `graphsvc.synth` to keep modules small; `add_records` continues with the generator's own
`random.Random`, so the whole document stays deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["BASE", "PROCESSES", "Topology", "add_records", "make_requirements", "money", "stamp"]

_Doc = dict[str, Any]

BASE = datetime(2026, 10, 1, tzinfo=UTC)  # a Thursday; minute offsets below count from here
_DAY = 1440
_MONTH = 31 * _DAY

# id, name, area, purpose, interfacesWith
PROCESSES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("PROC-BUSINESS-STRATEGY", "Business strategy planning", "REQUIREMENTS_DEFINITION",
     "Turn business goals into business requirements", ("PROC-SERVICE-PLANNING",)),
    ("PROC-SERVICE-PLANNING", "Service planning", "REQUIREMENTS_DEFINITION",
     "Derive service requirements from business requirements",
     ("PROC-BUSINESS-STRATEGY", "PROC-ORGANIZATIONAL-PLANNING", "PROC-TECHNOLOGY-PLANNING", "PROC-SERVICE-LEVEL")),
    ("PROC-ORGANIZATIONAL-PLANNING", "Organizational planning", "REQUIREMENTS_DEFINITION",
     "Derive operational requirements: people, roles and processes", ("PROC-SERVICE-PLANNING",)),
    ("PROC-TECHNOLOGY-PLANNING", "Technology planning", "REQUIREMENTS_DEFINITION",
     "Derive technology requirements and standards", ("PROC-SERVICE-PLANNING", "PROC-CAPACITY")),
    ("PROC-SERVICE-LEVEL", "Service level management", "SERVICE_DELIVERY",
     "Agree, monitor and report service levels",
     ("PROC-AVAILABILITY", "PROC-CAPACITY", "PROC-FINANCIAL", "PROC-CONTINUITY", "PROC-SERVICE-DESK")),
    ("PROC-AVAILABILITY", "Availability management", "SERVICE_DELIVERY",
     "Design and measure availability", ("PROC-SERVICE-LEVEL", "PROC-CONTINUITY", "PROC-PROBLEM")),
    ("PROC-CAPACITY", "Capacity management", "SERVICE_DELIVERY",
     "Keep capacity ahead of demand", ("PROC-SERVICE-LEVEL", "PROC-PERFORMANCE")),
    ("PROC-FINANCIAL", "Financial management for IT services", "SERVICE_DELIVERY",
     "Budget, account for and charge IT costs", ("PROC-SERVICE-LEVEL", "PROC-CONFIGURATION")),
    ("PROC-CONTINUITY", "IT service continuity management", "SERVICE_DELIVERY",
     "Recover services within their RTO and RPO", ("PROC-AVAILABILITY", "PROC-CHANGE")),
    ("PROC-PERFORMANCE", "Performance management", "SERVICE_DELIVERY",
     "Monitor and tune response times and throughput", ("PROC-CAPACITY", "PROC-INCIDENT")),
    ("PROC-INCIDENT", "Incident management", "SERVICE_SUPPORT",
     "Restore normal service as fast as possible",
     ("PROC-PROBLEM", "PROC-SERVICE-DESK", "PROC-CONFIGURATION", "PROC-CHANGE")),
    ("PROC-PROBLEM", "Problem management", "SERVICE_SUPPORT",
     "Find and remove root causes", ("PROC-INCIDENT", "PROC-CHANGE", "PROC-CONFIGURATION")),
    ("PROC-CHANGE", "Change management", "SERVICE_SUPPORT",
     "Assess, approve and schedule changes", ("PROC-RELEASE", "PROC-CONFIGURATION", "PROC-PROBLEM")),
    ("PROC-RELEASE", "Release management", "SERVICE_SUPPORT",
     "Build, test and deploy releases", ("PROC-CHANGE", "PROC-CONFIGURATION")),
    ("PROC-CONFIGURATION", "Configuration management", "SERVICE_SUPPORT",
     "Keep the CMDB accurate", ("PROC-CHANGE", "PROC-INCIDENT")),
    ("PROC-SERVICE-DESK", "Service desk", "FUNCTION",
     "Single point of contact for users", ("PROC-INCIDENT", "PROC-CHANGE", "PROC-SERVICE-LEVEL")),
)  # fmt: skip

_SYMPTOMS = ("Timeouts on", "High latency on", "Errors from", "Unreachable:", "Disk full on", "CPU saturation on")
_CHANGE_WORDS = ("Patch", "Upgrade", "Reconfigure", "Replace", "Resize", "Certificate renewal for")
_CHANGE_STATUSES = (
    ("IMPLEMENTED",) * 7
    + ("FAILED", "CANCELLED", "CANCELLED")
    + ("SCHEDULED",) * 3
    + (
        "APPROVED",
        "APPROVED",
        "SUBMITTED",
        "SUBMITTED",
        "DRAFT",
        "DRAFT",
    )
)
_DONE = frozenset({"IMPLEMENTED", "FAILED", "CANCELLED"})


def stamp(minutes: int) -> str:
    """The RFC 3339 UTC time `minutes` after BASE."""
    return (BASE + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(cents: int) -> str:
    """A Money string with two decimals."""
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass
class Topology:
    """What the record generators need to know about the generated estate."""

    cis: list[_Doc]  # all configuration items, CI-<n> at position n - 1
    live: list[str]  # ids of the CIs that are not RETIRED, in id order
    business: list[_Doc]
    technical: list[_Doc]
    clusters: list[_Doc]  # database redundancy groups
    dependents: dict[str, list[str]]  # hub id -> a few of its direct dependents
    _service_names: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._service_names = {s["id"]: s["name"] for s in self.business + self.technical}

    def ci(self, cid: str) -> _Doc:
        """The CI with id `cid` (ids are sequential, so this is an index, not a search)."""
        return self.cis[int(cid[3:]) - 1]

    def name(self, item: str) -> str:
        """The display name of a CI or service."""
        if item.startswith("CI-"):
            return str(self.ci(item)["name"])
        return self._service_names.get(item, item)


def _metric(rand: Callable[[], float], mid: str, req: str, kind: str) -> _Doc:
    name, unit, target, comparator, spread = {
        "BUSINESS": ("Revenue growth", "%", 5.0, "GTE", 10.0),
        "SERVICE": ("Availability", "%", 99.9, "GTE", 0.2),
        "OPERATIONAL": ("Mean time to restore", "min", 60.0, "LTE", 60.0),
        "TECHNOLOGY": ("Peak utilisation", "%", 80.0, "LTE", 25.0),
    }[kind]
    current = None if rand() < 0.05 else round(target + spread * (rand() - 0.6), 2)
    return {
        "id": mid,
        "name": name,
        "requirement": req,
        "unit": unit,
        "target": target,
        "comparator": comparator,
        "current": current,
    }


def make_requirements(
    rng: random.Random, units: list[str], business: list[_Doc], technical: list[_Doc], first_user: dict[str, str]
) -> tuple[list[_Doc], list[_Doc]]:
    """Requirements refined BUSINESS -> SERVICE -> OPERATIONAL -> TECHNOLOGY, and their metrics.

    `first_user` maps a technical service to a business service that uses it: its OPERATIONAL requirement
    refines that service's SERVICE requirement. Services get `satisfies` filled in.
    """
    rand = rng.random
    reqs: list[_Doc] = []
    metrics: list[_Doc] = []
    width = max(4, len(str(2 * len(units) + len(business) + len(technical))))

    def add(kind: str, name: str, parents: list[str], raised: list[str], by: _Doc | None) -> str:
        rid = f"REQ-{len(reqs) + 1:0{width}d}"
        req: _Doc = {"id": rid, "name": name, "kind": kind, "priority": 1 + int(rand() * 4)}
        if parents:
            req["refines"] = parents
        if raised:
            req["raisedBy"] = raised
        reqs.append(req)
        if by is not None:
            by.setdefault("satisfies", []).append(rid)
        if rand() < 0.8:
            metrics.append(_metric(rand, f"MET-{len(metrics) + 1:0{width}d}", rid, kind))
        return rid

    goals = [add("BUSINESS", f"Business goal {k + 1} of {bu}", [], [bu], None) for k, bu in enumerate(units * 2)]
    by_service: dict[str, str] = {}
    for svc in business:
        goal = goals[int(rand() * len(goals))]
        owner = svc if rand() < 0.9 else None
        by_service[svc["id"]] = add("SERVICE", f"{svc['name']} service levels", [goal], [], owner)
    service_reqs = list(by_service.values())
    operational: list[str] = []
    for k, svc in enumerate(technical):
        if k % 2 == 0:
            parent = by_service.get(first_user.get(svc["id"], ""), service_reqs[int(rand() * len(service_reqs))])
            operational.append(add("OPERATIONAL", f"{svc['name']} operations", [parent], [], svc))
        elif k % 4 == 1 and operational:
            parent = operational[int(rand() * len(operational))]
            add("TECHNOLOGY", f"{svc['name']} technology standard", [parent], [], svc)
    return reqs, metrics


def add_records(doc: _Doc, rng: random.Random, topo: Topology, *, incidents: int) -> None:
    """Add policies, processes, incidents, problems, changes and releases to `doc`."""
    doc["policies"] = _policies(topo)
    doc["processes"] = [
        {"id": pid, "name": name, "area": area, "purpose": purpose, "interfacesWith": list(peers)}
        for pid, name, area, purpose, peers in PROCESSES
    ]
    problems: list[_Doc] = []
    doc["incidents"] = _incidents(rng, topo, incidents, problems)
    doc["problems"] = problems
    doc["changes"], doc["releases"] = _changes(rng, topo, max(4, min(20_000, len(topo.cis) // 20)), problems)


def _policies(topo: Topology) -> list[_Doc]:
    critical = [s["id"] for s in topo.business if s["criticality"] == 1 and s["status"] == "ACTIVE"][:25]
    platform = [s["id"] for s in topo.technical[: max(1, len(topo.technical) // 20)]][:25]
    freeze = {
        "type": "CHANGE_FREEZE",
        "from": "2026-11-23T00:00:00Z",
        "to": "2027-01-04T00:00:00Z",
        "allowEmergency": True,
    }
    window = {"type": "MAINTENANCE_WINDOW", "weekdays": ["SAT", "SUN"], "startHour": 1, "endHour": 5, "timezone": "UTC"}
    table: tuple[tuple[str, str, str, _Doc | None, list[str]], ...] = (
        ("POLICY", "Peak trading change freeze", "No changes to critical services in peak trading.", freeze, critical),
        ("STANDARD", "Weekend maintenance window", "Planned changes run Saturday or Sunday 01:00-05:00.", window, []),
        ("PROCEDURE", "CAB review of high-risk changes", "The CAB approves changes of HIGH risk or above.",
         {"type": "CAB_APPROVAL", "minRiskLevel": "HIGH"}, []),
        ("RULE", "No single point of failure for critical services", "Mission-critical services need redundancy.",
         {"type": "NO_SINGLE_POINT_OF_FAILURE", "maxCriticality": 1}, []),
        ("RULE", "Platform services avoid single points of failure", "Shared platforms need redundancy.",
         {"type": "NO_SINGLE_POINT_OF_FAILURE", "maxCriticality": 2}, platform),
        ("STANDARD", "Recovery objectives are achievable", "Every dependency recovers within the service RTO/RPO.",
         {"type": "RECOVERY_OBJECTIVES_MET"}, critical),
        ("RULE", "Every item has an owner", "Each service and CI has an owning team.", {"type": "OWNER_REQUIRED"}, []),
        ("GUIDELINE", "Capacity headroom", "Keep peak utilisation at or below 85%.",
         {"type": "CAPACITY_HEADROOM", "maxPercent": 85}, []),
        ("PRACTICE", "Blameless post-incident reviews", "Every P1 incident gets a review within five days.",
         None, ["PROC-INCIDENT", "PROC-PROBLEM"]),
        ("CONVENTION", "Host naming", "Hostnames read <site>-<role>-<number>.", None, []),
        ("POLICY", "Information security", "Access follows least privilege.", None, []),
        ("PROCEDURE", "Emergency change procedure", "The ECAB approves emergency changes.", None, ["PROC-CHANGE"]),
    )  # fmt: skip
    policies: list[_Doc] = []
    for k, (kind, name, statement, rule, governs) in enumerate(table):
        policy: _Doc = {"id": f"POL-{k + 1:04d}", "name": name, "kind": kind, "statement": statement}
        if rule is not None:
            policy["rule"] = rule
        if governs:
            policy["governs"] = governs
        policies.append(policy)
    return policies


def _problem(rng: random.Random, problems: list[_Doc], cause: str, name: str) -> str:
    pid = f"PRB-{len(problems) + 1:06d}"
    status = ("OPEN", "KNOWN_ERROR", "RESOLVED")[int(rng.random() * 3)]
    problem: _Doc = {"id": pid, "title": f"Recurring failures traced to {name}", "status": status, "causedBy": [cause]}
    if status != "OPEN":
        problem["rootCause"] = f"Fault in {name}"
    if status == "KNOWN_ERROR":
        problem["workaround"] = f"Fail over or restart {name}"
    problems.append(problem)
    return pid


def _incidents(rng: random.Random, topo: Topology, n: int, problems: list[_Doc]) -> list[_Doc]:
    """`n` incidents over October 2026: cluster double failures, correlated bursts, then isolated ones."""
    rand = rng.random
    events: list[tuple[int, int, str, str, str | None]] = []  # minute, sequence, affected id, priority, problem
    for group in topo.clusters[: max(1, n // 200)]:
        if len(events) + 2 > n:
            break
        t = int(rand() * (_MONTH - 120))
        for j, member in enumerate(group["members"][:2]):
            events.append((t + j * (10 + int(rand() * 40)), len(events), member, "P2", None))
    hubs = [h for h, seen in topo.dependents.items() if h.startswith("CI-") and len(seen) >= 3]
    while hubs and len(events) + 3 <= n and len(events) < 0.35 * n:
        hub = hubs[int(rand() * len(hubs))]
        victims = [v for v in topo.dependents[hub] if topo.ci(v)["status"] != "RETIRED"]
        size = min(len(victims), 3 + int(rand() * 3), n - len(events))
        if size < 3:
            hubs.remove(hub)
            continue
        pid = _problem(rng, problems, hub, topo.name(hub)) if rand() < 0.6 else None
        t = int(rand() * (_MONTH - 60))
        for v in victims[:size]:
            events.append((t + int(rand() * 55), len(events), v, ("P2", "P3")[int(rand() * 2)], pid))
    services = [s["id"] for s in topo.business + topo.technical if s["status"] == "ACTIVE"]
    pool = topo.live or services
    while len(events) < n:
        item = services[int(rand() * len(services))] if services and rand() < 0.2 else pool[int(rand() * len(pool))]
        events.append((int(rand() * _MONTH), len(events), item, ("P1", "P2", "P3", "P3", "P4")[int(rand() * 5)], None))
    for _ in range(max(1, n // 10) - len(problems) if n and topo.live else 0):
        cause = topo.live[int(len(topo.live) * rand() ** 2)]
        _problem(rng, problems, cause, topo.name(cause))
    events.sort()
    width = max(6, len(str(n)))
    out: list[_Doc] = []
    for k, (t, _, item, priority, pid) in enumerate(events):
        minutes = (30, 120, 480, 1440)[int(priority[1]) - 1] + int(rand() * 240)
        still_open = t + minutes > _MONTH - 2 * _DAY and rand() < 0.7
        incident: _Doc = {
            "id": f"INC-{k + 1:0{width}d}",
            "title": f"{_SYMPTOMS[int(rand() * len(_SYMPTOMS))]} {topo.name(item)}",
            "priority": priority,
            "status": "OPEN" if still_open else ("RESOLVED" if t > _MONTH - 7 * _DAY else "CLOSED"),
            "openedAt": stamp(t),
            "resolvedAt": None if still_open else stamp(t + minutes),
            "affects": [item],
        }
        if pid is not None:
            incident["problem"] = pid
        out.append(incident)
    return out


def _weekend_start(day: int) -> int:
    """01:00 UTC on the first Saturday or Sunday from `day` (days after BASE, a Thursday)."""
    while (3 + day) % 7 not in (5, 6):
        day += 1
    return day * _DAY + 60


def _changes(rng: random.Random, topo: Topology, n: int, problems: list[_Doc]) -> tuple[list[_Doc], list[_Doc]]:
    """`n` changes of every status and type, and releases grouping some of them."""
    rand = rng.random
    pool = topo.live or [s["id"] for s in topo.business + topo.technical]
    releases = [{"id": f"REL-{k + 1:05d}", "name": f"Release 2026.{k + 1}", "version": f"2026.{k + 1}.0"}
                for k in range(max(1, n // 10))]  # fmt: skip
    fixed = [p["id"] for p in problems if p["status"] == "RESOLVED"]
    specs: list[tuple[str, str, int, int, list[str]]] = []  # type, status, start, minutes, modifies
    triple = next((g for g in topo.clusters if len(g["members"]) == 3 and g["minHealthy"] == 2), None)
    if triple is not None:  # two changes, same window, each on its own node: together they break quorum
        start = _weekend_start(37)
        specs += [("NORMAL", "SCHEDULED", start, 120, [m]) for m in triple["members"][:2]]
    specs.append(("NORMAL", "SCHEDULED", _weekend_start(65), 120, [pool[0]]))  # inside the peak freeze
    specs.append(("EMERGENCY", "APPROVED", 70 * _DAY + 14 * 60, 90, [pool[-1]]))
    while len(specs) < n:
        status = _CHANGE_STATUSES[int(rand() * len(_CHANGE_STATUSES))]
        first, last = (-30, 31) if status in _DONE else (31, 92)
        day = first + int(rand() * (last - first))
        start = _weekend_start(day) if rand() < 0.6 else day * _DAY + int(rand() * 24) * 60
        kind = ("STANDARD", "NORMAL", "NORMAL", "EMERGENCY")[int(rand() * 4)]
        modifies = sorted({pool[int(len(pool) * rand() ** 2)] for _ in range(1 + int(rand() * 2))})
        specs.append((kind, status, start, 60 * (1 + int(rand() * 3)), modifies))
    changes: list[_Doc] = []
    for k, (kind, status, start, minutes, modifies) in enumerate(specs[:n]):
        words = _CHANGE_WORDS[int(rand() * len(_CHANGE_WORDS))]
        change: _Doc = {
            "id": f"CHG-{k + 1:06d}",
            "title": f"{words} {topo.name(modifies[0])}",
            "type": kind,
            "status": status,
            "plannedStart": stamp(start),
            "plannedEnd": stamp(start + minutes),
            "modifies": modifies,
        }
        if status in ("IMPLEMENTED", "FAILED"):
            change["implementedAt"] = stamp(start + minutes - int(rand() * 30))
        if rand() < 0.3:
            change["release"] = releases[int(rand() * len(releases))]["id"]
        if status == "IMPLEMENTED" and fixed and rand() < 0.1:
            change["resolves"] = [fixed[int(rand() * len(fixed))]]
        changes.append(change)
    return changes, releases
