"""change.graphql as written, on the demo CMDB: the designed change scenarios of seeds/README.md."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation
from tests.unit.test_demo_seed import impact as reference_impact

CHANGE = operation("change.graphql", "ChangeAssessment")
FACTORS = [
    "service_impact",
    "business_units",
    "slas",
    "failed_changes",
    "incidents",
    "conflicts",
    "policy_violations",
    "change_type",
]


def assess(api: GraphQLClient, change_id: str) -> dict[str, Any]:
    return api.data(CHANGE, {"id": change_id}, "ChangeAssessment")["change"]  # type: ignore[no-any-return]


def test_change_document_validates() -> None:
    assert validate(build_schema()._schema, parse((OPERATIONS / "change.graphql").read_text())) == []


def test_compounded_pair(demo_api: GraphQLClient) -> None:
    a = assess(demo_api, "CHG-1002")
    assert a["modifies"] == [{"id": "CI-PG-ORDERS-02", "name": "pg-orders-02"}]
    assert a["plannedStart"] == "2026-11-21T01:00:00+00:00"
    conflicts = a["assessment"]["conflicts"]
    assert conflicts == [
        {
            "change": {"id": "CHG-1003", "title": "Patch PostgreSQL on pg-orders-03"},
            "reason": "COMPOUNDED",
            "items": ["SVC-CHECKOUT", "SVC-CUSTOMER-SERVICE", "SVC-ORDERS"],
        }
    ]
    # each alone leaves the orders services DEGRADED; the impact is the change's own
    services = {s["id"]: s["status"] for s in a["assessment"]["impact"]["services"]}
    expected = reference_impact(["CI-PG-ORDERS-02"])
    assert services == {k: v for k, v in expected.items() if k.startswith("SVC-")}
    assert services["SVC-ORDERS"] == "DEGRADED"
    b = assess(demo_api, "CHG-1003")
    assert [(c["change"]["id"], c["reason"]) for c in b["assessment"]["conflicts"]] == [("CHG-1002", "COMPOUNDED")]


def test_same_item_dependent_item_and_shared_impact(demo_api: GraphQLClient) -> None:
    got = {
        cid: [(c["change"]["id"], c["reason"], c["items"]) for c in assess(demo_api, cid)["assessment"]["conflicts"]]
        for cid in ("CHG-1016", "CHG-1020", "CHG-1021", "CHG-1024")
    }
    assert got["CHG-1020"][0] == ("CHG-1021", "SAME_ITEM", ["CI-DC1-LB-01"])
    assert got["CHG-1021"][0] == ("CHG-1020", "SAME_ITEM", ["CI-DC1-LB-01"])
    assert got["CHG-1016"][0] == ("CHG-1024", "DEPENDENT_ITEM", ["CI-APP-WMS"])
    assert got["CHG-1024"][0] == ("CHG-1016", "DEPENDENT_ITEM", ["CI-APP-WMS"])
    shared = {(cid, other) for cid, found in got.items() for other, reason, _ in found if reason == "SHARED_IMPACT"}
    assert {("CHG-1016", "CHG-1020"), ("CHG-1016", "CHG-1021"), ("CHG-1020", "CHG-1024")} <= shared
    # reasons come in order: SAME_ITEM, DEPENDENT_ITEM, COMPOUNDED, SHARED_IMPACT
    order = ["SAME_ITEM", "DEPENDENT_ITEM", "COMPOUNDED", "SHARED_IMPACT"]
    for found in got.values():
        assert [order.index(r) for _, r, _ in found] == sorted(order.index(r) for _, r, _ in found)


def test_freeze_violation_and_emergency_approval(demo_api: GraphQLClient) -> None:
    frozen = assess(demo_api, "CHG-1004")["assessment"]
    [violation] = frozen["policyViolations"]
    assert violation["policy"]["id"] == "POL-PEAK-FREEZE"
    assert violation["ruleType"] == "CHANGE_FREEZE"
    assert violation["subjectId"] == "CHG-1004"
    assert "SVC-CHECKOUT" in violation["message"] and "freeze" in violation["message"]
    emergency = assess(demo_api, "CHG-1005")["assessment"]
    assert emergency["policyViolations"] == []
    cab = [a for a in emergency["requiredApprovals"] if a["approver"] == "CAB"]
    assert len(cab) == 1 and "EMERGENCY change inside the change freeze POL-PEAK-FREEZE" in cab[0]["reason"]
    factors = {f["name"]: f for f in emergency["risk"]["factors"]}
    assert factors["change_type"]["contribution"] > 0


def test_maintenance_window_violation(demo_api: GraphQLClient) -> None:
    a = assess(demo_api, "CHG-1006")["assessment"]
    [violation] = a["policyViolations"]
    assert violation["ruleType"] == "MAINTENANCE_WINDOW"
    assert violation["policy"]["id"] == "POL-MAINTENANCE-WINDOW"
    assert "SAT, SUN 01:00-05:00 Europe/London" in violation["message"]
    assert "SVC-" in violation["message"]
    # the compounded pair is inside Saturday's window: no violation
    assert assess(demo_api, "CHG-1002")["assessment"]["policyViolations"] == []


def test_risk_is_explained_and_stable(demo_api: GraphQLClient) -> None:
    first = assess(demo_api, "CHG-1002")["assessment"]["risk"]
    assert [f["name"] for f in first["factors"]] == FACTORS
    total = sum(f["contribution"] for f in first["factors"])
    assert first["score"] == max(0, min(100, total))
    assert first["level"] == ("LOW", "MEDIUM", "HIGH", "CRITICAL")[min(3, first["score"] // 25)]
    assert all(f["detail"] for f in first["factors"])
    conflicts = next(f for f in first["factors"] if f["name"] == "conflicts")
    assert conflicts["contribution"] > 0 and "COMPOUNDED with CHG-1003" in conflicts["detail"]
    assert assess(demo_api, "CHG-1002")["assessment"]["risk"] == first
    # an item that goes DOWN outweighs one left DEGRADED
    down = assess(demo_api, "CHG-1004")["assessment"]["risk"]["factors"][0]
    degraded = first["factors"][0]
    assert down["contribution"] > degraded["contribution"]


def test_owner_approvals_name_business_services(demo_api: GraphQLClient) -> None:
    a = assess(demo_api, "CHG-1016")["assessment"]
    teams = {r["approver"]: r["reason"] for r in a["requiredApprovals"] if r["approver"] != "CAB"}
    assert teams == {"TEAM-SUPPLY": "owns impacted business service SVC-WMS (DOWN)"}


def test_cab_agenda_blocked_first_then_riskiest(demo_api: GraphQLClient) -> None:
    data = demo_api.data(
        operation("change.graphql", "CabAgenda"),
        {"from": "2026-11-20T00:00:00Z", "to": "2026-11-29T00:00:00Z"},
        "CabAgenda",
    )["cabAgenda"]
    ids = [e["change"]["id"] for e in data]
    # pending changes starting in the period (CHG-1001 is IMPLEMENTED, CHG-1007 starts in January)
    assert sorted(ids) == [
        "CHG-1002",
        "CHG-1003",
        "CHG-1004",
        "CHG-1005",
        "CHG-1006",
        "CHG-1016",
        "CHG-1020",
        "CHG-1021",
        "CHG-1024",
    ]
    # BLOCKED first (CHG-1004 breaks the peak freeze), then the CAB's, then the owners'; riskiest first in each
    decided = operation("decision.graphql", "ChangeDecision")
    order = ["BLOCKED", "CAB", "OWNERS"]
    decisions = {
        i: demo_api.data(decided, {"id": i}, "ChangeDecision")["change"]["assessment"]["decision"] for i in ids
    }
    keys = [(order.index(decisions[e["change"]["id"]]), -e["risk"]["score"]) for e in data]
    assert keys == sorted(keys) and ids[0] == "CHG-1004"
    entry = next(e for e in data if e["change"]["id"] == "CHG-1002")
    assert entry["conflicts"] == [{"change": {"id": "CHG-1003"}, "reason": "COMPOUNDED"}]
    assert entry["risk"] == {
        k: v for k, v in assess(demo_api, "CHG-1002")["assessment"]["risk"].items() if k in ("score", "level")
    }


def test_cab_agenda_rejects_a_backwards_period(demo_api: GraphQLClient) -> None:
    result = demo_api.post(
        operation("change.graphql", "CabAgenda"),
        {"from": "2026-11-29T00:00:00Z", "to": "2026-11-20T00:00:00Z"},
        "CabAgenda",
    )
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "must be after from" in result["errors"][0]["message"]


def test_release_impact_is_the_union(demo_api: GraphQLClient, demo_document: Any) -> None:
    data = demo_api.data(operation("change.graphql", "ReleaseImpact"), {"id": "REL-DB-2026.11"}, "ReleaseImpact")
    release = data["release"]
    assert [c["id"] for c in release["changes"]] == ["CHG-1002", "CHG-1003"]
    got = {s["id"]: s["status"] for s in release["impact"]["services"]}
    expected = reference_impact(["CI-PG-ORDERS-02", "CI-PG-ORDERS-03"])
    assert got == {k: v for k, v in expected.items() if k.startswith("SVC-")}
    assert got["SVC-ORDERS"] == "DOWN"


def test_next_conflict_free_window(demo_api: GraphQLClient) -> None:
    query = """query($id: ID!, $d: Int!, $after: DateTime) { change(id: $id) {
        nextConflictFreeWindow(durationMinutes: $d, after: $after) { start end } } }"""
    # CHG-1002 (2 h on pg-orders-02) impacts frozen services, so only weekends 01-05 London before 23 Nov or after
    # 4 Jan qualify. Sat 21 Nov holds CHG-1003 (COMPOUNDED), Sun 22 Nov CHG-1020/1024 (shared impact) until 04:00,
    # Sat 9 and Sun 10 Jan CHG-1007 and CHG-1017 (shared impact, 01-05): the first free slot is Sat 16 Jan.
    found = demo_api.data(query, {"id": "CHG-1002", "d": 120, "after": "2026-11-20T12:00:00Z"})["change"]
    window = found["nextConflictFreeWindow"]
    assert window == {"start": "2027-01-16T01:00:00+00:00", "end": "2027-01-16T03:00:00+00:00"}
    # an hour fits on Saturday 21 Nov once CHG-1003 ends at 03:30
    hour = demo_api.data(query, {"id": "CHG-1002", "d": 60, "after": "2026-11-20T12:00:00Z"})["change"]
    assert hour["nextConflictFreeWindow"] == {"start": "2026-11-21T03:30:00+00:00", "end": "2026-11-21T04:30:00+00:00"}
    # and from Sunday on, after the last conflicting change there ends at 04:00
    sunday = demo_api.data(query, {"id": "CHG-1002", "d": 60, "after": "2026-11-21T12:00:00Z"})["change"]
    assert sunday["nextConflictFreeWindow"]["start"] == "2026-11-22T04:00:00+00:00"
    # CHG-1004 touches a frozen service: asked from the first day of the freeze, nothing before it ends on
    # 4 Jan 2027; then the first weekend window, 01:00-05:00 London
    frozen = demo_api.data(query, {"id": "CHG-1004", "d": 60, "after": "2026-11-23T00:00:00Z"})["change"]
    start = datetime.fromisoformat(frozen["nextConflictFreeWindow"]["start"])
    assert start >= datetime(2027, 1, 9, 1, tzinfo=UTC) and start.weekday() in (5, 6) and 1 <= start.hour < 5
    # longer than any maintenance window: none
    none = demo_api.data(query, {"id": "CHG-1002", "d": 600, "after": "2026-11-20T12:00:00Z"})["change"]
    assert none["nextConflictFreeWindow"] is None


@pytest.mark.parametrize(
    ("document", "name", "variables", "message"),
    [
        ("change.graphql", "ReleaseImpact", {"id": "REL-NOPE"}, None),
        ("change.graphql", "ChangeAssessment", {"id": "CHG-NOPE"}, None),
    ],
)
def test_unknown_ids_read_as_null(
    demo_api: GraphQLClient, document: str, name: str, variables: dict[str, str], message: str | None
) -> None:
    data = demo_api.data(operation(document, name), variables, name)
    assert next(iter(data.values())) is None


def test_times_out_of_range_are_clear_errors(demo_api: GraphQLClient) -> None:
    far = demo_api.post(
        '{ change(id: "CHG-1002") { nextConflictFreeWindow(durationMinutes: 60, '
        'after: "9999-12-01T00:00:00Z") { start } } }'
    )
    assert far["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "too far in the future" in far["errors"][0]["message"]
    early = demo_api.post(
        operation("change.graphql", "CabAgenda"),
        {"from": "0001-01-01T00:00:00+05:00", "to": "2026-01-01T00:00:00Z"},
        "CabAgenda",
    )
    assert early["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "out of range" in early["errors"][0]["message"]


def test_bad_duration_is_a_clear_error(demo_api: GraphQLClient) -> None:
    query = '{ change(id: "CHG-1002") { nextConflictFreeWindow(durationMinutes: 0) { start } } }'
    result = demo_api.post(query)
    assert result["errors"][0]["message"] == "durationMinutes must be between 1 and 20160"
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
