"""The change lifecycle through GraphQL on a small built estate: transitions, errors, and how they move conflicts."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient, operation

W1, W2 = "2026-12-05T01:00:00Z", "2026-12-05T03:00:00Z"

ESTATE: dict[str, Any] = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-APP", "name": "App team", "email": "app@example.com"}, {"id": "T-DB", "name": "DBAs"}],
    "businessUnits": [{"id": "BU-1", "name": "Retail"}],
    "services": [
        {"id": "SVC-SHOP", "name": "Shop", "tier": "BUSINESS", "criticality": 1, "owner": "T-APP"},
        {"id": "SVC-ADS", "name": "Ads", "tier": "BUSINESS", "criticality": 4, "owner": "T-APP"},
    ],
    "configurationItems": [{"id": f"DB-{i}", "name": f"db-{i}", "type": "DATABASE", "owner": "T-DB"} for i in (1, 2, 3)]
    + [
        {"id": "APP", "name": "shop-app", "type": "APPLICATION", "owner": "T-APP"},
        {"id": "CACHE", "name": "cache", "type": "DATABASE"},
        {"id": "OLD", "name": "old-db", "type": "DATABASE", "status": "RETIRED"},
    ],
    "redundancyGroups": [{"id": "RG-DB", "name": "db cluster", "minHealthy": 2, "members": ["DB-1", "DB-2", "DB-3"]}],
    "dependencies": [
        {"from": "SVC-SHOP", "to": "APP"},
        {"from": "APP", "to": "RG-DB"},
        {"from": "APP", "to": "CACHE", "strength": "SOFT"},
        {"from": "SVC-ADS", "to": "OLD"},
    ],
    "consumption": [{"businessUnit": "BU-1", "service": "SVC-SHOP", "share": 1}],
    "slas": [
        {"id": "SLA-1", "name": "Shop SLA", "service": "SVC-SHOP", "businessUnit": "BU-1", "availabilityTarget": 99.9}
    ],
    "changes": [
        {
            "id": "C-1",
            "title": "patch db-1",
            "type": "NORMAL",
            "status": "SCHEDULED",
            "modifies": ["DB-1"],
            "plannedStart": W1,
            "plannedEnd": W2,
        },
        {
            "id": "C-2",
            "title": "patch db-2",
            "type": "NORMAL",
            "status": "SUBMITTED",
            "modifies": ["DB-2"],
            "plannedStart": "2026-12-05T02:00:00Z",
            "plannedEnd": "2026-12-05T04:00:00Z",
        },
        {"id": "C-3", "title": "tune cache", "type": "STANDARD", "status": "DRAFT", "modifies": ["CACHE"]},
    ],
}

ASSESS = """query($id: ID!) { change(id: $id) { id status version implementedAt plannedStart
  assessment { conflicts { change { id } reason items } impact { services { id status } } } } }"""
RESULT = """... on ChangePayload { change { id status version plannedStart plannedEnd implementedAt } }
  ... on UserError { __typename message }
  ... on IllegalTransition { status action allowedActions }
  ... on InvalidInput { problems { field message } }
  ... on StaleVersion { expectedVersion actualVersion }"""


def load(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": ESTATE}, "ImportCmdb")


def act(api: GraphQLClient, mutation: str, args: str) -> dict[str, Any]:
    data = api.data(f"mutation {{ r: {mutation}({args}) {{ __typename {RESULT} }} }}")
    return data["r"]  # type: ignore[no-any-return]


def change(api: GraphQLClient, cid: str) -> dict[str, Any]:
    return api.data(ASSESS, {"id": cid})["change"]  # type: ignore[no-any-return]


def test_compounded_conflict_appears_and_goes_with_the_lifecycle(api: GraphQLClient) -> None:
    load(api)
    c1 = change(api, "C-1")
    assert c1["assessment"]["conflicts"] == [{"change": {"id": "C-2"}, "reason": "COMPOUNDED", "items": ["SVC-SHOP"]}]
    assert c1["assessment"]["impact"]["services"] == [{"id": "SVC-SHOP", "status": "DEGRADED"}]
    cancelled = act(api, "cancelChange", 'id: "C-2"')
    assert cancelled["change"]["status"] == "CANCELLED"
    assert change(api, "C-1")["assessment"]["conflicts"] == []


def test_the_whole_lifecycle_and_illegal_steps(api: GraphQLClient) -> None:
    load(api)
    illegal = act(api, "approveChange", 'id: "C-3"')
    assert illegal["__typename"] == "IllegalTransition"
    assert illegal["message"] == "C-3 is DRAFT: approve needs a change that is SUBMITTED; it can submit, cancel"
    assert illegal["allowedActions"] == ["submit", "cancel"]
    assert change(api, "C-3")["status"] == "DRAFT"  # nothing written

    assert act(api, "submitChange", 'id: "C-3"')["change"]["status"] == "SUBMITTED"
    assert act(api, "approveChange", 'id: "C-3"')["change"]["status"] == "APPROVED"
    backwards = act(
        api, "scheduleChange", 'id: "C-3", plannedStart: "2026-12-06T03:00:00Z", plannedEnd: "2026-12-06T01:00:00Z"'
    )
    assert backwards["__typename"] == "InvalidInput"
    assert backwards["problems"][0]["field"] == "plannedEnd"
    scheduled = act(
        api, "scheduleChange", 'id: "C-3", plannedStart: "2026-12-06T01:00:00Z", plannedEnd: "2026-12-06T02:00:00Z"'
    )
    assert scheduled["change"]["status"] == "SCHEDULED"
    assert scheduled["change"]["plannedStart"] == "2026-12-06T01:00:00+00:00"
    version = scheduled["change"]["version"]
    stale = act(api, "implementChange", f'id: "C-3", version: {version - 1}')
    assert stale["__typename"] == "StaleVersion" and stale["actualVersion"] == version
    done = act(api, "implementChange", f'id: "C-3", at: "2026-12-06T01:45:00Z", version: {version}')
    assert done["change"]["status"] == "IMPLEMENTED"
    assert done["change"]["implementedAt"] == "2026-12-06T01:45:00+00:00"
    naive = act(api, "failChange", 'id: "C-1", at: "2026-12-05T02:00:00"')
    assert naive["__typename"] == "InvalidInput" and naive["problems"][0]["field"] == "at"
    assert change(api, "C-1")["status"] == "SCHEDULED"
    final = act(api, "cancelChange", 'id: "C-3"')
    assert final["__typename"] == "IllegalTransition"
    assert final["message"].endswith("IMPLEMENTED is final") and final["allowedActions"] == []
    missing = act(api, "approveChange", 'id: "C-404"')
    assert missing["__typename"] == "NotFound" and "C-404" in missing["message"]
    not_a_change = act(api, "approveChange", 'id: "DB-1"')
    assert not_a_change["__typename"] == "NotFound"


def test_failing_a_change_counts_against_the_next_one(api: GraphQLClient) -> None:
    load(api)
    assert act(api, "approveChange", 'id: "C-2"')["change"]["status"] == "APPROVED"
    failed = act(api, "failChange", 'id: "C-2", at: "2026-12-05T03:00:00Z"')
    assert failed["change"]["status"] == "FAILED"
    raised = act(
        api,
        "raiseChange",
        'input: {id: "C-9", title: "retry db-2", type: NORMAL, modifies: ["DB-2"], '
        'plannedStart: "2026-12-12T01:00:00Z", plannedEnd: "2026-12-12T02:00:00Z"}',
    )
    assert raised["change"]["status"] == "SUBMITTED"
    risk = api.data('{ change(id: "C-9") { assessment { risk { factors { name contribution detail } } } } }')
    failed_factor = next(f for f in risk["change"]["assessment"]["risk"]["factors"] if f["name"] == "failed_changes")
    assert failed_factor["contribution"] > 0 and "C-2" in failed_factor["detail"]


def test_raise_rejects_bad_input_and_writes_nothing(api: GraphQLClient) -> None:
    load(api)
    unknown = act(api, "raiseChange", 'input: {id: "C-10", title: "x", type: NORMAL, modifies: ["NOPE"]}')
    assert unknown["__typename"] == "UnknownReference" and "NOPE" in unknown["message"]
    dup = act(api, "raiseChange", 'input: {id: "C-1", title: "x", type: NORMAL, modifies: ["DB-1"]}')
    assert dup["__typename"] == "DuplicateId"
    naive = act(
        api,
        "raiseChange",
        'input: {id: "C-11", title: "x", type: NORMAL, modifies: ["DB-1"], '
        'plannedStart: "2026-12-12T01:00:00", plannedEnd: "2026-12-12T02:00:00"}',
    )
    assert naive["__typename"] == "InvalidInput"
    assert api.data('{ c10: change(id: "C-10") { id } c11: change(id: "C-11") { id } }') == {"c10": None, "c11": None}
    draft = act(api, "raiseChange", 'input: {id: "C-12", title: "x", type: STANDARD, modifies: ["APP"], draft: true}')
    assert draft["change"]["status"] == "DRAFT"


def test_soft_edges_and_retired_items_in_the_built_estate(api: GraphQLClient) -> None:
    load(api)
    query = "query($o: [ID!]!) { impact(origin: $o) { origin impacted { id status explanation } } }"
    soft = api.data(query, {"o": ["CACHE"]})["impact"]
    assert {i["id"]: i["status"] for i in soft["impacted"]} == {
        "CACHE": "DOWN",
        "APP": "DEGRADED",
        "SVC-SHOP": "DEGRADED",
    }
    retired = api.data(query, {"o": ["OLD"]})["impact"]
    assert retired == {"origin": [], "impacted": []}
