"""The real app's GraphiQL in headless Chromium: offline, with the ready example query answering from Neo4j."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.graphql_view import EXAMPLE_QUERY
from tests.conftest import REPO, load_json, make_token
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_graphiql_page import QUERY_EDITOR, RESPONSE_EDITOR, editor_value, open_graphiql

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_and_token(empty_db: Connection, sync_driver: Any) -> Iterator[tuple[str, str]]:
    """The real app, auth on, with the small CMDB imported, and an editor's token."""
    token = make_token(sync_driver, empty_db.database, "editor", name="analyst in a browser")
    with serve_asgi(create_app(Settings(introspection=True), connection=empty_db)) as url:
        body = {
            "query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }",
            "variables": {"d": load_json(REPO / "tests" / "fixtures" / "small.json")},
        }
        done = httpx.post(f"{url}/graphql", json=body, timeout=60, headers={"Authorization": f"Bearer {token}"})
        assert done.json()["data"]["importCmdb"]["created"] == 36
        yield url, token


@pytest.fixture
def app_url(app_and_token: tuple[str, str]) -> str:
    return app_and_token[0]


def test_graphiql_runs_the_example_query_offline(
    browser: Browser, app_and_token: tuple[str, str], artifacts_dir: Path
) -> None:
    app_url, token = app_and_token
    # the link `graphsvc serve --admin-link` prints: the page signs in with it and drops it from the address
    page, recorder = open_graphiql(browser, f"{app_url}/graphql#token={token}")
    expect(page.locator("#gs-who")).to_have_text("signed in: analyst in a browser (editor)")
    assert "token" not in page.url
    try:
        assert editor_value(page, QUERY_EDITOR) == EXAMPLE_QUERY
        page.locator(".graphiql-execute-button").click()
        expect(page.locator(RESPONSE_EDITOR)).to_contain_text("lon-db-01", timeout=20_000)
        result = json.loads(editor_value(page, RESPONSE_EDITOR))
        page.screenshot(path=str(artifacts_dir / "graphiql-app.png"))
        found = result["data"]["configurationItems"]
        assert found["totalCount"] == 3
        assert [e["node"]["name"] for e in found["edges"]] == ["lon-db-01", "lon-db-02", "fra-db-03"]
        assert found["edges"][0]["node"]["site"] == {"id": "S-LON", "name": "London DC"}
        # Type a query of our own in the editor and run it.
        page.locator(QUERY_EDITOR).first.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text('query Shop { service(id: "SVC-SHOP") { name owner { name } } }')
        # GraphiQL parses the edited document (and so learns the new operation name) after a short debounce.
        page.wait_for_function(
            "() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.operationName === 'Shop'"
        )
        page.keyboard.press("Control+Enter")
        expect(page.locator(RESPONSE_EDITOR)).to_contain_text("Web Platform", timeout=20_000)
        assert json.loads(editor_value(page, RESPONSE_EDITOR)) == {
            "data": {"service": {"name": "Web Shop", "owner": {"name": "Web Platform"}}}
        }
        assert recorder.external == []
        assert recorder.page_errors == []
    finally:
        page.close()


def test_health_endpoints(app_url: str) -> None:
    assert httpx.get(f"{app_url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{app_url}/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert httpx.get(f"{app_url}/", follow_redirects=False).headers["location"] == "/graphql"
