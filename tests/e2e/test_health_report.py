"""The CMDB health report served by the real app, in headless Chromium, over the demo CMDB."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from tests.e2e.test_graphiql_page import OfflineRecorder


def test_health_report_shows_measures_and_findings(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    answer = httpx.post(
        f"{demo_url}/graphql",
        json={"query": "{ cmdbHealth { completeness correctness compliance findings(first: 100000) { kind } } }"},
    ).json()["data"]["cmdbHealth"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        response = page.goto(f"{demo_url}/reports/health?perKind=0")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("CMDB health")
        values = page.locator(".measure .value").all_inner_texts()
        assert values == [f"{answer[m]:.2f}%" for m in ("completeness", "correctness", "compliance")]
        kinds = sorted({f["kind"] for f in answer["findings"]})
        sections = page.locator("section.finding-kind")
        expect(sections).to_have_count(len(kinds))
        assert sections.locator("tbody tr").count() == len(answer["findings"])
        for box in page.locator(".measure").all():  # the cards sit side by side, none cut off
            bounds = box.bounding_box()
            assert bounds is not None and bounds["x"] + bounds["width"] <= 1280
        page.screenshot(path=str(artifacts_dir / "health-report.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()
    download = httpx.get(f"{demo_url}/reports/health", params={"format": "csv"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0] == ["kind", "subject_id", "message"] and len(rows) == len(answer["findings"]) + 1
