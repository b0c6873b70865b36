"""`graphsvc backup` and `graphsvc restore` on managed Neo4j servers of their own (a data directory and port each):
a backup restored into a fresh data directory gives the same export and the same audit trail; a restore over a
running server, over a database without --replace, or of a backup newer than this graphsvc is refused with nothing
changed."""

from __future__ import annotations

import json
import socket
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import local_server
from graphsvc.settings import Settings
from tests.conftest import REPO

runner = CliRunner()
AUDIT = """MATCH (a:AuditEntry) RETURN a.id AS id, a.action AS action, toString(a.at) AS at, a.itemId AS item,
  a.before AS before, a.after AS after ORDER BY a.tx, a.seq, a.id"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Managed:
    """A managed Neo4j of the test's own, driven through the CLI as a user would."""

    def __init__(self, data_dir: Path) -> None:
        self.env: dict[str, str | None] = {
            "GRAPHSVC_DATA_DIR": str(data_dir),
            "GRAPHSVC_BOLT_PORT": str(free_port()),
            "GRAPHSVC_HEAP_SIZE": "512m",
            "GRAPHSVC_PAGECACHE_SIZE": "128m",
            "NEO4J_URI": None,  # the managed server, not the test suite's
        }
        self.server = local_server(
            Settings(data_dir=data_dir, bolt_port=int(self.env["GRAPHSVC_BOLT_PORT"] or 0), heap_size="512m")
        )

    def cli(self, *args: str, ok: bool = True) -> str:
        result = runner.invoke(app, list(args), env=self.env)
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code == 1, result.output
        return result.output

    def export(self, tmp: Path) -> Any:
        out = tmp / f"export-{self.env['GRAPHSVC_BOLT_PORT']}.json"
        self.cli("export", str(out))
        return json.loads(out.read_text())

    def audit(self) -> list[dict[str, Any]]:
        with GraphDatabase.driver(self.server.uri, auth=(self.server.user, self.server.password())) as driver:
            records, _, _ = driver.execute_query(AUDIT, database_="neo4j")
        return [r.data() for r in records]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Managed, Managed]]:
    first, second = Managed(tmp_path / "first"), Managed(tmp_path / "second")
    yield first, second
    first.server.stop()
    second.server.stop()


def test_a_backup_restores_into_a_fresh_data_directory_whole(servers: tuple[Managed, Managed], tmp_path: Path) -> None:
    first, second = servers
    first.cli("migrate")
    first.cli("import", str(REPO / "tests" / "fixtures" / "small.json"))
    before, trail = first.export(tmp_path), first.audit()
    assert trail and before["configurationItems"]

    said = first.cli("backup", "--to", str(tmp_path / "backups"))
    [file] = (tmp_path / "backups").glob("graphsvc-backup-*.tar")
    assert f"wrote {file}" in said and f"{len(trail)} audit entries" in said
    assert first.server.status().running  # it was running: it is again, with the same data
    assert first.export(tmp_path) == before

    restored = second.cli("restore", str(file))
    assert "restored" in restored and "graphsvc db start" in restored
    # a data directory last run by a newer Neo4j is not opened; one run by an older patch release is upgraded
    version_file = tmp_path / "second" / "neo4j-version"
    version_file.write_text("5.99.0\n")
    assert "last run by Neo4j 5.99.0, newer than" in second.cli("db", "start", ok=False)
    assert not second.server.status().running
    version_file.write_text("5.26.0\n")
    assert "the store was upgraded from Neo4j 5.26.0 to" in second.cli("db", "start")
    assert version_file.read_text().strip() == second.server.version
    assert second.export(tmp_path) == before
    assert second.audit() == trail

    # refused, nothing changed: over the running server, then over its database without --replace
    assert "stop it first" in second.cli("restore", str(file), ok=False)
    second.cli("db", "stop")
    assert "holds a database already" in second.cli("restore", str(file), ok=False)
    second.cli("db", "start")
    assert second.export(tmp_path) == before


def test_a_backup_newer_than_this_graphsvc_or_not_a_backup_is_refused(tmp_path: Path) -> None:
    target = Managed(tmp_path / "target")
    newer = tmp_path / "newer.tar"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "graphsvc-backup/1",
                "taken_at": "2027-01-01T00:00:00Z",
                "graphsvc_version": "9.0.0",
                "neo4j_version": "5.26.0",
                "schema_version": 999,
                "items": 1,
                "audit_entries": 1,
            }
        )
    )
    dump = tmp_path / "neo4j.dump"
    dump.write_bytes(b"not read: refused before")
    with tarfile.open(newer, "w") as tar:
        tar.add(manifest, arcname="manifest.json")
        tar.add(dump, arcname="neo4j.dump")
    said = target.cli("restore", str(newer), ok=False)
    assert "schema version 999, newer than this graphsvc knows" in said
    assert not (tmp_path / "target" / "data").exists()  # nothing written

    (tmp_path / "junk.tar").write_text("not a tar")
    assert "is not a graphsvc backup" in target.cli("restore", str(tmp_path / "junk.tar"), ok=False)
    assert "no such file" in target.cli("restore", str(tmp_path / "missing.tar"), ok=False)
