"""Browser test: the self-hosted GraphiQL page works without internet access.

A tiny Starlette app (no graphsvc app, no Neo4j) serves the vendored assets from
``graphsvc/static`` at ``/static`` (graphsvc's own ``StaticAssets``: the page
asks for them by their content-hashed names) and a strawberry ``GraphQL`` view
whose IDE page is :func:`graphsvc.web.graphiql.render_graphiql`.  The browser blocks and
records every request that does not go to 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import strawberry
from playwright.sync_api import Browser, Page, Request, Route, expect
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute
from starlette.types import ASGIApp
from strawberry.asgi import GraphQL

import graphsvc.web.graphiql as ide_module
from graphsvc.web.assets import StaticAssets, hashed_assets
from graphsvc.web.graphiql import render_graphiql

ServeApp = Callable[[ASGIApp], AbstractContextManager[str]]

STATIC_DIR = Path(ide_module.__file__).resolve().parents[1] / "static"
ASSETS = {
    "react.production.min.js",
    "react-dom.production.min.js",
    "js.cookie.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "plugin-explorer/index.umd.js",
    "plugin-explorer/style.css",
}


def hashed(asset: str) -> str:
    """The asset's URL path as the page names it: its content-hashed name (graphiql.min.<12 hex>.js)."""
    return "/static/" + hashed_assets().name(f"graphiql/{asset}")


# Tries to break out of the inline <script> and run code; must stay plain text.
HOSTILE_QUERY = "# </script><script>window.__pwned = true</script> <!-- `${x}` \u2028 '\"\\\n{ hello }"
AUTH_HEADERS = {"Authorization": "Bearer e2e-token"}


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


SCHEMA = strawberry.Schema(query=Query)


class LocalGraphiQL(GraphQL[None, None]):
    """strawberry view whose IDE page is the self-hosted GraphiQL."""

    def __init__(self, *, example_query: str, headers: dict[str, str] | None) -> None:
        super().__init__(SCHEMA)
        self._page = render_graphiql(example_query=example_query, headers=headers, sign_in=False)

    async def render_graphql_ide(self, request: StarletteRequest) -> Response:
        return HTMLResponse(self._page)


def make_app() -> Starlette:
    return Starlette(
        routes=[
            Mount("/static", app=StaticAssets(), name="static"),
            StarletteRoute(
                "/graphql",
                LocalGraphiQL(example_query="{ hello }", headers=None),
            ),
            StarletteRoute(
                "/graphql-auth",
                LocalGraphiQL(example_query=HOSTILE_QUERY, headers=AUTH_HEADERS),
            ),
        ]
    )


@pytest.fixture(scope="module")
def base_url(serve_app: ServeApp) -> Iterator[str]:
    with serve_app(make_app()) as url:
        yield url


class OfflineRecorder:
    """Blocks and records requests leaving 127.0.0.1; records page errors, and anything the page's Content Security
    Policy refused (the browser reports that on the console only)."""

    def __init__(self, page: Page) -> None:
        self.external: list[str] = []
        self.local_ok: set[str] = set()
        self.local_failed: list[str] = []
        self.page_errors: list[str] = []
        page.context.route("**/*", self._route)
        page.on("websocket", lambda ws: self._record_websocket(ws.url))
        page.on("requestfinished", self._finished)
        page.on("requestfailed", lambda r: self.local_failed.append(r.url))
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.page_errors.append(message.text)

    def _check_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        if parts.hostname != "127.0.0.1":
            self.external.append(url)
            return False
        return True

    def _record_websocket(self, url: str) -> None:
        self._check_url(url)  # cannot be blocked, but is recorded

    def _route(self, route: Route) -> None:
        if self._check_url(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _finished(self, request: Request) -> None:
        response = request.response()
        if response is not None and response.ok:
            self.local_ok.add(urlsplit(request.url).path)
        else:
            self.local_failed.append(request.url)


def editor_value(page: Page, selector: str) -> str:
    value = page.locator(selector).first.evaluate("el => el.CodeMirror.getValue()")
    assert isinstance(value, str)
    return value


QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor >> nth=1 >> .CodeMirror"
RESPONSE_EDITOR = ".graphiql-response .CodeMirror"


def open_graphiql(browser: Browser, url: str) -> tuple[Page, OfflineRecorder]:
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    recorder = OfflineRecorder(page)
    page.goto(url, wait_until="load")
    expect(page).to_have_title("graphsvc GraphiQL")
    expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=15_000)
    return page, recorder


def run_and_wait_for_world(page: Page) -> None:
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(RESPONSE_EDITOR)).to_contain_text('"world"', timeout=15_000)
    assert json.loads(editor_value(page, RESPONSE_EDITOR)) == {"data": {"hello": "world"}}


def test_rendered_page_is_self_contained() -> None:
    page = render_graphiql(example_query="{ hello }")
    assert "<title>graphsvc GraphiQL</title>" in page
    assert "://" not in page
    assert "unpkg" not in page
    assert "integrity" not in page
    assert "crossorigin" not in page
    for asset in ASSETS:
        stem, _, extension = asset.rpartition(".")
        assert re.fullmatch(rf"/static/graphiql/{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}", hashed(asset))
        assert f'"{hashed(asset)}"' in page and f'"/static/graphiql/{asset}"' not in page
        assert (STATIC_DIR / "graphiql" / asset).is_file()
    assert (STATIC_DIR / "graphiql" / "LICENSES.md").is_file()

    hostile = render_graphiql(
        example_query=HOSTILE_QUERY,
        static_prefix="/assets/gq/",
        headers={"X-Evil": "</script>"},
    )
    assert hostile.count("</script>") == page.count("</script>")
    assert "<!--" not in hostile
    assert f'"{hashed("graphiql.min.js").replace("/static/graphiql/", "/assets/gq/")}"' in hostile
    plain = render_graphiql(example_query="{ hello }", hashed=False)
    assert all(f'"/static/graphiql/{asset}"' in plain for asset in ASSETS)
    with pytest.raises(ValueError, match="same-origin"):
        render_graphiql(example_query="{ hello }", static_prefix="https://cdn/x")


@pytest.mark.e2e
def test_graphiql_runs_offline(browser: Browser, base_url: str, artifacts_dir: Path) -> None:
    page, recorder = open_graphiql(browser, f"{base_url}/graphql")
    try:
        assert editor_value(page, QUERY_EDITOR) == "{ hello }"
        expect(page.locator(QUERY_EDITOR)).to_contain_text("hello")

        run_and_wait_for_world(page)
        page.screenshot(path=str(artifacts_dir / "graphiql-standalone.png"))

        # The explorer plugin works too (it lists the fields of the schema).
        page.locator('button[aria-label="Show GraphiQL Explorer"]').click()
        plugin = page.locator(".graphiql-plugin")
        expect(plugin).to_contain_text("Explorer")
        expect(plugin.locator(".graphiql-explorer-field-view")).to_contain_text("hello")

        assert recorder.external == [], "requests left 127.0.0.1"
        assert recorder.page_errors == []
        assert recorder.local_failed == []
        assert {hashed(a) for a in ASSETS} <= recorder.local_ok
    finally:
        page.context.close()


@pytest.mark.e2e
def test_graphiql_prefills_headers_and_escapes_query(browser: Browser, base_url: str) -> None:
    page, recorder = open_graphiql(browser, f"{base_url}/graphql-auth")
    try:
        # The hostile example query is shown verbatim and did not execute.
        assert editor_value(page, QUERY_EDITOR) == HOSTILE_QUERY
        assert page.evaluate("window.__pwned") is None

        assert json.loads(editor_value(page, HEADERS_EDITOR)) == AUTH_HEADERS
        page.locator('button[data-name="headers"]').click()
        expect(page.locator(HEADERS_EDITOR)).to_contain_text("Bearer e2e-token")

        with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/graphql-auth")) as request_info:
            run_and_wait_for_world(page)
        assert request_info.value.headers.get("authorization") == "Bearer e2e-token"

        assert recorder.external == []
        assert recorder.page_errors == []
        assert recorder.local_failed == []
    finally:
        page.context.close()
