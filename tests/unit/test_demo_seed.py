"""The Northwind Retail demo (seeds/demo.json): valid, current, and holding the scenarios seeds/README.md promises."""

from __future__ import annotations

import json
import runpy
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from graphsvc.domain.validation import check_references, validate_structure
from tests.unit.exchange_checks import dangling_references, schema_errors

ROOT = Path(__file__).resolve().parents[2]
DEMO_PATH = ROOT / "seeds" / "demo.json"
_ITEMS = ("services", "configurationItems", "redundancyGroups")


@cache
def demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    return data


def by_id(kind: str) -> dict[str, dict[str, Any]]:
    return {x["id"]: x for x in demo()[kind]}


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def impact(origins: list[str], degraded: list[str] = []) -> dict[str, str]:  # noqa: B006 (never changed)
    """SEMANTICS.md impact (least fixpoint), small and slow: enough to pin the demo's scenarios down. A group's
    quorum is min(minHealthy, live members); a degraded origin is at least DEGRADED."""
    doc = demo()
    live = {x["id"] for k in _ITEMS for x in doc[k] if x.get("status") != "RETIRED"}
    edges: dict[str, list[tuple[str, str]]] = {n: [] for n in live}
    for d in doc["dependencies"]:
        if d["from"] in live and d["to"] in live:
            edges[d["from"]].append((d["to"], d.get("strength", "HARD")))
    groups = {g["id"]: (g["minHealthy"], [m for m in g["members"] if m in live]) for g in doc["redundancyGroups"]}
    status = {n: 2 if n in origins else 0 for n in live}  # 0 OK, 1 DEGRADED, 2 DOWN
    changed = True
    while changed:
        changed = False
        for n in sorted(live - set(origins)):
            if n in groups:
                wanted, members = groups[n]
                quorum = min(wanted, len(set(members)))
                up = sum(status[m] < 2 for m in members)
                new = 2 if up < quorum else int(any(status[m] for m in members))
            else:
                new = max([0] + [2 if status[m] == 2 and s == "HARD" else min(status[m], 1) for m, s in edges[n]])
            if n in degraded:
                new = max(new, 1)
            if new != status[n]:
                status[n], changed = new, True
    return {n: ("DOWN", "DEGRADED")[2 - v] for n, v in status.items() if v}


def test_demo_json_is_what_the_script_builds() -> None:
    built = runpy.run_path(str(ROOT / "seeds" / "build_demo.py"), run_name="graphsvc_demo")["build"]()
    assert json.loads(json.dumps(built)) == demo(), "run `python seeds/build_demo.py` and commit seeds/demo.json"


def test_demo_validates_against_the_schema() -> None:
    assert schema_errors(demo()) == []


def test_ids_are_unique_and_every_reference_resolves() -> None:
    assert dangling_references(demo()) == []  # also fails on an id used twice


def test_the_importer_accepts_the_demo() -> None:
    check_references(validate_structure(demo()), {})  # also rejects repeated ids, edges and list entries


def test_size_and_spread() -> None:
    doc = demo()
    assert len(doc["configurationItems"]) >= 300
    assert len(doc["services"]) >= 25
    assert {s["tier"] for s in doc["services"]} == {"BUSINESS", "TECHNICAL"}
    used = {c.get("site") for c in doc["configurationItems"]}
    assert {"SITE-DC1", "SITE-DC2", "SITE-AWS"} <= used
    assert any(c.get("utilization", 0) > 85 for c in doc["configurationItems"])
    assert all(len(c.get("attributes", {})) for c in doc["configurationItems"] if c["type"] == "SERVER")


def test_requirements_refine_down_all_four_kinds_with_metrics() -> None:
    reqs = by_id("requirements")
    parent_kind = {"SERVICE": "BUSINESS", "OPERATIONAL": "SERVICE", "TECHNOLOGY": "OPERATIONAL"}
    assert {r["kind"] for r in reqs.values()} == {"BUSINESS", "SERVICE", "OPERATIONAL", "TECHNOLOGY"}
    for r in reqs.values():
        assert ("refines" in r) == (r["kind"] != "BUSINESS"), r["id"]
        assert {reqs[p]["kind"] for p in r.get("refines", [])} <= {parent_kind.get(r["kind"])}, r["id"]
    metrics = demo()["metrics"]
    met = [m["current"] >= m["target"] if m["comparator"] == "GTE" else m["current"] <= m["target"] for m in metrics
           if m["current"] is not None]  # fmt: skip
    assert True in met
    assert False in met
    assert any(m["current"] is None for m in metrics)


def test_policies_processes_and_groups() -> None:
    policies = demo()["policies"]
    assert {p["kind"] for p in policies} == {
        "POLICY",
        "PRACTICE",
        "PROCEDURE",
        "GUIDELINE",
        "STANDARD",
        "CONVENTION",
        "RULE",
    }
    rules = {p["rule"]["type"]: p["rule"] for p in policies if "rule" in p}
    assert set(rules) == {
        "CHANGE_FREEZE", "MAINTENANCE_WINDOW", "CAB_APPROVAL", "NO_SINGLE_POINT_OF_FAILURE",
        "RECOVERY_OBJECTIVES_MET", "OWNER_REQUIRED", "CAPACITY_HEADROOM",
    }  # fmt: skip
    assert rules["CAPACITY_HEADROOM"]["maxPercent"] == 85
    assert rules["CAB_APPROVAL"]["minRiskLevel"] == "HIGH"
    assert any("governs" in p for p in policies)
    assert any("governs" not in p for p in policies)
    assert any("rule" not in p for p in policies)
    processes = by_id("processes")
    for key in ("BUSINESS-STRATEGY", "SERVICE-PLANNING", "ORGANIZATIONAL-PLANNING", "TECHNOLOGY-PLANNING"):
        assert processes[f"PROC-{key}"]["area"] == "REQUIREMENTS_DEFINITION"
    for key in ("SERVICE-LEVEL", "AVAILABILITY", "CAPACITY", "FINANCIAL", "CONTINUITY", "PERFORMANCE", "INCIDENT",
                "CHANGE", "PROBLEM", "RELEASE", "CONFIGURATION"):  # fmt: skip
        assert processes[f"PROC-{key}"]["interfacesWith"]
    assert processes["PROC-SERVICE-DESK"]["area"] == "FUNCTION"
    groups = {g["id"]: (len(g["members"]), g["minHealthy"]) for g in demo()["redundancyGroups"]}
    assert groups["RG-DB-ORDERS"] == (3, 2)
    assert groups["RG-STOREFRONT-WEB"] == (4, 2)
    assert groups["RG-DC1-LB"] == (2, 1)


def test_estate_oddities_are_present() -> None:
    doc, cis, services = demo(), by_id("configurationItems"), by_id("services")
    assert cis["CI-ORA-FINANCE-OLD"]["status"] == "RETIRED"
    assert services["SVC-MOBILE-APP"]["status"] == "PLANNED"
    assert sum(d.get("strength") == "SOFT" for d in doc["dependencies"]) >= 2
    pairs = {(d["from"], d["to"]) for d in doc["dependencies"]}
    assert {("CI-APP-ORDERS", "CI-APP-INVENTORY"), ("CI-APP-INVENTORY", "CI-APP-ORDERS")} <= pairs  # a cycle
    assert "owner" not in cis["CI-DC1-FTP-LEGACY-01"]
    assert "owner" not in services["SVC-LOGGING"]
    assert "SVC-GIFT-CARDS" not in {c["service"] for c in doc["consumption"]} | {s["service"] for s in doc["slas"]}
    members = {m for g in doc["redundancyGroups"] for m in g["members"]}
    assert "CI-DC1-FTP-LEGACY-01" not in {d["to"] for d in doc["dependencies"]} | members  # an orphan
    assert "rtoMinutes" not in cis["CI-PG-INVENTORY-01"]
    # single points of failure: HANA (RTO 480) under ERP (RTO 240); the inventory DB with no RTO at all
    assert impact(["CI-HANA-ERP-01"])["SVC-ERP"] == "DOWN"
    assert cis["CI-HANA-ERP-01"]["rtoMinutes"] > services["SVC-ERP"]["rtoMinutes"]
    assert impact(["CI-PG-INVENTORY-01"])["SVC-INVENTORY"] == "DOWN"


def test_change_scenarios() -> None:
    changes, doc = by_id("changes"), demo()
    assert {c["status"] for c in changes.values()} == {
        "DRAFT", "SUBMITTED", "APPROVED", "SCHEDULED", "IMPLEMENTED", "FAILED", "CANCELLED",
    }  # fmt: skip
    assert {c["type"] for c in changes.values()} == {"STANDARD", "NORMAL", "EMERGENCY"}
    a, b = changes["CHG-1002"], changes["CHG-1003"]  # COMPOUNDED: one node each of a 3-node, quorum-2 cluster
    assert ts(a["plannedStart"]) < ts(b["plannedEnd"])
    assert ts(b["plannedStart"]) < ts(a["plannedEnd"])
    assert impact(a["modifies"]).get("SVC-ORDERS") == impact(b["modifies"]).get("SVC-ORDERS") == "DEGRADED"
    assert impact(a["modifies"] + b["modifies"])["SVC-ORDERS"] == "DOWN"
    freeze = next(p["rule"] for p in doc["policies"] if p.get("rule", {}).get("type") == "CHANGE_FREEZE")
    for cid in ("CHG-1004", "CHG-1005"):
        assert ts(freeze["from"]) <= ts(changes[cid]["plannedStart"]) < ts(freeze["to"])
    assert changes["CHG-1005"]["type"] == "EMERGENCY"
    assert ts(changes["CHG-1006"]["plannedStart"]).weekday() < 5  # outside SAT/SUN 01-05
    assert changes["CHG-1020"]["modifies"] == changes["CHG-1021"]["modifies"]  # SAME_ITEM
    assert "CI-APP-WMS" in impact(changes["CHG-1024"]["modifies"])  # DEPENDENT_ITEM with CHG-1016


def test_incident_scenarios() -> None:
    incidents, doc = by_id("incidents"), demo()
    one, two = incidents["INC-5017"], incidents["INC-5018"]  # two cluster nodes down at once
    assert ts(two["openedAt"]) < ts(one["resolvedAt"])
    assert impact(one["affects"] + two["affects"])["SVC-ORDERS"] == "DOWN"
    burst = [incidents[f"INC-{k}"] for k in range(5031, 5035)]  # four apps on dc1-san-01 within the hour
    assert ts(burst[-1]["openedAt"]) - ts(burst[0]["openedAt"]) <= timedelta(minutes=60)
    assert all(impact(["CI-DC1-SAN-01"]).get(i["affects"][0]) == "DOWN" for i in burst)
    vms = {f"CI-DC1-APP-{app}-01" for app in ("LOYALTY", "CARRIER", "POS-SYNC", "FINANCE-REPORTING")}
    hosts = {d["to"] for d in doc["dependencies"] if d["kind"] == "HOSTED_ON" and d["from"] in vms}
    assert len(hosts) == 4  # on different hypervisors, so the array is their nearest common dependency
    san = next(c for c in doc["changes"] if c["id"] == "CHG-1001")
    assert san["modifies"] == ["CI-DC1-SAN-01"]
    assert ts(san["implementedAt"]) < ts(burst[0]["openedAt"])
    assert {i["priority"] for i in incidents.values()} == {"P1", "P2", "P3", "P4"}
    assert {i["status"] for i in incidents.values()} == {"OPEN", "RESOLVED", "CLOSED"}
    problems = by_id("problems")
    assert {p["status"] for p in problems.values()} == {"OPEN", "KNOWN_ERROR", "RESOLVED"}
    assert problems["PRB-0301"]["causedBy"] == ["CI-DC1-SAN-01"]
    assert "workaround" in problems["PRB-0301"]
