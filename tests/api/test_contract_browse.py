"""The contract documents browse.graphql and import.graphql, run as written against the real app."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate

from graphsvc.graphql.schema import build_schema
from tests.api.conftest import OPERATIONS, GraphQLClient, operation
from tests.conftest import REPO, load_json

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")


@pytest.mark.parametrize("file", ["browse.graphql", "import.graphql"])
def test_contract_documents_validate_against_the_schema(file: str) -> None:
    schema = build_schema()._schema
    errors = validate(schema, parse((OPERATIONS / file).read_text()))
    assert errors == []


def load(api: GraphQLClient, document: Any = SMALL) -> dict[str, Any]:
    data = api.data(operation("import.graphql", "ImportCmdb"), {"document": document}, "ImportCmdb")
    return data["importCmdb"]  # type: ignore[no-any-return]


def test_import_cmdb_as_written(api: GraphQLClient) -> None:
    assert load(api) == {"created": 36, "updated": 0}
    assert load(api) == {"created": 0, "updated": 0}
    changed = {"format": "graphsvc-cmdb/1", "teams": [{"id": "T-WEB", "name": "Web Platform Team"}]}
    assert load(api, changed) == {"created": 0, "updated": 1}


def test_import_cmdb_rejects_an_invalid_document_with_every_problem(api: GraphQLClient) -> None:
    bad = {
        "format": "graphsvc-cmdb/1",
        "services": [{"id": "SVC-1", "name": "x", "tier": "BUSINESS", "criticality": 1, "owner": "T-9"}],
        "configurationItems": [{"id": "CI-1", "name": "y", "type": "MAINFRAME"}],
    }
    result = api.post(operation("import.graphql", "ImportCmdb"), {"document": bad}, "ImportCmdb")
    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "INVALID_DOCUMENT"
    problems = {(p["path"], p["message"].split(" (got")[0]) for p in error["extensions"]["problems"]}
    assert (
        "configurationItems[0].type",
        "Input should be 'APPLICATION', 'DATABASE', 'SERVER', 'VIRTUAL_MACHINE', "
        "'CONTAINER', 'NETWORK_DEVICE', 'LOAD_BALANCER', 'STORAGE', 'CLOUD_RESOURCE', 'SAAS', 'FACILITY' "
        "or 'OTHER'",
    ) in problems
    assert "nothing was written" in error["message"]
    # Structure is checked first; once it passes, references are checked, and still nothing is written.
    bad["configurationItems"][0]["type"] = "SERVER"
    result = api.post(operation("import.graphql", "ImportCmdb"), {"document": bad}, "ImportCmdb")
    assert [p["path"] + ": " + p["message"] for p in result["errors"][0]["extensions"]["problems"]] == [
        "services[0].owner: unknown id 'T-9'"
    ]
    browse = operation("browse.graphql", "BrowseConfigurationItems")
    assert api.data(browse, {}, "BrowseConfigurationItems")["configurationItems"]["totalCount"] == 0


def test_browse_configuration_items_as_written(api: GraphQLClient) -> None:
    load(api)
    doc = operation("browse.graphql", "BrowseConfigurationItems")
    page = api.data(doc, {"type": "DATABASE"}, "BrowseConfigurationItems")["configurationItems"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is False
    nodes = {e["node"]["id"]: e["node"] for e in page["edges"]}
    assert set(nodes) == {"CI-DB-1", "CI-DB-2", "CI-DB-3"}
    db1 = nodes["CI-DB-1"]
    assert db1 == {
        "id": "CI-DB-1",
        "name": "lon-db-01",
        "type": "DATABASE",
        "environment": "PRODUCTION",
        "status": "ACTIVE",
        "criticality": 1,
        "monthlyCost": "450.25",
        "site": {"id": "S-LON", "name": "London DC"},
        "owner": {"id": "T-DBA", "name": "Database Administration"},
        "dependsOn": [{"id": "CI-SAN-1", "name": "lon-san-01"}],
        "dependents": [],
    }
    assert nodes["CI-DB-3"]["environment"] == "DR"
    everything = api.data(doc, {}, "BrowseConfigurationItems")["configurationItems"]
    assert everything["totalCount"] == 6
    san = next(e["node"] for e in everything["edges"] if e["node"]["id"] == "CI-SAN-1")
    assert san["monthlyCost"] == "900.12"
    assert {d["id"] for d in san["dependents"]} == {"CI-DB-1", "CI-DB-2"}


def test_browse_pages_with_cursors(api: GraphQLClient) -> None:
    from graphsvc.synth import generate_cmdb

    load(api, generate_cmdb(120, seed=3))
    doc = operation("browse.graphql", "BrowseConfigurationItems")
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = api.data(doc, {"after": after}, "BrowseConfigurationItems")["configurationItems"]
        assert page["totalCount"] == 120
        seen += [e["node"]["id"] for e in page["edges"]]
        assert [e["cursor"] for e in page["edges"]][-1] == page["pageInfo"]["endCursor"]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == sorted(seen) and len(set(seen)) == 120


def test_service_detail_as_written(api: GraphQLClient) -> None:
    load(api)
    data = api.data(operation("browse.graphql", "ServiceDetail"), {"id": "SVC-SHOP"}, "ServiceDetail")
    assert data["service"] == {
        "id": "SVC-SHOP",
        "name": "Web Shop",
        "tier": "BUSINESS",
        "criticality": 1,
        "rtoMinutes": 60,
        "rpoMinutes": 15,
        "availabilityTarget": 99.9,
        "satisfies": [
            {"id": "R-B1", "name": "Customers can buy online 24x7", "kind": "BUSINESS"},
            {"id": "R-S1", "name": "Checkout available 99.9%", "kind": "SERVICE"},
        ],
        "dependsOn": [{"id": "CI-APP-1", "name": "lon-app-01"}],
        "consumers": [
            {"businessUnit": {"id": "BU-FIN", "name": "Finance"}, "share": 1.0},
            {"businessUnit": {"id": "BU-SALES", "name": "Online Sales"}, "share": 3.0},
        ],
        "slas": [{"id": "SLA-SHOP-SALES", "name": "Web shop for Online Sales", "availabilityTarget": 99.9}],
        "governedBy": [{"id": "POL-FREEZE", "name": "Peak freeze", "kind": "POLICY"}],
    }
    missing = api.data(operation("browse.graphql", "ServiceDetail"), {"id": "CI-DB-1"}, "ServiceDetail")
    assert missing == {"service": None}


def test_search_as_written(api: GraphQLClient) -> None:
    load(api)
    doc = operation("browse.graphql", "Search")
    hits = api.data(doc, {"text": "lon-db"}, "Search")["search"]
    assert {h["id"] for h in hits} >= {"CI-DB-1", "CI-DB-2"}
    assert all(h["kind"] == "CONFIGURATION_ITEM" for h in hits if h["id"].startswith("CI-"))
    hits = api.data(doc, {"text": "checkout"}, "Search")["search"]
    assert {(h["id"], h["kind"]) for h in hits} >= {("R-S1", "REQUIREMENT"), ("INC-1", "INCIDENT")}
    # Lucene syntax in the text is searched for, not interpreted.
    assert api.data(doc, {"text": 'web" OR *:* AND ('}, "Search")["search"] is not None
    assert api.data(doc, {"text": "   "}, "Search")["search"] == []


def test_contract_documents_on_the_demo_cmdb(api: GraphQLClient, demo_document: Any) -> None:
    """Every service of the demo answers ServiceDetail exactly as the demo document says."""
    load(api, demo_document)
    names = {
        i["id"]: i["name"]
        for k, v in demo_document.items()
        if isinstance(v, list)
        for i in v
        if isinstance(i, dict) and "id" in i and "name" in i
    }
    kinds = {r["id"]: r["kind"] for r in demo_document["requirements"]}
    doc = operation("browse.graphql", "ServiceDetail")
    for svc in demo_document["services"]:
        got = api.data(doc, {"id": svc["id"]}, "ServiceDetail")["service"]
        assert got["name"] == svc["name"] and got["tier"] == svc["tier"]
        assert got["rtoMinutes"] == svc.get("rtoMinutes")
        assert [r["id"] for r in got["satisfies"]] == svc.get("satisfies", [])
        assert all(r["kind"] == kinds[r["id"]] for r in got["satisfies"])
        deps = [d["to"] for d in demo_document["dependencies"] if d["from"] == svc["id"]]
        assert [d["id"] for d in got["dependsOn"]] == deps
        assert all(d["name"] == names[d["id"]] for d in got["dependsOn"])
        consumers = {
            (c["businessUnit"], float(c.get("share", 1)))
            for c in demo_document["consumption"]
            if c["service"] == svc["id"]
        }
        assert {(c["businessUnit"]["id"], c["share"]) for c in got["consumers"]} == consumers
        slas = {s["id"] for s in demo_document["slas"] if s["service"] == svc["id"]}
        assert {s["id"] for s in got["slas"]} == slas
        governed = {p["id"] for p in demo_document["policies"] if svc["id"] in p.get("governs", [])}
        assert {p["id"] for p in got["governedBy"]} == governed
    browse = operation("browse.graphql", "BrowseConfigurationItems")
    total = api.data(browse, {}, "BrowseConfigurationItems")["configurationItems"]["totalCount"]
    assert total == len(demo_document["configurationItems"])
    for ci_type in ("DATABASE", "SERVER", "STORAGE"):
        page = api.data(browse, {"type": ci_type}, "BrowseConfigurationItems")["configurationItems"]
        assert page["totalCount"] == sum(1 for c in demo_document["configurationItems"] if c["type"] == ci_type)
