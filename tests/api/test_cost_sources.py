"""UnitCost.sources end to end: on the demo CMDB and a built estate, at the root and under `estate(edits:)`, the
sources of each business unit add up to its amount, and the largest is what the data says by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import GraphQLClient, operation
from tests.api.test_contract_cost import SHARED_DATABASE

SOURCES = """
query CostSources($first: Int!) {
  costAllocation { businessUnits { id amount sources(first: $first) { id name kind ownCost amount } } }
}
"""
# every list multiplies the query cost: items under 500 sources of every unit would be over the budget
WITH_ITEMS = """
query CostSourceItems {
  costAllocation { businessUnits { id sources(first: 5) { id item { id name } } } }
}
"""
ESTATE_SOURCES = """
query EstateCostSources($edits: [GraphEdit!]) {
  estate(edits: $edits) {
    costAllocation { businessUnits { id amount sources(first: 500) { id kind ownCost amount } } }
  }
}
"""


def units(api: GraphQLClient, first: int = 500) -> dict[str, dict[str, Any]]:
    found = api.data(SOURCES, {"first": first})["costAllocation"]["businessUnits"]
    return {u["id"]: u for u in found}


def estate_units(api: GraphQLClient, edits: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = api.data(ESTATE_SOURCES, {"edits": edits})["estate"]["costAllocation"]["businessUnits"]
    return {u["id"]: u for u in found}


def check_sources_add_up(found: dict[str, dict[str, Any]]) -> None:
    for u in found.values():
        sources = u["sources"]
        assert sum(Decimal(s["amount"]) for s in sources) == Decimal(u["amount"]), u["id"]
        assert all(Decimal(0) <= Decimal(s["amount"]) <= Decimal(s["ownCost"]) for s in sources)
        assert sources == sorted(sources, key=lambda s: (-Decimal(s["amount"]), s["id"]))
        assert all(s["kind"] in {"SERVICE", "CONFIGURATION_ITEM"} for s in sources)


def test_demo_sources_add_up_to_each_units_amount(demo_api: GraphQLClient) -> None:
    found = units(demo_api)
    check_sources_add_up(found)
    assert all(len(u["sources"]) < 500 for u in found.values())  # so every source is in the sum above
    # SVC-ERP (40,000.00 a month) is consumed by Finance (share 3) and Logistics (share 1) and nothing depends on it:
    # three quarters of it reach Finance, its largest source
    finance = found["BU-FINANCE"]["sources"]
    assert finance[0] == {
        "id": "SVC-ERP",
        "name": "ERP & Finance",
        "kind": "SERVICE",
        "ownCost": "40000.00",
        "amount": "30000.00",
    }
    with_items = demo_api.data(WITH_ITEMS)["costAllocation"]["businessUnits"]
    assert all(s["item"]["id"] == s["id"] for u in with_items for s in u["sources"])
    assert with_items[1]["id"] == "BU-FINANCE" and with_items[1]["sources"][0]["item"]["name"] == "ERP & Finance"
    assert {s["id"]: s["amount"] for s in found["BU-LOGISTICS"]["sources"]}["SVC-ERP"] == "10000.00"
    # SVC-CUSTOMER-SERVICE (14,000.00) is consumed by Customer Care alone and nothing depends on it
    assert found["BU-CUSTOMER-CARE"]["sources"][0]["id"] == "SVC-CUSTOMER-SERVICE"
    assert found["BU-CUSTOMER-CARE"]["sources"][0]["amount"] == "14000.00"
    # retired items are not allocated, so they are nobody's source
    retired = {"CI-DC1-DB-FINANCE-OLD-01", "CI-DC1-DNS-02", "CI-ORA-FINANCE-OLD"}
    assert not retired & {s["id"] for u in found.values() for s in u["sources"]}
    # first: the largest ones, in the same order
    top = units(demo_api, 3)
    assert all(top[u]["sources"] == found[u]["sources"][:3] for u in found)


def test_demo_sources_under_an_estate_with_an_item_retired(demo_api: GraphQLClient) -> None:
    before = units(demo_api)
    assert estate_units(demo_api, []) == {  # no edits: the same as at the root
        u: {
            "id": v["id"],
            "amount": v["amount"],
            "sources": [{k: s[k] for k in ("id", "kind", "ownCost", "amount")} for s in v["sources"]],
        }
        for u, v in before.items()
    }
    found = estate_units(demo_api, [{"retire": "SVC-ERP"}])
    check_sources_add_up(found)
    assert "SVC-ERP" not in {s["id"] for u in found.values() for s in u["sources"]}
    assert Decimal(found["BU-FINANCE"]["amount"]) <= Decimal(before["BU-FINANCE"]["amount"]) - 30000


# The contract test's estate: its service nobody consumes and its orphan CI reach no unit, so are no one's source.
BUILT = SHARED_DATABASE


def test_a_built_estate_by_hand_and_with_its_database_retired(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": BUILT}, "ImportCmdb")
    found = units(api)
    # DB: 2/3 to SVC-1 (all to BU-A), 1/3 to SVC-2 (1:2 to BU-A and BU-B): 77.78 and 22.22; the APP-X/APP-Y pool
    # goes whole to SVC-1, so to BU-A; SVC-2 has no own cost, so it is no one's source
    assert [(s["id"], s["amount"]) for s in found["BU-A"]["sources"]] == [
        ("DB", "77.78"),
        ("SVC-1", "10.00"),
        ("APP-X", "5.00"),
        ("APP-Y", "5.00"),
    ]
    assert found["BU-A"]["amount"] == "97.78"
    assert [(s["id"], s["ownCost"], s["amount"]) for s in found["BU-B"]["sources"]] == [("DB", "100.00", "22.22")]
    check_sources_add_up(found)
    retired = estate_units(api, [{"retire": "DB"}])
    assert [(s["id"], s["amount"]) for s in retired["BU-A"]["sources"]] == [
        ("SVC-1", "10.00"),
        ("APP-X", "5.00"),
        ("APP-Y", "5.00"),
    ]
    assert retired["BU-A"]["amount"] == "20.00"
    assert retired["BU-B"] == {"id": "BU-B", "amount": "0.00", "sources": []}


def test_first_is_checked_against_the_page_size_cap(api: GraphQLClient) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": BUILT}, "ImportCmdb")
    assert [len(u["sources"]) for u in units(api, 0).values()] == [0, 0]
    assert [len(u["sources"]) for u in units(api, 1).values()] == [1, 1]
    for first in (-1, 501):
        response = api.post(SOURCES, {"first": first})
        error = response["errors"][0]
        assert error["message"] == f"first must be between 0 and 500, got {first}"
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argument"] == "first"
