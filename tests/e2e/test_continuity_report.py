"""The continuity and SLA reports served by the real app, in headless Chromium, over the demo CMDB."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.test_graphiql_page import OfflineRecorder


def test_continuity_of_erp_renders(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        response = page.goto(f"{demo_url}/reports/continuity?service=SVC-ERP")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("SVC-ERP: ERP & Finance")
        spofs = page.locator("h2:has-text('Single points of failure') + table tbody tr")
        expect(spofs.filter(has_text="CI-HANA-ERP-01")).to_have_count(1)
        gaps = page.locator("h2:has-text('Recovery objective gaps') + table tbody tr")
        expect(gaps.filter(has_text="CI-HANA-ERP-01")).to_contain_text("480 min")
        svg = page.locator(".diagram svg.waves")
        expect(svg).to_be_visible()
        assert page.locator(".diagram g.node.spof").count() >= 1
        last_wave = page.locator(".diagram svg.waves text", has_text="wave").last.text_content()
        assert last_wave is not None and last_wave.startswith("wave ")
        page.screenshot(path=str(artifacts_dir / "continuity-SVC-ERP.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()


def test_estate_continuity_and_sla_reports(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{demo_url}/reports/continuity")
        expect(page.locator("h1")).to_have_text("Service continuity of the estate")
        rows = page.locator("h1 ~ table").first.locator("tbody tr")
        criticality = [int(c) for c in rows.locator("td:nth-child(3)").all_inner_texts()]
        assert criticality == sorted(criticality) and len(criticality) >= 25
        page.goto(f"{demo_url}/reports/sla?from=2026-11-10&to=2026-11-11")
        expect(page.locator("h1")).to_have_text("SLA report 2026-11-10 00:00 UTC to 2026-11-11 00:00 UTC")
        orders = page.locator("tbody tr", has_text="SLA-ONLINE-ORDERS")
        expect(orders).to_contain_text("97.7083%")
        expect(orders).to_contain_text("BREACHED")
        statuses = page.locator("tbody tr td:nth-child(7)").all_inner_texts()
        assert statuses == sorted(statuses, key=lambda s: s != "BREACHED")
        # each breach explained: the outage against what the target allows, and the incidents behind it
        why = page.locator("section.breach", has_text="SLA-ONLINE-ORDERS")
        expect(why.locator("p")).to_contain_text("was DOWN for 33 min")
        expect(why.locator("tbody tr")).to_have_count(2)
        expect(why.locator("tbody tr").first).to_contain_text("OUTAGE")
        assert page.locator("section.breach").count() == statuses.count("BREACHED")
        page.screenshot(path=str(artifacts_dir / "sla-report.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()


def test_one_service_shows_its_weeks(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{demo_url}/reports/continuity?service=SVC-ERP")
        rows = page.locator("h2:has-text('Week by week') + table tbody tr")
        expect(rows).to_have_count(9)  # eight weeks back and now
        expect(rows.first).to_contain_text("the service did not exist")  # the demo was loaded just now
        last = rows.last.locator("td").all_inner_texts()
        spofs = page.locator("h2:has-text('Single points of failure') + table tbody tr")
        assert last[1] == str(spofs.count())
        rows.last.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "continuity-week-by-week.png"))
    finally:
        page.close()
