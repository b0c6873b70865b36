"""A browser app on another origin, in Chromium: a page served from a second local origin (listed in
GRAPHSVC_CORS_ORIGINS) imports the demo CMDB and runs every operation of the contract's documents against graphsvc
with `fetch` and a bearer token, as a Backstage or Grafana panel would; a page from an origin not listed cannot read
an answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.conftest import REPO, load_json, make_token
from tests.e2e.conftest import serve_asgi

pytestmark = pytest.mark.e2e

OPERATIONS = REPO / "tests" / "contract" / "operations"
NOW = datetime.now(UTC).replace(microsecond=0)
NOVEMBER = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}

# The variables each contract operation runs with, on the demo CMDB (every operation must be here).
VARIABLES: dict[str, dict[str, Any]] = {
    "BrowseConfigurationItems": {"type": "DATABASE"},
    "ServiceDetail": {"id": "SVC-CATALOG"},
    "Search": {"text": "orders"},
    "ChangeAssessment": {"id": "CHG-1001"},
    "CabAgenda": NOVEMBER,
    "ReleaseImpact": {"id": "REL-DB-2026.11"},
    "Continuity": {"serviceId": "SVC-CATALOG"},
    "CostAllocation": {},
    "ChangeDecision": {"id": "CHG-1001"},
    "ImpactDegraded": {"origin": [], "degraded": ["RG-DB-ORDERS"]},
    "EstateImpact": {"edits": [{"retire": "CI-APP-CART"}], "origin": ["CI-APP-ACCOUNTS"]},
    "EstateContinuity": {"serviceId": "SVC-CATALOG"},
    "EstateCost": {},
    "EstateItem": {"asOf": NOW.isoformat().replace("+00:00", "Z"), "id": "SVC-CATALOG"},
    "EstateDiff": {
        "from": (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "to": NOW.isoformat().replace("+00:00", "Z"),
    },
    "CmdbHealth": {},
    "Impact": {"origin": ["CI-APP-CART"]},
    "SiteFailure": {"siteId": "SITE-DC1"},
    "IncidentCorrelation": {"since": NOVEMBER["from"], "until": NOVEMBER["to"]},
    "Availability": {"serviceId": "SVC-CATALOG", **NOVEMBER},
    "RequirementCompliance": {},
    "RequirementTrace": {"id": "REQ-B-01"},
    "PolicyViolations": {},
    "Processes": {},
    "ServiceStatus": {},
    "CapacityForecast": {"threshold": 85, "windowDays": 30},
}

# The browser app: its page has nothing but a function that posts one operation to graphsvc and a table it fills.
APP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>CMDB panel</title>
<style>body{font:14px sans-serif;margin:16px} td{padding:2px 10px;border-bottom:1px solid #ddd}
.ok{color:#176317}.bad{color:#a11}</style></head>
<body><h1>CMDB panel (another origin)</h1><table id="runs"></table>
<script>
window.ask = async (url, token, document, operationName, variables) => {
  const response = await fetch(url + "/graphql", {
    method: "POST",
    headers: {"Content-Type": "application/json", "Authorization": "Bearer " + token},
    body: JSON.stringify({query: document, operationName, variables}),
  });
  const answer = await response.json();
  const row = window.document.getElementById("runs").insertRow();
  const ok = response.ok && !answer.errors && answer.data !== null;
  row.insertCell().textContent = operationName;
  row.insertCell().textContent = ok ? "answered" : JSON.stringify(answer.errors);
  row.className = ok ? "ok" : "bad";
  return {status: response.status, answer};
};
</script></body></html>"""


def contract_operations() -> Iterator[tuple[str, str]]:
    """(operation name, the whole document it is in), for every operation of the contract's documents."""
    for path in sorted(OPERATIONS.glob("*.graphql")):
        document = path.read_text(encoding="utf-8")
        for definition in parse(document).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
                yield definition.name.value, document


def page_app() -> Starlette:
    async def index(_: Any) -> HTMLResponse:
        return HTMLResponse(APP_PAGE)

    return Starlette(routes=[Route("/", index)])


@pytest.fixture
def two_origins(empty_db: Connection, sync_driver: Any) -> Iterator[tuple[str, str, str, str]]:
    """(graphsvc's URL, the allowed app's URL, a stranger's URL, an editor's token)."""
    token = make_token(sync_driver, empty_db.database, "editor", name="panel on another origin")
    with serve_asgi(page_app()) as app_url, serve_asgi(page_app()) as stranger_url:
        settings = Settings(cors_origins=app_url)
        with serve_asgi(create_app(settings, connection=empty_db)) as api_url:
            yield api_url, app_url, stranger_url, token


def test_a_browser_app_on_an_allowed_origin_runs_the_contract(
    browser: Browser, two_origins: tuple[str, str, str, str], artifacts_dir: Path
) -> None:
    api_url, app_url, stranger_url, token = two_origins
    operations = dict(contract_operations())
    assert set(operations) - {"ImportCmdb"} == set(VARIABLES), "every contract operation runs here"
    page = browser.new_page(viewport={"width": 1000, "height": 1000})
    try:
        page.goto(app_url)
        ask = "([u, t, d, o, v]) => window.ask(u, t, d, o, v)"
        demo = load_json(REPO / "seeds" / "demo.json")
        imported = page.evaluate(ask, [api_url, token, operations["ImportCmdb"], "ImportCmdb", {"document": demo}])
        assert imported["status"] == 200 and imported["answer"]["data"]["importCmdb"]["created"] > 500, imported
        failed = {}
        for name, variables in VARIABLES.items():
            done = page.evaluate(ask, [api_url, token, operations[name], name, variables])
            answer = done["answer"]
            if done["status"] != 200 or answer.get("errors") or not answer.get("data"):
                failed[name] = json.dumps(answer)[:300]
        page.screenshot(path=str(artifacts_dir / "cors-browser-app.png"), full_page=True)
        assert failed == {}
        assert page.locator("tr.ok").count() == len(VARIABLES) + 1
    finally:
        page.close()

    stranger = browser.new_page()
    try:
        stranger.goto(stranger_url)
        refused = stranger.evaluate(
            "([u, t]) => window.ask(u, t, '{ cmdbHealth { completeness } }', null, {}).then(() => 'read', e => e.name)",
            [api_url, token],
        )
        assert refused == "TypeError"  # the browser would not let a page from an unlisted origin read the answer
    finally:
        stranger.close()
