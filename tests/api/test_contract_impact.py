"""impact.graphql as written, on the demo CMDB: answers per SEMANTICS.md, checked against a reference."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation
from tests.unit.test_demo_seed import by_id, demo
from tests.unit.test_demo_seed import impact as reference_impact

IMPACT = operation("impact.graphql", "Impact")


def run_impact(api: GraphQLClient, origin: list[str]) -> dict[str, Any]:
    return api.data(IMPACT, {"origin": origin}, "Impact")["impact"]  # type: ignore[no-any-return]


def test_impact_document_validates() -> None:
    assert validate(build_schema()._schema, parse((OPERATIONS / "impact.graphql").read_text())) == []


def test_the_orders_cluster_needs_two_of_three(demo_api: GraphQLClient) -> None:
    one = run_impact(demo_api, ["CI-PG-ORDERS-02"])
    statuses = {i["id"]: i["status"] for i in one["impacted"]}
    assert statuses["RG-DB-ORDERS"] == "DEGRADED"
    assert statuses["SVC-ORDERS"] == "DEGRADED"
    assert "DOWN" not in {s["status"] for s in one["services"]}

    two = run_impact(demo_api, ["CI-PG-ORDERS-02", "CI-PG-ORDERS-03"])
    items = {i["id"]: i for i in two["impacted"]}
    assert items["RG-DB-ORDERS"]["status"] == "DOWN"
    assert items["RG-DB-ORDERS"]["explanation"] == "DOWN: 1 of 3 members up, needs 2"
    needs_group = [i for i in two["impacted"] if i["path"][1:2] == ["RG-DB-ORDERS"]]
    assert needs_group, "something depends directly on the cluster"
    assert {(i["status"], i["explanation"]) for i in needs_group} == {
        ("DOWN", "DOWN: needs RG-DB-ORDERS, which has 1 of 3 members up and needs 2"),
        ("DEGRADED", "DEGRADED: uses (SOFT) RG-DB-ORDERS, which has 1 of 3 members up and needs 2"),
    }
    down = {s["id"] for s in two["services"] if s["status"] == "DOWN"}
    assert {"SVC-ORDERS", "SVC-CHECKOUT", "SVC-CUSTOMER-SERVICE"} <= down


def test_every_answer_matches_the_reference_fixpoint(demo_api: GraphQLClient) -> None:
    """Each service, each group and every 5th CI as an origin, and some pairs: statuses equal the slow reference."""
    doc = demo()
    origins = [[s["id"]] for s in doc["services"]]
    origins += [[g["id"]] for g in doc["redundancyGroups"]]
    origins += [[c["id"]] for c in doc["configurationItems"][::5]]
    origins += [g["members"][:2] for g in doc["redundancyGroups"]]
    for origin in origins:
        got = {i["id"]: i["status"] for i in run_impact(demo_api, origin)["impacted"]}
        assert got == reference_impact(origin), origin


def test_depth_path_and_kind(demo_api: GraphQLClient) -> None:
    result = run_impact(demo_api, ["CI-DC1-SAN-01"])
    items = {i["id"]: i for i in result["impacted"]}
    assert items["CI-DC1-SAN-01"] == {
        "id": "CI-DC1-SAN-01",
        "kind": "CONFIGURATION_ITEM",
        "name": by_id("configurationItems")["CI-DC1-SAN-01"]["name"],
        "status": "DOWN",
        "depth": 0,
        "path": ["CI-DC1-SAN-01"],
        "explanation": "DOWN: in the origin set",
    }
    deps = {(d["from"], d["to"]) for d in demo()["dependencies"]}
    deps |= {(g["id"], m) for g in demo()["redundancyGroups"] for m in g["members"]}
    for item in result["impacted"]:
        path = item["path"]
        assert len(path) == item["depth"] + 1 and path[-1] == "CI-DC1-SAN-01"
        assert all((a, b) in deps for a, b in itertools.pairwise(path)), path
    depths = [i["depth"] for i in result["impacted"]]
    assert depths == sorted(depths)


def test_exposure_of_the_orders_cluster(demo_api: GraphQLClient) -> None:
    result = run_impact(demo_api, ["CI-PG-ORDERS-02", "CI-PG-ORDERS-03"])
    doc = demo()
    impacted = {s["id"]: s["status"] for s in result["services"]}
    services = by_id("services")
    assert [s["criticality"] for s in result["services"]] == [
        services[s["id"]]["criticality"] for s in result["services"]
    ]
    # business units: a consumption of, or an SLA on, an impacted service
    units = {c["businessUnit"] for c in doc["consumption"] if c["service"] in impacted}
    units |= {s["businessUnit"] for s in doc["slas"] if s["service"] in impacted}
    assert {b["id"] for b in result["businessUnits"]} == units
    assert {s["id"] for s in result["slas"]} == {s["id"] for s in doc["slas"] if s["service"] in impacted}
    # teams: owners of impacted services and CIs
    owners = {
        x["owner"]
        for k in ("services", "configurationItems")
        for x in doc[k]
        if x["id"] in {i["id"] for i in result["impacted"]} and x.get("owner")
    }
    assert {t["id"] for t in result["teams"]} == owners
    assert all(t["email"] for t in result["teams"])
    # requirements: satisfied by an impacted service, plus all their ancestors; worst status of those reaching it
    reqs = by_id("requirements")
    expected: dict[str, str] = {}

    def climb(rid: str, status: str) -> None:
        if expected.get(rid) != "DOWN":
            expected[rid] = (
                status if rid not in expected else max(expected[rid], status, key=["DEGRADED", "DOWN"].index)
            )
        for parent in reqs[rid].get("refines", []):
            climb(parent, status)

    for sid, status in impacted.items():
        for rid in services[sid].get("satisfies", []):
            climb(rid, status)
    assert {r["id"]: r["status"] for r in result["requirements"]} == expected
    assert {r["kind"] for r in result["requirements"]} <= {"BUSINESS", "SERVICE", "OPERATIONAL", "TECHNOLOGY"}


def test_retired_items_are_absent(demo_api: GraphQLClient) -> None:
    assert run_impact(demo_api, ["CI-ORA-FINANCE-OLD"])["impacted"] == []
    reporting = run_impact(demo_api, ["CI-APP-FINANCE-REPORTING"])
    assert "CI-ORA-FINANCE-OLD" not in {i["id"] for i in reporting["impacted"]}


def test_the_cycle_goes_down_together_only_from_outside(demo_api: GraphQLClient) -> None:
    statuses = {i["id"]: i["status"] for i in run_impact(demo_api, ["CI-APP-INVENTORY"])["impacted"]}
    assert statuses["CI-APP-ORDERS"] == "DOWN"  # ORDERS -> INVENTORY is HARD
    back = {i["id"]: i["status"] for i in run_impact(demo_api, ["CI-APP-ORDERS"])["impacted"]}
    assert back["CI-APP-INVENTORY"] == "DEGRADED"  # INVENTORY -> ORDERS is SOFT


def test_site_failure(demo_api: GraphQLClient) -> None:
    doc = demo()
    at_dc2 = sorted(c["id"] for c in doc["configurationItems"] if c.get("site") == "SITE-DC2")
    result = demo_api.data(operation("impact.graphql", "SiteFailure"), {"siteId": "SITE-DC2"}, "SiteFailure")
    statuses = {i["id"]: i["status"] for i in result["siteFailure"]["impacted"]}
    assert statuses == reference_impact(at_dc2)
    down = {s["id"] for s in result["siteFailure"]["services"] if s["status"] == "DOWN"}
    assert {"SVC-WMS", "SVC-LOGGING", "SVC-BACKUP"} <= down
    dc1 = demo_api.data(operation("impact.graphql", "SiteFailure"), {"siteId": "SITE-DC1"}, "SiteFailure")
    assert sum(s["status"] == "DOWN" for s in dc1["siteFailure"]["services"]) == 22


def test_pages_and_totals(demo_api: GraphQLClient) -> None:
    query = """query($o: [ID!]!, $first: Int!, $offset: Int!) { impact(origin: $o) {
        totals { impacted down degraded services requirements businessUnits slas teams }
        impacted(first: $first, offset: $offset) { id }
        all: impacted(first: 10000) { id }
        downOnly: impacted(status: DOWN, kind: SERVICE) { id status kind } } }"""
    data = demo_api.data(query, {"o": ["CI-DC1-SAN-01"], "first": 7, "offset": 3})["impact"]
    every = [i["id"] for i in data["all"]]
    assert [i["id"] for i in data["impacted"]] == every[3:10]
    assert data["totals"]["impacted"] == len(every)
    assert data["totals"]["down"] + data["totals"]["degraded"] == len(every)
    assert all(i["status"] == "DOWN" and i["kind"] == "SERVICE" for i in data["downOnly"])
    assert len(data["downOnly"]) <= data["totals"]["services"]


@pytest.mark.parametrize(
    ("origin", "code", "fragment"),
    [
        (["CI-NOPE"], "NOT_FOUND", "origin: unknown id 'CI-NOPE'"),
        (["TEAM-DBA", "CI-DC1-SAN-01"], "BAD_USER_INPUT", "'TEAM-DBA' is a TEAM"),
    ],
)
def test_bad_origins_get_clear_errors(demo_api: GraphQLClient, origin: list[str], code: str, fragment: str) -> None:
    result = demo_api.post(IMPACT, {"origin": origin}, "Impact")
    [error] = result["errors"]
    assert error["extensions"]["code"] == code
    assert fragment in error["message"]


def test_unknown_site_is_a_clear_error(demo_api: GraphQLClient) -> None:
    result = demo_api.post(operation("impact.graphql", "SiteFailure"), {"siteId": "SVC-ORDERS"}, "SiteFailure")
    assert result["errors"][0]["message"] == "siteId: 'SVC-ORDERS' is a SERVICE, not a SITE"
    assert result["errors"][0]["extensions"]["code"] == "NOT_FOUND"


DEGRADED = operation("degraded.graphql", "ImpactDegraded")


def test_degraded_document_validates() -> None:
    assert validate(build_schema()._schema, parse((OPERATIONS / "degraded.graphql").read_text())) == []


def test_degraded_origins_match_the_reference_fixpoint(demo_api: GraphQLClient) -> None:
    """Degraded origins alone, and overlapping outages: statuses equal the slow reference, explanations say why."""
    doc = demo()
    cases: list[tuple[list[str], list[str]]] = [([], [s["id"]]) for s in doc["services"][::4]]
    cases += [([], [c["id"]]) for c in doc["configurationItems"][::15]]
    cases += [(g["members"][:1], g["members"][1:2]) for g in doc["redundancyGroups"]]  # an outage and a degradation
    for origin, degraded in cases:
        answer = demo_api.data(DEGRADED, {"origin": origin, "degraded": degraded}, "ImpactDegraded")["impact"]
        got = {i["id"]: i["status"] for i in answer["impacted"]}
        assert got == reference_impact(origin, degraded), (origin, degraded)
        for item in answer["impacted"]:
            if item["id"] in degraded and item["id"] not in origin and item["status"] == "DEGRADED":
                assert item["explanation"] == "DEGRADED: in the degraded origin set"
                assert item["depth"] == 0
        assert "DOWN" not in {s["status"] for s in answer["services"]} or origin, (origin, degraded)


def test_a_degraded_database_cluster_degrades_but_takes_nothing_down(demo_api: GraphQLClient) -> None:
    answer = demo_api.data(DEGRADED, {"origin": [], "degraded": ["RG-DB-ORDERS"]}, "ImpactDegraded")["impact"]
    statuses = {s["id"]: s["status"] for s in answer["services"]}
    assert statuses["SVC-ORDERS"] == "DEGRADED" and set(statuses.values()) == {"DEGRADED"}
    bad = demo_api.post(DEGRADED, {"origin": [], "degraded": ["NOPE-1"]}, "ImpactDegraded")
    assert bad["data"] == {"impact": None} and "degraded: unknown id 'NOPE-1'" in bad["errors"][0]["message"]
