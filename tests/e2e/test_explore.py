"""The explorer (/explore) in headless Chromium, driven as an analyst would: sign in, search, focus, expand, run an
impact from the side panel, click a node to see its path, what-if, export, reload from the URL. What is drawn (node
ids, statuses, colours, the highlighted path) is checked against the API's own answers, and any request to another
host fails the test."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.explore import render_explore
from tests.conftest import REPO, load_json, make_token
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_graphiql_page import OfflineRecorder

pytestmark = pytest.mark.e2e

# The colours the page promises (docs/explore.md), as the browser reports them.
DOWN = "rgb(244,185,166)"
DEGRADED = "rgb(251,227,167)"
ORIGIN = "rgb(213,94,0)"
OK = "rgb(238,242,247)"
SERVICE_OK = "rgb(221,232,246)"


@pytest.fixture
def app_and_token(empty_db: Connection, sync_driver: Any) -> Iterator[tuple[str, str]]:
    """The real app, auth on, over the small CMDB, and an analyst's token."""
    token = make_token(sync_driver, empty_db.database, "editor", name="analyst at the map")
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:
        body = {
            "query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }",
            "variables": {"d": load_json(REPO / "tests" / "fixtures" / "small.json")},
        }
        done = httpx.post(f"{url}/graphql", json=body, timeout=60, headers={"Authorization": f"Bearer {token}"})
        assert done.json()["data"]["importCmdb"]["created"] == 36
        yield url, token


def api(url: str, token: str | None, query: str, **variables: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=60)
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]


def tap(page: Page, node_id: str, event: str = "tap") -> None:
    """Click (or hover) a node as Cytoscape sees it. The expression returns nothing: Playwright would otherwise copy
    the returned Cytoscape collection, with the whole graph it points to, and run the page out of memory."""
    page.evaluate("([id, event]) => { window.graphsvcExplorer.cy.$id(id).emit(event); }", [node_id, event])


def settle(page: Page) -> None:
    """Wait until the page's steps (each an API read and a redraw) are done."""
    page.evaluate("() => window.graphsvcExplorer.idle()")


def drawn(page: Page) -> dict[str, dict[str, Any]]:
    """Every node on the map: its label, status, fill colour and whether it is on the highlighted path."""
    nodes = page.evaluate(
        """() => window.graphsvcExplorer.cy.nodes().map(n => ({
            id: n.id(), label: n.data('label'), kind: n.data('kind'), status: n.data('status') || null,
            fill: n.style('background-color'), path: n.hasClass('path'), members: n.data('members') || null}))"""
    )
    return {n["id"]: n for n in nodes}


def path_edges(page: Page) -> set[tuple[str, str]]:
    found = page.evaluate(
        "() => window.graphsvcExplorer.cy.edges('.path').map(e => [e.source().id(), e.target().id()])"
    )
    return {(a, b) for a, b in found}


def open_explorer(browser: Browser, url: str) -> tuple[Page, OfflineRecorder]:
    page = browser.new_page(viewport={"width": 1500, "height": 950}, accept_downloads=True)
    recorder = OfflineRecorder(page)
    page.goto(url, wait_until="load")
    page.locator("body[data-ready]").wait_for(state="attached")
    settle_if_map(page)
    return page, recorder


def settle_if_map(page: Page) -> None:
    if page.locator("body[data-ready=map]").count():
        settle(page)


def test_the_page_is_a_shell_of_same_origin_assets() -> None:
    html = render_explore()
    assert "://" not in html  # nothing from another host
    assert "<script>" not in html  # no inline script: the pages' CSP needs no exception
    for asset in ("explore.js", "explore.css", "vendor/cytoscape.min.js", "vendor/cytoscape-dagre.min.js"):
        stem, _, extension = asset.rpartition(".")
        assert re.search(rf'"/static/explore/{re.escape(stem)}\.[0-9a-f]{{12}}\.{extension}"', html), asset
    assert (REPO / "graphsvc" / "static" / "explore" / "vendor" / "LICENSES.md").is_file()


def test_an_analyst_signs_in_searches_expands_and_follows_an_impact(
    browser: Browser, app_and_token: tuple[str, str], artifacts_dir: Path, tmp_path: Path
) -> None:
    url, token = app_and_token
    page, recorder = open_explorer(browser, f"{url}/explore")
    try:
        # signed out: the page holds no data and asks for a token, as GraphiQL's does
        expect(page.locator("#signin")).to_be_visible()
        assert page.locator("#main").is_hidden()
        page.locator("#token").fill(token)
        page.locator("#signin button").click()
        page.locator("body[data-ready=map]").wait_for(state="attached")
        expect(page.locator("#who")).to_have_text("signed in: analyst at the map (editor)")

        # search, and focus a hit: the item and its neighbours, as the API lists them
        page.locator("#search").fill("orders")
        page.locator("#search-form button").click()
        hit = page.locator('#hits button[data-id="SVC-ORDERS"]')
        expect(hit).to_be_visible()
        hit.click()
        settle(page)
        item = api(
            url,
            token,
            """query($id: ID!) { item(id: $id) { ... on Dependable { dependsOn { id } dependents { id } } } }""",
            id="SVC-ORDERS",
        )["item"]
        neighbours = {i["id"] for i in item["dependsOn"] + item["dependents"]}
        assert set(drawn(page)) == {"SVC-ORDERS"} | neighbours == {"SVC-ORDERS", "RG-DB", "CI-APP-1"}
        assert "focus=SVC-ORDERS" in page.url

        # expand the group: its members, and its quorum in its label
        group = api(url, token, '{ redundancyGroup(id: "RG-DB") { minHealthy members { id } } }')["redundancyGroup"]
        tap(page, "RG-DB")
        settle(page)
        expect(page.locator("#sel-id")).to_have_text("RG-DB")
        page.locator("#act-expand").click()
        settle(page)
        nodes = drawn(page)
        assert {m["id"] for m in group["members"]} <= set(nodes)
        assert f"quorum {group['minHealthy']}" in nodes["RG-DB"]["label"]

        # an impact from the side panel: the SAN fails
        page.locator("#origins").fill("CI-SAN-1")
        page.locator("#impact-form button[type=submit]").click()
        settle(page)
        impact = api(
            url,
            token,
            """{ impact(origin: ["CI-SAN-1"]) { totals { down degraded services businessUnits slas }
                 impacted { id status path explanation } } }""",
        )["impact"]
        status = {i["id"]: i for i in impact["impacted"]}
        nodes = drawn(page)
        assert nodes["CI-SAN-1"]["status"] == "ORIGIN" and nodes["CI-SAN-1"]["fill"] == ORIGIN
        checked = 0
        for node_id, node in nodes.items():
            if node_id == "CI-SAN-1" or node["kind"] in ("STACK", "MORE"):
                continue
            want = status[node_id]["status"] if node_id in status else "OK"
            assert node["status"] == want, node_id
            assert want in node["label"] or want == "OK"  # status is in the words too, not only the colour
            colour = {"DOWN": DOWN, "DEGRADED": DEGRADED}.get(want, SERVICE_OK if node["kind"] == "SERVICE" else OK)
            assert node["fill"] == colour, node_id
            checked += 1
        assert checked >= 6
        totals = impact["totals"]
        expect(page.locator("#counts .totals")).to_have_text(
            f"{totals['down']} down, {totals['degraded']} degraded: {totals['services']} services, "
            f"{totals['businessUnits']} business units, {totals['slas']} SLAs"
        )

        # hover explains; a click highlights the shortest path to the origin, the API's path
        tap(page, "SVC-SHOP", "mouseover")
        expect(page.locator("#tip")).to_have_text(status["SVC-SHOP"]["explanation"])
        tap(page, "SVC-SHOP")
        settle(page)
        path = status["SVC-SHOP"]["path"]
        nodes = drawn(page)
        assert {n for n, v in nodes.items() if v["path"]} == set(path)
        assert path_edges(page) == {(far, near) for near, far in itertools.pairwise(path)}
        expect(page.locator("#sel-explain")).to_have_text(status["SVC-SHOP"]["explanation"])
        page.screenshot(path=str(artifacts_dir / "explore-impact-path.png"))

        # export: the SVG holds what is drawn, with each node's status
        with page.expect_download() as download:
            page.locator("#export-svg").click()
        svg_file = tmp_path / "map.svg"
        download.value.save_as(svg_file)
        assert download.value.suggested_filename == "graphsvc-impact-CI-SAN-1.svg"
        svg = ET.parse(svg_file).getroot()
        groups = {g.get("data-id"): g for g in svg.iter("{http://www.w3.org/2000/svg}g")}
        assert set(groups) == set(nodes)
        assert groups["SVC-SHOP"].get("data-status") == "DOWN"
        assert "path" in (groups["SVC-SHOP"].get("class") or "")
        with page.expect_download() as png:
            page.locator("#export-png").click()
        png_file = tmp_path / "map.png"
        png.value.save_as(png_file)
        assert png_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # the URL reproduces the view: a reload draws the same nodes, statuses and path
        before = {n: (v["status"], v["path"]) for n, v in nodes.items()}
        address = page.url
        page.goto(address)
        page.locator("body[data-ready=map]").wait_for(state="attached")
        settle(page)
        assert {n: (v["status"], v["path"]) for n, v in drawn(page).items()} == before
        assert recorder.external == []
        assert recorder.page_errors == []
    finally:
        page.close()


def test_what_if_and_time_change_the_overlay(browser: Browser, app_and_token: tuple[str, str]) -> None:
    """Taking a member out of the group (what-if) makes the SAN's failure worse; the time before the import has no
    such item. Both answers are the API's own under estate(...)."""
    url, token = app_and_token
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    OfflineRecorder(page)
    try:
        page.goto(f"{url}/explore#token={token}")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        page.goto(f"{url}/explore?focus=CI-DB-3&origins=CI-DB-1")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        settle(page)
        before = api(url, token, '{ impact(origin: ["CI-DB-1"]) { impacted { id status } } }')["impact"]
        edits = [{"removeMember": {"group": "RG-DB", "member": "CI-DB-3"}}]
        after = api(
            url,
            token,
            'query($e: [GraphEdit!]) { estate(edits: $e) { impact(origin: ["CI-DB-1"]) { impacted { id status } } } }',
            e=edits,
        )["estate"]["impact"]
        assert before != after  # the edit matters, so the page can be seen to follow it
        tap(page, "CI-DB-3")
        settle(page)
        page.locator("#sel-groups button", has_text="What if out of RG-DB").click()
        settle(page)
        expect(page.locator("#edits li")).to_have_text(["CI-DB-3 out of RG-DB undo"])
        nodes = drawn(page)
        want = {i["id"]: i["status"] for i in after["impacted"]}
        for node_id in ("RG-DB", "SVC-ORDERS"):
            assert nodes[node_id]["status"] == want.get(node_id, "OK"), node_id
        assert "edits=" in page.url
        expect(page.locator("#view-title")).to_contain_text("with 1 what-if edit")

        # saved as a scenario, and opened again from its link
        page.once("dialog", lambda dialog: dialog.accept("Lose a replica"))
        page.locator("#save-scenario").click()
        settle(page)
        expect(page.locator("#problem")).to_contain_text("saved as scenario SCN-LOSE-A-REPLICA")
        saved = api(url, token, '{ scenario(id: "SCN-LOSE-A-REPLICA") { name edits } }')["scenario"]
        assert saved == {"name": "Lose a replica", "edits": edits}
        page.goto(f"{url}/explore?focus=CI-DB-3&origins=CI-DB-1&scenario=SCN-LOSE-A-REPLICA")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        settle(page)
        expect(page.locator("#view-title")).to_contain_text("from scenario Lose a replica (SCN-LOSE-A-REPLICA)")
        assert drawn(page)["RG-DB"]["status"] == want.get("RG-DB", "OK")

        # back in time, before anything was imported: the item was not there yet, and the page says so
        page.locator("#asof-exact").fill("2020-01-01T00:00")  # fires its change event
        settle(page)
        # the what-if edit names a group that did not exist then: the API's error says which, and the map, the
        # time and the edits stay as they were
        expect(page.locator("#problem")).to_have_text("edits[0] (removeMember): group: unknown id 'RG-DB'")
        expect(page.locator("#asof-shown")).to_have_text("now")
        assert drawn(page)["RG-DB"]["status"] == want.get("RG-DB", "OK")
        page.locator("#clear-edits").click()
        settle(page)
        page.locator("#asof-exact").fill("2020-01-01T00:00")
        settle(page)
        # nor did the impact's origin: the API refuses it by name
        expect(page.locator("#problem")).to_have_text("origin: unknown id 'CI-DB-1'")
        expect(page.locator("#asof-shown")).to_have_text("now")
        page.locator("#clear-overlay").click()
        settle(page)
        page.locator("#asof-exact").fill("2020-01-01T00:00")
        settle(page)
        expect(page.locator("#problem")).to_have_text("no item CI-DB-3 at that time")
        expect(page.locator("#asof-shown")).to_have_text("2020-01-01 00:00 UTC")
    finally:
        page.close()


def test_the_map_is_usable_from_the_keyboard(browser: Browser, app_and_token: tuple[str, str]) -> None:
    url, token = app_and_token
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{url}/explore#token={token}")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        page.goto(f"{url}/explore?focus=SVC-ORDERS")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        settle(page)
        page.locator("#map").focus()
        page.keyboard.press("ArrowLeft")  # from the focus to what it depends on (drawn to its left)
        settle(page)
        expect(page.locator("#sel-id")).to_have_text("RG-DB")
        page.keyboard.press("Enter")  # expand
        settle(page)
        assert {"CI-DB-1", "CI-DB-2", "CI-DB-3"} <= set(drawn(page))
        page.keyboard.press("i")  # fail the selected item
        settle(page)
        assert drawn(page)["RG-DB"]["status"] == "ORIGIN"
        assert "origins=RG-DB" in page.url
        # every drawn item is also a button in the panel's list
        page.locator("#drawn-list summary").click()
        expect(page.locator("#drawn button")).to_have_count(len(drawn(page)))
    finally:
        page.close()


# ---------------------------------------------------------------------------- the demo's main views (docs/explore.md)


@contextmanager
def shown(browser: Browser, url: str, screenshot: Path | None = None) -> Iterator[Page]:
    """A page drawn from `url` without a problem reported; its screenshot taken at the end, when asked for."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(url)
        page.locator("body[data-ready=map]").wait_for(state="attached")
        settle(page)
        assert page.locator("#problem").inner_text() == ""
        yield page
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
    finally:
        page.close()


HUB = "RG-AWS-EKS-NODES"


def test_a_hub_is_drawn_capped_and_collapsed(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    """The EKS node group: its members collapse into one "N x TYPE" node, its dependents beyond the first page are
    one "+N more" node; the counts are the API's."""
    sides = " ".join(
        f"{d.lower()}: neighbours(direction: {d}, first: 25) {{ total edges {{ item {{ id }} }} }}"
        for d in ("DEPENDS_ON", "DEPENDENTS", "MEMBERS", "MEMBER_OF")
    )
    found = api(demo_url, None, f"query($id: ID!) {{ item(id: $id) {{ ... on Dependable {{ {sides} }} }} }}", id=HUB)
    found = found["item"]
    assert found["dependents"]["total"] > 25  # a hub: more than one page
    read = {e["item"]["id"] for side in found.values() for e in side["edges"]}
    with shown(browser, f"{demo_url}/explore?focus={HUB}") as page:
        nodes = drawn(page)
        more = [n for i, n in nodes.items() if i.startswith(f"{HUB}|DEPENDENTS|more|")]
        counts = [int(n["label"].split()[0].lstrip("+").replace(",", "")) for n in more]
        assert sum(counts) == found["dependents"]["total"] - 25  # what was not read, by type, adds up
        stacks = [n for n in nodes.values() if n["kind"] == "STACK"]
        assert stacks  # the members, one type, collapse
        alone = {i for i, n in nodes.items() if n["kind"] not in ("STACK", "MORE")}
        stacked = [m for n in stacks for m in n["members"]]
        assert len(stacked) == len(set(stacked)) and not alone & set(stacked)  # each neighbour drawn once
        assert alone | set(stacked) == read | {HUB}  # every neighbour read is drawn, alone or in a stack
        page.screenshot(path=str(artifacts_dir / "explore-hub.png"))
        # a stack opens into its items; "+N more" reads the next page
        stack = stacks[0]
        tap(page, stack["id"])
        settle(page)
        assert set(stack["members"]) <= set(drawn(page))
        tap(page, more[0]["id"])
        settle(page)
        after = drawn(page)
        rest = [n for i, n in after.items() if i.startswith(f"{HUB}|DEPENDENTS|more|")]
        assert sum(int(n["label"].split()[0].lstrip("+").replace(",", "")) for n in rest) == max(
            0, found["dependents"]["total"] - 50
        )
        assert f"{HUB}|DEPENDENTS:50" in page.url.replace("%7C", "|").replace("%3A", ":")  # the page read, kept


def test_the_demo_views_for_the_docs(browser: Browser, demo_url: str, artifacts_dir: Path) -> None:
    """Site loss, an incident's impact with its path, a service's continuity and a unit's cost, on the demo (the
    screenshots in docs/explore.md; looked at)."""
    site = api(demo_url, None, '{ siteFailure(siteId: "SITE-DC1") { totals { down degraded services } } }')
    with shown(browser, f"{demo_url}/explore?from=SITE-DC1", artifacts_dir / "explore-site.png") as page:
        totals = site["siteFailure"]["totals"]
        expect(page.locator("#counts .totals")).to_contain_text(
            f"{totals['down']} down, {totals['degraded']} degraded: {totals['services']} services"
        )
        nodes = drawn(page)
        assert nodes["SITE-DC1"]["status"] == "ORIGIN"
        assert any(n["kind"] == "STACK" and n["status"] == "ORIGIN" for n in nodes.values())

    incident = api(
        demo_url,
        None,
        """{ incident(id: "INC-5042") { effect affects { id } } }""",
    )["incident"]
    view = f"{demo_url}/explore?from=INC-5042&selected=SVC-GIFT-CARDS"
    with shown(browser, view, artifacts_dir / "explore-incident.png") as page:
        nodes = drawn(page)
        for origin in incident["affects"]:
            assert nodes[origin["id"]]["status"] == ("ORIGIN" if incident["effect"] == "OUTAGE" else "ORIGIN_DEGRADED")
        assert nodes["SVC-GIFT-CARDS"]["status"] == "DOWN" and nodes["SVC-GIFT-CARDS"]["path"]

    continuity = api(
        demo_url,
        None,
        """{ continuity(serviceId: "SVC-CHECKOUT") { singlePointsOfFailure { id } recoveryWaves { wave ids } } }""",
    )["continuity"]
    view = f"{demo_url}/explore?overlay=continuity&service=SVC-CHECKOUT"
    with shown(browser, view, artifacts_dir / "explore-continuity.png") as page:
        nodes = drawn(page)
        waves = {n["id"] for n in nodes.values() if n["kind"] == "WAVE"}
        assert waves == {f"wave|{w['wave']}" for w in continuity["recoveryWaves"]}
        spofs = {s["id"] for s in continuity["singlePointsOfFailure"]}
        marked = {i for i, n in nodes.items() if "SINGLE POINT OF FAILURE" in (n["label"] or "")}
        assert marked == spofs  # every single point of failure is drawn alone and named, none in a stack

    unit = api(
        demo_url,
        None,
        "{ costAllocation { businessUnits { id amount sources(first: 24) { id amount } } } }",
    )["costAllocation"]["businessUnits"]
    finance = next(u for u in unit if u["id"] == "BU-FINANCE")
    with shown(browser, f"{demo_url}/explore?overlay=cost&unit=BU-FINANCE", artifacts_dir / "explore-cost.png") as page:
        nodes = drawn(page)
        drawn_sources = {i for i, n in nodes.items() if "brings" in (n["label"] or "")}
        assert drawn_sources == {s["id"] for s in finance["sources"] if float(s["amount"]) > 0}


def test_a_what_if_dependency_and_the_time_slider(browser: Browser, app_and_token: tuple[str, str]) -> None:
    url, token = app_and_token
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    recorder = OfflineRecorder(page)
    try:
        page.goto(f"{url}/explore#token={token}")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        page.goto(f"{url}/explore?focus=CI-DB-3&origins=CI-DB-1")
        page.locator("body[data-ready=map]").wait_for(state="attached")
        settle(page)
        assert drawn(page)["CI-DB-3"]["status"] == "OK"
        edits = [{"addDependency": {"from": "CI-DB-3", "to": "CI-DB-1", "strength": "HARD"}}]
        after = api(
            url,
            token,
            'query($e: [GraphEdit!]) { estate(edits: $e) { impact(origin: ["CI-DB-1"]) { impacted { id status } } } }',
            e=edits,
        )["estate"]["impact"]
        want = {i["id"]: i["status"] for i in after["impacted"]}
        assert want["CI-DB-3"] == "DOWN"
        page.locator("#add-dep-to").fill("CI-DB-1")  # CI-DB-3 is selected: the focus
        page.locator("#add-dep button").click()
        settle(page)
        expect(page.locator("#edits li")).to_have_text(["CI-DB-3 depends on CI-DB-1 undo"])
        nodes = drawn(page)
        for node_id in ("CI-DB-3", "RG-DB"):
            assert nodes[node_id]["status"] == want.get(node_id, "OK"), node_id
        page.locator("#edits button").click()  # undo
        settle(page)
        assert drawn(page)["CI-DB-3"]["status"] == "OK"

        # the slider, from the keyboard: a year back, before the CMDB was imported
        page.locator("#clear-overlay").click()
        settle(page)
        page.locator("#asof").focus()
        page.keyboard.press("Home")
        settle(page)
        expect(page.locator("#asof-shown")).not_to_have_text("now")
        expect(page.locator("#problem")).to_have_text("no item CI-DB-3 at that time")
        page.keyboard.press("End")  # back to now
        settle(page)
        expect(page.locator("#asof-shown")).to_have_text("now")
        expect(page.locator("#problem")).to_have_text("")
        assert recorder.external == [] and recorder.page_errors == []
    finally:
        page.close()
