"""cost.graphql as written: conservation to the cent on the demo CMDB and on a built estate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation
from tests.unit.test_demo_seed import demo

COST = operation("cost.graphql", "CostAllocation")


def test_cost_document_validates() -> None:
    assert validate(build_schema()._schema, parse((OPERATIONS / "cost.graphql").read_text())) == []


def allocation(api: GraphQLClient) -> dict[str, Any]:
    return api.data(COST, {}, "CostAllocation")["costAllocation"]  # type: ignore[no-any-return]


def test_demo_costs_are_conserved_to_the_cent(demo_api: GraphQLClient) -> None:
    a = allocation(demo_api)
    doc = demo()
    own = sum(
        Decimal(x["monthlyCost"])
        for k in ("services", "configurationItems")
        for x in doc[k]
        if x.get("monthlyCost") and x.get("status") != "RETIRED"
    )
    assert Decimal(a["total"]) == own.quantize(Decimal("0.01"))
    units = sum(Decimal(b["amount"]) for b in a["businessUnits"])
    assert units + Decimal(a["unallocatedTotal"]) == Decimal(a["total"])
    assert Decimal(a["unallocatedTotal"]) == sum(Decimal(u["amount"]) for u in a["unallocated"])
    for b in a["businessUnits"]:
        assert sum(Decimal(s["amount"]) for s in b["byService"]) == Decimal(b["amount"])
    unallocated = {u["id"] for u in a["unallocated"]}
    assert {"SVC-GIFT-CARDS", "CI-DC1-FTP-LEGACY-01"} <= unallocated  # nobody consumes it; nothing needs it
    assert all(len(x.split(".")[1]) == 2 for x in [a["total"], a["unallocatedTotal"]])


def test_cost_report_csv_says_what_the_api_says(demo_api: GraphQLClient) -> None:
    import csv
    import io

    a = allocation(demo_api)
    response = demo_api.http.get("/reports/costs", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="graphsvc-costs-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    pick = {s: [r for r in rows if r["section"] == s] for s in {r["section"] for r in rows}}
    assert pick["total"][0]["amount"] == a["total"]
    assert pick["unallocated_total"][0]["amount"] == a["unallocatedTotal"]
    assert [(r["id"], r["amount"]) for r in pick["business_unit"]] == [
        (b["id"], b["amount"]) for b in a["businessUnits"]
    ]
    assert [(r["id"], r["service_id"], r["amount"]) for r in pick["business_unit_service"]] == [
        (b["id"], s["serviceId"], s["amount"]) for b in a["businessUnits"] for s in b["byService"]
    ]
    assert [(r["id"], r["own_cost"], r["amount"]) for r in pick["service"]] == [
        (s["id"], s["ownCost"], s["total"]) for s in a["services"]
    ]
    assert [(r["id"], r["amount"]) for r in pick["unallocated"]] == [(u["id"], u["amount"]) for u in a["unallocated"]]
    bad = demo_api.http.get("/reports/costs", params={"format": "xlsx"})
    assert bad.status_code == 400 and "'xlsx' is not one of html, csv" in bad.text


# Two units sharing a database by weight, a pool (APP-X <-> APP-Y), a service nobody consumes and an orphan CI.
SHARED_DATABASE = {
    "format": "graphsvc-cmdb/1",
    "businessUnits": [{"id": "BU-A", "name": "A"}, {"id": "BU-B", "name": "B"}],
    "services": [
        {"id": "SVC-1", "name": "one", "tier": "BUSINESS", "criticality": 1, "monthlyCost": "10.00"},
        {"id": "SVC-2", "name": "two", "tier": "BUSINESS", "criticality": 2},
        {"id": "SVC-3", "name": "nobody's", "tier": "BUSINESS", "criticality": 3, "monthlyCost": "1.00"},
    ],
    "configurationItems": [
        {"id": "DB", "name": "db", "type": "DATABASE", "monthlyCost": "100.00"},
        {"id": "APP-X", "name": "x", "type": "APPLICATION", "monthlyCost": "5.00"},
        {"id": "APP-Y", "name": "y", "type": "APPLICATION", "monthlyCost": "5.00"},
        {"id": "ORPHAN", "name": "orphan", "type": "SERVER", "monthlyCost": "3.33"},
    ],
    "dependencies": [
        {"from": "SVC-1", "to": "DB", "weight": 2},
        {"from": "SVC-2", "to": "DB", "weight": 1},
        {"from": "SVC-1", "to": "APP-X"},
        {"from": "APP-X", "to": "APP-Y"},
        {"from": "APP-Y", "to": "APP-X"},
    ],
    "consumption": [
        {"businessUnit": "BU-A", "service": "SVC-1", "share": 1},
        {"businessUnit": "BU-A", "service": "SVC-2", "share": 1},
        {"businessUnit": "BU-B", "service": "SVC-2", "share": 2},
    ],
}


def test_a_built_estate_splits_by_weight_pools_cycles_and_keeps_what_nobody_consumes(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": SHARED_DATABASE}, "ImportCmdb")
    a = allocation(api)
    units = {b["id"]: b for b in a["businessUnits"]}
    # SVC-1: 10 + 2/3 of DB (66.67) + the APP-X/APP-Y pool (10) = 86.67; SVC-2: 1/3 of DB = 33.33, split 1:2
    assert units["BU-A"]["amount"] == "97.78"
    assert units["BU-B"]["amount"] == "22.22"
    assert {s["serviceId"]: s["amount"] for s in units["BU-A"]["byService"]} == {"SVC-1": "86.67", "SVC-2": "11.11"}
    assert {u["id"]: u["amount"] for u in a["unallocated"]} == {"ORPHAN": "3.33", "SVC-3": "1.00"}
    assert a["total"] == "124.33" and a["unallocatedTotal"] == "4.33"
    services = {s["id"]: s for s in a["services"]}
    assert services["SVC-1"] == {"id": "SVC-1", "name": "one", "ownCost": "10.00", "total": "86.67"}
