"""`graphsvc serve --workers 2` as a user runs it: two server processes on one port, both answering, and a write
seen by both (each keeps its own caches, checked against the database before use)."""

from __future__ import annotations

from pathlib import Path

import httpx
from neo4j import Driver

from graphsvc.db.connection import Connection
from tests.integration.serving import serve_process

SMALL = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-1", "name": "ops"}],
    "services": [{"id": "SVC-1", "name": "shop", "tier": "BUSINESS", "criticality": 1}],
}
NAME = '{ service(id: "SVC-1") { name } }'


def test_two_worker_processes_serve_and_see_each_others_writes(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    log_file = tmp_path / "serve.log"
    with (
        serve_process(empty_db, log_file, "--workers", "2", GRAPHSVC_AUTH="false") as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        imported = client.post(
            "/graphql",
            json={"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": SMALL}},
        )
        assert imported.json() == {"data": {"importCmdb": {"created": 2}}}
        # New connections are spread over the workers by the kernel; twenty of them reach both in practice, and
        # every one must see the write (and, after a rename, the new name: no worker serves a kept answer).
        names = {
            httpx.post(f"{url}/graphql", json={"query": NAME}).json()["data"]["service"]["name"] for _ in range(20)
        }
        assert names == {"shop"}
        renamed = client.post(
            "/graphql",
            json={"query": 'mutation { updateService(id: "SVC-1", version: 1, patch: {name: "Shop"}) { __typename } }'},
        )
        assert renamed.json() == {"data": {"updateService": {"__typename": "ServicePayload"}}}
        names = {
            httpx.post(f"{url}/graphql", json={"query": NAME}).json()["data"]["service"]["name"] for _ in range(20)
        }
        assert names == {"Shop"}
    output = log_file.read_text()
    assert "with 2 processes" in output
    assert "Started parent process" in output and output.count("Started server process") == 2, output
