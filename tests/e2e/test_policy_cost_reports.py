"""The compliance and cost reports served by the real app, in headless Chromium, over the demo CMDB."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from tests.e2e.test_graphiql_page import OfflineRecorder
from tests.unit.test_demo_seed import by_id


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_compliance_report_renders_worst_first(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        response = page.goto(f"{demo_url}/reports/compliance")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("Policy compliance")
        index = page.locator("h2:has-text('Policies, worst first') + table tbody tr")
        counts = [int(c) for c in index.locator("td:nth-child(5)").all_inner_texts()]
        ruled = [x for x in by_id("policies").values() if x.get("rule")]
        assert len(counts) == len(ruled) and counts == sorted(counts, reverse=True) and counts[0] > 0
        owners = page.locator("section#POL-OWNERS")
        expect(owners.locator("h2")).to_contain_text("POL-OWNERS")
        expect(owners.locator("tbody tr")).to_have_count(4)
        expect(owners.locator("tbody tr", has_text="SVC-LOGGING")).to_have_count(1)
        cab = page.locator("section#POL-CAB")
        expect(cab.locator(".ok")).to_have_text("compliant")
        index.locator("a", has_text="POL-OWNERS").click()
        assert page.url.endswith("#POL-OWNERS")
        expect(page.locator("h2:has-text('Unmet requirements') + table tbody tr", has_text="REQ-B-01")).to_have_count(1)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts_dir / "compliance-report-top.png"))
        page.screenshot(path=str(artifacts_dir / "compliance-report.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
        bad = httpx.get(f"{demo_url}/reports/compliance", params={"perPolicy": "lots"})
        assert bad.status_code == 400 and "perPolicy: 'lots' is not a whole number" in bad.text
    finally:
        page.close()


def test_cost_report_renders_and_adds_up(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        response = page.goto(f"{demo_url}/reports/costs")
        assert response is not None and response.status == 200
        expect(page.locator("h1")).to_have_text("IT cost allocation")
        units = page.locator("h2:has-text('By business unit') ~ table").first.locator("tbody tr")
        unit_amounts = [amount(t) for t in units.locator("td:nth-child(3)").all_inner_texts()]
        assert len(unit_amounts) >= 3
        expect(page.locator(".bars svg rect.bar")).to_have_count(len(unit_amounts))
        facts = page.locator("ul.facts li").all_inner_texts()
        total = amount(facts[0].split(": ")[1])
        unallocated = amount(facts[2].split(": ")[1].split(" ")[0])
        assert sum(unit_amounts) + unallocated == total
        first = page.locator("section.statement-unit").first
        lines = [amount(t) for t in first.locator("tbody tr td:nth-child(3)").all_inner_texts()]
        assert sum(lines[:-1]) == lines[-1]  # the statement's lines add up to its total row
        expect(
            page.locator("h2:has-text('Unallocated') ~ table").last.locator("tr", has_text="SVC-GIFT-CARDS")
        ).to_have_count(1)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts_dir / "cost-report-top.png"))
        page.screenshot(path=str(artifacts_dir / "cost-report.png"), full_page=True)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()
