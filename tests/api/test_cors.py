"""CORS (GRAPHSVC_CORS_ORIGINS): a browser app on an allowed origin gets its preflight answered without a token and
may call the API with one; any other origin gets no CORS header (its browser refuses to read the answer) and still
may not write; with no origin listed, nothing changes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

APP = "http://localhost:3000"
QUERY = {"query": "{ __typename }"}
PREFLIGHT = {
    "Origin": APP,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@pytest.fixture
def served(empty_db: Connection, sync_driver: Driver) -> Iterator[tuple[str, str]]:
    token = make_token(sync_driver, empty_db.database, "editor")
    with serve_asgi(create_app(Settings(cors_origins=f"{APP}, https://b.example"), connection=empty_db)) as url:
        yield url, token


def test_an_allowed_origin_is_answered_and_may_call(served: tuple[str, str]) -> None:
    url, token = served
    pre = httpx.options(f"{url}/graphql", headers=PREFLIGHT)
    assert pre.status_code == 200, pre.text  # no token needed for a preflight
    assert pre.headers["access-control-allow-origin"] == APP
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert {"authorization", "content-type"} <= {
        h.strip().lower() for h in pre.headers["access-control-allow-headers"].split(",")
    }
    call = httpx.post(f"{url}/graphql", json=QUERY, headers={**bearer(token), "Origin": APP})
    assert call.status_code == 200 and call.json() == {"data": {"__typename": "Query"}}
    assert call.headers["access-control-allow-origin"] == APP and "Origin" in call.headers.get("vary", "")
    anonymous = httpx.post(f"{url}/graphql", json=QUERY, headers={"Origin": APP})
    assert anonymous.status_code == 401  # CORS lets the browser read the answer; the token is still required
    assert anonymous.headers["access-control-allow-origin"] == APP


def test_other_origins_get_no_cors_headers_and_may_not_write(served: tuple[str, str]) -> None:
    url, token = served
    pre = httpx.options(f"{url}/graphql", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert pre.status_code == 400 and "access-control-allow-origin" not in pre.headers
    call = httpx.post(f"{url}/graphql", json=QUERY, headers={**bearer(token), "Origin": "https://evil.example"})
    assert call.status_code == 403 and "access-control-allow-origin" not in call.headers  # FORBIDDEN_ORIGIN


def test_without_cors_origins_nothing_changes(empty_db: Connection) -> None:
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:
        pre = httpx.options(f"{url}/graphql", headers=PREFLIGHT)
        assert "access-control-allow-origin" not in pre.headers and pre.status_code in (401, 405)
