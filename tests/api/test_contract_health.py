"""health.graphql as written: CMDB health on the demo (checked against the exchange document itself) and on a built
estate with every kind of finding."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient, operation
from tests.unit.test_demo_seed import demo

HEALTH = operation("health.graphql", "CmdbHealth")


def health(api: GraphQLClient) -> dict[str, Any]:
    return api.data(HEALTH, {}, "CmdbHealth")["cmdbHealth"]  # type: ignore[no-any-return]


def reference(doc: dict[str, Any]) -> tuple[float, list[tuple[str, str]], float]:
    """Completeness, the correctness findings (kind, subject) and correctness, from the exchange document."""
    status = {x["id"]: x.get("status") for k in ("services", "configurationItems") for x in doc.get(k, [])}
    live = {i for i, s in status.items() if s != "RETIRED"}
    services = [s for s in doc.get("services", []) if s["id"] in live]
    cis = [c for c in doc.get("configurationItems", []) if c["id"] in live]
    fields = [s.get(f) is not None for s in services for f in ("owner", "criticality", "rtoMinutes")]
    fields += [c.get(f) is not None for c in cis for f in ("owner", "site", "monthlyCost")]
    completeness = round(100 * sum(fields) / len(fields), 2) if fields else 100.0
    groups = doc.get("redundancyGroups", [])
    found: list[tuple[str, str]] = []
    for g in groups:
        members = {m for m in g["members"] if m in live or m not in status}
        if not members:
            found.append(("EMPTY_GROUP", g["id"]))
        if g["minHealthy"] > len(members):
            found.append(("UNDER_PROVISIONED_GROUP", g["id"]))
    deps = doc.get("dependencies", [])
    retired = {i for i, s in status.items() if s == "RETIRED"}
    found += [("RETIRED_DEPENDENCY", d["from"]) for d in deps if d["to"] in retired and d["from"] not in retired]
    linked = {d["from"] for d in deps if d["to"] not in retired} | {d["to"] for d in deps if d["from"] not in retired}
    linked |= {m for g in groups for m in g["members"]}
    found += [("ORPHAN_CI", c["id"]) for c in cis if c["id"] not in linked]
    items = len(services) + len(cis) + len(groups)
    correctness = round(100 * (items - len({s for _, s in found})) / items, 2) if items else 100.0
    return completeness, sorted(found), correctness


def test_the_demo_measures_as_its_document_says(demo_api: GraphQLClient) -> None:
    got = health(demo_api)
    completeness, found, correctness = reference(demo())
    assert got["completeness"] == completeness
    assert got["correctness"] == correctness
    assert sorted((f["kind"], f["subjectId"]) for f in got["findings"] if f["kind"] != "MISSING_FIELD") == found
    assert got["findingsTotal"] == len(got["findings"])
    violated = {v["policy"]["id"] for v in demo_api.data("{ policyViolations { policy { id } } }")["policyViolations"]}
    policies = [p for p in demo()["policies"] if p.get("rule")]
    assert got["compliance"] == round(100 * (len(policies) - len(violated)) / len(policies), 2)
    keys = [(f["kind"], f["subjectId"], f["message"]) for f in got["findings"]]
    assert keys == sorted(keys)


ESTATE: dict[str, Any] = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-1", "name": "Ops"}],
    "sites": [{"id": "DC-1", "name": "DC one"}],
    "services": [
        {"id": "SVC-OK", "name": "Fine", "tier": "BUSINESS", "criticality": 1, "owner": "T-1", "rtoMinutes": 60},
        {"id": "SVC-BARE", "name": "Bare", "tier": "BUSINESS", "criticality": 2},
    ],
    "configurationItems": [
        {"id": f"CI-{i}", "name": f"ci-{i}", "type": "SERVER", "owner": "T-1", "site": "DC-1", "monthlyCost": "10.00"}
        for i in (1, 2, 3)
    ]
    + [
        {"id": "CI-LONE", "name": "lonely", "type": "SERVER", "owner": "T-1", "site": "DC-1", "monthlyCost": "1.00"},
        {"id": "CI-OLD", "name": "old", "type": "SERVER", "status": "RETIRED"},
        {"id": "CI-OLD2", "name": "old 2", "type": "SERVER", "status": "RETIRED"},
    ],
    "redundancyGroups": [
        {"id": "RG-HIGH", "name": "quorum too high", "minHealthy": 3, "members": ["CI-1", "CI-2", "CI-OLD2"]},
        {"id": "RG-GONE", "name": "all retired", "minHealthy": 1, "members": ["CI-OLD"]},
    ],
    "dependencies": [
        {"from": "SVC-OK", "to": "RG-HIGH"},
        {"from": "SVC-BARE", "to": "CI-3"},
        {"from": "SVC-BARE", "to": "CI-OLD"},
    ],
}


def test_every_kind_of_finding_on_a_built_estate(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": ESTATE}, "ImportCmdb")
    got = health(api)
    assert [(f["kind"], f["subjectId"]) for f in got["findings"]] == [
        ("EMPTY_GROUP", "RG-GONE"),
        ("MISSING_FIELD", "SVC-BARE"),
        ("MISSING_FIELD", "SVC-BARE"),
        ("ORPHAN_CI", "CI-LONE"),
        ("RETIRED_DEPENDENCY", "SVC-BARE"),
        ("UNDER_PROVISIONED_GROUP", "RG-GONE"),
        ("UNDER_PROVISIONED_GROUP", "RG-HIGH"),
    ]
    assert got["completeness"] == round(100 * 16 / 18, 2)  # 2 services and 4 live CIs, 3 fields each; 2 empty
    assert got["correctness"] == round(100 * (8 - 4) / 8, 2)  # RG-GONE, SVC-BARE, CI-LONE, RG-HIGH of 8 items
    assert got["compliance"] == 100.0  # no policy with a rule: nothing to measure
    assert (got["completeness"], got["correctness"]) == reference(ESTATE)[::2]
    assert "needs 3 healthy members but has 2 live" in got["findings"][-1]["message"]
    # the quorum is capped, not an outage: nothing failed, nothing is down; one member lost takes the group down
    impact = api.data(
        '{ impact(origin: []) { impacted { id } } one: impact(origin: ["CI-1"]) { services { id status } } }'
    )
    assert impact["impact"]["impacted"] == []
    assert impact["one"]["services"] == [{"id": "SVC-OK", "status": "DOWN"}]
    page = api.data("{ cmdbHealth { findingsTotal(kind: MISSING_FIELD) findings(first: 1, offset: 1) { subjectId } } }")
    assert page["cmdbHealth"] == {"findingsTotal": 2, "findings": [{"subjectId": "SVC-BARE"}]}
