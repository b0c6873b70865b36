"""The service desk's board on a wall screen (/status) in Chromium, and `graphsvc status` in a terminal, over a CMDB
with a degradation and an outage open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.conftest import REPO, load_json
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_discovery_graphiql import graphsvc_cli

pytestmark = pytest.mark.e2e

OPEN_SAN_OUTAGE = """mutation { openIncident(input: {id: "INC-SAN", title: "SAN controller failed", priority: P1,
  affects: ["CI-SAN-1"], openedAt: "2026-12-01T10:00:00Z"}) { __typename } }"""


@pytest.fixture
def board_url(empty_db: Connection) -> Iterator[str]:
    with serve_asgi(create_app(Settings(auth=False), connection=empty_db)) as url:
        graphql = f"{url}/graphql"
        document = load_json(REPO / "tests" / "fixtures" / "small.json")
        body = {"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": document}}
        assert httpx.post(graphql, json=body, timeout=60).json()["data"]["importCmdb"]["created"] == 36
        yield url


def test_the_wall_screen_shows_what_is_down_and_why(
    browser: Browser, board_url: str, empty_db: Connection, artifacts_dir: Path
) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{board_url}/status?refresh=60")
        expect(page.locator(".tile")).to_have_count(2)  # INC-2 degrades the order database cluster
        assert page.locator(".tile.DEGRADED").count() == 2
        refresh = page.locator('meta[http-equiv="refresh"]').get_attribute("content")
        assert refresh == "60"

        opened: Any = httpx.post(f"{board_url}/graphql", json={"query": OPEN_SAN_OUTAGE}, timeout=30).json()
        assert opened["data"]["openIncident"]["__typename"] == "IncidentPayload", opened
        page.reload()  # what the refresh does by itself
        tiles = page.locator(".tile")
        expect(tiles).to_have_count(2)
        expect(tiles.nth(0)).to_contain_text("Web Shop")  # criticality 1 first
        expect(tiles.nth(0)).to_contain_text("DOWN · affected for")
        expect(tiles.nth(0)).to_contain_text("SAN controller failed")
        expect(tiles.nth(0).locator('a.explore[href="/explore?from=INC-SAN"]')).to_have_text("INC-SAN")
        expect(tiles.nth(1)).to_contain_text("DOWN · affected for")
        expect(page.locator(".counts")).to_contain_text("2 down")
        page.screenshot(path=str(artifacts_dir / "status-board.png"))
        # readable across a room: the service names are set large
        size = page.locator(".tile .name").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 24
        assert errors == []
        assert page.locator("script").count() == 0
    finally:
        page.close()

    out = graphsvc_cli(empty_db, "status")
    lines = out.splitlines()
    assert lines[0].startswith("2 down, 0 degraded at ")
    assert lines[1].split()[:2] == ["DOWN", "SVC-SHOP"]
    assert "INC-SAN P1 SAN controller failed" in out
    before = graphsvc_cli(empty_db, "status", "--as-of", "2026-11-20T08:00:00Z")
    assert before.startswith("All services OK at 2026-11-20 08:00 UTC (0 open incidents)")


def test_the_demo_board_on_a_wall_screen(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    """The demo's open gift-card outage and its degradations, as the service desk would see them (looked at)."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{demo_url}/status")
        tiles = page.locator(".tile")
        expect(tiles).to_have_count(11)
        expect(tiles.nth(0)).to_contain_text("Gift Cards")
        expect(tiles.nth(0)).to_contain_text("DOWN · affected for")
        expect(tiles.nth(0)).to_contain_text("Gift card balance API returns 503")
        assert page.locator(".tile.DOWN").count() == 1 and page.locator(".tile.DEGRADED").count() == 10
        expect(page.locator(".counts")).to_contain_text("1 down")
        page.screenshot(path=str(artifacts_dir / "status-board-demo.png"), full_page=True)
    finally:
        page.close()
