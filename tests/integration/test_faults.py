"""Faults, against a managed Neo4j of this test's own (so stopping it disturbs nothing else):

- Neo4j stopped in the middle of a large import and started again: the retried import ends with every item once
  and exactly the graph a clean import gives.
- Neo4j down when graphsvc starts: /readyz says so, requests get a 503 that says why, and graphsvc recovers by
  itself when Neo4j is back.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection, local_server, open_async_driver, open_driver
from graphsvc.db.importer import import_document
from graphsvc.db.local_server import LocalNeo4j
from graphsvc.db.migrate import apply_migrations
from graphsvc.errors import DatabaseUnavailable
from graphsvc.settings import Settings
from graphsvc.synth import generate_cmdb
from graphsvc.web.app import create_app
from tests.conftest import counts, make_token
from tests.e2e.conftest import serve_asgi


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def own_neo4j(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalNeo4j, Connection]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("faults") / "neo4j", bolt_port=_free_port(), heap_size="768m",
        pagecache_size="256m",
    )  # fmt: skip
    server = local_server(settings)
    uri = server.start()
    connection = Connection(uri, server.user, server.password(), "neo4j", True)
    try:
        yield server, connection
    finally:
        server.stop()


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _migrate(conn: Connection) -> None:
    driver = open_async_driver(conn)
    try:
        await apply_migrations(driver, conn.database)
    finally:
        await driver.close()


def _wait_for_bolt(conn: Connection) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with open_driver(conn) as driver:
                driver.verify_connectivity()
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_an_import_cut_by_a_neo4j_stop_converges_when_retried(
    own_neo4j: tuple[LocalNeo4j, Connection], empty_db: Connection, sync_driver: Driver
) -> None:
    server, conn = own_neo4j
    doc = generate_cmdb(12_000, seed=7)  # big enough to be written batch by batch (not in one transaction)

    # The reference: a clean, uninterrupted import into the session's database.
    async def clean() -> None:
        driver = open_async_driver(empty_db)
        try:
            await import_document(driver, empty_db.database, doc, batch_size=2000)
        finally:
            await driver.close()

    _run(clean())
    expected = counts(sync_driver, empty_db.database)

    _run(_migrate(conn))
    stopped: list[int] = []

    def progress(done: int, total: int) -> None:
        if not stopped and done > total * 0.45:  # past the nodes, into the relationships
            stopped.append(done)
            server.stop()

    async def interrupted() -> None:
        driver = open_async_driver(conn)
        try:
            await import_document(driver, conn.database, doc, batch_size=2000, progress=progress)
        finally:
            await driver.close()

    with pytest.raises(DatabaseUnavailable):
        _run(interrupted())
    assert stopped, "the import finished before Neo4j could be stopped"
    server.start()
    _wait_for_bolt(conn)
    with open_driver(conn) as driver:
        partial = counts(driver, conn.database)
    assert partial != expected  # the first attempt really was cut short

    async def retry() -> Any:
        driver = open_async_driver(conn)
        try:
            return await import_document(driver, conn.database, doc, batch_size=2000)
        finally:
            await driver.close()

    _run(retry())
    with open_driver(conn) as driver:
        assert counts(driver, conn.database) == expected
        records, _, _ = driver.execute_query(
            "MATCH (n:Item) WITH n.id AS id, count(*) AS copies WHERE copies > 1 RETURN count(id) AS dupes",
            database_=conn.database,
        )
        assert records[0]["dupes"] == 0
    again = _run(retry())
    assert again.created == again.updated == 0  # converged: a third import changes nothing


def test_neo4j_down_at_start_then_back(own_neo4j: tuple[LocalNeo4j, Connection]) -> None:
    server, conn = own_neo4j
    if not server.status().running:
        server.start()
    _run(_migrate(conn))
    with open_driver(conn) as driver:
        token = make_token(driver, conn.database, "viewer", name="patient")
    server.stop()
    headers = {"Authorization": f"Bearer {token}"}
    with serve_asgi(create_app(Settings(), connection=conn)) as url:
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        down = httpx.post(f"{url}/graphql", json={"query": "{ services { totalCount } }"}, headers=headers, timeout=30)
        assert down.status_code == 503 and down.headers["retry-after"] == "5"
        assert down.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        server.start()
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/readyz", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "graphsvc did not recover when Neo4j came back"
            time.sleep(0.5)
        up = httpx.post(f"{url}/graphql", json={"query": "{ services { totalCount } }"}, headers=headers, timeout=30)
        assert up.status_code == 200 and "errors" not in up.json()
