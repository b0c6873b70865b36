"""API tests: real documents posted to /graphql of the real app, over a real Neo4j."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.db.connection import Connection
from graphsvc.graphql import compiled
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.e2e.conftest import serve_asgi

OPERATIONS = Path(__file__).resolve().parents[1] / "contract" / "operations"


def operation(file: str, name: str) -> str:
    """The whole client document `file` (all its operations), checked to contain operation `name`."""
    text = (OPERATIONS / file).read_text(encoding="utf-8")
    assert re.search(rf"\b(query|mutation)\s+{name}\b", text), f"{file} has no operation {name}"
    return text


class GraphQLClient:
    def __init__(self, client: httpx.Client) -> None:
        self.http = client

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        response = self.http.post("/graphql", json=body, headers=headers or {})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def data(self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> Any:
        result = self.post(query, variables, operation_name)
        assert "errors" not in result, result["errors"]
        return result["data"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(empty_db: Connection, sync_driver: Any) -> Iterator[GraphQLClient]:
    """An admin's client of the real app (served by uvicorn on loopback, auth on) on an empty, migrated graph."""
    from tests.conftest import make_token

    token = make_token(sync_driver, empty_db.database, "admin")
    app = create_app(Settings(), connection=empty_db)
    with (
        serve_asgi(app) as base_url,
        httpx.Client(base_url=base_url, timeout=60, headers=bearer(token)) as client,
    ):
        yield GraphQLClient(client)


@pytest.fixture(scope="module")
def demo_api(migrated: Connection, sync_driver: Any, demo_document: Any) -> Iterator[GraphQLClient]:
    """A client of the real app over the demo CMDB, loaded once for the module: for tests that only read."""
    from tests.conftest import make_token, wipe

    wipe(sync_driver, migrated.database)
    token = make_token(sync_driver, migrated.database, "admin")
    app = create_app(Settings(), connection=migrated)
    with (
        serve_asgi(app) as base_url,
        httpx.Client(base_url=base_url, timeout=120, headers=bearer(token)) as client,
    ):
        api = GraphQLClient(client)
        api.data(operation("import.graphql", "ImportCmdb"), {"document": demo_document}, "ImportCmdb")
        yield api


LIST_CAP = 6  # compiled answers' pair: small, so that some of the demo's lists are over it and fall back


@pytest.fixture(scope="module")
def pair(migrated: Connection, sync_driver: Any, demo_document: Any) -> Iterator[tuple[GraphQLClient, GraphQLClient]]:
    """Clients of two servers over the demo CMDB: compiled reads on, and off."""
    from tests.conftest import make_token, wipe

    wipe(sync_driver, migrated.database)
    token = make_token(sync_driver, migrated.database, "admin")
    on = Settings(response_cache_seconds=0, max_list_items=LIST_CAP)
    off = Settings(response_cache_seconds=0, max_list_items=LIST_CAP, compiled_reads=False)
    with (
        serve_asgi(create_app(on, connection=migrated)) as url_on,
        serve_asgi(create_app(off, connection=migrated)) as url_off,
        httpx.Client(base_url=url_on, timeout=120, headers=bearer(token)) as client_on,
        httpx.Client(base_url=url_off, timeout=120, headers=bearer(token)) as client_off,
    ):
        compiled_api, general_api = GraphQLClient(client_on), GraphQLClient(client_off)
        compiled_api.data(operation("import.graphql", "ImportCmdb"), {"document": demo_document}, "ImportCmdb")
        yield compiled_api, general_api


def same(
    pair: tuple[GraphQLClient, GraphQLClient],
    query: str,
    variables: dict[str, Any] | None = None,
    name: str | None = None,
) -> Any:
    """Both servers' whole responses to a document, checked equal; the compiled server's."""
    compiled_api, general_api = pair
    answer = compiled_api.post(query, variables, name)
    assert answer == general_api.post(query, variables, name)
    return answer


def counted(
    pair: tuple[GraphQLClient, GraphQLClient],
    query: str,
    variables: dict[str, Any] | None = None,
    name: str | None = None,
) -> Any:
    """`same`, also returning how many root fields the compiled path answered and how many fell back."""
    before = (compiled.STATS.answered, compiled.STATS.fell_back)
    answer = same(pair, query, variables, name)
    return answer, compiled.STATS.answered - before[0], compiled.STATS.fell_back - before[1]


def first_ids(pair: tuple[GraphQLClient, GraphQLClient], root: str) -> list[str]:
    """The ids of the first 200 items of a root list (`services`, `sites`, ...), from the compiled server."""
    return [n["id"] for n in pair[0].data(f"{{ {root}(first: 200) {{ nodes {{ id }} }} }}")[root]["nodes"]]
