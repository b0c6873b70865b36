"""The report diagrams measured in headless Chromium: labels inside their boxes, nothing outside the viewBox, arrows on
the edges, and text still at least 7 pt when the page is printed on A4 portrait (794 x 1123 CSS px at 96 dpi)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.test_graphiql_page import OfflineRecorder

pytestmark = pytest.mark.e2e

A4 = {"width": 794, "height": 1123}
MIN_PRINTED_PX = 7 * 96 / 72  # 7 pt = 9.33 CSS px
PRINTABLE_PX = 680  # 180 mm at 96 dpi

# For every diagram SVG on the page: geometry in its own user units (the viewBox), through each element's CTM, so a
# transform cannot hide an overflow; and the smallest text as it lands on the page (font size x rendered / viewBox).
MEASURE = """
(selector) => [...document.querySelectorAll(selector)].map((svg) => {
  const vb = svg.viewBox.baseVal;
  const rendered = svg.getBoundingClientRect().width;
  const toSvg = svg.getScreenCTM().inverse();
  const box = (el) => {
    const b = el.getBBox();
    const m = toSvg.multiply(el.getScreenCTM());
    const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
      .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
    const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
    return {x: Math.min(...xs), y: Math.min(...ys), r: Math.max(...xs), b: Math.max(...ys)};
  };
  const inside = (a, o, eps) => a.x >= o.x - eps && a.y >= o.y - eps && a.r <= o.r + eps && a.b <= o.b + eps;
  const overflows = [];
  for (const g of svg.querySelectorAll("g.node")) {
    const rect = box(g.querySelector("rect"));
    for (const t of g.querySelectorAll("text")) {
      if (!inside(box(t), rect, 0.5)) overflows.push(`${g.dataset.key || ""} ${t.textContent}`);
    }
  }
  const view = {x: vb.x, y: vb.y, r: vb.x + vb.width, b: vb.y + vb.height};
  const outside = [];
  for (const el of svg.querySelectorAll("rect, text, path, line, polyline, circle")) {
    if (el.closest("defs")) continue;
    if (!inside(box(el), view, 0.5)) outside.push(el.outerHTML.slice(0, 120));
  }
  const edges = [...svg.querySelectorAll(".edge")];
  const sizes = [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize));
  return {
    viewBoxWidth: vb.width, rendered, nodes: svg.querySelectorAll("g.node").length,
    overflows, outside, edges: edges.length,
    edgesWithoutMarker: edges.filter((e) => !(e.getAttribute("marker-end") || "").startsWith("url(#")).length,
    markers: svg.querySelectorAll("defs marker").length,
    minFont: Math.min(...sizes), minEffective: Math.min(...sizes) * rendered / vb.width,
  };
})
"""


def measure(page: Page, selector: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(MEASURE, selector)
    assert result, f"no {selector} on the page"
    return result


def check_layout(figures: list[dict[str, Any]], *, wave: bool = False) -> None:
    for f in figures:
        assert f["overflows"] == [], f"labels overflowing their boxes: {f['overflows']}"
        assert f["outside"] == [], f"drawn outside the viewBox: {f['outside']}"
        assert f["markers"] >= 1 and f["edgesWithoutMarker"] == 0
        if f["nodes"] > 1 or wave:
            assert f["edges"] >= 1, "a diagram of several boxes has edges"


def check_print(page: Page, selector: str, name: str, artifacts_dir: Path) -> list[dict[str, Any]]:
    page.set_viewport_size(A4)
    page.emulate_media(media="print")
    printed = measure(page, selector)
    page.screenshot(path=str(artifacts_dir / f"{name}-print.png"), full_page=True)
    page.locator(selector).first.screenshot(path=str(artifacts_dir / f"{name}-print-svg.png"))
    for f in printed:
        assert f["rendered"] <= PRINTABLE_PX + 1, f"a diagram {f['rendered']:.0f} px wide does not fit 180 mm"
        assert f["minEffective"] >= MIN_PRINTED_PX, f"printed text of {f['minEffective']:.2f} px (< 7 pt)"
    return printed


def test_blast_radius_of_chg_1002_fits_and_prints_readably(
    browser: Browser, demo_url: str, artifacts_dir: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{demo_url}/reports/changes/CHG-1002")
        (screen,) = measure(page, ".diagram svg.blast")
        page.screenshot(path=str(artifacts_dir / "diagram-CHG-1002-screen.png"), full_page=True)
        page.locator(".diagram").screenshot(path=str(artifacts_dir / "diagram-CHG-1002-screen-svg.png"))
        assert screen["nodes"] == 18
        check_layout([screen])
        assert screen["edges"] == 17  # a tree: every box but the origin hangs off one parent
        assert screen["minEffective"] >= 10  # readable on screen too: not shrunk
        # the arrows point the way impact travels: from the modified item toward its dependents
        first = page.locator('.diagram svg.blast .edge[data-from="CI-PG-ORDERS-02"]')
        assert first.count() >= 1
        assert page.locator(".legend", has_text="arrow").count() == 1
        check_print(page, ".diagram svg.blast", "diagram-CHG-1002", artifacts_dir)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()


def test_recovery_waves_fit_have_edges_and_print_readably(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{demo_url}/reports/continuity")
        screen = measure(page, ".diagram svg.waves")
        assert len(screen) >= 25
        check_layout(screen, wave=True)
        waves = page.evaluate(
            "() => [...document.querySelectorAll('.diagram svg.waves')]"
            ".map((s) => s.querySelectorAll('text.wave').length)"
        )
        for f, n in zip(screen, waves, strict=True):
            assert f["edges"] >= n - 1  # each wave leads to the next
            assert f["minEffective"] >= 10
        page.screenshot(path=str(artifacts_dir / "diagram-continuity-screen.png"), full_page=False)
        widest = max(range(len(screen)), key=lambda i: screen[i]["nodes"])
        page.locator(".diagram").nth(widest).screenshot(path=str(artifacts_dir / "diagram-continuity-widest-svg.png"))
        check_print(page, ".diagram svg.waves", "diagram-continuity", artifacts_dir)
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()
