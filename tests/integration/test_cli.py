"""The CLI against the real Neo4j: migrate, seed, import (good and bad), export, generate."""

from __future__ import annotations

import json
from pathlib import Path

from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from graphsvc.db.migrate import expected_version
from tests.conftest import REPO, counts

runner = CliRunner()


def env(conn: Connection) -> dict[str, str]:
    return {
        "NEO4J_URI": conn.uri,
        "NEO4J_USER": conn.user,
        "NEO4J_PASSWORD": conn.password,
        "NEO4J_DATABASE": conn.database,
    }


def test_migrate_is_idempotent(empty_db: Connection) -> None:
    result = runner.invoke(app, ["migrate"], env=env(empty_db))
    assert result.exit_code == 0, result.output
    assert f"schema at version {expected_version()}" in result.output
    assert "applied" not in result.output


def test_seed_demo_then_export_round_trip(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    result = runner.invoke(app, ["seed", "demo", "--if-empty"], env=env(empty_db))
    assert result.exit_code == 0, result.output
    demo = json.loads((REPO / "seeds" / "demo.json").read_text())
    rows = ("dependencies", "consumption", "utilizationReadings")  # not items
    items = sum(len(v) for k, v in demo.items() if isinstance(v, list) and k not in rows)
    assert f"demo CMDB: {items} created, 0 updated, 0 unchanged" in result.output
    graph = counts(sync_driver, "neo4j")
    assert graph[0] == items
    again = runner.invoke(app, ["seed", "demo", "--if-empty"], env=env(empty_db))
    assert "not empty: demo not loaded" in again.output
    out = tmp_path / "export.json"
    result = runner.invoke(app, ["export", str(out)], env=env(empty_db))
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(out)], env=env(empty_db))
    assert f"0 created, 0 updated, {items} unchanged" in result.output
    assert counts(sync_driver, "neo4j") == graph


def test_import_of_a_bad_document_lists_problems_and_writes_nothing(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "format": "graphsvc-cmdb/1",
                "services": [{"id": "S1", "name": "x", "tier": "BUSINESS", "criticality": 1, "owner": "T-9"}],
            }
        )
    )
    result = runner.invoke(app, ["import", str(bad)], env=env(empty_db))
    assert result.exit_code == 1
    assert "services[0].owner: unknown id 'T-9'" in result.output
    assert counts(sync_driver, "neo4j") == (0, 0)
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    result = runner.invoke(app, ["import", str(broken)], env=env(empty_db))
    assert result.exit_code == 1 and "is not valid JSON" in result.output
    result = runner.invoke(app, ["import", str(tmp_path / "missing.json")], env=env(empty_db))
    assert result.exit_code == 1 and "no such file" in result.output


def test_generate_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert runner.invoke(app, ["generate", "--cis", "300", "--seed", "4", "-o", str(a)]).exit_code == 0
    assert runner.invoke(app, ["generate", "--cis", "300", "--seed", "4", "-o", str(b)]).exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert len(json.loads(a.read_text())["configurationItems"]) == 300


def test_db_reset_needs_yes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "reset", "--data-dir", str(tmp_path / "x")])
    assert result.exit_code == 1 and "pass --yes" in result.output
