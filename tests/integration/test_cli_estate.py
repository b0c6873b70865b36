"""`graphsvc diff` and `graphsvc report ... --as-of` against a real Neo4j: the estate before and after some writes."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from tests.integration.test_cli import env

runner = CliRunner()


def _moment() -> str:
    at = datetime.now(UTC).isoformat()
    time.sleep(0.02)
    return at


def test_diff_and_reports_as_of(empty_db: Connection, tmp_path: Path) -> None:
    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0
    seeded = _moment()
    before = runner.invoke(app, ["report", "costs"], env=env(empty_db)).stdout
    health_before = runner.invoke(app, ["report", "health", "--format", "csv"], env=env(empty_db)).stdout
    change = {
        "format": "graphsvc-cmdb/1",
        "configurationItems": [{"id": "CI-CLI-NEW", "name": "A new box", "type": "SERVER", "monthlyCost": "999.00"}],
        "dependencies": [{"from": "SVC-CHECKOUT", "to": "CI-CLI-NEW"}],
    }
    doc = tmp_path / "change.json"
    doc.write_text(json.dumps(change), encoding="utf-8")
    assert runner.invoke(app, ["import", str(doc)], env=env(empty_db)).exit_code == 0

    table = runner.invoke(app, ["diff", "--from", seeded], env=env(empty_db))
    assert table.exit_code == 0, table.output
    assert "Added: 1\n" in table.stdout and "CI-CLI-NEW  CONFIGURATION_ITEM  A new box" in table.stdout
    assert "Dependencies added: 1\n" in table.stdout and "SVC-CHECKOUT  CI-CLI-NEW" in table.stdout
    assert "Removed: 0\n" in table.stdout
    as_json = json.loads(runner.invoke(app, ["diff", "--from", seeded, "--json"], env=env(empty_db)).stdout)
    assert as_json["added"] == ["CI-CLI-NEW"] and as_json["removed"] == []
    assert as_json["dependenciesAdded"] == [{"from": "SVC-CHECKOUT", "to": "CI-CLI-NEW"}]

    now = runner.invoke(app, ["report", "costs"], env=env(empty_db)).stdout
    assert now != before
    then = runner.invoke(app, ["report", "costs", "--as-of", seeded], env=env(empty_db))
    assert then.exit_code == 0, then.output
    assert then.stdout == before  # the allocation as it was, to the cent
    md = runner.invoke(
        app,
        ["report", "continuity", "--service", "SVC-CHECKOUT", "--format", "md", "--as-of", seeded],
        env=env(empty_db),
    )
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("> The CMDB as of ")
    assert "CI-CLI-NEW" not in md.stdout
    assert (
        "CI-CLI-NEW"
        in runner.invoke(
            app, ["report", "continuity", "--service", "SVC-CHECKOUT", "--format", "md"], env=env(empty_db)
        ).stdout
    )

    health_then = runner.invoke(app, ["report", "health", "--format", "csv", "--as-of", seeded], env=env(empty_db))
    assert health_then.exit_code == 0, health_then.output
    assert health_then.stdout == health_before  # the new CI has no owner and no site: a finding now, not then
    assert "CI-CLI-NEW" in runner.invoke(app, ["report", "health", "--format", "csv"], env=env(empty_db)).stdout
    compliance = runner.invoke(app, ["report", "compliance", "--format", "md", "--as-of", seeded], env=env(empty_db))
    assert compliance.exit_code == 0 and compliance.stdout.startswith("> The CMDB as of "), compliance.output

    bad = runner.invoke(app, ["diff", "--from", "last tuesday"], env=env(empty_db))
    assert bad.exit_code == 1 and "--from: 'last tuesday' is not a date" in bad.output
    bad = runner.invoke(app, ["report", "costs", "--as-of", "soon"], env=env(empty_db))
    assert bad.exit_code == 1 and "--as-of: 'soon' is not a date" in bad.output


def test_prune_history(empty_db: Connection, tmp_path: Path) -> None:
    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0
    seeded = _moment()
    doc = tmp_path / "change.json"
    ci = {"id": "CI-P", "name": "P", "type": "SERVER"}
    doc.write_text(json.dumps({"format": "graphsvc-cmdb/1", "configurationItems": [ci]}), encoding="utf-8")
    assert runner.invoke(app, ["import", str(doc)], env=env(empty_db)).exit_code == 0

    dry = runner.invoke(app, ["prune-history", "--keep-days", "0", "--dry-run"], env=env(empty_db))
    assert dry.exit_code == 0, dry.output
    assert "Would keep the estate as of " in dry.stdout and "nothing changed: --dry-run" in dry.stdout
    assert runner.invoke(app, ["diff", "--from", seeded], env=env(empty_db)).exit_code == 0  # still answers

    done = runner.invoke(app, ["prune-history", "--keep-days", "0"], env=env(empty_db))
    assert done.exit_code == 0, done.output
    assert "Kept the estate as of " in done.stdout and "The history now starts at " in done.stdout
    refused = runner.invoke(app, ["diff", "--from", seeded], env=env(empty_db))
    assert refused.exit_code != 0 and "the history before it was pruned" in refused.output
    then = runner.invoke(app, ["report", "costs", "--as-of", seeded], env=env(empty_db))
    assert then.exit_code != 0 and "pruned" in then.output
    assert runner.invoke(app, ["report", "costs", "--as-of", _moment()], env=env(empty_db)).exit_code == 0

    again = runner.invoke(app, ["prune-history", "--keep-days", "0"], env=env(empty_db))
    assert again.exit_code == 0 and "Nothing to prune" in again.stdout
