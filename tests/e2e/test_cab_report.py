"""The CAB reports served by the real app, rendered in headless Chromium over the demo CMDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_graphiql_page import OfflineRecorder

pytestmark = pytest.mark.e2e


def test_change_report_renders_offline(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        response = page.goto(f"{demo_url}/reports/changes/CHG-1002")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("Change CHG-1002: Patch PostgreSQL on pg-orders-02")
        expect(page.locator(".risk .level")).to_have_text("HIGH")
        # the summary up front, then the sections in order
        headings = page.locator("h2").all_inner_texts()
        assert headings == [
            "Risk factors",
            "Impacted services",
            "Business units",
            "SLAs at risk",
            "Conflicts",
            "Policy violations",
            "Approvals needed",
            "Blast radius",
        ]
        conflicts = page.locator("h2:has-text('Conflicts') + table tbody tr")
        expect(conflicts).to_have_count(1)
        expect(conflicts.first).to_contain_text("CHG-1003")
        expect(conflicts.first).to_contain_text("COMPOUNDED")
        services = page.locator("h2:has-text('Impacted services') + table tbody tr")
        expect(services.first).to_contain_text("SVC-CHECKOUT")
        expect(services.first.locator(".status")).to_have_text("DEGRADED")
        # the diagram: drawn, status-coloured, the modified item first
        svg = page.locator(".diagram svg")
        expect(svg).to_be_visible()
        origin = page.locator('.diagram g.node[data-key="CI-PG-ORDERS-02"] rect')
        assert origin.get_attribute("stroke-width") == "3"
        assert page.locator(".diagram g.node.down").count() >= 1
        assert page.locator(".diagram g.node.degraded").count() >= 5
        box = svg.bounding_box()
        assert box is not None and box["width"] > 400 and box["height"] > 80
        page.screenshot(path=str(artifacts_dir / "cab-report-CHG-1002.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()


def test_fan_out_collapses_and_the_agenda_links_changes(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{demo_url}/reports/changes/CHG-1001")
        collapsed = page.locator(".diagram g.node", has_text="x VIRTUAL_MACHINE")
        expect(collapsed.first).to_be_visible()
        label = collapsed.first.locator("text").first.text_content() or ""
        assert int(label.split(" x ")[0]) >= 4
        page.screenshot(path=str(artifacts_dir / "cab-report-CHG-1001.png"), full_page=True)

        page.goto(f"{demo_url}/reports/cab?from=2026-11-20&to=2026-11-29")
        expect(page.locator("h1")).to_have_text("CAB agenda 2026-11-20 00:00 UTC to 2026-11-29 00:00 UTC")
        rows = page.locator(".agenda table tbody tr")
        expect(rows).to_have_count(9)
        # blocked first, then the CAB's, then the owners'; riskiest first within each
        decisions = rows.locator("td:nth-child(2)").all_inner_texts()
        scores = [int(t.split()[-1]) for t in rows.locator("td:nth-child(7)").all_inner_texts()]
        order = ["blocked", "CAB", "owners only"]
        keys = [(order.index(d), -s) for d, s in zip(decisions, scores, strict=True)]
        assert keys == sorted(keys) and decisions[0] == "blocked"
        expect(rows.first).to_contain_text("CHG-1004")
        expect(rows.first).to_contain_text("Peak trading change freeze")
        for cell in rows.locator(".risk-cell").all():  # a level badge never wraps its score onto another line
            box = cell.bounding_box()
            assert box is not None and box["height"] < 24
        for link in rows.locator("td:first-child a").all():  # nor a change id
            box = link.bounding_box()
            assert box is not None and box["height"] < 24
        page.screenshot(path=str(artifacts_dir / "cab-agenda-top.png"), full_page=False)
        rows.first.locator("a").click()
        first_id = rows.first.locator("a").inner_text()
        expect(page.locator(f'h2[id="{first_id}"]')).to_be_in_viewport()
        page.screenshot(path=str(artifacts_dir / "cab-agenda.png"), full_page=False)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()


def test_print_layout_fits_the_diagram(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 800, "height": 1000})
    try:
        page.goto(f"{demo_url}/reports/changes/CHG-1001")
        page.emulate_media(media="print")
        svg_box = page.locator(".diagram svg").bounding_box()
        main_box = page.locator("main").bounding_box()
        assert svg_box is not None and main_box is not None
        assert svg_box["width"] <= main_box["width"] + 1  # scaled to the page, not cut off
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        (artifacts_dir / "cab-report-CHG-1001.pdf").write_bytes(pdf)
    finally:
        page.close()
