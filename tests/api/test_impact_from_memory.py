"""The contract's Impact document answered from the server's memory: no statement for a typical impact while nothing
has moved, and a write through the API in the very next answer (usecases/freshness.py, usecases/graph_cache.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graphsvc.db.items import ItemRepository
from tests.api.conftest import GraphQLClient, operation
from tests.conftest import REPO, load_json

DEMO = load_json(REPO / "seeds" / "demo.json")
IMPACT = operation("impact.graphql", "Impact")
RENAME_TEAM = """mutation($id: ID!, $version: Int!, $name: String!) {
  updateTeam(id: $id, version: $version, patch: {name: $name}) { __typename }
}"""
VERSION = "query($id: ID!) { team(id: $id) { version } }"
ORIGIN = ["CI-APP-CHECKOUT"]


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last look at the database trusted for an hour while nothing moves (asked for before `api`), so that a slow
    machine cannot make a request look again by time alone."""
    monkeypatch.setenv("GRAPHSVC_RECHECK_SECONDS", "3600")


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every statement the app sends to Neo4j through the repository."""
    calls: list[str] = []
    original = ItemRepository.read

    async def counting(self: ItemRepository, statement: Any, **params: Any) -> list[Any]:
        calls.append(statement)
        return await original(self, statement, **params)

    monkeypatch.setattr(ItemRepository, "read", counting)
    yield calls


def impact(api: GraphQLClient) -> dict[str, Any]:
    return api.data(IMPACT, {"origin": ORIGIN}, "Impact")["impact"]  # type: ignore[no-any-return]


def wait_until_in_memory(api: GraphQLClient, statements: list[str]) -> dict[str, Any]:
    """Ask until an answer needs no statement: the copy has loaded and been checked once (at most a few tries)."""
    for _ in range(50):
        statements.clear()
        answer = impact(api)
        if not statements:
            return answer
    raise AssertionError(f"every impact still read Neo4j: {statements}")


def test_impact_needs_no_statement_and_sees_a_write_at_once(
    trusting: None, api: GraphQLClient, statements: list[str]
) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": DEMO}, "ImportCmdb")
    first = wait_until_in_memory(api, statements)
    assert first["services"] and first["teams"] and first["slas"] and first["requirements"]  # a real exposure
    # The whole document, exposure included, came from memory with no freshness read either (the last request of
    # wait_until_in_memory sent no statement); asked again, the same.
    for _ in range(3):
        assert impact(api) == first
    owner = first["teams"][0]
    version = api.data(VERSION, {"id": owner["id"]})["team"]["version"]
    api.data(RENAME_TEAM, {"id": owner["id"], "version": version, "name": "Renamed in one request"})
    after = impact(api)  # the very next request, though the last look is trusted for an hour
    renamed = {t["id"]: t["name"] for t in after["teams"]}
    assert renamed[owner["id"]] == "Renamed in one request"
    assert {k: v for k, v in after.items() if k != "teams"} == {k: v for k, v in first.items() if k != "teams"}
