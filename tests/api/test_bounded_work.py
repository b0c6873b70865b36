"""Bounded work per request (hardening, point 2): a document's cost is worked out before it runs and refused over
the budget with the cost it would have had; `__schema` once per document; a list without paging is capped with an
error that says how to page instead; one request takes at most a few of the driver's pooled connections at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db.connection import Connection, open_async_driver
from graphsvc.db.items import ItemRepository
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import GraphQLClient, bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

TEAM_NEST = (
    '{ team(id: "T-1") { owns { id ... on ConfigurationItem { owner { owns { id ... on ConfigurationItem '
    "{ owner { owns { id } } } } } } } } }"
)
SITE_NEST = '{ site(id: "S-1") { items { id site { items { id site { items { id } } } } } } }'
ASSESSMENTS = (
    "{ "
    + " ".join(f"a{i}: changes(first: 50) {{ nodes {{ id assessment {{ risk {{ score }} }} }} }}" for i in range(12))
    + " }"
)
SCHEMAS = "{ " + " ".join(f"s{i}: __schema {{ types {{ name }} }}" for i in range(29)) + " }"
DOC = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-1", "name": "ops"}],
    "sites": [{"id": "S-1", "name": "dc1"}],
    "configurationItems": [
        {"id": f"CI-{i}", "name": f"ci {i}", "type": "SERVER", "owner": "T-1", "site": "S-1"} for i in range(6)
    ],
}


@pytest.fixture
def small_caps(empty_db: Connection, sync_driver: Driver) -> Iterator[GraphQLClient]:
    """A viewer's client of an app whose lists without paging hold at most 5 items, over six CIs of one team."""
    admin = make_token(sync_driver, empty_db.database, "admin")
    viewer = make_token(sync_driver, empty_db.database, "viewer")
    app = create_app(Settings(max_list_items=5, introspection=True), connection=empty_db)
    with serve_asgi(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        imported = client.post(
            "/graphql",
            json={"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": DOC}},
            headers=bearer(admin),
        )
        assert imported.json() == {"data": {"importCmdb": {"created": 8}}}
        client.headers.update(bearer(viewer))
        yield GraphQLClient(client)


def only_error(result: dict[str, Any]) -> dict[str, Any]:
    assert result.get("data") is None, result
    (error,) = result["errors"]
    return error  # type: ignore[no-any-return]


def test_documents_that_multiply_lists_are_refused_before_they_run(api: GraphQLClient) -> None:
    for document in (TEAM_NEST, SITE_NEST, ASSESSMENTS):
        error = only_error(api.post(document))
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", error
        assert error["extensions"]["cost"] > error["extensions"]["budget"] == 2_000_000
        assert f"would cost {error['extensions']['cost']:,} to answer" in error["message"]
    # The contract's own documents stay well inside it: the browse page is the costliest.
    assert api.data("{ configurationItems(first: 50) { edges { node { id dependents { id } } } } }")


def test_the_same_document_is_costed_with_each_requests_variables(empty_db: Connection, sync_driver: Driver) -> None:
    """A document's cost is kept between requests, but per value of its integer variables: the same text with a
    larger `first` is refused, a smaller one answered, in any order."""
    token = make_token(sync_driver, empty_db.database, "viewer")
    page = "query($n: Int!) { configurationItems(first: $n) { nodes { id name dependsOn { id name } } } }"
    app = create_app(Settings(max_query_cost=2_000, max_list_items=10), connection=empty_db)
    with serve_asgi(app) as url, httpx.Client(base_url=url, timeout=60, headers=bearer(token)) as client:
        api = GraphQLClient(client)
        for n, refused in ((10, False), (500, True), (10, False), (500, True), (50, False), (500.0, True)):
            result = api.post(page, {"n": n})
            if refused:
                assert only_error(result)["extensions"]["cost"] > 2_000, result
            else:
                assert result == {"data": {"configurationItems": {"nodes": []}}}, (n, result)
        # a variable left out takes the operation's default: not the cost of the same document with it sent as null
        defaulted = page.replace("$n: Int!", "$n: Int = 500")
        for variables in ({}, {"n": None}, {}):
            (error,) = api.post(defaulted, variables)["errors"]  # null is refused too, where the field runs
            assert (error["extensions"]["code"] == "QUERY_TOO_COSTLY") is ("n" not in variables), (variables, error)


def test_a_document_may_ask_for_the_schema_once(small_caps: GraphQLClient) -> None:
    error = only_error(small_caps.post(SCHEMAS))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "asks for __schema 29 times; a document may ask it once" in error["message"]
    assert small_caps.data("{ __schema { queryType { name } } }") == {"__schema": {"queryType": {"name": "Query"}}}


def test_a_list_without_paging_longer_than_the_cap_says_how_to_page(small_caps: GraphQLClient) -> None:
    result = small_caps.post('{ team(id: "T-1") { id owns { id } } }')
    assert result["data"] == {"team": None}
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "LIST_TOO_LONG"
    assert error["path"] == ["team", "owns"]
    assert "T-1 has more items at the other end of <- OWNED_BY than the 5 a list without paging" in error["message"]
    assert "configurationItems(filter: {owner: ...}" in error["message"]
    page = small_caps.data('{ configurationItems(first: 10, filter: {owner: "T-1"}) { totalCount } }')
    assert page == {"configurationItems": {"totalCount": 6}}
    assert small_caps.data('{ configurationItem(id: "CI-1") { site { id } owner { id } } }') == {
        "configurationItem": {"site": {"id": "S-1"}, "owner": {"id": "T-1"}}
    }


class CountingDriver:
    """The real AsyncDriver, counting how many of its reads are in flight at once."""

    def __init__(self, driver: AsyncDriver) -> None:
        self.driver = driver
        self.now = self.peak = 0

    async def execute_query(self, *args: Any, **kwargs: Any) -> Any:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            return await self.driver.execute_query(*args, **kwargs)
        finally:
            self.now -= 1


async def test_one_request_holds_at_most_its_share_of_the_pool(empty_db: Connection) -> None:
    driver = open_async_driver(empty_db)
    try:
        counting = CountingDriver(driver)
        repo = ItemRepository(counting, empty_db.database, max_concurrent_reads=3)  # type: ignore[arg-type]
        slow = "UNWIND range(1, 300000) AS x RETURN count(x) AS n"
        results = await asyncio.gather(*(repo.read(slow) for _ in range(12)))
        assert [r[0]["n"] for r in results] == [300000] * 12
        assert counting.peak == 3
        unbounded = ItemRepository(CountingDriver(driver), empty_db.database)  # type: ignore[arg-type]
        await asyncio.gather(*(unbounded.read(slow) for _ in range(12)))
        assert unbounded.driver.peak > 3  # type: ignore[attr-defined]
    finally:
        await driver.close()
