"""`neighbours(direction:, first:)` on every Dependable, end to end over a real Neo4j: a hub with 62 dependents (40
applications, 20 containers, 2 services) that the plain `dependents` list refuses, counted whole and listed capped in
the documented order (services first, then criticality ascending with none last, then id), memberships both ways,
`first` checked as every page's is, and the same answers from an estate in memory, with what-if edits."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphsvc.db.connection import Connection
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.domain.vocabulary import Rel
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import GraphQLClient, bearer, operation
from tests.conftest import REPO
from tests.e2e.conftest import serve_asgi

LIST_CAP = 50  # GRAPHSVC_MAX_LIST_ITEMS for this module's server: the hub's 62 dependents are over it


def _criticality(i: int, period: int) -> int | None:
    return None if i % 5 == 0 else i % period + 1


APPS = [
    {"id": f"CI-APP-{i:02}", "name": f"app {i}", "type": "APPLICATION", "criticality": _criticality(i, 4)}
    for i in range(40)
]
CONTAINERS = [
    {"id": f"CI-CTR-{i:02}", "name": f"container {i}", "type": "CONTAINER", "criticality": _criticality(i, 3)}
    for i in range(20)
]
DOCUMENT: dict[str, Any] = {
    "format": "graphsvc-cmdb/1",
    "services": [
        {"id": "SVC-A", "name": "Shop", "tier": "BUSINESS", "criticality": 3},
        {"id": "SVC-B", "name": "Payments", "tier": "BUSINESS", "criticality": 1},
    ],
    "configurationItems": [
        {"id": "CI-HUB", "name": "shared database", "type": "DATABASE", "criticality": 1},
        {"id": "CI-SRV", "name": "db server", "type": "SERVER", "criticality": 2},
        {"id": "CI-SMALL", "name": "small cache", "type": "DATABASE"},
        {"id": "CI-LONE", "name": "lone app", "type": "APPLICATION", "criticality": 1},
        *[{k: v for k, v in ci.items() if v is not None} for ci in APPS + CONTAINERS],
    ],
    "redundancyGroups": [{"id": "RG-HUB", "name": "hub pair", "minHealthy": 1, "members": ["CI-HUB", "CI-SRV"]}],
    "dependencies": [
        {"from": "SVC-A", "to": "CI-HUB"},
        {"from": "SVC-B", "to": "CI-HUB", "kind": "STORES_DATA_IN", "strength": "SOFT"},
        *[{"from": ci["id"], "to": "CI-HUB"} for ci in APPS],
        *[{"from": ci["id"], "to": "CI-HUB", "kind": "RUNS_ON"} for ci in CONTAINERS],
        {"from": "CI-HUB", "to": "CI-SRV", "kind": "HOSTED_ON"},
        {"from": "SVC-A", "to": "CI-SMALL"},
        {"from": "CI-APP-07", "to": "CI-SMALL", "strength": "SOFT"},
        {"from": "CI-APP-05", "to": "CI-SMALL"},
        {"from": "CI-CTR-01", "to": "CI-SMALL"},
        {"from": "CI-LONE", "to": "CI-SMALL"},
    ],
}

NEIGHBOURS = """
  total
  byType { itemKind ciType count }
  edges {
    kind strength
    item {
      id itemKind
      ... on Service { serviceCriticality: criticality serviceStatus: status }
      ... on ConfigurationItem { type criticality status }
    }
  }
"""
ITEM = (
    "query Nbr($id: ID!, $direction: NeighbourDirection!, $first: Int!) { item(id: $id) { ... on Dependable { "
    f"neighbours(direction: $direction, first: $first) {{ {NEIGHBOURS} }} }} }} }}"
)
ESTATE = (
    "query EstateNbr($edits: [GraphEdit!], $id: ID!, $direction: NeighbourDirection!, $first: Int!) { "
    "estate(edits: $edits) { item(id: $id) { ... on Dependable { "
    f"neighbours(direction: $direction, first: $first) {{ {NEIGHBOURS} }} }} }} }} }}"
)
DEPENDENTS = (
    "query Deps($id: ID!) { item(id: $id) { ... on Dependable { dependents { id itemKind "
    "... on Service { serviceCriticality: criticality } ... on ConfigurationItem { type criticality } } } } }"
)


@pytest.fixture(scope="module")
def api(migrated: Connection, sync_driver: Any) -> Iterator[GraphQLClient]:
    """An admin's client of the real app, its lists capped at LIST_CAP, over DOCUMENT (loaded once: tests only read)."""
    from tests.conftest import make_token, wipe

    wipe(sync_driver, migrated.database)
    token = make_token(sync_driver, migrated.database, "admin")
    app = create_app(Settings(max_list_items=LIST_CAP), connection=migrated)
    with (
        serve_asgi(app) as base_url,
        httpx.Client(base_url=base_url, timeout=120, headers=bearer(token)) as client,
    ):
        gql = GraphQLClient(client)
        created = gql.data(operation("import.graphql", "ImportCmdb"), {"document": DOCUMENT}, "ImportCmdb")
        assert created["importCmdb"]["created"] > 60
        yield gql


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """An item as answered, its service fields (aliased: their types differ from a CI's) under their own names."""
    return {key.removeprefix("service").lower() if key.startswith("service") else key: v for key, v in item.items()}


def _plained(found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "edges": [{**edge, "item": _plain(edge["item"])} for edge in found["edges"]]}


def _neighbours(api: GraphQLClient, item_id: str, direction: str, first: int = 25) -> dict[str, Any]:
    data = api.data(ITEM, {"id": item_id, "direction": direction, "first": first})
    return _plained(data["item"]["neighbours"])


def _order(item: dict[str, Any]) -> tuple[bool, bool, int, str]:
    """The documented order of edges, worked out here from the items' own fields."""
    criticality = item.get("criticality")
    return item["itemKind"] != "SERVICE", criticality is None, criticality or 0, item["id"]


def _ids(found: dict[str, Any]) -> list[str]:
    return [edge["item"]["id"] for edge in found["edges"]]


def test_a_hub_is_counted_whole_and_listed_capped(api: GraphQLClient) -> None:
    # the plain list refuses the hub: that is what neighbours is for
    refused = api.post(DEPENDENTS, {"id": "CI-HUB"})
    assert refused["data"]["item"] is None and "GRAPHSVC_MAX_LIST_ITEMS" in refused["errors"][0]["message"]

    found = _neighbours(api, "CI-HUB", "DEPENDENTS", 10)
    assert found["total"] == 62
    assert found["byType"] == [
        {"itemKind": "CONFIGURATION_ITEM", "ciType": "APPLICATION", "count": 40},
        {"itemKind": "CONFIGURATION_ITEM", "ciType": "CONTAINER", "count": 20},
        {"itemKind": "SERVICE", "ciType": None, "count": 2},
    ]
    everyone = [
        {"id": "SVC-A", "itemKind": "SERVICE", "criticality": 3},
        {"id": "SVC-B", "itemKind": "SERVICE", "criticality": 1},
        *({"itemKind": "CONFIGURATION_ITEM", **ci} for ci in APPS + CONTAINERS),
    ]
    expected = [item["id"] for item in sorted(everyone, key=_order)]
    assert _ids(found) == expected[:10]
    assert expected[:3] == ["SVC-B", "SVC-A", "CI-APP-04"]  # services first, then the most critical
    svc_b, svc_a = found["edges"][0], found["edges"][1]
    assert (svc_b["kind"], svc_b["strength"], svc_a["kind"], svc_a["strength"]) == (
        "STORES_DATA_IN",
        "SOFT",
        "USES",
        "HARD",
    )
    assert found["edges"][2]["item"] == {
        "id": "CI-APP-04",
        "itemKind": "CONFIGURATION_ITEM",
        "type": "APPLICATION",
        "criticality": 1,
        "status": "ACTIVE",
    }
    # the cap moves only where the list stops; the last ones are those without a criticality, by id
    whole = _neighbours(api, "CI-HUB", "DEPENDENTS", 500)
    assert _ids(whole) == expected and whole["byType"] == found["byType"]
    assert _ids(whole)[-12:] == sorted(ci["id"] for ci in APPS + CONTAINERS if ci["criticality"] is None)
    assert _neighbours(api, "CI-HUB", "DEPENDENTS", 0) == {**found, "edges": []}


def test_a_small_item_lists_what_dependents_lists(api: GraphQLClient) -> None:
    plain = [_plain(item) for item in api.data(DEPENDENTS, {"id": "CI-SMALL"})["item"]["dependents"]]
    found = _neighbours(api, "CI-SMALL", "DEPENDENTS")
    assert found["total"] == len(plain) == 5
    assert _ids(found) == [item["id"] for item in sorted(plain, key=_order)]
    counts = Counter((item["itemKind"], item.get("type")) for item in plain)
    assert {(c["itemKind"], c["ciType"]): c["count"] for c in found["byType"]} == counts
    assert [c["count"] for c in found["byType"]] == [3, 1, 1]
    assert found["byType"][1:] == [
        {"itemKind": "CONFIGURATION_ITEM", "ciType": "CONTAINER", "count": 1},
        {"itemKind": "SERVICE", "ciType": None, "count": 1},
    ]
    soft = {edge["item"]["id"] for edge in found["edges"] if edge["strength"] == "SOFT"}
    assert soft == {"CI-APP-07"}


def test_depends_on_and_memberships(api: GraphQLClient) -> None:
    depends = _neighbours(api, "CI-HUB", "DEPENDS_ON")
    assert depends["total"] == 1 and depends["edges"][0]["kind"] == "HOSTED_ON"
    assert depends["byType"] == [{"itemKind": "CONFIGURATION_ITEM", "ciType": "SERVER", "count": 1}]

    members = _neighbours(api, "RG-HUB", "MEMBERS")
    assert members["total"] == 2
    assert _ids(members) == ["CI-HUB", "CI-SRV"]  # both CIs: criticality 1 before 2
    assert all(edge["kind"] is None and edge["strength"] is None for edge in members["edges"])
    assert members["byType"] == [
        {"itemKind": "CONFIGURATION_ITEM", "ciType": "DATABASE", "count": 1},
        {"itemKind": "CONFIGURATION_ITEM", "ciType": "SERVER", "count": 1},
    ]

    member_of = _neighbours(api, "CI-SRV", "MEMBER_OF")
    assert member_of["total"] == 1 and _ids(member_of) == ["RG-HUB"]
    assert member_of["byType"] == [{"itemKind": "REDUNDANCY_GROUP", "ciType": None, "count": 1}]
    assert member_of["edges"][0]["kind"] is None

    assert _neighbours(api, "CI-HUB", "MEMBERS") == {"total": 0, "byType": [], "edges": []}  # a CI has none
    assert _neighbours(api, "SVC-A", "DEPENDENTS") == {"total": 0, "byType": [], "edges": []}


@pytest.mark.parametrize("first", [-1, 501])
def test_a_bad_first_is_refused_naming_it(api: GraphQLClient, first: int) -> None:
    result = api.post(ITEM, {"id": "CI-HUB", "direction": "DEPENDENTS", "first": first})
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == "first" and "first" in error["message"]
    assert result["data"]["item"] is None


def _estate(api: GraphQLClient, edits: list[dict[str, Any]], item_id: str, direction: str, first: int) -> Any:
    data = api.data(ESTATE, {"edits": edits, "id": item_id, "direction": direction, "first": first})
    return _plained(data["estate"]["item"]["neighbours"])


@pytest.mark.parametrize(
    ("item_id", "direction", "first"),
    [
        ("CI-HUB", "DEPENDENTS", 10),
        ("CI-HUB", "DEPENDENTS", 500),
        ("CI-SMALL", "DEPENDENTS", 25),
        ("CI-HUB", "DEPENDS_ON", 25),
        ("RG-HUB", "MEMBERS", 1),
        ("CI-HUB", "MEMBER_OF", 25),
        ("CI-HUB", "MEMBERS", 25),
    ],
)
def test_an_estate_in_memory_answers_as_the_database(
    api: GraphQLClient, item_id: str, direction: str, first: int
) -> None:
    assert _estate(api, [], item_id, direction, first) == _neighbours(api, item_id, direction, first)


def test_what_if_edits_show_in_the_neighbourhood(api: GraphQLClient) -> None:
    edits = [
        {"addDependency": {"from": "CI-LONE", "to": "CI-HUB", "strength": "SOFT"}},
        {"retire": "SVC-B"},
    ]
    found = _estate(api, edits, "CI-HUB", "DEPENDENTS", 5)
    assert found["total"] == 63
    assert found["byType"][0] == {"itemKind": "CONFIGURATION_ITEM", "ciType": "APPLICATION", "count": 41}
    # the retired service is still a neighbour (still in the CMDB), first as before, shown RETIRED
    assert found["edges"][0]["item"] == {"id": "SVC-B", "itemKind": "SERVICE", "criticality": 1, "status": "RETIRED"}
    assert _ids(found)[1:3] == ["SVC-A", "CI-APP-04"]
    whole = _estate(api, edits, "CI-HUB", "DEPENDENTS", 500)
    added = next(edge for edge in whole["edges"] if edge["item"]["id"] == "CI-LONE")
    assert (added["kind"], added["strength"]) == ("USES", "SOFT")
    # criticality 1, so after the services and the other CIs of criticality 1, all of which sort before it by id
    assert _ids(whole).index("CI-LONE") == 2 + sum(1 for ci in APPS + CONTAINERS if ci["criticality"] == 1)
    # the database is untouched
    assert _neighbours(api, "CI-HUB", "DEPENDENTS", 5)["total"] == 62
    assert _neighbours(api, "CI-HUB", "DEPENDENTS", 5)["edges"][0]["item"]["status"] == "ACTIVE"


def test_the_example_of_docs_api_md_runs(api: GraphQLClient) -> None:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    example = re.search(r"```graphql\n(query Around.*?)```", text, re.S)
    assert example is not None
    data = api.data(example.group(1), {"id": "CI-HUB"})["item"]
    assert data["dependents"]["total"] == 62 and len(data["dependents"]["edges"]) == 10
    assert data["dependsOn"]["edges"] == [{"item": {"id": "CI-SRV", "name": "db server"}}]


def test_a_page_of_items_reads_its_neighbourhoods_in_one_batch(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    original = ItemRepository.read

    async def counting(self: ItemRepository, statement: Any, **params: Any) -> list[Any]:
        statements.append(statement)
        return await original(self, statement, **params)

    monkeypatch.setattr(ItemRepository, "read", counting)
    page = api.data(
        "{ configurationItems(first: 64) { nodes { id "
        "in: neighbours(direction: DEPENDENTS, first: 3) { total edges { item { id } } } "
        "out: neighbours(direction: DEPENDS_ON, first: 3) { total } } } }"
    )["configurationItems"]["nodes"]
    assert len(page) == 64
    by_id = {ci["id"]: ci for ci in page}
    assert by_id["CI-HUB"]["in"]["total"] == 62 and by_id["CI-HUB"]["out"]["total"] == 1
    assert by_id["CI-APP-00"]["out"]["total"] == 1 and by_id["CI-APP-05"]["out"]["total"] == 2
    sides = [cypher("items/neighbours_in", rel=Rel.DEPENDS_ON), cypher("items/neighbours_out", rel=Rel.DEPENDS_ON)]
    assert [statements.count(s) for s in sides] == [1, 1]  # one read per side for the whole page
