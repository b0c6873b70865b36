"""`graphsvc discover prometheus` against a real Neo4j holding tests/fixtures/small.json: a range query's series
become readings of the CIs their cmdb_id or instance host names (exported with the document, each CI's utilization
its newest reading); a dry run writes nothing; series naming no CI are listed; a bad value writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from neo4j import Driver

from graphsvc.db.connection import Connection
from tests.conftest import REPO
from tests.integration.test_cli_discover_sources import cli, exported

RANGE = REPO / "tests" / "fixtures" / "prometheus" / "range.json"


def readings_count(sync_driver: Driver) -> int:
    records, _, _ = sync_driver.execute_query(
        "MATCH (d:UtilizationDay) RETURN coalesce(sum(size(d.bp)), 0) AS n", database_="neo4j"
    )
    return int(records[0]["n"])


def test_discover_prometheus_end_to_end(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    code, out = cli(empty_db, "import", str(REPO / "tests" / "fixtures" / "small.json"))
    assert code == 0, out

    code, out = cli(empty_db, "discover", "prometheus", str(RANGE), "--dry-run")
    assert code == 0, out
    assert "4 series, 2 mapped to 2 CIs, 12 readings" in out and "(dry run: nothing was written)" in out
    assert "no CI has the hostname 'build-agent-7'" in out and "'CI-GONE' is no configuration item" in out
    assert readings_count(sync_driver) == 0

    code, out = cli(empty_db, "discover", "prometheus", str(RANGE))
    assert code == 0, out
    assert "12 readings recorded" in out
    assert readings_count(sync_driver) == 12
    document = exported(empty_db)
    cis = {c["id"]: c for c in document["configurationItems"]}
    assert cis["CI-DB-1"]["utilization"] == 62.5 and cis["CI-APP-1"]["utilization"] == 45.0  # the newest readings
    assert len([r for r in document["utilizationReadings"] if r["ci"] == "CI-APP-1"]) == 6

    bad = json.loads(RANGE.read_text(encoding="utf-8"))
    bad["data"]["result"][1]["values"][2][1] = "0.97"
    bad["data"]["result"][0]["values"][3][1] = "NaN"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    code, out = cli(empty_db, "discover", "prometheus", str(path), "--fractions")
    assert code != 0 and "data.result[0].values[3]: 'NaN' is not a finite number" in out
    assert "6000 is outside 0..100" in out  # 60 read as a fraction is 6,000 percent
    assert readings_count(sync_driver) == 12
