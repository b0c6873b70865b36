"""Monitoring (issue 21): GET /metrics of the real app over the real Neo4j moves with the requests made and is
answered only to loopback or to the metrics token; every answer carries its request id; JSON log lines carry it
with the request's fields; OpenTelemetry spans cover GraphQL operations and Neo4j statements by name."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from graphsvc.db.audit import Audit
from graphsvc.db.connection import Connection, open_async_driver
from graphsvc.db.discovery import run_discovery
from graphsvc.discovery.model import Observation, SeenItem
from graphsvc.domain.vocabulary import Kind
from graphsvc.settings import Settings
from graphsvc.telemetry import metrics, tracing
from graphsvc.telemetry.tracing import TracingUnavailable
from graphsvc.web.app import create_app
from graphsvc.web.logs import JsonFormatter, RedactTokens, log_config
from tests.api.conftest import bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

NAMED = "query MetricsProbe { services(first: 1) { totalCount } }"
INVALID = "query BrokenProbe { noSuchField }"
USER_ERROR = 'mutation RemoveGhost { deleteItem(id: "ghost-of-metrics") { __typename } }'
METRICS_TOKEN = "m" * 32
DISCOVERER = Audit("tests", "metrics tests", "discover kubernetes")

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: httpx.Client, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def served(empty_db: Connection, sync_driver: Driver) -> Iterator[httpx.Client]:
    """An admin's client of the real app, auth on, no metrics token."""
    token = make_token(sync_driver, empty_db.database, "admin")
    with (
        serve_asgi(create_app(Settings(), connection=empty_db)) as url,
        httpx.Client(base_url=url, timeout=60, headers=bearer(token)) as client,
    ):
        yield client


def post(client: httpx.Client, query: str, **headers: str) -> httpx.Response:
    response = client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_the_counters_move_with_the_requests_made(served: httpx.Client) -> None:
    before = scrape(served)
    assert post(served, NAMED).json() == {"data": {"services": {"totalCount": 0}}}
    assert post(served, NAMED).headers.get("x-graphsvc-cache") == "kept"  # the second is the kept answer
    assert post(served, INVALID).json()["errors"]
    assert post(served, USER_ERROR).json() == {"data": {"deleteItem": {"__typename": "NotFound"}}}
    post(served, "{ __typename }")
    assert served.get("/graphql", params={"query": "{ __typename }"}, headers={"Authorization": ""}).status_code == 401
    served.request("PROPFIND", "/no/such/route/42")  # a rare method and an unknown path: no label values of their own
    after = scrape(served)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert (
        sum(
            after[key] - before.get(key, 0)
            for key in after
            if key[0] == "graphsvc_http_requests_total"
            and dict(key[1]).keys() == {"route", "method", "status"}
            and dict(key[1])["route"] == metrics.OTHER
            and dict(key[1])["method"] == metrics.OTHER
        )
        == 1
    )
    assert not any("PROPFIND" in str(labels) or "/no/such" in str(labels) for _, labels in after)
    ops = "graphsvc_graphql_operations_total"
    assert moved(ops, operation="MetricsProbe", outcome="ok") == 1  # executed once; the second came from the cache
    assert moved(ops, operation="BrokenProbe", outcome="GRAPHQL_VALIDATION_FAILED") == 1
    assert moved(ops, operation="RemoveGhost", outcome="user_error") == 1
    assert moved(ops, operation=metrics.OTHER, outcome="ok") == 1  # unnamed
    assert moved("graphsvc_graphql_operation_seconds_count", operation="MetricsProbe") == 1
    assert moved("graphsvc_response_cache_requests_total", result="hit") == 1
    assert moved("graphsvc_response_cache_requests_total", result="miss") >= 1
    http = "graphsvc_http_requests_total"
    assert moved(http, route="/graphql", method="POST", status="200") == 5
    assert moved(http, route="/graphql", method="GET", status="401") == 1
    assert moved(http, route="/metrics", method="GET", status="200") == 1  # the first scrape
    assert moved("graphsvc_neo4j_queries_total", statement="items/page_selected", outcome="ok") >= 1
    assert value(after, "graphsvc_neo4j_queries_in_flight") == 0


SMALL = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-1", "name": "ops"}],
    "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE", "owner": "T-1"}],
    "services": [{"id": "SVC-1", "name": "shop", "tier": "BUSINESS", "criticality": 1}],
    "dependencies": [{"from": "SVC-1", "to": "CI-1"}],
}
IMPORT = "mutation ImportProbe($d: JSON!) { importCmdb(document: $d) { created } }"


def test_imports_alerts_and_the_graphs_age_are_counted(served: httpx.Client) -> None:
    before = scrape(served)
    ok = served.post("/graphql", json={"query": IMPORT, "variables": {"d": SMALL}})
    assert ok.status_code == 200 and "errors" not in ok.json(), ok.text
    bad = served.post("/graphql", json={"query": IMPORT, "variables": {"d": {**SMALL, "format": "nope"}}})
    assert bad.json()["errors"]
    alert = served.post("/hooks/alertmanager", content=b"[1]", headers={"content-type": "application/json"})
    assert alert.status_code == 400
    for _ in range(200):  # the graph loads in the background after the import's write
        if served.get("/readyz").json()["dependencyGraph"] == "loaded":
            break
    after = scrape(served)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("graphsvc_imports_total", outcome="ok") == 1
    assert moved("graphsvc_imports_total", outcome="rejected") == 1
    assert moved("graphsvc_alertmanager_alerts_total", action="rejected") == 1
    assert value(after, "graphsvc_graph_age_seconds") >= 0
    assert value(after, "graphsvc_graph_loads_total") >= 1
    assert ("graphsvc_graph_age_seconds", ()) in after


def test_discovery_runs_are_counted_and_those_recorded_are_scraped(served: httpx.Client, empty_db: Connection) -> None:
    at = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    seen = Observation(
        "k8s:metrics",
        [SeenItem("k8s:metrics:api", Kind.CONFIGURATION_ITEM, {"name": "api", "type": "APPLICATION"})],
        [],
    )

    async def discover(dry_run: bool) -> None:  # as `graphsvc discover` does, in its own driver
        driver = open_async_driver(empty_db)
        try:
            await run_discovery(
                driver, empty_db.database, seen, now=at, grace=timedelta(0), dry_run=dry_run, audit=DISCOVERER
            )
        finally:
            await driver.close()

    before = scrape(served)
    asyncio.run(discover(dry_run=True))
    asyncio.run(discover(dry_run=False))
    after = scrape(served)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("graphsvc_discovery_runs_total", outcome="dry_run") == 1  # counted by the process that ran them
    assert moved("graphsvc_discovery_runs_total", outcome="ok") == 1
    # what the database recorded, whichever process ran it (dry runs are not recorded)
    assert value(after, "graphsvc_discovery_runs_recorded_total", source="k8s:metrics") == 1
    assert value(after, "graphsvc_discovery_last_run_timestamp_seconds", source="k8s:metrics") == at.timestamp()


def test_metrics_are_for_loopback_or_the_metrics_token(served: httpx.Client, empty_db: Connection) -> None:
    assert served.get("/metrics").status_code == 200  # loopback, no token asked for (not even the API's)
    anonymous = httpx.get(f"{served.base_url}/metrics")
    assert anonymous.status_code == 200
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):  # a proxy on this host forwards someone else
        assert served.get("/metrics", headers={header: "203.0.113.9"}).status_code == 404
    with serve_asgi(create_app(Settings(metrics_token=METRICS_TOKEN), connection=empty_db)) as url:
        assert httpx.get(f"{url}/metrics").status_code == 404  # with a token set, loopback is not enough
        assert httpx.get(f"{url}/metrics", headers=bearer("x" * 32)).status_code == 404
        good = httpx.get(f"{url}/metrics", headers=bearer(METRICS_TOKEN))
        assert good.status_code == 200 and "graphsvc_http_requests_total" in good.text
    with pytest.raises(ValueError, match="GRAPHSVC_METRICS_TOKEN must be 16 characters"):
        create_app(Settings(metrics_token="short"), connection=empty_db)


def test_every_answer_carries_its_request_id(served: httpx.Client) -> None:
    kept = served.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "trace-42.a"})
    assert kept.headers["x-request-id"] == "trace-42.a"
    refused = httpx.get(f"{served.base_url}/graphql", params={"query": "{ __typename }"})
    assert refused.status_code == 401 and len(refused.headers["x-request-id"]) == 32
    for insane in ("a" * 129, "two words", "<script>"):
        answered = served.get("/healthz", headers={"X-Request-ID": insane})
        assert answered.headers["x-request-id"] != insane and len(answered.headers["x-request-id"]) == 32
    assert served.get("/healthz").headers["x-request-id"] != served.get("/healthz").headers["x-request-id"]


def test_json_log_lines_carry_the_request(served: httpx.Client) -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactTokens())
    loggers = [logging.getLogger("graphsvc.access"), logging.getLogger("graphsvc")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    try:
        post(served, NAMED, **{"X-Request-ID": "json-1"})
        assert post(served, NAMED, **{"X-Request-ID": "json-1-kept"}).headers["x-graphsvc-cache"] == "kept"
        post(served, INVALID, **{"X-Request-ID": "json-2"})
        served.get("/graphql", params={"access_token": "gsvc_" + "Q" * 43}, headers={"X-Request-ID": "json-3"})
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    access = {line["request_id"]: line for line in lines if line["logger"] == "graphsvc.access"}
    first = access["json-1"]
    assert {"time", "level", "logger", "message", "method", "path", "status", "duration_ms"} <= first.keys()
    assert (first["method"], first["path"], first["status"], first["operation"]) == (
        "POST",
        "/graphql",
        200,
        "MetricsProbe",
    )
    assert first["level"] == "INFO" and first["time"].endswith("+00:00")
    assert access["json-1-kept"]["operation"] == "MetricsProbe"  # a kept answer's line names its operation too
    refused = [line for line in lines if line["logger"] == "graphsvc" and line.get("request_id") == "json-2"]
    assert refused and "noSuchField" in refused[0]["message"]  # the refusal's line is the request's
    assert access["json-3"]["path"] == "/graphql" and "gsvc_" not in out.getvalue()  # no query string, no token


def test_the_json_log_configuration() -> None:
    config = log_config(log_format="json")
    assert {h["formatter"] for h in config["handlers"].values()} == {"json"}
    assert config["loggers"]["uvicorn.access"]["handlers"] == []  # graphsvc's access lines instead
    assert config["loggers"]["graphsvc.access"]["handlers"] == ["default"]
    text = log_config()
    assert text["loggers"]["graphsvc.access"]["handlers"] == [] and "uvicorn.access" in text["loggers"]


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.enable(provider)
    try:
        yield exporter
    finally:
        tracing.disable()


def test_spans_for_the_operation_and_its_neo4j_statements(served: httpx.Client, spans: InMemorySpanExporter) -> None:
    post(served, NAMED)
    finished = spans.get_finished_spans()
    operation = [s for s in finished if s.name == "query MetricsProbe"]
    assert len(operation) == 1
    attributes: dict[str, Any] = dict(operation[0].attributes or {})
    assert attributes["graphql.operation.name"] == "MetricsProbe" and attributes["graphql.operation.type"] == "query"
    statements = [s for s in finished if s.name.startswith("neo4j ")]
    inside = [s for s in statements if s.context.trace_id == operation[0].context.trace_id]
    # the compiled page (graphql/compiled.py)
    assert "items/page_selected" in {dict(s.attributes or {})["db.operation.name"] for s in inside}
    for s in statements:  # the statement's name, never its text or parameters
        assert set((s.attributes or {}).keys()) == {"db.system", "db.operation.name"}


def test_tracing_asked_for_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, empty_db: Connection
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(TracingUnavailable, match=r"pip install 'graphsvc\[otel\]'"):
        create_app(Settings(otel=True), connection=empty_db)
    assert not tracing.enabled()


def test_graphsvc_runs_without_opentelemetry() -> None:
    code = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "from graphsvc.settings import Settings\n"
        "from graphsvc.web.app import create_app\n"
        "create_app(Settings())\n"
        "print('served without opentelemetry')"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "served without opentelemetry" in run.stdout


def test_traces_go_over_otlp_as_the_standard_variables_say() -> None:
    code = (
        "from opentelemetry import trace\n"
        "from graphsvc.telemetry import tracing\n"
        "tracing.enable()\n"
        "provider = trace.get_tracer_provider()\n"
        "print(provider.resource.attributes['service.name'])\n"
        "provider.shutdown()\n"
    )
    for env, name in (({}, "graphsvc"), ({"OTEL_SERVICE_NAME": "cmdb-eu"}, "cmdb-eu")):
        clean = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120, env=clean | env
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == name


def test_metrics_answer_while_neo4j_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the socket is
    nowhere = Connection(f"bolt://127.0.0.1:{port}", "neo4j", "x", "neo4j", False)
    app = create_app(Settings(), connection=nowhere)
    with serve_asgi(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        assert client.get("/healthz").status_code == 200
        samples = scrape(client)  # the discovery runs recorded cannot be read: the rest still answers
    assert value(samples, "graphsvc_http_requests_total", route="/healthz", method="GET", status="200") >= 1
    assert not any(name.startswith("graphsvc_discovery_runs_recorded") for name, _ in samples)
