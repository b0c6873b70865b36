"""`graphsvc serve` as a user runs it, with GRAPHSVC_LOG_FORMAT=json: every line it writes is one JSON object, the
access line of a request carries the request's id and fields, and /metrics answers on loopback."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from graphsvc.db.connection import Connection
from tests.integration.serving import serve_process


def test_serve_writes_json_lines_and_serves_metrics(empty_db: Connection, tmp_path: Path) -> None:
    log_file = tmp_path / "serve.log"
    with serve_process(
        empty_db, log_file, "--data-dir", str(tmp_path / "data"), GRAPHSVC_LOG_FORMAT="json", GRAPHSVC_AUTH="false"
    ) as url:
        answer = httpx.post(
            f"{url}/graphql", json={"query": "query Hello { __typename }"}, headers={"X-Request-ID": "serve-json-1"}
        )
        assert answer.status_code == 200 and answer.headers["x-request-id"] == "serve-json-1"
        scraped = httpx.get(f"{url}/metrics")
        assert scraped.status_code == 200
        families = {f.name for f in text_string_to_metric_families(scraped.text)}
        assert {"graphsvc_graphql_operations", "graphsvc_http_requests", "process_resident_memory_bytes"} <= families
    lines = [line for line in log_file.read_text().splitlines() if line.strip()]
    # the command's own greeting (typer.echo) is plain text on stdout; everything logged is JSON
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    assert all(line.startswith("{") or line.startswith(("graphsvc serving", "auth is off")) for line in lines), lines
    access = [
        line for line in logged if line.get("request_id") == "serve-json-1" and line["logger"] == "graphsvc.access"
    ]
    assert len(access) == 1
    assert access[0] | {"time": "", "duration_ms": 0} == {
        "time": "",
        "level": "INFO",
        "logger": "graphsvc.access",
        "message": access[0]["message"],
        "request_id": "serve-json-1",
        "operation": "Hello",
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "duration_ms": 0,
    }
    assert any(line["logger"] == "uvicorn.error" for line in logged)  # uvicorn's own lines are JSON too


def _posts(text: str) -> float:
    """The answered POST /graphql requests a scrape counts."""
    wanted = {"route": "/graphql", "method": "POST", "status": "200"}
    return sum(
        s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if s.name == "graphsvc_http_requests_total" and s.labels == wanted
    )


def test_with_workers_metrics_are_summed_over_them(empty_db: Connection, tmp_path: Path) -> None:
    log_file = tmp_path / "serve.log"
    with serve_process(
        empty_db, log_file, "--workers", "2", "--data-dir", str(tmp_path / "data"), GRAPHSVC_AUTH="false"
    ) as url:
        # New connections are spread over the workers by the kernel: whichever answers a scrape, it counts them all.
        process_lines = set()
        for _ in range(12):
            answer = httpx.post(f"{url}/graphql", json={"query": "query Counted { __typename }"})
            assert answer.status_code == 200
        for _ in range(6):
            scraped = httpx.get(f"{url}/metrics")
            assert scraped.status_code == 200
            assert _posts(scraped.text) == 12
            process_lines.add(scraped.text.count("process_resident_memory_bytes"))
        assert process_lines == {0}  # one process's figures would pass for all of them: left out
