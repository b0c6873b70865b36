"""continuity.graphql and incidents.graphql as written, on the demo CMDB: the scenarios of seeds/README.md."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation
from tests.unit.test_demo_seed import impact as reference_impact

CONTINUITY = operation("continuity.graphql", "Continuity")
CORRELATION = operation("incidents.graphql", "IncidentCorrelation")


@pytest.mark.parametrize("file", ["continuity.graphql", "incidents.graphql"])
def test_documents_validate(file: str) -> None:
    assert validate(build_schema()._schema, parse((OPERATIONS / file).read_text())) == []


def continuity(api: GraphQLClient, service: str) -> dict[str, Any]:
    return api.data(CONTINUITY, {"serviceId": service}, "Continuity")["continuity"]  # type: ignore[no-any-return]


def test_erp_hana_is_a_spof_and_an_rto_violation(demo_api: GraphQLClient) -> None:
    c = continuity(demo_api, "SVC-ERP")
    assert c["service"]["id"] == "SVC-ERP" and c["service"]["rtoMinutes"] == 240
    spofs = {s["id"] for s in c["singlePointsOfFailure"]}
    assert "CI-HANA-ERP-01" in spofs
    assert {"item": {"id": "CI-HANA-ERP-01", "name": "hana-erp-01"}, "itemMinutes": 480, "serviceMinutes": 240} in c[
        "rtoViolations"
    ]
    # every SPOF really takes the service down alone (the reference fixpoint agrees), and no group is one
    for s in c["singlePointsOfFailure"]:
        assert reference_impact([s["id"]]).get("SVC-ERP") == "DOWN", s
        assert s["kind"] in ("CONFIGURATION_ITEM", "SERVICE")


def test_cluster_members_are_not_spofs_but_inventory_db_is(demo_api: GraphQLClient) -> None:
    orders = continuity(demo_api, "SVC-ORDERS")
    spofs = {s["id"] for s in orders["singlePointsOfFailure"]}
    assert not spofs & {"CI-PG-ORDERS-01", "CI-PG-ORDERS-02", "CI-PG-ORDERS-03"}
    assert "CI-PG-INVENTORY-01" in spofs
    assert "CI-PG-INVENTORY-01" in {u["id"] for u in orders["unknownRto"]}
    assert "CI-PG-INVENTORY-01" in {u["id"] for u in orders["unknownRpo"]}


def test_recovery_objectives_of_payments_checkout_and_loyalty(demo_api: GraphQLClient) -> None:
    payments = continuity(demo_api, "SVC-PAYMENTS")
    assert any(v["item"]["id"] == "CI-DC1-SAN-01" for v in payments["rpoViolations"])
    assert "CI-SAAS-ADYEN" in {u["id"] for u in payments["unknownRto"]}
    checkout = continuity(demo_api, "SVC-CHECKOUT")
    assert {
        "item": {"id": "CI-AWS-DIRECT-CONNECT", "name": "aws-direct-connect"},
        "itemMinutes": 240,
        "serviceMinutes": 30,
    } in checkout["rtoViolations"]
    loyalty = continuity(demo_api, "SVC-LOYALTY")
    assert any(v["item"]["id"] == "CI-PG-LOYALTY-01" and v["itemMinutes"] == 1440 for v in loyalty["rpoViolations"])


def test_recovery_waves_end_with_the_service_and_keep_the_cycle_together(demo_api: GraphQLClient) -> None:
    waves = continuity(demo_api, "SVC-ORDERS")["recoveryWaves"]
    assert [w["wave"] for w in waves] == list(range(len(waves)))
    assert waves[-1]["ids"] == ["SVC-ORDERS"]
    where = {i: w["wave"] for w in waves for i in w["ids"]}
    assert where["CI-APP-ORDERS"] == where["CI-APP-INVENTORY"]  # the cycle shares a wave
    assert all(w["ids"] == sorted(w["ids"]) for w in waves)
    assert not any(i.startswith("RG-") for i in where)  # groups are replaced by their members


def test_availability_with_a_double_cluster_failure(demo_api: GraphQLClient) -> None:
    data = demo_api.data(
        operation("incidents.graphql", "Availability"),
        {"serviceId": "SVC-ORDERS", "from": "2026-11-10T00:00:00Z", "to": "2026-11-11T00:00:00Z"},
        "Availability",
    )["availability"]
    assert data["outageMinutes"] == pytest.approx(33)
    assert data["degradedMinutes"] == pytest.approx(42)
    assert data["availabilityPercent"] == pytest.approx(97.7083, abs=1e-4)
    assert data["target"] is not None and data["breached"] is True
    assert data["slas"] and all(s["breached"] is (97.7083 < s["target"]) for s in data["slas"])


def test_correlation_finds_the_designed_clusters(demo_api: GraphQLClient) -> None:
    data = demo_api.data(
        CORRELATION, {"since": "2026-11-01T00:00:00Z", "until": "2026-11-20T00:00:00Z"}, "IncidentCorrelation"
    )["incidentCorrelation"]
    clusters = {c["rootCause"]["id"]: c for c in data["clusters"]}
    assert set(clusters) == {"CI-DC1-SAN-01", "CI-AWS-RDS-CATALOG", "CI-DC1-FACILITY"}
    san = clusters["CI-DC1-SAN-01"]
    assert [i["id"] for i in san["incidents"]] == ["INC-5031", "INC-5032", "INC-5033", "INC-5034"]
    assert [c["id"] for c in san["recentChanges"]] == ["CHG-1001"]
    assert san["suggestedProblem"]["id"] == "PRB-0301"
    assert san["windowStart"] == san["incidents"][0]["openedAt"]
    assert san["windowEnd"] == san["incidents"][-1]["openedAt"]
    catalog = clusters["CI-AWS-RDS-CATALOG"]
    assert [i["id"] for i in catalog["incidents"]] == ["INC-5013", "INC-5014"]
    assert [c["id"] for c in catalog["recentChanges"]] == ["CHG-1011"]
    assert [i["id"] for i in clusters["CI-DC1-FACILITY"]["incidents"]] == ["INC-5017", "INC-5018"]
    assert clusters["CI-DC1-FACILITY"]["rootCause"]["kind"] == "CONFIGURATION_ITEM"


def test_bad_arguments_are_clear_errors(demo_api: GraphQLClient) -> None:
    missing = demo_api.post(CONTINUITY, {"serviceId": "CI-PG-ORDERS-01"}, "Continuity")
    assert missing["errors"][0]["message"] == "serviceId: 'CI-PG-ORDERS-01' is a CONFIGURATION_ITEM, not a SERVICE"
    backwards = demo_api.post(
        CORRELATION, {"since": "2026-11-20T00:00:00Z", "until": "2026-11-01T00:00:00Z"}, "IncidentCorrelation"
    )
    assert backwards["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    window = demo_api.post(
        CORRELATION,
        {"since": "2026-11-01T00:00:00Z", "until": "2026-11-20T00:00:00Z", "windowMinutes": 0},
        "IncidentCorrelation",
    )
    assert "windowMinutes must be between 1 and" in window["errors"][0]["message"]


def test_sla_report_puts_breaches_first(demo_api: GraphQLClient) -> None:
    query = """query($from: DateTime!, $to: DateTime!) { slaReport(from: $from, to: $to) {
        sla { id } service { id } businessUnit { id } availabilityPercent outageMinutes target breached } }"""
    rows = demo_api.data(query, {"from": "2026-11-10T00:00:00Z", "to": "2026-11-11T00:00:00Z"})["slaReport"]
    assert len(rows) == 11
    breached = [r["breached"] for r in rows]
    assert breached == sorted(breached, key=lambda b: b is not True)
    orders = next(r for r in rows if r["sla"]["id"] == "SLA-ONLINE-ORDERS")
    assert orders["service"]["id"] == "SVC-ORDERS" and orders["businessUnit"]["id"] == "BU-ONLINE"
    assert orders["availabilityPercent"] == pytest.approx(97.7083, abs=1e-4) and orders["breached"] is True
    assert all(r["breached"] is (r["availabilityPercent"] < r["target"]) for r in rows)
