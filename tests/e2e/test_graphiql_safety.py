"""The signed-in GraphiQL page against links made by someone else, in headless Chromium on the real app (auth on).

A link may carry a query (`?q=`), headers (`?headers=`) or a sign-in token (`#token=`), and a page on another port
of the same host may frame the page and get one click out of the person signed in. None of that may write to the
CMDB, send someone else's credentials or switch identity without the person agreeing; and no token typed into the
page is kept in the browser's storage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_graphiql_page import HEADERS_EDITOR, QUERY_EDITOR, RESPONSE_EDITOR, editor_value

pytestmark = pytest.mark.e2e

CREATE_TEAM = 'mutation Framed { createTeam(input: {id: "T-FRAMED", name: "Framed"}) { __typename } }'
READ_TEAM = '{ team(id: "T-FRAMED") { id name } }'


class App:
    def __init__(self, url: str, tokens: dict[str, str]) -> None:
        self.url = url
        self.tokens = tokens

    def graphql(self, query: str, role: str = "admin") -> Any:
        """A query sent straight to the API (not through the page) with the token of `role`."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        answer = httpx.post(f"{self.url}/graphql", json={"query": query}, headers=headers, timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def signed_in_page(self, browser: Browser, role: str) -> Page:
        """A new browser context signed in (the cookie) with the token of `role`, and a page in it."""
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        signed_in = page.context.request.post(f"{self.url}/auth/session", data={"token": self.tokens[role]})
        assert signed_in.ok, signed_in.text()
        return page


@pytest.fixture
def app(empty_db: Connection, sync_driver: Any) -> Iterator[App]:
    tokens = {
        role: make_token(sync_driver, empty_db.database, role, name=f"{role} in a browser")
        for role in ("viewer", "editor", "admin")
    }
    with serve_asgi(create_app(Settings(introspection=True), connection=empty_db)) as url:
        yield App(url, tokens)


def open_page(page: Page, url: str) -> None:
    page.goto("about:blank")  # a new load even when only the #fragment differs
    page.goto(url, wait_until="load")
    expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=15_000)


def run(page: Page) -> None:
    page.locator(".graphiql-execute-button").click()


def response(page: Page) -> Any:
    """The answer in the response pane, once there is one."""
    page.wait_for_function(
        """() => {
            const value = document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue();
            try { JSON.parse(value); return true; } catch (error) { return false; }
        }""",
        timeout=20_000,
    )
    return json.loads(editor_value(page, RESPONSE_EDITOR))


def test_a_mutation_from_a_link_runs_only_once_confirmed(browser: Browser, app: App, artifacts_dir: Path) -> None:
    page = app.signed_in_page(browser, "editor")
    dialogs: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        if answer["accept"]:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        open_page(page, f"{app.url}/graphql?q={quote(CREATE_TEAM)}")
        assert editor_value(page, QUERY_EDITOR) == CREATE_TEAM
        expect(page.locator("#gs-who")).to_have_text("signed in: editor in a browser (editor)")
        page.screenshot(path=str(artifacts_dir / "graphiql-mutation-link.png"))

        run(page)  # the one click a framing page would get
        assert response(page) == {
            "errors": [{"message": "Not run: a mutation from a link runs only once you confirm it."}]
        }
        assert len(dialogs) == 1 and "mutation" in dialogs[0] and "editor in a browser (editor)" in dialogs[0]
        assert app.graphql(READ_TEAM) == {"data": {"team": None}}  # nothing was written
        page.screenshot(path=str(artifacts_dir / "graphiql-mutation-declined.png"))

        answer["accept"] = True
        run(page)
        expect(page.locator(RESPONSE_EDITOR)).to_contain_text("TeamPayload", timeout=20_000)
        assert len(dialogs) == 2
        assert app.graphql(READ_TEAM) == {"data": {"team": {"id": "T-FRAMED", "name": "Framed"}}}
    finally:
        page.context.close()


def test_a_query_from_a_link_runs_without_asking(browser: Browser, app: App) -> None:
    page = app.signed_in_page(browser, "viewer")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        open_page(page, f"{app.url}/graphql?q={quote(READ_TEAM)}")
        run(page)
        assert response(page) == {"data": {"team": None}}
        assert dialogs == []
    finally:
        page.context.close()


def test_headers_from_a_link_are_not_sent(browser: Browser, app: App) -> None:
    page = app.signed_in_page(browser, "viewer")
    linked = json.dumps({"Authorization": f"Bearer {app.tokens['admin']}"})
    try:
        open_page(page, f"{app.url}/graphql?q={quote('{ apiTokens { id } }')}&headers={quote(linked)}")
        with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/graphql")) as sent:
            run(page)
        assert "authorization" not in sent.value.headers
        # the page asked as the person signed in (a viewer), not as the link's admin token
        answer = response(page)
        assert answer["data"] is None and answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert app.tokens["admin"] not in editor_value(page, HEADERS_EDITOR)
        assert "headers" not in page.url  # nor is it passed on when the address is copied
    finally:
        page.context.close()


STORAGE = """() => [localStorage, sessionStorage].flatMap(s =>
    Array.from({length: s.length}, (_, i) => s.key(i) + "=" + s.getItem(s.key(i))))"""


def test_a_token_typed_into_the_headers_is_not_kept(browser: Browser, app: App) -> None:
    page = app.signed_in_page(browser, "viewer")
    token = app.tokens["viewer"]
    try:
        open_page(page, f"{app.url}/graphql")
        page.locator('button[data-name="headers"]').click()
        page.locator(HEADERS_EDITOR).click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {token}"}))
        page.locator(QUERY_EDITOR).first.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text("query Typed { services { totalCount } }")
        page.wait_for_function(
            "() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.operationName === 'Typed'"
        )
        with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/graphql")) as sent:
            run(page)
        assert sent.value.headers.get("authorization") == f"Bearer {token}"  # used ...
        assert response(page) == {"data": {"services": {"totalCount": 0}}}
        # GraphiQL keeps its tabs (debounced) and its history: wait until both hold the query just run
        page.wait_for_function(
            """() => ["graphiql:tabState", "graphiql:queries"].every(
                key => (localStorage.getItem(key) || "").includes("query Typed"))"""
        )
        assert [entry for entry in page.evaluate(STORAGE) if "gsvc_" in entry] == []  # ... and not kept
    finally:
        page.context.close()


def test_tokens_an_earlier_page_kept_are_dropped(browser: Browser, app: App) -> None:
    page = app.signed_in_page(browser, "viewer")
    kept = json.dumps({"Authorization": f"Bearer {app.tokens['viewer']}"})
    tab = {"query": "{ __typename }", "headers": kept, "id": "t1", "title": "<untitled>"}
    try:
        open_page(page, f"{app.url}/graphql")
        page.evaluate(
            """([kept, tab]) => {
                localStorage.setItem("graphiql:headers", kept);
                localStorage.setItem("graphiql:tabState", JSON.stringify({tabs: [tab], activeTabIndex: 0}));
                localStorage.setItem("graphiql:queries", JSON.stringify({queries: [{query: "{ a }", headers: kept}]}));
            }""",
            [kept, tab],
        )
        open_page(page, f"{app.url}/graphql")
        assert "gsvc_" not in editor_value(page, HEADERS_EDITOR)
        assert [entry for entry in page.evaluate(STORAGE) if "gsvc_" in entry] == []
        assert "graphiql:queries" in " ".join(page.evaluate(STORAGE))  # the history itself is kept
    finally:
        page.context.close()


def test_a_sign_in_link_asks_before_switching_identity(browser: Browser, app: App) -> None:
    page = app.signed_in_page(browser, "viewer")
    dialogs: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        if answer["accept"]:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)

    def signed_in_as() -> str:
        who = page.context.request.get(f"{app.url}/auth/session").json()
        assert isinstance(who["name"], str)
        return who["name"]

    try:
        open_page(page, f"{app.url}/graphql#token={app.tokens['admin']}")
        expect(page.locator("#gs-error")).to_have_text(
            "sign-in link not used: still signed in as viewer in a browser (viewer)"
        )
        expect(page.locator("#gs-who")).to_have_text("signed in: viewer in a browser (viewer)")
        assert "token" not in page.url
        assert len(dialogs) == 1
        assert "viewer in a browser (viewer)" in dialogs[0] and "admin in a browser (admin)" in dialogs[0]
        assert signed_in_as() == "viewer in a browser"

        # the same token's link while signed in with it asks nothing
        open_page(page, f"{app.url}/graphql#token={app.tokens['viewer']}")
        expect(page.locator("#gs-who")).to_have_text("signed in: viewer in a browser (viewer)")
        assert len(dialogs) == 1

        answer["accept"] = True
        open_page(page, f"{app.url}/graphql#token={app.tokens['admin']}")
        expect(page.locator("#gs-who")).to_have_text("signed in: admin in a browser (admin)")
        assert len(dialogs) == 2
        assert signed_in_as() == "admin in a browser"
    finally:
        page.context.close()
