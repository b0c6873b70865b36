"""`graphsvc serve --workers 2` as a user runs it: two server processes on one port, both answering, and a write
seen by both (each keeps its own caches, checked against the database before use)."""

from __future__ import annotations

import time
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


IMPACT = '{ impact(origin: ["CI-1"]) { impacted { id status } } }'
MAPPED = "mapped from a shared file"
LOADED_APART = "graph loaded in a process of its own"


def test_workers_map_one_graph_loaded_once_in_a_process_of_its_own(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    """Every worker maps the file one loading process made (GRAPHSVC_GRAPH_PROCESS_FROM=0: from the first item),
    the folder holds one file per version, and a write's new version is answered by every worker."""
    log_file, share = tmp_path / "serve.log", tmp_path / "share"
    with (
        serve_process(
            empty_db,
            log_file,
            "--workers",
            "2",
            GRAPHSVC_AUTH="false",
            GRAPHSVC_GRAPH_PROCESS_FROM="0",
            GRAPHSVC_GRAPH_SHARE_DIR=str(share),
        ) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        deadline = time.monotonic() + 120
        while log_file.read_text().count(MAPPED) < 2:  # both workers warm up on the empty database's graph
            assert time.monotonic() < deadline, log_file.read_text()
            time.sleep(0.2)
        assert log_file.read_text().count(LOADED_APART) == 1  # one load for both
        document = {
            **SMALL,
            "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE"}],
            "dependencies": [{"from": "SVC-1", "to": "CI-1", "strength": "HARD"}],
        }
        imported = client.post(
            "/graphql",
            json={
                "query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }",
                "variables": {"d": document},
            },
        )
        assert imported.json() == {"data": {"importCmdb": {"created": 3}}}  # a team, a service, a CI
        answers = []
        for _ in range(20):
            answers.append(httpx.post(f"{url}/graphql", json={"query": IMPACT}).json())
            time.sleep(0.1)
        down = {"id": "SVC-1", "status": "DOWN"}
        assert all(down in a["data"]["impact"]["impacted"] for a in answers), answers
        while log_file.read_text().count(MAPPED) < 3:  # the new version mapped (by whichever worker asked first)
            assert time.monotonic() < deadline, log_file.read_text()
            httpx.post(f"{url}/graphql", json={"query": IMPACT})
            time.sleep(0.2)
        (run,) = share.iterdir()  # this run's own folder in the one configured
        files = [p.name for p in run.iterdir() if not p.name.endswith(".lock")]
        assert len(files) == 1 and files[0].startswith("graph-")  # the empty database's file replaced
    assert list(share.iterdir()) == []  # removed with the run: no file outlives the server that loaded it
