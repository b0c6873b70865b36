"""Relationship fields are batched per request: a 50-item page with nested relations costs a fixed number of
database round trips, however many items it holds (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every query the app sends to Neo4j through the repository, by statement."""
    calls: list[str] = []
    original = ItemRepository.read

    # The server's in-memory dependency graph loads (and checks itself) in the background: not this request's work.
    background = {cypher("meta/graph_fingerprint"), cypher("graph/all_nodes")}

    async def counting(self: ItemRepository, statement: Any, **params: Any) -> list[Any]:
        if statement not in background:
            calls.append(statement.split("\n")[0])
        return await original(self, statement, **params)

    monkeypatch.setattr(ItemRepository, "read", counting)
    yield calls


def test_nested_page_is_batched(api: GraphQLClient, round_trips: list[str]) -> None:
    load(api, generate_cmdb(400, seed=5))
    round_trips.clear()
    page = api.data(NESTED, {"first": 50})["configurationItems"]
    assert len(page["edges"]) == 50
    assert sum(1 for e in page["edges"] if e["node"]["dependsOn"]) > 10  # the relations really are there
    fifty = len(round_trips)
    round_trips.clear()
    api.data(NESTED, {"first": 200})
    two_hundred = len(round_trips)
    # page + count + one batch per relation field and nesting level, whatever the page size.
    assert fifty == two_hundred
    assert fifty <= 14, round_trips


def test_browse_document_is_batched(api: GraphQLClient, round_trips: list[str]) -> None:
    load(api, generate_cmdb(400, seed=5))
    round_trips.clear()
    api.data(operation("browse.graphql", "BrowseConfigurationItems"), {}, "BrowseConfigurationItems")
    # page, count, site, owner, dependsOn, dependents
    assert len(round_trips) == 6, round_trips
