"""The capacity report (/reports/capacity) in Chromium, and as a PDF, over small.json with utilization readings:
a chart per CI forecast to reach the threshold, the services at risk earliest first, nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.test_capacity_forecast import NOW, SMALL, T0, line
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_graphiql_page import OfflineRecorder
from tests.e2e.test_pdf_reports import A4, fetch, font_sizes

pytestmark = pytest.mark.e2e

RECORD = """mutation($r: [UtilizationReadingInput!]!) { recordUtilization(readings: $r) { __typename } }"""


def zigzag(readings: list[dict[str, Any]], size: float = 2.0) -> list[dict[str, Any]]:
    """The readings of a line moved up and down, symmetrically about the middle one and summing to nothing: the
    fitted line stays the same, and the readings show apart from it in the chart."""
    mid = len(readings) // 2
    out = []
    for k, r in enumerate(readings):
        d = abs(k - mid)
        out.append({**r, "percent": r["percent"] + (0.0 if d == 0 else size if d % 2 else -size)})
    return out


@pytest.fixture(scope="module")
def capacity_url(migrated: Connection, sync_driver: object) -> Iterator[str]:
    """small.json with readings: CI-APP-1 above 85 %, CI-SAN-1 rising to it in days, CI-MON in months, CI-DB-1 flat,
    CI-DB-2 falling, CI-DB-3 with too few readings."""
    from tests.conftest import wipe

    wipe(sync_driver, migrated.database)  # type: ignore[arg-type]
    with serve_asgi(create_app(Settings(auth=False), connection=migrated)) as url:
        graphql = f"{url}/graphql"
        body = {"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": SMALL}}
        assert httpx.post(graphql, json=body, timeout=60).json()["data"]["importCmdb"]["created"] == 36
        readings = (
            line("CI-APP-1", 70, 10, days=3, first=NOW - timedelta(days=3))
            + zigzag(line("CI-SAN-1", 50, 1.5))  # 21 readings: 10 either side of the middle one
            + zigzag(line("CI-MON", 20, 0.5))
            + line("CI-DB-1", 50, 0)
            + line("CI-DB-2", 80, -1)
            + line("CI-DB-3", 10, 30, days=2)
        )
        done = httpx.post(graphql, json={"query": RECORD, "variables": {"r": readings}}, timeout=60).json()
        assert done["data"]["recordUtilization"]["__typename"] == "RecordUtilizationPayload", done
        yield url


def test_the_capacity_report_charts_each_ci_and_lists_services_earliest_first(
    browser: Browser, capacity_url: str, artifacts_dir: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        response = page.goto(f"{capacity_url}/reports/capacity")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("Capacity forecast")
        rows = page.locator("tr.at-risk")
        expect(rows).to_have_count(2)
        expect(rows.nth(0).locator("td").first).to_have_text("SVC-SHOP")  # CI-APP-1 is above already
        expect(rows.nth(1).locator("td").first).to_have_text("SVC-ORDERS")  # CI-SAN-1 reaches 85 % in days
        expect(rows.nth(0)).to_contain_text("already above")
        cards = page.locator("section.ci-card")
        expect(cards).to_have_count(3)
        assert [c.get_attribute("id") for c in cards.all()] == ["ci-CI-APP-1", "ci-CI-SAN-1", "ci-CI-MON"]
        expect(page.locator("section.ci-card.above")).to_have_count(1)
        expect(page.locator("section.ci-card.above h3")).to_contain_text("already above")
        charts = page.locator("svg.capacity-chart")
        expect(charts).to_have_count(3)
        san = (T0 + timedelta(days=35 / 1.5)).strftime("%Y-%m-%d")
        expect(cards.nth(1).locator("text.forecast-label")).to_have_text(san)
        expect(page.locator("p.facts, ul.facts")).to_contain_text("1 CI had too few readings")
        # every chart is drawn whole, inside its card, and its labels stay inside the chart
        for k in range(3):
            box = charts.nth(k).bounding_box()
            card = cards.nth(k).bounding_box()
            assert box is not None and card is not None and box["width"] >= 300
            assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
            for label in charts.nth(k).locator("text").all():
                inner = label.bounding_box()
                assert inner is not None
                assert box["x"] - 0.5 <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5
                assert box["y"] - 0.5 <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"] + 0.5
        page.screenshot(path=str(artifacts_dir / "capacity-report.png"), full_page=True)
        # a link in a service's row goes to the CI's chart
        rows.nth(1).locator("a", has_text="CI-SAN-1").click()
        assert page.url.endswith("#ci-CI-SAN-1")
        assert recorder.external == [] and recorder.page_errors == []
        assert page.locator("script").count() == 0
    finally:
        page.close()


def test_the_report_index_links_the_capacity_report(browser: Browser, capacity_url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{capacity_url}/reports")
        page.locator("a.report", has_text="Capacity forecast").click()
        expect(page.locator("h1")).to_have_text("Capacity forecast")
    finally:
        page.close()


def test_the_capacity_report_prints_on_a4(capacity_url: str, artifacts_dir: Path) -> None:
    url = f"{capacity_url}/reports/capacity?format=pdf"
    reader = fetch(url)
    (artifacts_dir / "capacity-report.pdf").write_bytes(httpx.get(url, timeout=120).content)  # to look at
    total = len(reader.pages)
    text = ""
    for n, page in enumerate(reader.pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
        found = page.extract_text()
        assert f"page {n} of {total}" in found
        assert "Capacity forecast · generated by graphsvc at" in " ".join(found.split())
        text += found
    flat = " ".join(text.split())
    assert "Services at risk" in flat and flat.index("SVC-SHOP") < flat.index("SVC-ORDERS")
    assert "CI-APP-1" in flat and "CI-SAN-1" in flat and "CI-MON" in flat
    assert min(font_sizes(reader)) >= 7


def test_the_demo_capacity_report(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    """The demo's readings (brought forward to now, as seed demo loads them): five CIs over 85 % already, an ESXi host
    and the orders database reaching it within about two weeks, the catalogue database in months (looked at)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(f"{demo_url}/reports/capacity")
        cards = page.locator("section.ci-card")
        expect(cards).to_have_count(8)
        expect(page.locator("section.ci-card.above")).to_have_count(5)
        expect(cards.nth(5).locator("h3")).to_contain_text("CI-DC1-ESX-01")
        expect(cards.nth(6).locator("h3")).to_contain_text("CI-PG-ORDERS-01")
        expect(cards.nth(7).locator("h3")).to_contain_text("CI-AWS-RDS-CATALOG")
        services = [r.locator("td").first.inner_text() for r in page.locator("tr.at-risk").all()]
        assert "SVC-ORDERS" in services and "SVC-ERP" in services
        expect(page.locator("p.facts, ul.facts")).to_contain_text("1 CI had too few readings")
        page.screenshot(path=str(artifacts_dir / "capacity-report-demo.png"), full_page=True)
    finally:
        page.close()
