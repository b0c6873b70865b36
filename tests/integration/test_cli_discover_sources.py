"""`graphsvc discover traces` and `graphsvc discover csv` against a real Neo4j holding the demo CMDB, on the inputs of
tests/fixtures/traces and tests/fixtures/csv: dry runs write nothing; traces add dependencies (call counts visible
in the export) and create no item; a spreadsheet creates items, merges a row into the CI with its hostname, and
with a bad row writes nothing unless `--skip-bad-rows`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from tests.conftest import REPO, counts
from tests.integration.test_cli import env

runner = CliRunner()
TRACES = REPO / "tests" / "fixtures" / "traces"
CSV = REPO / "tests" / "fixtures" / "csv"


def cli(conn: Connection, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env(conn))
    return result.exit_code, result.output


def exported(conn: Connection) -> dict[str, Any]:
    code, out = cli(conn, "export")
    assert code == 0, out
    document: dict[str, Any] = json.loads(out)
    return document


def seeded(conn: Connection) -> None:
    code, out = cli(conn, "seed", "demo")
    assert code == 0, out


def test_discover_traces_end_to_end(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    seeded(empty_db)
    before = counts(sync_driver, "neo4j")
    jaeger = str(TRACES / "jaeger-dependencies.json")
    mapping = str(TRACES / "mapping.toml")

    code, out = cli(empty_db, "discover", "traces", jaeger, "--format", "jaeger", "--mapping", mapping, "--dry-run")
    assert code == 0, out
    assert "traces:jaeger (would): 0 created" in out and "dependencies +4 -0" in out
    assert counts(sync_driver, "neo4j") == before

    code, out = cli(empty_db, "discover", "traces", jaeger, "--format", "jaeger", "--mapping", mapping)
    assert code == 0, out
    assert "traces:jaeger (did): 0 created, 0 updated, 0 retired" in out and "dependencies +4 -0" in out
    assert "adyen-sandbox" in out and "fewer than 1" not in out  # unresolved, reported
    assert counts(sync_driver, "neo4j") == (before[0], before[1] + 4)
    edges = {(d["from"], d["to"]): d for d in exported(empty_db)["dependencies"] if d.get("source") == "traces:jaeger"}
    assert set(edges) == {
        ("CI-APP-CHECKOUT", "CI-APP-GIFT-CARDS"),
        ("CI-APP-SEARCH", "CI-APP-CATALOG"),
        ("CI-APP-CART", "CI-APP-PRICING"),
        ("CI-APP-LOYALTY", "CI-APP-NOTIFICATIONS"),
    }
    assert edges[("CI-APP-SEARCH", "CI-APP-CATALOG")]["attributes"]["callCount"] == 90412
    assert edges[("CI-APP-CART", "CI-APP-PRICING")]["strength"] == "HARD"

    # The service graph, as its own source, with a noise floor: the edge the Jaeger source made is left to it.
    prom = str(TRACES / "servicegraph.prom")
    code, out = cli(
        empty_db, "discover", "traces", prom, "--format", "servicegraph", "--mapping", mapping, "--min-calls", "5"
    )
    assert code == 0, out
    assert "traces:servicegraph (did)" in out and "dependencies +1 -0" in out  # recommendations -> catalogue
    assert "fewer than 5" in out

    # Jaeger again without the loyalty edge: the dependency it made is removed, nothing else.
    fewer = json.loads((TRACES / "jaeger-dependencies.json").read_text(encoding="utf-8"))
    fewer["data"] = [e for e in fewer["data"] if e["parent"] != "loyalty"]
    again = tmp_path / "jaeger.json"
    again.write_text(json.dumps(fewer), encoding="utf-8")
    code, out = cli(empty_db, "discover", "traces", str(again), "--format", "jaeger", "--mapping", mapping)
    assert code == 0 and "0 created, 0 updated, 0 retired" in out and "dependencies +0 -1" in out, out
    assert counts(sync_driver, "neo4j") == (before[0], before[1] + 4)

    listed = runner.invoke(app, ["discover", "runs", "--source", "traces:jaeger"], env=env(empty_db))
    assert listed.exit_code == 0 and listed.output.count("traces:jaeger") == 2, listed.output


def test_discover_traces_refuses_hostile_input(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    bad = tmp_path / "deps.json"
    bad.write_text('[{"parent": "a", "child": "b", "callCount": NaN}]', encoding="utf-8")
    code, out = cli(empty_db, "discover", "traces", str(bad), "--format", "jaeger")
    assert code != 0 and "deps.json" in out
    assert counts(sync_driver, "neo4j") == (0, 0)


def test_discover_csv_end_to_end(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    seeded(empty_db)
    before = counts(sync_driver, "neo4j")
    assets, deps, mapping = str(CSV / "assets.csv"), str(CSV / "dependencies.csv"), str(CSV / "mapping.toml")
    args = ["discover", "csv", assets, "--dependencies", deps, "--mapping", mapping]

    code, out = cli(empty_db, *args, "--dry-run")
    assert code == 0, out
    assert "csv:assets.csv (would): 3 created, 2 updated" in out and "(dry run: nothing was written)" in out
    assert counts(sync_driver, "neo4j") == before

    code, out = cli(empty_db, *args)
    assert code == 0, out
    assert "csv:assets.csv (did): 3 created, 2 updated" in out and "dependencies +3 -0" in out
    assert "Merged by identity: 2" in out  # the rows whose hostnames the demo has: dc1-esx-01, dc1-fw-01
    assert "Kept (a person or another source set it last)" in out  # the demo's vendor and cost stay
    items = {c["id"]: c for c in exported(empty_db)["configurationItems"]}
    assert items["csv:dc1-bkp-01"]["attributes"]["notes"] == 'backup target, "cold" tier'
    assert items["csv:dc1-bkp-01"]["source"] == "csv:assets.csv" and items["csv:dc1-bkp-01"]["site"] == "SITE-DC1"
    assert items["csv:mgmt-ansible-01"]["type"] == "VIRTUAL_MACHINE"
    assert items["CI-DC1-ESX-01"]["attributes"]["serial"] == "SN-DL380-0042"  # merged, not duplicated
    assert items["CI-DC1-ESX-01"]["vendor"] == "Dell"  # the demo's value, kept
    assert "csv:dc1-esx-01" not in items and "csv:dc1-fw-01" not in items
    assert counts(sync_driver, "neo4j")[0] == before[0] + 3
    made = {(d["from"], d["to"], d["strength"]) for d in exported(empty_db)["dependencies"] if d.get("source")}
    assert made == {
        ("csv:mgmt-ansible-01", "CI-DC1-ESX-01", "SOFT"),  # a hostname of the items file, merged
        ("csv:dc1-bkp-01", "CI-DC1-FW-01", "HARD"),
        ("csv:dc2-jump-01", "CI-DC1-ESX-02", "SOFT"),  # an id the CMDB has
    }

    code, out = cli(empty_db, *args)
    assert code == 0 and "0 created, 0 updated, 0 retired" in out, out

    # A bad row: nothing written, every bad row named; with --skip-bad-rows the rest is read.
    text = (CSV / "assets.csv").read_text(encoding="utf-8-sig")
    broken = tmp_path / "assets.csv"
    broken.write_text(text.replace("Firewall,Prod", "Blade,Prod").replace("890.50", "lots"), encoding="utf-8")
    state = counts(sync_driver, "neo4j")
    code, out = cli(empty_db, "discover", "csv", str(broken), "--mapping", mapping)
    assert code != 0 and "2 bad row(s)" in out, out
    assert "assets.csv line 7, column Category: 'Blade' is not one of" in out
    assert "assets.csv line 3, column Monthly Cost" in out
    assert counts(sync_driver, "neo4j") == state

    code, out = cli(empty_db, "discover", "csv", str(broken), "--mapping", mapping, "--skip-bad-rows", "--all")
    assert code == 0, out
    assert "2 skipped" in out and "assets.csv line 7" in out
    # The bad row's item, which this source created, is held (neither updated nor retired); without --dependencies
    # the run says nothing about dependencies, so the ones this source made stay.
    assert " 0 retired" in out and "dependencies +0 -0" in out
