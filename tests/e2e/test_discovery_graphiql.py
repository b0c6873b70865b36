"""docs/discovery.md's worked example, as a user would follow it: `graphsvc discover kubernetes` on the shop's
manifests (a separate process, as from a shell), then the impact question typed into GraphiQL in Chromium, answered
through the dependencies the run discovered."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.conftest import REPO
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_graphiql_page import QUERY_EDITOR, RESPONSE_EDITOR, editor_value, open_graphiql

pytestmark = pytest.mark.e2e

SHOP = REPO / "tests" / "fixtures" / "k8s" / "shop.yaml"
DOC = REPO / "docs" / "discovery.md"


def worked_example_query() -> str:
    """The GraphQL block of the worked example, exactly as docs/discovery.md shows it."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("```graphql\n", text.index("## A worked example")) + len("```graphql\n")
    return text[start : text.index("```", start)].strip()


def graphsvc_cli(conn: Connection, *args: str) -> str:
    env = {
        **os.environ,
        "NEO4J_URI": conn.uri,
        "NEO4J_USER": conn.user,
        "NEO4J_PASSWORD": conn.password,
        "NEO4J_DATABASE": conn.database,
    }
    done = subprocess.run(
        [sys.executable, "-c", "from graphsvc.cli import main; main()", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def discovered_url(empty_db: Connection) -> Iterator[str]:
    out = graphsvc_cli(empty_db, "discover", "kubernetes", str(SHOP), "--cluster", "shop")
    assert "kubernetes:shop (did): " in out
    with serve_asgi(create_app(Settings(auth=False, introspection=True), connection=empty_db)) as url:
        yield url


def test_worked_example_from_manifests_to_an_impact_answer_in_graphiql(
    browser: Browser, discovered_url: str, artifacts_dir: Path
) -> None:
    query = worked_example_query()
    assert 'impact(origin: ["k8s:shop:shop:statefulset:orders-db"])' in query
    page, recorder = open_graphiql(browser, f"{discovered_url}/graphql")
    try:
        page.locator(QUERY_EDITOR).first.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(query)
        # GraphiQL parses the edited document (and so learns the new operation name) after a short debounce.
        page.wait_for_function(
            "() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.operationName"
            " === 'OrdersDbDown'"
        )
        page.keyboard.press("Control+Enter")
        expect(page.locator(RESPONSE_EDITOR)).to_contain_text("discoveryRuns", timeout=20_000)
        page.screenshot(path=str(artifacts_dir / "graphiql-discovery-example.png"))
        answer = json.loads(editor_value(page, RESPONSE_EDITOR))
        assert "errors" not in answer, answer
        impact = answer["data"]["impact"]
        impacted = {row["id"]: row for row in impact["impacted"]}
        # checkout names orders-db in its ConfigMap's URL; the frontend calls checkout; the ingress fronts it
        assert impacted["k8s:shop:shop:deployment:checkout"]["depth"] == 1
        assert "k8s:shop:shop:deployment:frontend" in impacted
        assert impact["totals"]["impacted"] == len(impacted) >= 3
        (run,) = answer["data"]["discoveryRuns"]
        assert run["created"] > 5 and run["retired"] == 0 and run["dependenciesAdded"] > 3
        assert recorder.external == []
        assert recorder.page_errors == []
    finally:
        page.close()
