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


def test_the_report_index_is_linked_from_graphiql(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{demo_url}/graphql")
        page.locator("a.gs-reports").click()
        expect(page.locator("h1")).to_have_text("Reports")
        links = page.locator("a.report")
        expect(links).to_have_count(7)
        page.screenshot(path=str(artifacts_dir / "report-index.png"), full_page=True)
        page.locator("form.change input").fill("CHG-1002")
        page.locator("form.change button").click()
        expect(page.locator("h1")).to_contain_text("Change CHG-1002")
        page.go_back()
        # the SLA report's default: the last full month, answered rather than refused
        page.locator("a.report", has_text="SLA report").click()
        expect(page.locator("h1")).to_contain_text("SLA report")
        agenda = httpx.get(f"{demo_url}/reports/cab")
        assert agenda.status_code == 200 and "CAB agenda" in agenda.text
        half = httpx.get(f"{demo_url}/reports/sla", params={"from": "2026-11-01"})
        assert half.status_code == 400 and "to is required with the other end" in half.text
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()
