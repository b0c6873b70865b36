"""Relationship fields are batched per request: a 50-item page with nested relations costs a fixed number of
database round trips, however many items it holds (no N+1)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.synth import generate_cmdb
from tests.api.conftest import GraphQLClient, operation
from tests.api.test_contract_browse import load

NESTED = """
query($first: Int!) {
  configurationItems(first: $first) {
    totalCount
    edges { node {
      id site { id name } owner { id name }
      dependsOn { id name ... on ConfigurationItem { owner { id } site { id } } }
      dependents { id }
      memberOf { id members { id } }
      incidents { id problem { id } }
      governedBy { id }
    } }
  }
}"""


@pytest.fixture
def lavish_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cost budget no document here reaches (asked for before `api`, which reads it): NESTED's lists nest three
    deep, far over the default budget, and what is measured here is batching, not cost."""
    monkeypatch.setenv("GRAPHSVC_MAX_QUERY_COST", str(10**15))


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the app sends to Neo4j through the repository."""
    calls: list[str] = []
    original = ItemRepository.read

    # The server's in-memory dependency graph loads (and checks itself) in the background: not this request's work.
    background = {
        cypher("meta/graph_fingerprint"),
        cypher("graph/all_nodes"),
        cypher("graph/teams"),
        cypher("graph/owned_slice"),
    }

    async def counting(self: ItemRepository, statement: Any, **params: Any) -> list[Any]:
        if statement not in background:
            calls.append(statement)
        return await original(self, statement, **params)

    monkeypatch.setattr(ItemRepository, "read", counting)
    yield calls


def test_nested_page_is_batched(lavish_budget: None, api: GraphQLClient, round_trips: list[str]) -> None:
    load(api, generate_cmdb(400, seed=5))
    round_trips.clear()
    page = api.data(NESTED, {"first": 50})["configurationItems"]
    assert len(page["edges"]) == 50
    assert sum(1 for e in page["edges"] if e["node"]["dependsOn"]) > 10  # the relations really are there
    check = cypher("meta/data_fingerprint")  # the response cache's check: asked only while something may have moved
    fifty = len([s for s in round_trips if s != check])
    round_trips.clear()
    api.data(NESTED, {"first": 200})
    two_hundred = len([s for s in round_trips if s != check])
    # page + count + one batch per relation field and nesting level, whatever the page size.
    assert fifty == two_hundred
    assert fifty <= 14, round_trips


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last look at the database trusted for an hour while nothing moves (asked for before `api`, which reads
    it), so that a slow machine cannot make a second request look again (usecases/freshness.py)."""
    monkeypatch.setenv("GRAPHSVC_RECHECK_SECONDS", "3600")


def test_browse_document_is_batched(trusting: None, api: GraphQLClient, round_trips: list[str]) -> None:
    load(api, generate_cmdb(400, seed=5))
    round_trips.clear()
    browse = operation("browse.graphql", "BrowseConfigurationItems")
    first = api.data(browse, {}, "BrowseConfigurationItems")
    # the response cache's check, then one statement (graphql/compiled.py): page, count, site, owner, dependsOn and
    # dependents; field by field, they were six
    assert len(round_trips) == 2 and round_trips[0] == cypher("meta/data_fingerprint"), round_trips
    round_trips.clear()
    assert api.data(browse, {}, "BrowseConfigurationItems") == first
    # asked again: the kept answer, and no check either, since nothing wrote since the last one
    assert round_trips == []


@pytest.fixture
def field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled reads off (asked for before `api`, which reads it): the path a document takes when it cannot be
    compiled."""
    monkeypatch.setenv("GRAPHSVC_COMPILED_READS", "false")


def test_browse_document_is_batched_field_by_field(
    field_by_field: None, api: GraphQLClient, round_trips: list[str]
) -> None:
    load(api, generate_cmdb(400, seed=5))
    round_trips.clear()
    api.data(operation("browse.graphql", "BrowseConfigurationItems"), {}, "BrowseConfigurationItems")
    # the response cache's check, then page, count, site, owner, dependsOn, dependents
    assert len(round_trips) == 7 and round_trips[0] == cypher("meta/data_fingerprint"), round_trips


LIGHT = "{id: b.id, itemKind: b.itemKind"  # what only the light statements return
LIGHT_COMPILED = "b {.`id`, .`itemKind`, .`name`, .`title`}"  # ... and a compiled read of the same (compiled.py)
RELATED = """
query($first: Int!) {
  configurationItems(first: $first) { edges { node { id dependsOn { %s } dependents { %s } site { %s } } } }
}"""


def test_related_items_asked_for_id_and_name_are_read_light_and_answer_the_same(
    api: GraphQLClient, round_trips: list[str]
) -> None:
    load(api, generate_cmdb(400, seed=5))

    def page(selection: str) -> list[Any]:
        round_trips.clear()
        return api.data(RELATED % (selection, selection, selection), {"first": 100})["configurationItems"]["edges"]

    def names(edges: list[Any]) -> list[Any]:
        return [
            (e["node"]["id"], [(d["id"], d["name"]) for d in e["node"][f]] if f != "site" else e["node"][f]["name"])
            for e in edges
            for f in ("dependsOn", "dependents", "site")
        ]

    light = page("id name __typename")
    # dependsOn, dependents, site in one compiled statement, each reading only what the fields need
    assert sum(s.count(LIGHT_COMPILED) for s in round_trips) == 3
    full = page("id name __typename version")
    assert not any(LIGHT in s or LIGHT_COMPILED in s for s in round_trips)
    assert all(d["version"] >= 1 for e in full for d in e["node"]["dependsOn"])  # the full read has the rest
    fragment = page("id name __typename ... on Item { version }")
    assert not any(LIGHT in s for s in round_trips)  # a fragment may ask for anything: read it all
    assert sum(len(e["node"]["dependents"]) for e in light) > 50  # the relations really are there
    assert names(light) == names(full) == names(fragment)
    assert [[d["__typename"] for d in e["node"]["dependsOn"]] for e in light] == [
        [d["__typename"] for d in e["node"]["dependsOn"]] for e in full
    ]


def test_readyz_says_when_the_estate_is_too_large_to_keep_in_memory(api: GraphQLClient, empty_db: Any) -> None:
    from graphsvc.settings import Settings
    from graphsvc.web.app import create_app
    from tests.e2e.conftest import serve_asgi

    load(api, generate_cmdb(50, seed=3))

    exposure: list[str] = []

    def graph_state(settings: Settings) -> str:
        with serve_asgi(create_app(settings, connection=empty_db)) as url:
            for _ in range(600):  # the copy loads in the background after startup
                body = httpx.get(f"{url}/readyz", timeout=30).json()
                state = str(body["dependencyGraph"])
                if state == "loaded":  # and then what impacts expose, after it
                    exposure.append(body["impactExposure"])
                    if body["impactExposure"] == "loaded":
                        return state
                elif state != "loading":
                    assert "impactExposure" not in body
                    return state
                time.sleep(0.1)
        return "loading"

    assert graph_state(Settings()) == "loaded" and exposure[-1] == "loaded"
    assert set(exposure) <= {"loading", "loaded"}
    assert graph_state(Settings(graph_cache_max_items=10)) == "tooLarge"  # not "loading" for ever
    assert graph_state(Settings(graph_cache=False)) == "off"
