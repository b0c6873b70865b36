"""A real Neo4j for the whole test session, and an empty graph for each test that asks for one.

Where the database comes from:
- `NEO4J_URI` (+ `NEO4J_USER`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`) when set;
- a testcontainers `Neo4jContainer` (`neo4j:5.26-community`) when `GRAPHSVC_TEST_DOCKER=1`;
- otherwise the managed local server, on its own data dir (`.graphsvc-test/`) and port (`GRAPHSVC_TEST_BOLT_PORT`,
  default 17687).
When none can be had the database tests fail with the reason: they are never skipped.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import tempfile
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from neo4j import AsyncDriver, Driver

from graphsvc.db.connection import Connection, open_async_driver, open_driver
from graphsvc.db.local_server import _port_free
from graphsvc.db.migrate import apply_migrations
from graphsvc.settings import Neo4jSettings, Settings

REPO = Path(__file__).resolve().parents[1]

# The suite's own token of "the database moved" (graphsvc/db/movement.py), shared with the processes it starts, so
# that a graphsvc running beside it on this host (a dev server, another test run) does not make its reads appear.
os.environ.setdefault("GRAPHSVC_MOVEMENT_FILE", str(Path(tempfile.mkdtemp(prefix="graphsvc-tests-")) / "movement"))
CONTRACT = REPO.parent / "shared" / "contract"
NEO4J_IMAGE = "neo4j:5.26-community"


def _docker_connection() -> Iterator[Connection]:
    from testcontainers.neo4j import Neo4jContainer

    with Neo4jContainer(NEO4J_IMAGE, password="graphsvc-test-password") as container:
        yield Connection(container.get_connection_url(), "neo4j", "graphsvc-test-password", "neo4j", False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _local_connection() -> Iterator[Connection]:
    from graphsvc.db.connection import local_server

    data_dir = Path(os.environ.get("GRAPHSVC_TEST_DATA_DIR", REPO / ".graphsvc-test"))
    port = int(os.environ.get("GRAPHSVC_TEST_BOLT_PORT", "17687"))
    server = local_server(Settings(data_dir=data_dir, bolt_port=port))
    if "GRAPHSVC_TEST_BOLT_PORT" not in os.environ and not server.status().running and not _port_free(port):
        # Another checkout's test server holds the default port: take any free one rather than fail.
        server = local_server(Settings(data_dir=data_dir, bolt_port=_free_port()))
    was_running = server.status().running
    uri = server.start()
    try:
        yield Connection(uri, server.user, server.password(), "neo4j", True)
    finally:
        if not was_running and not os.environ.get("GRAPHSVC_TEST_KEEP_DB"):
            server.stop()


@pytest.fixture(scope="session")
def connection() -> Iterator[Connection]:
    """The session's Neo4j (see the module docstring)."""
    external = Neo4jSettings()
    try:
        if external.uri:
            yield Connection(
                external.uri, external.user, external.password.get_secret_value(), external.database, False
            )
        elif os.environ.get("GRAPHSVC_TEST_DOCKER") == "1":
            yield from _docker_connection()
        else:
            yield from _local_connection()
    except Exception as exc:  # the suite must say why it has no database, never skip
        pytest.fail(f"no Neo4j for the database tests: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def sync_driver(connection: Connection) -> Iterator[Driver]:
    driver = open_driver(connection)
    driver.verify_connectivity()
    yield driver
    driver.close()


@pytest.fixture(scope="session")
def migrated(connection: Connection) -> Connection:
    """The schema applied once per session."""

    async def run() -> None:
        driver = open_async_driver(connection)
        try:
            await apply_migrations(driver, connection.database)
        finally:
            await driver.close()

    # In a thread of its own: the Playwright sync API may already own this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()
    return connection


def wipe(driver: Driver, database: str) -> None:
    """Delete every item (the schema and its migration records stay)."""
    with driver.session(database=database) as session:
        session.run(
            "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


@pytest.fixture
def empty_db(migrated: Connection, sync_driver: Driver) -> Connection:
    """An empty, migrated graph for this test."""
    wipe(sync_driver, migrated.database)
    return migrated


@pytest_asyncio.fixture
async def adriver(empty_db: Connection) -> AsyncIterator[AsyncDriver]:
    """An AsyncDriver on an empty graph (the production code paths are async)."""
    driver = open_async_driver(empty_db)
    yield driver
    await driver.close()


def make_token(driver: Driver, database: str, role: str, name: str = "tests") -> str:
    """A new API token of `role`, stored exactly as `graphsvc token create` stores it; returns the clear token."""
    from graphsvc.db.cypher import cypher
    from graphsvc.domain.tokens import new_token

    token_id, secret, digest = new_token()
    driver.execute_query(
        cypher("tokens/create"),
        id=token_id,
        name=name,
        role=role,
        hash=digest,
        expiresAt=None,
        createdBy="tests",
        database_=database,
    )
    return secret


def counts(driver: Driver, database: str) -> tuple[int, int]:
    """(nodes, relationships) of the CMDB graph: migrations, graph state, tokens, the audit trail, the estate's
    journal and the utilization readings' day buckets excluded."""
    records, _, _ = driver.execute_query(
        "CALL () { MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:GraphState AND NOT n:ApiToken "
        "AND NOT n:AuditEntry AND NOT n:Journal AND NOT n:EstateSnapshot AND NOT n:EstateSnapshotPart "
        "AND NOT n:DiscoveryRun AND NOT n:UtilizationDay RETURN count(n) AS nodes } "
        "CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels",
        database_=database,
    )
    return int(records[0]["nodes"]), int(records[0]["rels"])


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo_document() -> Any:
    return load_json(REPO / "seeds" / "demo.json")


@pytest.fixture(scope="session")
def exchange_schema() -> Any:
    return load_json(REPO / "graphsvc" / "cmdb-exchange.schema.json")
