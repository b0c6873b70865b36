"""requirements.graphql as written (all four operations) on the demo CMDB, plus capacityRisks."""

from __future__ import annotations

from typing import Any

from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation
from tests.unit.test_demo_seed import by_id

DOC = operation("requirements.graphql", "Processes")


def run(api: GraphQLClient, name: str, variables: dict[str, Any] | None = None) -> Any:
    return api.data(DOC, variables or {}, name)


def test_requirements_document_validates() -> None:
    assert validate(build_schema()._schema, parse((OPERATIONS / "requirements.graphql").read_text())) == []


def test_compliance_gives_every_designed_outcome(demo_api: GraphQLClient) -> None:
    rows = run(demo_api, "RequirementCompliance")["requirementCompliance"]
    got: dict[str, Any] = {r["requirement"]["id"]: (r["status"], r["reasons"]) for r in rows}
    assert len(got) == len(by_id("requirements"))
    assert got["REQ-S-01"] == ("MET", []) and got["REQ-B-03"] == ("MET", [])
    for rid in ("REQ-S-02", "REQ-O-01", "REQ-T-01", "REQ-T-03", "REQ-B-02"):
        assert got[rid][0] == "UNMET" and "METRIC_MISSED" in got[rid][1], rid
    for rid in ("REQ-B-04", "REQ-S-06"):
        assert "METRIC_UNKNOWN" in got[rid][1], rid
    assert "NO_SERVICE" in got["REQ-S-08"][1]
    assert got["REQ-B-01"] == ("UNMET", ["CHILD_UNMET"])
    assert got["REQ-B-05"] == ("MET", [])
    kinds = {r["requirement"]["kind"] for r in rows}
    assert kinds == {"BUSINESS", "SERVICE", "OPERATIONAL", "TECHNOLOGY"}


def test_trace_goes_down_to_the_cis(demo_api: GraphQLClient) -> None:
    trace = run(demo_api, "RequirementTrace", {"id": "REQ-B-01"})["requirementTrace"]
    reqs = by_id("requirements")
    children = {r for r, x in reqs.items() if "REQ-B-01" in x.get("refines", [])}
    refined = {r["id"] for r in trace["refinedBy"]}
    assert children <= refined and "REQ-B-01" not in refined
    services = by_id("services")
    expected = {s for s, x in services.items() if set(x.get("satisfies", [])) & (refined | {"REQ-B-01"})}
    assert {s["id"] for s in trace["services"]} == expected
    assert trace["configurationItems"] and all(c["id"].startswith("CI-") for c in trace["configurationItems"])
    missing = demo_api.post(DOC, {"id": "REQ-NOPE"}, "RequirementTrace")
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_capacity_risks_hottest_first_with_what_they_degrade(demo_api: GraphQLClient) -> None:
    query = """query($t: Float!) { capacityRisks(thresholdPercent: $t) {
        configurationItem { id } utilization services { id } owner { id } } }"""
    rows = demo_api.data(query, {"t": 85})["capacityRisks"]
    # seeds/README.md: the six CIs above 85%
    assert [r["configurationItem"]["id"] for r in rows] == [
        "CI-DC1-DB-HANA-01",
        "CI-DC1-SAN-01",
        "CI-AWS-CACHE-CART",
        "CI-DC1-ESX-03",
        "CI-DC1-FW-01",
        "CI-PG-INVENTORY-01",
    ]
    assert [r["utilization"] for r in rows] == sorted((r["utilization"] for r in rows), reverse=True)
    hana = rows[0]
    assert "SVC-ERP" in {s["id"] for s in hana["services"]}
    cis = by_id("configurationItems")
    assert all((r["owner"] or {}).get("id") == cis[r["configurationItem"]["id"]].get("owner") for r in rows)
    bad = demo_api.post("{ capacityRisks(thresholdPercent: 150) { utilization } }")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_policy_violations_of_every_rule_type(demo_api: GraphQLClient) -> None:
    rows = run(demo_api, "PolicyViolations")["policyViolations"]
    by_policy: dict[str, set[str]] = {}
    for r in rows:
        by_policy.setdefault(r["policy"]["id"], set()).add(r["subjectId"])
        assert r["message"] and r["policy"]["kind"]
    assert by_policy["POL-OWNERS"] == {"SVC-LOGGING", "CI-APP-GIFT-CARDS", "CI-PG-GIFTCARDS-01", "CI-DC1-FTP-LEGACY-01"}
    assert "CHG-1004" in by_policy["POL-PEAK-FREEZE"] and "CHG-1005" not in by_policy["POL-PEAK-FREEZE"]
    assert "CHG-1006" in by_policy["POL-MAINTENANCE-WINDOW"]
    assert "CI-HANA-ERP-01" in by_policy["POL-RECOVERY"]
    assert "CI-DC1-DB-HANA-01" in by_policy["POL-CAPACITY"]
    assert "POL-CAB" not in by_policy  # CAB approval is never a violation
    spof_messages = [r["message"] for r in rows if r["policy"]["id"] == "POL-NO-SPOF"]
    assert spof_messages and all("criticality 1" in m for m in spof_messages)
    one = demo_api.data("{ policyViolations(ruleType: OWNER_REQUIRED) { policy { id } subjectId } }")
    assert {r["subjectId"] for r in one["policyViolations"]} == by_policy["POL-OWNERS"]


def test_processes_as_the_document_asks(demo_api: GraphQLClient) -> None:
    rows = run(demo_api, "Processes")["processes"]
    seeded = by_id("processes")
    assert [r["id"] for r in rows] == sorted(seeded)
    policies = by_id("policies")
    for r in rows:
        x = seeded[r["id"]]
        assert r["area"] == x["area"] and r["name"] == x["name"]
        assert {p["id"] for p in r["interfacesWith"]} == set(x.get("interfacesWith", []))
        governing = {pid for pid, p in policies.items() if r["id"] in p.get("governs", [])}
        assert {p["id"] for p in r["governedBy"]} == governing
    assert any(r["governedBy"] for r in rows), "the demo has a policy governing a process"
    desk = demo_api.data("{ processes(area: FUNCTION) { id } }")["processes"]
    assert [d["id"] for d in desk] == sorted(i for i, x in seeded.items() if x["area"] == "FUNCTION")
    page = demo_api.data("{ processConnection(first: 2) { totalCount nodes { id } } }")["processConnection"]
    assert page["totalCount"] == len(seeded) and [n["id"] for n in page["nodes"]] == sorted(seeded)[:2]


ESTATE: dict[str, Any] = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "TEAM-A", "name": "A"}],
    "requirements": [
        {"id": "REQ-B", "name": "sell", "kind": "BUSINESS", "priority": 1},
        {"id": "REQ-S1", "name": "fast", "kind": "SERVICE", "priority": 1, "refines": ["REQ-B"]},
        {"id": "REQ-S2", "name": "measured nowhere", "kind": "SERVICE", "priority": 2, "refines": ["REQ-B"]},
        {"id": "REQ-T", "name": "nobody does it", "kind": "TECHNOLOGY", "priority": 3},
    ],
    "metrics": [
        {"id": "M-1", "name": "p95", "requirement": "REQ-S1", "unit": "ms", "target": 300, "comparator": "LTE",
         "current": 250},
        {"id": "M-2", "name": "no reading yet", "requirement": "REQ-S2", "unit": "%", "target": 99,
         "comparator": "GTE"},
    ],
    "services": [
        {"id": "SVC-A", "name": "a", "tier": "BUSINESS", "criticality": 1, "owner": "TEAM-A", "satisfies": ["REQ-S1"]},
        {"id": "SVC-B", "name": "b", "tier": "BUSINESS", "criticality": 1, "satisfies": ["REQ-S2"]},
    ],
    "configurationItems": [
        {"id": "CI-DB", "name": "db", "type": "DATABASE", "utilization": 90.0},
        {"id": "CI-W1", "name": "w1", "type": "SERVER", "utilization": 50.0, "owner": "TEAM-A"},
        {"id": "CI-W2", "name": "w2", "type": "SERVER"},
    ],
    "redundancyGroups": [{"id": "RG-W", "name": "web", "minHealthy": 1, "members": ["CI-W1", "CI-W2"]}],
    "dependencies": [
        {"from": "SVC-A", "to": "CI-DB"},
        {"from": "SVC-B", "to": "RG-W"},
    ],
    "policies": [
        {"id": "POL-OWN", "name": "owners", "kind": "RULE", "rule": {"type": "OWNER_REQUIRED"}, "governs": ["SVC-B"]},
        {"id": "POL-SPOF", "name": "no spof", "kind": "RULE",
         "rule": {"type": "NO_SINGLE_POINT_OF_FAILURE", "maxCriticality": 1}},
        {"id": "POL-CAP", "name": "headroom", "kind": "GUIDELINE",
         "rule": {"type": "CAPACITY_HEADROOM", "maxPercent": 80}, "governs": ["SVC-A", "SVC-B"]},
        {"id": "POL-DOC", "name": "a document", "kind": "GUIDELINE", "statement": "be nice"},
    ],
}  # fmt: skip


def test_a_built_estate_judges_requirements_policies_and_capacity(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": ESTATE}, "ImportCmdb")
    status = {
        r["requirement"]["id"]: (r["status"], r["reasons"])
        for r in run(api, "RequirementCompliance")["requirementCompliance"]
    }
    assert status["REQ-S1"] == ("MET", [])
    assert status["REQ-S2"] == ("UNMET", ["METRIC_UNKNOWN"])  # a metric with no current value is not met
    assert status["REQ-B"] == ("UNMET", ["CHILD_UNMET"])
    assert status["REQ-T"] == ("UNMET", ["NO_SERVICE"])
    trace = run(api, "RequirementTrace", {"id": "REQ-B"})["requirementTrace"]
    assert {r["id"] for r in trace["refinedBy"]} == {"REQ-S1", "REQ-S2"}
    assert {s["id"] for s in trace["services"]} == {"SVC-A", "SVC-B"}
    assert {c["id"] for c in trace["configurationItems"]} == {"CI-DB", "CI-W1", "CI-W2"}

    found = {(v["policy"]["id"], v["subjectId"]) for v in run(api, "PolicyViolations")["policyViolations"]}
    # SVC-B has no owner and is governed; the CIs without one are not governed by POL-OWN
    # CI-DB alone carries SVC-A; the web pair (1 of 2 needed) is no single point
    # CI-DB at 90% is over POL-CAP's 80%; CI-W1 at 50% and CI-W2 (no reading) are not
    assert found == {("POL-OWN", "SVC-B"), ("POL-SPOF", "CI-DB"), ("POL-CAP", "CI-DB")}

    risks = api.data(
        "{ capacityRisks(thresholdPercent: 85) { configurationItem { id } services { id } owner { id } } }"
    )
    assert risks["capacityRisks"] == [
        {"configurationItem": {"id": "CI-DB"}, "services": [{"id": "SVC-A"}], "owner": None}
    ]
