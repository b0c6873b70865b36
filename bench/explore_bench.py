"""Explorer benchmark: time to first render of /explore for a typical CI and for a hub, in headless Chromium, against
the same neighbourhood read posted with httpx and an empty page's render, in the same run.

`graphsvc serve` runs in its own process with the graph in memory and the response cache off (each page computes its
read, as a person exploring meets a neighbourhood nobody asked for a moment ago), on a generated CMDB. The hub is
the CI or redundancy group with the most dependents; the typical CI is the CI (not retired) with the median number
of neighbours (dependencies, dependents, members and groups), both found with one Cypher read.

Each page is opened `--repeat` times cold (a new browser context: nothing cached) and warm (reloaded in the same
context: the assets from the browser's cache). The page's own figure is read: `data-first-render-ms`, from the
start of navigation (assets, the session check, the API reads, layout and drawing) to its first map drawn. The
baselines: (a) the neighbourhood read explore.js's `expand` sends, posted with httpx; (b) /explore with no focus,
timed to `data-ready` (assets, script start and the session check): the floor under every render. Screenshots of
both maps (1600x1000) go to test-artifacts/ and /tmp/shots/. Results go to bench/results/explore-<size>.json.

Needs Chromium (Debian: apt-get install chromium; $CHROMIUM_PATH overrides /usr/bin/chromium) and Playwright.

    GRAPHSVC_BENCH_DATA_DIR=.graphsvc-bench-explore GRAPHSVC_BENCH_BOLT_PORT=17760 \
        python bench/explore_bench.py --size 100k [--seed 1] [--repeat 9]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
from pathlib import Path
from typing import Any

import httpx
from neo4j import RoutingControl
from playwright.async_api import Browser, Page, async_playwright

from bench.common import SIZES, api_server, bench_database, ensure_loaded, measure, write_result

ROOT = Path(__file__).resolve().parent.parent
SHOTS = (ROOT / "test-artifacts", Path("/tmp/shots"))
VIEWPORT = {"width": 1600, "height": 1000}
FIRST = 25  # explore.js's PAGE: neighbours read per side
# as tests/e2e/conftest.py launches the system Chromium
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The read explore.js's expand() sends for a focus (no time, no what-if edits), with its fragments S and I.
EXPLORE = """query Explore($id: ID!, $first: Int!) { item(id: $id) { ...I ... on Dependable {
      up: neighbours(direction: DEPENDS_ON, first: $first) { ...S }
      down: neighbours(direction: DEPENDENTS, first: $first) { ...S }
      members: neighbours(direction: MEMBERS, first: $first) { ...S }
      groups: neighbours(direction: MEMBER_OF, first: $first) { ...S } } } }
      fragment S on Neighbours { total byType { itemKind ciType count }
    edges { strength item { ...I } } } fragment I on Item { id itemKind name
    ... on ConfigurationItem { ciType: type ciStatus: status criticality monthlyCost }
    ... on Service { serviceStatus: status serviceCriticality: criticality monthlyCost tier }
    ... on RedundancyGroup { minHealthy } }"""

# Every CI and redundancy group with its dependents and neighbours, as the explorer's four sides count them.
CANDIDATES = """MATCH (c:Item) WHERE c:ConfigurationItem OR c:RedundancyGroup
RETURN c.id AS id, c:RedundancyGroup AS group, coalesce(c.status, '') = $retired AS retired,
       COUNT { (c)<-[:DEPENDS_ON]-() } AS dependents, COUNT { (c)-[:DEPENDS_ON|HAS_MEMBER]-() } AS neighbours
ORDER BY id"""

# When the page set data-ready, seen by an observer put in before any of the page's scripts run.
READY_OBSERVER = """new MutationObserver(() => {
  if (!window.__benchReadyMs && document.body && document.body.dataset.ready)
    window.__benchReadyMs = performance.now();
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-ready"] });"""

FIGURES = """() => {
  const first = Number(document.body.dataset.firstRenderMs || "NaN");
  const reads = performance.getEntriesByType("resource")
    .filter((e) => e.name.endsWith("/graphql") && e.startTime < first);
  return {
    firstRenderMs: first,
    readyMs: window.__benchReadyMs || null,
    drawn: Number(document.body.dataset.drawn || "0"),
    apiReads: reads.length,
    apiMs: reads.reduce((sum, e) => sum + e.duration, 0),
    apiServerMs: reads.reduce((sum, e) => sum + (e.responseStart - e.requestStart), 0),
    beforeReadsMs: reads.length ? Math.min(...reads.map((e) => e.startTime)) : null,
    afterReadsMs: reads.length ? first - Math.max(...reads.map((e) => e.responseEnd)) : null,
    problem: document.getElementById("problem").textContent,
  };
}"""
READY = "() => window.__benchReadyMs || null"
# The page's read fetched again from the page once it is drawn and idle: the browser's request, nothing else running.
FETCH = """async ([query, variables]) => {
  const started = performance.now();
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query: query, variables: variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return performance.now() - started;
}"""

TIMEOUT_MS = 300_000


def summary(values: list[float]) -> dict[str, float]:
    """Median, p90 and min, as bench.common.measure reports them."""
    ordered = sorted(values)
    return {
        "median_ms": statistics.median(values),
        "p90_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))],
        "min_ms": ordered[0],
    }


async def render(page: Page, url: str | None) -> dict[str, Any]:
    """Open `url` (None: reload) and wait for the first map; the page's figures."""
    if url is None:
        await page.reload()
    else:
        await page.goto(url)
    await page.locator("body[data-first-render-ms]").wait_for(state="attached", timeout=TIMEOUT_MS)
    figures = await page.evaluate(FIGURES)
    assert not figures["problem"], figures["problem"]
    return figures


async def ready(page: Page, url: str | None) -> float:
    """Open `url` (None: reload) and wait for the page to have started; ms from navigation to data-ready."""
    if url is None:
        await page.reload()
    else:
        await page.goto(url)
    await page.locator("body[data-ready]").wait_for(state="attached", timeout=TIMEOUT_MS)
    return float(await page.evaluate(READY))


async def pages(browser: Browser, url: str, repeat: int, figure: Any) -> dict[str, list[Any]]:
    """`figure(page, url)` for `repeat` cold loads (a new context each) and `repeat` warm reloads in one context,
    after one load of each that is not counted (the server's and the browser's first time)."""
    cold = []
    for n in range(repeat + 1):
        context = await browser.new_context(viewport=VIEWPORT)
        await context.add_init_script(script=READY_OBSERVER)
        try:
            found = await figure(await context.new_page(), url)
        finally:
            await context.close()
        if n:
            cold.append(found)
    context = await browser.new_context(viewport=VIEWPORT)
    await context.add_init_script(script=READY_OBSERVER)
    try:
        page = await context.new_page()
        await figure(page, url)
        warm = [await figure(page, None) for _ in range(repeat)]
    finally:
        await context.close()
    return {"cold": cold, "warm": warm}


async def screenshot(browser: Browser, url: str, name: str, ci: str, repeat: int) -> tuple[list[str], list[float]]:
    """The map of `url` at 1600x1000, to test-artifacts/ and /tmp/shots/; then the page's read of `ci` fetched
    `repeat` times from the drawn page (ms each)."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await render(page, url)
        await page.wait_for_timeout(300)
        fetched = [await page.evaluate(FETCH, [EXPLORE, {"id": ci, "first": FIRST}]) for _ in range(repeat + 1)][1:]
        first = SHOTS[0] / name
        first.parent.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(first))
    finally:
        await context.close()
    written = [str(first)]
    for folder in SHOTS[1:]:
        folder.mkdir(parents=True, exist_ok=True)
        written.append(str(shutil.copy(first, folder / name)))
    return written, fetched


def cells(case: dict[str, dict[str, float]]) -> str:
    return " | ".join(f"{case[mode][k]:.0f} ms" for mode in ("cold", "warm") for k in ("median_ms", "p90_ms"))


def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        raise SystemExit("Chromium not installed: apt-get install chromium (or set CHROMIUM_PATH)")
    return path


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    cis = SIZES[args.size]
    load = {"before": os.getloadavg()[0]}  # other work on the machine shows in every figure of a browser bench
    async with bench_database() as (settings, conn, driver):
        await ensure_loaded(driver, conn.database, cis, args.seed)
        rows = (
            await driver.execute_query(
                CANDIDATES, {"retired": "RETIRED"}, database_=conn.database, routing_=RoutingControl.READ
            )
        )[0]
        hub = max(rows, key=lambda r: (r["dependents"], r["neighbours"]))
        live = sorted(
            (r for r in rows if not r["group"] and not r["retired"]), key=lambda r: (r["neighbours"], r["id"])
        )
        typical = live[len(live) // 2]
        chosen = {
            name: {"id": r["id"], "group": r["group"], "dependents": r["dependents"], "neighbours": r["neighbours"]}
            for name, r in (("typical", typical), ("hub", hub))
        }
        for name, c in chosen.items():
            print(f"  {name}: {c['id']} ({c['dependents']:,} dependents, {c['neighbours']:,} neighbours)", flush=True)
        results: dict[str, Any] = {}
        shots: dict[str, list[str]] = {}
        computed = {"GRAPHSVC_RESPONSE_CACHE_SECONDS": "0"}
        with api_server(conn, graph_cache=True, env=computed) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=900) as http:

                async def read(ci: str) -> dict[str, Any]:
                    payload = {"query": EXPLORE, "variables": {"id": ci, "first": FIRST}, "operationName": "Explore"}
                    body = (await http.post("/graphql", json=payload)).json()
                    assert "errors" not in body, body["errors"]
                    return body["data"]["item"]

                for name, c in chosen.items():
                    await read(c["id"])
                    timing, item = await measure(args.repeat, lambda ci=c["id"]: read(ci))
                    sides = {k: item[k] for k in ("up", "down", "members", "groups") if item.get(k)}
                    results[f"read_{name}"] = {
                        **timing,
                        "totals": {k: side["total"] for k, side in sides.items()},
                        "by_type": {k: side["byType"] for k, side in sides.items() if side["total"]},
                        "answer_bytes": len(json.dumps(item)),
                    }
                    print(f"  GraphQL read, {name}: {json.dumps(results[f'read_{name}'])}", flush=True)

            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=chromium(), headless=True, args=CHROMIUM_ARGS
                )
                try:
                    floor = await pages(browser, f"{server.url}/explore", args.repeat, ready)
                    results["empty_page"] = {mode: summary(times) for mode, times in floor.items()}
                    print(f"  empty page (to data-ready): {json.dumps(results['empty_page'])}", flush=True)
                    for name, c in chosen.items():
                        url = f"{server.url}/explore?focus={c['id']}"
                        found = await pages(browser, url, args.repeat, render)
                        case: dict[str, Any] = {}
                        for mode, runs in found.items():
                            first = summary([r["firstRenderMs"] for r in runs])
                            case[mode] = {
                                **first,
                                "above_floor_median_ms": first["median_ms"] - results["empty_page"][mode]["median_ms"],
                                "api_ms_median": statistics.median(r["apiMs"] for r in runs),
                                "api_request_to_first_byte_ms_median": statistics.median(
                                    r["apiServerMs"] for r in runs
                                ),
                                "api_reads": max(r["apiReads"] for r in runs),
                                # navigation to the first read sent (assets, script start, the session check), and
                                # the last read's answer to the map drawn (the page's own work: layout and drawing)
                                "before_reads_ms_median": statistics.median(r["beforeReadsMs"] for r in runs),
                                "after_reads_ms_median": statistics.median(r["afterReadsMs"] for r in runs),
                                "drawn": runs[-1]["drawn"],
                            }
                        results[f"render_{name}"] = case
                        print(f"  first render, {name}: {json.dumps(case)}", flush=True)
                        shots[name], fetched = await screenshot(
                            browser, url, f"explore-{name}-{args.size}.png", c["id"], args.repeat
                        )
                        results[f"fetch_{name}"] = summary(fetched)
                        print(f"  the read fetched from the drawn page: {json.dumps(results[f'fetch_{name}'])}")
                        print(f"  screenshot: {', '.join(shots[name])}", flush=True)
                finally:
                    await browser.close()
            memory = server.memory_mb()
    result = {
        "benchmark": "explore",
        "size": args.size,
        "cis": cis,
        "repeat": args.repeat,
        "chosen": chosen,
        "cases": results,
        "screenshots": shots,
        "server_memory": memory,
        "load_average_1m": {**load, "after": os.getloadavg()[0]},
    }
    out = write_result("explore", args.size, result, settings, conn)
    print(
        f"\n| case ({args.size} CIs) | cold median | cold p90 | warm median | warm p90 | above the floor (cold/warm) |"
    )
    print("|---|---|---|---|---|---|")
    print(f"| empty page, to data-ready (the floor) | {cells(results['empty_page'])} | |")
    for name, c in chosen.items():
        r = results[f"render_{name}"]
        above = f"{r['cold']['above_floor_median_ms']:.0f} / {r['warm']['above_floor_median_ms']:.0f} ms"
        print(
            f"| {name} {c['id']} ({c['dependents']:,} dependents; {r['cold']['drawn']} drawn) | {cells(r)} | {above} |"
        )
    for name in chosen:
        m, f = results[f"read_{name}"], results[f"fetch_{name}"]
        print(f"| baseline: the {name}'s read with httpx | {m['median_ms']:.1f} ms | {m['p90_ms']:.1f} ms | | | |")
        print(
            f"| the {name}'s read fetched from the drawn page | | | {f['median_ms']:.1f} ms | {f['p90_ms']:.1f} ms | |"
        )
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
