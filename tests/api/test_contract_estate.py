"""estate.graphql as written: the estate as of a time and with what-if edits answers exactly as the same analyses
on a CMDB built to match (the writes replayed into the database, or the edited document imported)."""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import parse, validate
from neo4j import Driver

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation

ESTATE = operation("estate.graphql", "EstateImpact")
IMPORT = operation("import.graphql", "ImportCmdb")
DB = "neo4j"

# The same selections as estate.graphql's, asked of the root: what the estate's answers are compared with.
ROOT = """
query Impact($origin: [ID!]!) {
  impact(origin: $origin) { impacted(first: 10000) { id status depth } services { id status } }
}
query Continuity($serviceId: ID!) {
  continuity(serviceId: $serviceId) { singlePointsOfFailure { id } recoveryWaves { wave ids } }
}
query Cost { costAllocation { total unallocatedTotal businessUnits { id amount } } }
query Item($id: ID!) { item(id: $id) { id name itemKind } }
query Incidents($serviceId: ID!) {
  availability(serviceId: $serviceId, from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z") {
    availabilityPercent outageMinutes degradedMinutes incidents { incidentId effect outageMinutes }
  }
  slaReport(from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z") {
    sla { id } availabilityPercent breached incidents { incidentId }
  }
  incidentCorrelation(since: "2026-11-01T00:00:00Z", until: "2026-12-01T00:00:00Z") {
    clusters { rootCause { id } incidents { id } recentChanges { id } suggestedProblem { id } }
  }
}
query More {
  configurationItems(first: 500, filter: {site: "SITE-DC1"}) {
    totalCount edges { node { id name ... on ConfigurationItem { status dependsOn { id } } } }
  }
  services(first: 100) { totalCount edges { node { id name } } pageInfo { hasNextPage endCursor } }
  requirementCompliance { requirement { id } status reasons }
  requirementTrace(id: "REQ-B-01") { refinedBy { id } services { id } configurationItems { id } }
  capacityRisks(thresholdPercent: 80) { configurationItem { id } utilization services { id } }
  policyViolations { policy { id } ruleType subjectId message }
  cmdbHealth { completeness correctness compliance findings(first: 1000) { kind subjectId message } }
}
"""
# The same, asked of an estate.
ESTATE_INCIDENTS = (
    "query EstateIncidents($asOf: DateTime, $edits: [GraphEdit!], $serviceId: ID!) {"
    " estate(asOf: $asOf, edits: $edits) {"
    + ROOT.split("query Incidents($serviceId: ID!) {", 1)[1].split("\n}\n", 1)[0]
    + "} }"
)

# A change's assessment (change.graphql's selection and the rest of it), its next window, what it was approved on,
# the CAB agenda and each release's impact: asked of the root (CHANGES) and of an estate (ESTATE_CHANGES).
ASSESSMENT = """decision policyExceptions { policyId reason grantedBy grantedAt }
  impact { services { id status criticality } businessUnits { id } slas { id } }
  risk { score level factors { name contribution detail } } conflicts { change { id title } reason items }
  policyViolations { policy { id name } ruleType subjectId message }
  requiredApprovals { approver reason team { id } }"""
CHANGE = f"""change(id: $id) {{ id status assessment {{ {ASSESSMENT} }}
  nextConflictFreeWindow(durationMinutes: 120, after: "2026-11-20T00:00:00Z") {{ start end }}
  approvedAssessment {{ approvedAt decision risk {{ score }} sinceApproval }} }}"""
AGENDA = """cabAgenda(from: "2026-11-20T00:00:00Z", to: "2027-01-20T00:00:00Z") { change { id title plannedStart }
  decision policyExceptions { policyId reason } risk { score level } conflicts { change { id } reason }
  requiredApprovals { approver reason } }"""
RELEASE = (
    "release(id: $id) { id changes { id } impact { impacted(first: 10000) { id status } services { id status } } }"
)
CHANGES = f"query Change($id: ID!) {{ {CHANGE} }} query Agenda {{ {AGENDA} }} query Release($id: ID!) {{ {RELEASE} }}"
ESTATE_CHANGES = " ".join(
    f"query Estate{name}($asOf: DateTime, $edits: [GraphEdit!]{args}) "
    f"{{ estate(asOf: $asOf, edits: $edits) {{ {sel} }} }}"
    for name, args, sel in (
        ("Change", ", $id: ID!", CHANGE),
        ("Agenda", "", AGENDA),
        ("Release", ", $id: ID!", RELEASE),
    )
)

ORIGINS = [["CI-DC1-DB-ORDERS-01"], ["RG-ACCOUNTS"], ["SVC-IDENTITY"]]
SERVICES = ["SVC-CHECKOUT", "SVC-ACCOUNTS"]
ITEMS = ["CI-DC1-DB-ORDERS-01", "CI-WHATIF-NEW", "RG-ACCOUNTS"]
# compounded, frozen, maintenance window, owners approve, same item, failed, raised by a write below
CHANGE_IDS = ["CHG-1002", "CHG-1004", "CHG-1006", "CHG-1016", "CHG-1020", "CHG-1011", "CHG-WHATIF-1"]
RELEASES = ["REL-2026.11-PEAK", "REL-DB-2026.11", "REL-PLATFORM-Q4", "REL-WMS-4.2", "REL-NOPE"]


def test_estate_document_validates() -> None:
    schema = build_schema()._schema
    assert validate(schema, parse((OPERATIONS / "estate.graphql").read_text())) == []
    for document in (ROOT, ESTATE_INCIDENTS, ESTATE_MORE, CHANGES, ESTATE_CHANGES):  # an error would answer alike
        assert validate(schema, parse(document)) == []


def _ask(api: GraphQLClient, query: str, variables: dict[str, Any], name: str, *path: str) -> Any:
    """The answer at `path`, or the error's message and code (an origin that no longer exists is an answer too)."""
    result = api.post(query, variables, name)
    if result.get("errors"):
        return [(e["message"], e.get("extensions", {}).get("code")) for e in result["errors"]]
    found = result["data"]
    for key in path:
        found = found[key]
    return found


def _root(api: GraphQLClient) -> dict[str, Any]:
    """Every answer of the root that estate.graphql also asks of an estate."""
    found: dict[str, Any] = {}
    for origin in ORIGINS:
        found[f"impact {origin}"] = _ask(api, ROOT, {"origin": origin}, "Impact", "impact")
    for service in SERVICES:
        found[f"continuity {service}"] = _ask(api, ROOT, {"serviceId": service}, "Continuity", "continuity")
    found["cost"] = api.data(ROOT, {}, "Cost")["costAllocation"]
    for item in ITEMS:
        found[f"item {item}"] = api.data(ROOT, {"id": item}, "Item")["item"]
    for service in SERVICES:
        found[f"incidents {service}"] = _ask(api, ROOT, {"serviceId": service}, "Incidents")
    found["more"] = _ask(api, ROOT, {}, "More")
    for change in CHANGE_IDS:
        found[f"change {change}"] = api.data(CHANGES, {"id": change}, "Change")["change"]
    found["agenda"] = api.data(CHANGES, {}, "Agenda")["cabAgenda"]
    for release in RELEASES:
        found[f"release {release}"] = api.data(CHANGES, {"id": release}, "Release")["release"]
    return found


def _estate(api: GraphQLClient, as_of: str | None, edits: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The same answers, asked of estate(asOf:, edits:) with estate.graphql's operations."""
    base = {"asOf": as_of, "edits": edits}
    found: dict[str, Any] = {}
    for origin in ORIGINS:
        found[f"impact {origin}"] = _ask(api, ESTATE, {**base, "origin": origin}, "EstateImpact", "estate", "impact")
    for service in SERVICES:
        variables = {**base, "serviceId": service}
        found[f"continuity {service}"] = _ask(api, ESTATE, variables, "EstateContinuity", "estate", "continuity")
    found["cost"] = api.data(ESTATE, base, "EstateCost")["estate"]["costAllocation"]
    for item in ITEMS:
        if as_of is None:  # EstateItem asks for a time: now is a time too
            as_of_now = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
            answer = api.data(ESTATE, {"asOf": as_of_now, "id": item}, "EstateItem")
        else:
            answer = api.data(ESTATE, {"asOf": as_of, "id": item}, "EstateItem")
        found[f"item {item}"] = answer["estate"]["item"]
    for service in SERVICES:
        variables = {**base, "serviceId": service}
        found[f"incidents {service}"] = _ask(api, ESTATE_INCIDENTS, variables, "EstateIncidents", "estate")
    found["more"] = _ask(api, ESTATE_MORE, base, "EstateMore", "estate")
    for change in CHANGE_IDS:
        variables = {**base, "id": change}
        found[f"change {change}"] = api.data(ESTATE_CHANGES, variables, "EstateChange")["estate"]["change"]
    found["agenda"] = api.data(ESTATE_CHANGES, base, "EstateAgenda")["estate"]["cabAgenda"]
    for release in RELEASES:
        variables = {**base, "id": release}
        found[f"release {release}"] = api.data(ESTATE_CHANGES, variables, "EstateRelease")["estate"]["release"]
    return found


ESTATE_MORE = (
    "query EstateMore($asOf: DateTime, $edits: [GraphEdit!]) { estate(asOf: $asOf, edits: $edits) {"
    + ROOT.split("query More {", 1)[1].split("\n}\n", 1)[0]
    + "} }"
)


def _moment() -> str:
    at = datetime.now(UTC).isoformat()
    time.sleep(0.02)  # the next write's transaction starts strictly after this moment
    return at


WRITES = [
    'mutation { removeDependency(from: "SVC-CHECKOUT", to: "SVC-IDENTITY") { __typename } }',
    'mutation { updateRedundancyGroup(id: "RG-ACCOUNTS", version: 1, patch: {minHealthy: 3}) { __typename } }',
    'mutation { createConfigurationItem(input: {id: "CI-WHATIF-NEW", name: "New DB", type: DATABASE, '
    'monthlyCost: "250.00"}) { __typename } }',
    'mutation { addDependency(input: {from: "SVC-ACCOUNTS", to: "CI-WHATIF-NEW"}) { __typename } }',
    'mutation { deleteItem(id: "CI-DC1-DB-ORDERS-01", detach: true) { __typename } }',
    'mutation { openIncident(input: {id: "INC-WHATIF-1", title: "accounts DB down", priority: P1, '
    'affects: ["CI-DC1-DB-ORDERS-02"], openedAt: "2026-11-10T10:00:00Z"}) { __typename } }',
    'mutation { resolveIncident(id: "INC-WHATIF-1", at: "2026-11-10T13:30:00Z") { __typename } }',
]


# Writes to changes: an exception granted, then granted again (replacing the reason), a change raised into the orders
# cluster's window and release, approved (keeping its assessment), then one it conflicts with cancelled.
GRANT = (
    'mutation {{ grantPolicyException(changeId: "CHG-1004", policyId: "POL-PEAK-FREEZE", reason: "{}") '
    "{{ __typename }} }}"
)
CHANGE_WRITES = [
    GRANT.format("the checkout fix cannot wait"),
    GRANT.format("the retail director accepts the risk"),
    'mutation { raiseChange(input: {id: "CHG-WHATIF-1", title: "Patch pg-orders-01", type: NORMAL, '
    'modifies: ["CI-PG-ORDERS-01"], plannedStart: "2026-11-21T02:00:00Z", plannedEnd: "2026-11-21T04:00:00Z", '
    'release: "REL-DB-2026.11"}) { __typename } }',
    'mutation { approveChange(id: "CHG-WHATIF-1") { __typename } }',
    'mutation { cancelChange(id: "CHG-1003") { __typename } }',
]


def test_as_of_each_write_answers_as_the_database_did_then(api: GraphQLClient, demo_document: Any) -> None:
    before = _moment()
    api.data(IMPORT, {"document": demo_document}, "ImportCmdb")
    moments = [(_moment(), _root(api))]
    for write in WRITES + CHANGE_WRITES:
        [(name, result)] = api.data(write).items()
        assert result["__typename"] not in ("NotFound", "InvalidInput", "IllegalTransition", "ChangeBlocked")
        assert not result["__typename"].endswith("Error"), (name, result)
        moments.append((_moment(), _root(api)))
    for n, (at, expected) in enumerate(moments):
        assert _estate(api, at) == expected, f"as of write {n}"
    assert _estate(api, None) == moments[-1][1]  # no time: now
    # the writes to changes moved what is compared: a grant unblocks, a raised change conflicts and is approved
    frozen = [m["change CHG-1004"]["assessment"] for _, m in moments[-6:-3]]
    assert [a["decision"] for a in frozen] == ["BLOCKED", "CAB", "CAB"]
    assert [[x["reason"] for x in a["policyExceptions"]] for a in frozen] == [
        [],
        ["the checkout fix cannot wait"],
        ["the retail director accepts the risk"],
    ]
    raised = [m["change CHG-WHATIF-1"] for _, m in moments[-4:]]
    assert raised[0] is None and raised[1]["approvedAssessment"] is None
    assert raised[2]["approvedAssessment"]["sinceApproval"] == []
    assert raised[3]["approvedAssessment"]["sinceApproval"] != []  # CHG-1003 cancelled: its conflict went
    releases = [m["release REL-DB-2026.11"]["changes"] for _, m in moments[-4:-2]]
    assert {"id": "CHG-WHATIF-1"} in releases[1] and {"id": "CHG-WHATIF-1"} not in releases[0]
    empty = api.data(ESTATE, {"asOf": before}, "EstateCost")["estate"]["costAllocation"]
    assert empty == {"total": "0.00", "unallocatedTotal": "0.00", "businessUnits": []}  # before the first write


EDITS: list[dict[str, Any]] = [
    {"retire": "CI-DC1-DB-ORDERS-02"},
    {"setMinHealthy": {"group": "RG-ACCOUNTS", "minHealthy": 3}},
    {"addDependency": {"from": "SVC-ACCOUNTS", "to": "CI-DC1-DB-ORDERS-03", "strength": "SOFT"}},
    {"removeDependency": {"from": "SVC-CHECKOUT", "to": "SVC-IDENTITY"}},
    {"removeMember": {"group": "RG-ACCOUNTS", "member": "CI-AWS-POD-ACCOUNTS-03"}},
    {"addMember": {"group": "RG-ACCOUNTS", "member": "CI-DC1-DB-ORDERS-01"}},
]


# The orders cluster left with two members for its quorum of two: a patch of either takes the orders services DOWN.
CHANGE_EDITS: list[dict[str, Any]] = [{"removeMember": {"group": "RG-DB-ORDERS", "member": "CI-PG-ORDERS-01"}}]


def _edited(document: dict[str, Any]) -> dict[str, Any]:
    """The demo document with EDITS and CHANGE_EDITS made to it, as a person would before importing it."""
    doc = copy.deepcopy(document)
    ci = {c["id"]: c for c in doc["configurationItems"]}
    group = {g["id"]: g for g in doc["redundancyGroups"]}
    ci["CI-DC1-DB-ORDERS-02"]["status"] = "RETIRED"
    group["RG-ACCOUNTS"]["minHealthy"] = 3
    doc["dependencies"].append({"from": "SVC-ACCOUNTS", "to": "CI-DC1-DB-ORDERS-03", "strength": "SOFT"})
    doc["dependencies"] = [d for d in doc["dependencies"] if (d["from"], d["to"]) != ("SVC-CHECKOUT", "SVC-IDENTITY")]
    members = group["RG-ACCOUNTS"]["members"]
    group["RG-ACCOUNTS"]["members"] = [m for m in members if m != "CI-AWS-POD-ACCOUNTS-03"] + ["CI-DC1-DB-ORDERS-01"]
    group["RG-DB-ORDERS"]["members"] = [m for m in group["RG-DB-ORDERS"]["members"] if m != "CI-PG-ORDERS-01"]
    return doc


def test_what_if_answers_as_the_edited_document_imported(
    api: GraphQLClient, demo_document: Any, sync_driver: Driver
) -> None:
    api.data(IMPORT, {"document": demo_document}, "ImportCmdb")
    plain = _root(api)
    assert _estate(api, None, []) == plain  # no edits: the root's answers
    what_if = _estate(api, None, EDITS + CHANGE_EDITS)
    assert what_if != plain
    services = what_if["change CHG-1002"]["assessment"]["impact"]["services"]
    assert {"id": "SVC-ORDERS", "status": "DOWN", "criticality": 1} in services, services  # DEGRADED without it
    assert _root(api) == plain  # nothing was written
    sync_driver.execute_query("MATCH (n:Item) DETACH DELETE n", database_=DB)  # the token stays
    api.data(IMPORT, {"document": _edited(demo_document)}, "ImportCmdb")
    built = _root(api)
    assert what_if == built


def test_bad_edits_name_their_index_and_answer_nothing(api: GraphQLClient, demo_document: Any) -> None:
    api.data(IMPORT, {"document": demo_document}, "ImportCmdb")
    cases = [
        ([{"retire": "CI-NOPE"}], "edits[0] (retire): id: unknown id 'CI-NOPE'"),
        (
            [{"retire": "CI-DC1-DB-ORDERS-02"}, {"addDependency": {"from": "SVC-ACCOUNTS", "to": "SVC-ACCOUNTS"}}],
            "edits[1] (addDependency): 'SVC-ACCOUNTS' cannot depend on itself",
        ),
        ([{"retire": "RG-ACCOUNTS"}], "edits[0] (retire): id: 'RG-ACCOUNTS' is a REDUNDANCY_GROUP"),
        (
            [{"removeDependency": {"from": "SVC-CHECKOUT", "to": "CI-DC1-DB-ORDERS-02"}}],
            "edits[0] (removeDependency): 'SVC-CHECKOUT' does not depend on 'CI-DC1-DB-ORDERS-02'",
        ),
        (
            [{"setMinHealthy": {"group": "RG-ACCOUNTS", "minHealthy": 0}}],
            "edits[0] (setMinHealthy): minHealthy: must be at least 1, got 0",
        ),
    ]
    for edits, message in cases:
        result = api.post(ESTATE, {"edits": edits}, "EstateCost")
        assert result["data"] in (None, {"estate": None}), edits  # refused before running, or the estate failed
        [error] = result["errors"]
        assert error["message"].startswith(message), (edits, error["message"])
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    two = api.post(ESTATE, {"edits": [{"retire": "CI-DC1-DB-ORDERS-02", "addMember": None}]}, "EstateCost")
    assert "exactly one" in two["errors"][0]["message"].lower()  # @oneOf


def test_estate_diff(api: GraphQLClient, demo_document: Any) -> None:
    api.data(IMPORT, {"document": demo_document}, "ImportCmdb")
    start = _moment()
    for write in WRITES:
        api.data(write)
    end = _moment()
    found = api.data(operation("estate.graphql", "EstateDiff"), {"from": start, "to": end}, "EstateDiff")
    deleted = "CI-DC1-DB-ORDERS-01"
    gone = {(d["from"], d["to"]) for d in demo_document["dependencies"] if deleted in (d["from"], d["to"])}
    gone.add(("SVC-CHECKOUT", "SVC-IDENTITY"))
    assert found["estateDiff"] == {
        "added": [{"id": "CI-WHATIF-NEW"}, {"id": "INC-WHATIF-1"}],
        "removed": [{"id": "CI-DC1-DB-ORDERS-01"}],
        "changed": [{"id": "RG-ACCOUNTS", "fields": ["minHealthy"]}],
        "dependenciesAdded": [{"from": "SVC-ACCOUNTS", "to": "CI-WHATIF-NEW"}],
        "dependenciesRemoved": [{"from": a, "to": b} for a, b in sorted(gone)],
    }


DRIFT = """query($origin: [ID!]!, $from: DateTime!) { impactDrift(origin: $origin, from: $from) {
  before { impacted(first: 10000) { id status item { name } } services { id status } }
  after { impacted(first: 10000) { id status item { name } } services { id status } }
  servicesAdded { id status } servicesRemoved { id status } servicesChanged { id before after } } }"""
TREND = """query($serviceId: ID!) { continuityTrend(serviceId: $serviceId, weeks: 1) {
  exists singlePointsOfFailure } }"""


def test_drift_and_trend(api: GraphQLClient, demo_document: Any) -> None:
    api.data(IMPORT, {"document": demo_document}, "ImportCmdb")
    start = _moment()
    origin = ["CI-AWS-POD-ACCOUNTS-01"]  # RG-ACCOUNTS needs 3 of its 3 pods after the second write, 2 before
    then = api.data(ROOT, {"origin": origin}, "Impact")["impact"]
    for write in WRITES:
        api.data(write)
    now = api.data(ROOT, {"origin": origin}, "Impact")["impact"]
    drift = api.data(DRIFT, {"origin": origin, "from": start})["impactDrift"]
    strip = [{"id": i["id"], "status": i["status"]} for i in drift["before"]["impacted"]]
    assert strip == [{"id": i["id"], "status": i["status"]} for i in then["impacted"]]
    assert drift["before"]["services"] == then["services"] and drift["after"]["services"] == now["services"]
    was = {s["id"]: s["status"] for s in then["services"]}
    is_ = {s["id"]: s["status"] for s in now["services"]}
    assert drift["servicesRemoved"] == [{"id": i, "status": s} for i, s in sorted(was.items()) if i not in is_]
    assert drift["servicesAdded"] == [{"id": i, "status": s} for i, s in sorted(is_.items()) if i not in was]
    changed = [{"id": i, "before": was[i], "after": s} for i, s in sorted(is_.items()) if i in was and was[i] != s]
    assert drift["servicesChanged"] == changed
    moved = {s["id"] for s in drift["servicesAdded"]} | {s["id"] for s in changed}
    assert "SVC-ACCOUNTS" in moved, drift
    # an item that has since been deleted still has its name under `before`: item fields read that estate
    gone = api.data(DRIFT, {"origin": ["CI-DC1-DB-ORDERS-01"], "from": start})["impactDrift"]
    first = gone["before"]["impacted"][0]
    assert first["id"] == "CI-DC1-DB-ORDERS-01" and first["item"]["name"]
    assert gone["after"]["impacted"] == []

    points = api.data(TREND, {"serviceId": "SVC-CHECKOUT"})["continuityTrend"]
    assert [p["exists"] for p in points] == [False, True]  # a week ago the CMDB was empty
    spofs = api.data(ROOT, {"serviceId": "SVC-CHECKOUT"}, "Continuity")["continuity"]["singlePointsOfFailure"]
    assert points[-1]["singlePointsOfFailure"] == [s["id"] for s in spofs]


SAVE = """mutation($input: ScenarioInput!) { saveScenario(input: $input) { __typename
  ... on ScenarioPayload { scenario { id name version edits createdBy } }
  ... on InvalidEdit { message index edit } ... on InvalidInput { problems { field message } } } }"""
SCENARIO_IMPACT = """query($id: ID!, $origin: [ID!]!) { scenario(id: $id) { name estate {
  impact(origin: $origin) { impacted(first: 10000) { id status depth } services { id status } } } } }"""


def test_saved_scenarios(api: GraphQLClient, demo_document: Any) -> None:
    api.data(IMPORT, {"document": demo_document}, "ImportCmdb")
    scenario = {"id": "dc1-db-orders", "name": "Orders DB rework", "edits": EDITS}
    saved = api.data(SAVE, {"input": scenario})["saveScenario"]
    assert saved["__typename"] == "ScenarioPayload", saved
    assert saved["scenario"]["version"] == 1 and saved["scenario"]["edits"] == [
        {"retire": "CI-DC1-DB-ORDERS-02"},
        {"setMinHealthy": {"group": "RG-ACCOUNTS", "minHealthy": 3}},
        {"addDependency": {"from": "SVC-ACCOUNTS", "to": "CI-DC1-DB-ORDERS-03", "strength": "SOFT"}},
        {"removeDependency": {"from": "SVC-CHECKOUT", "to": "SVC-IDENTITY"}},
        {"removeMember": {"group": "RG-ACCOUNTS", "member": "CI-AWS-POD-ACCOUNTS-03"}},
        {"addMember": {"group": "RG-ACCOUNTS", "member": "CI-DC1-DB-ORDERS-01"}},
    ]
    for origin in ORIGINS:  # the saved scenario answers as the same edits given inline
        kept = api.data(SCENARIO_IMPACT, {"id": "dc1-db-orders", "origin": origin})["scenario"]["estate"]["impact"]
        inline = api.data(ESTATE, {"edits": EDITS, "origin": origin}, "EstateImpact")["estate"]["impact"]
        assert kept == inline
    again = api.data(SAVE, {"input": {**scenario, "name": "Orders DB rework, v2"}})["saveScenario"]
    assert again["scenario"]["version"] == 2
    listed = api.data("{ scenarios { id name } }")["scenarios"]
    assert listed == [{"id": "dc1-db-orders", "name": "Orders DB rework, v2"}]

    bad = api.data(SAVE, {"input": {"id": "x", "name": "x", "edits": [{"retire": "CI-NOPE"}]}})["saveScenario"]
    assert bad["__typename"] == "InvalidEdit" and bad["index"] == 0 and bad["edit"] == "retire"
    empty = api.data(SAVE, {"input": {"id": "y", "name": " ", "edits": []}})["saveScenario"]
    assert empty["__typename"] == "InvalidInput"
    assert {p["field"] for p in empty["problems"]} == {"name", "edits"}
    assert [s["id"] for s in api.data("{ scenarios { id } }")["scenarios"]] == ["dc1-db-orders"]  # nothing written

    log = api.data('{ auditLog(since: "2026-01-01T00:00:00Z") { entries { action itemId } } }')["auditLog"]
    assert {"action": "saveScenario", "itemId": "dc1-db-orders"} in log["entries"]
    gone = api.data('mutation { deleteScenario(id: "dc1-db-orders") { __typename } }')["deleteScenario"]
    assert gone == {"__typename": "ScenarioDeleted"}
    again_gone = api.data('mutation { deleteScenario(id: "dc1-db-orders") { __typename } }')["deleteScenario"]
    assert again_gone == {"__typename": "NotFound"}
    assert api.data('{ scenario(id: "dc1-db-orders") { id } }')["scenario"] is None
