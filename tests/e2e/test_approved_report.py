"""A change's CAB report after approval: the assessment the board approved, and what has changed since, in
headless Chromium over the demo CMDB (its own copy: this module writes)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_graphiql_page import OfflineRecorder

pytestmark = pytest.mark.e2e


def _post(url: str, query: str) -> dict[str, object]:
    body = httpx.post(f"{url}/graphql", json={"query": query}, timeout=120).json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def test_the_report_shows_what_was_approved_and_what_moved(
    browser: Browser, demo_url: str, artifacts_dir: Path
) -> None:
    approved = _post(demo_url, 'mutation { approveChange(id: "CHG-1007") { __typename } }')
    assert approved["approveChange"] == {"__typename": "ChangePayload"}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{demo_url}/reports/changes/CHG-1007")
        section = page.locator("h2", has_text="As approved")
        expect(section).to_have_text("As approved")
        expect(page.locator("h2:has-text('As approved') + p")).to_contain_text("Approved ")
        expect(page.locator("h2:has-text('As approved') + p + p.none")).to_have_text(
            "Nothing the board decided on has changed since."
        )

        _post(
            demo_url,
            'mutation { addDependency(input: {from: "SVC-GIFT-CARDS", to: "CI-DC1-APP-KAFKA-01"}) { __typename } }',
        )
        page.goto(f"{demo_url}/reports/changes/CHG-1007")
        expect(page.locator("h2", has_text="As approved")).to_have_text("As approved, and what has changed since")
        moved = page.locator("ul.since li")
        expect(moved.first).to_contain_text("SVC-GIFT-CARDS")
        page.locator("h2", has_text="As approved").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "cab-report-as-approved.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()
