"""`graphsvc serve --workers 2` as a user runs it: two server processes on one port, both answering, and a write
seen by both (each keeps its own caches, checked against the database before use)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from neo4j import Driver

from graphsvc.db.connection import Connection
from tests.conftest import REPO
from tests.integration.test_cli import env

SMALL = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-1", "name": "ops"}],
    "services": [{"id": "SVC-1", "name": "shop", "tier": "BUSINESS", "criticality": 1}],
}
NAME = '{ service(id: "SVC-1") { name } }'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_two_worker_processes_serve_and_see_each_others_writes(empty_db: Connection, sync_driver: Driver) -> None:
    port = free_port()
    graphsvc = Path(sys.executable).with_name("graphsvc")
    proc = subprocess.Popen(
        [str(graphsvc), "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, **env(empty_db), "GRAPHSVC_AUTH": "false"},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "graphsvc serve --workers 2 did not start"
            time.sleep(0.2)
        with httpx.Client(base_url=url, timeout=60) as client:
            imported = client.post(
                "/graphql",
                json={
                    "query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }",
                    "variables": {"d": SMALL},
                },
            )
            assert imported.json() == {"data": {"importCmdb": {"created": 2}}}
            # New connections are spread over the workers by the kernel; twenty of them reach both in practice,
            # and every one must see the write (and, after a rename, the new name: no worker serves a kept answer).
            names = {
                httpx.post(f"{url}/graphql", json={"query": NAME}).json()["data"]["service"]["name"] for _ in range(20)
            }
            assert names == {"shop"}
            renamed = client.post(
                "/graphql",
                json={
                    "query": 'mutation { updateService(id: "SVC-1", version: 1, patch: {name: "Shop"}) { __typename } }'
                },
            )
            assert renamed.json() == {"data": {"updateService": {"__typename": "ServicePayload"}}}
            names = {
                httpx.post(f"{url}/graphql", json={"query": NAME}).json()["data"]["service"]["name"] for _ in range(20)
            }
            assert names == {"Shop"}
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=60)
    assert "with 2 processes" in output
    assert "Started parent process" in output and output.count("Started server process") == 2, output
