"""The managed local Neo4j: start, no-op restart, stop, persistence, stale pid, and the clear errors."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from graphsvc.db.local_server import LocalNeo4j, LocalNeo4jError, _find_java
from graphsvc.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    settings = Settings()
    srv = LocalNeo4j(
        tmp_path_factory.mktemp("managed"),
        bolt_port=free_port(),
        cache_dir=settings.resolved_cache_dir(),
        heap_size="512m",
        pagecache_size="128m",
    )
    yield srv
    srv.stop()


def test_start_is_private_and_idempotent(server: LocalNeo4j) -> None:
    uri = server.start()
    assert uri == f"bolt://127.0.0.1:{server.bolt_port}"
    first = server.status()
    assert first.running and first.pid
    assert server.start() == uri
    assert server.status().pid == first.pid  # a second start is a no-op
    password = server.data_dir / "password"
    assert stat.S_IMODE(password.stat().st_mode) == 0o600
    conf = (server.data_dir / "conf" / "neo4j.conf").read_text()
    assert f"server.bolt.listen_address=127.0.0.1:{server.bolt_port}" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.http.enabled=false" in conf
    with GraphDatabase.driver(uri, auth=("neo4j", "neo4j")) as drv, pytest.raises(Exception, match=r"auth|Auth"):
        drv.verify_connectivity()


def test_data_survives_a_restart(server: LocalNeo4j) -> None:
    server.start()
    auth = ("neo4j", server.password())
    with GraphDatabase.driver(server.uri, auth=auth) as drv:
        drv.execute_query("MERGE (:Probe {id: 'kept'})", database_="neo4j")
    assert server.stop() is True
    assert server.status().running is False
    assert server.stop() is False
    server.start()
    with GraphDatabase.driver(server.uri, auth=auth) as drv:
        records, _, _ = drv.execute_query("MATCH (p:Probe) RETURN p.id AS id", database_="neo4j")
    assert [r["id"] for r in records] == ["kept"]


def test_stale_pid_file_is_handled(server: LocalNeo4j) -> None:
    server.stop()
    (server.data_dir / "server.pid").write_text(json.dumps({"pid": 999_999, "bolt_port": server.bolt_port}))
    assert server.status().running is False
    server.start()
    assert server.status().running


def test_lost_pid_file_finds_the_running_server(server: LocalNeo4j) -> None:
    server.start()
    pid = server.status().pid
    (server.data_dir / "server.pid").unlink()
    assert server.status().pid == pid  # found by its data directory, not started twice
    assert server.start() == f"bolt://127.0.0.1:{server.bolt_port}"
    assert server.status().pid == pid


def test_port_in_use_is_a_clear_error(server: LocalNeo4j, tmp_path: Path) -> None:
    server.start()
    other = LocalNeo4j(tmp_path / "other", bolt_port=server.bolt_port, cache_dir=server.cache_dir)
    with pytest.raises(LocalNeo4jError, match=rf"port {server.bolt_port} on 127.0.0.1 is in use.*--bolt-port"):
        other.start()


def test_corrupt_store_is_a_clear_error(tmp_path: Path) -> None:
    srv = LocalNeo4j(
        tmp_path,
        bolt_port=free_port(),
        cache_dir=Settings().resolved_cache_dir(),
        heap_size="512m",
        pagecache_size="128m",
    )
    srv.start()
    srv.stop()
    store = tmp_path / "data" / "databases" / "neo4j"
    for path in store.glob("neostore*"):
        path.write_bytes(b"this is not a Neo4j store" * 100)
    try:
        with pytest.raises(LocalNeo4jError, match=r"could not open the database.*`graphsvc db reset --yes`"):
            srv.start(timeout=120)
        assert srv.status().running is False  # nothing left half-started
    finally:
        srv.stop()


def test_database_without_password_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "data" / "dbms").mkdir(parents=True)
    srv = LocalNeo4j(tmp_path, bolt_port=free_port(), cache_dir=Settings().resolved_cache_dir())
    with pytest.raises(LocalNeo4jError, match=r"password file is missing; `graphsvc db reset --yes`"):
        srv.start()


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(LocalNeo4jError, match=r"Java 17 is needed.*NEO4J_URI"):
        _find_java()


def test_old_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(LocalNeo4jError, match=r"needs Java 17 or newer.*version 11"):
        _find_java()


def test_missing_maven_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(
        "PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "mvn").exists())
    )
    srv = LocalNeo4j(tmp_path / "d", cache_dir=tmp_path / "empty-cache")
    with pytest.raises(LocalNeo4jError, match=r"Maven .* is needed once"):
        srv.resolve()
