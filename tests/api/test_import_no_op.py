"""Export then import changes nothing, whatever wrote the data; imports audit only real differences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app as cli
from graphsvc.db.connection import Connection
from tests.api.conftest import GraphQLClient
from tests.api.test_contract_browse import load
from tests.integration.test_cli import env

DB = "neo4j"
# Mutations of every kind, each written as the API writes it (defaults, money, attributes, times, relationships).
WRITES = [
    'createService(input: {id: "SVC-NEW", name: "New", tier: TECHNICAL, criticality: 2, owner: "T-WEB",'
    ' satisfies: ["R-S1"], monthlyCost: "12.5"})',
    'updateService(id: "SVC-SHOP", version: 1, patch: {name: "Shop", rtoMinutes: null, monthlyCost: "7.10"})',
    'createConfigurationItem(input: {id: "CI-X", name: "x", type: SERVER, site: "S-FRA",'
    ' attributes: {ip: "10.0.0.1", cores: 8}})',
    'updateConfigurationItem(id: "CI-APP-1", version: 1, patch: {utilization: 70, attributes: {b: 1, a: 2}})',
    'addDependency(input: {from: "CI-X", to: "CI-SAN-1", strength: SOFT})',
    'addDependency(input: {from: "SVC-NEW", to: "CI-X"})',
    'removeDependency(from: "CI-DB-1", to: "CI-SAN-1")',
    'updateBusinessUnit(id: "BU-FIN", version: 1, patch: {costCenter: "CC-200"})',
    'createRedundancyGroup(input: {id: "RG-X", name: "x pair", minHealthy: 1, members: ["CI-X", "CI-MON"]})',
    'openIncident(input: {id: "INC-9", title: "x down", priority: P2, affects: ["CI-X"]})',
    'resolveIncident(id: "INC-2")',
    'createProblemFromCluster(input: {id: "PRB-9", title: "x", rootCause: "CI-X", incidents: ["INC-9"]})',
    'raiseChange(input: {id: "CHG-9", title: "fix x", type: NORMAL, modifies: ["CI-X"]})',
    'approveChange(id: "CHG-9")',
    'scheduleChange(id: "CHG-9", plannedStart: "2026-12-01T01:00:00+01:00", plannedEnd: "2026-12-01T02:00:00Z")',
    'implementChange(id: "CHG-1")',
    'deleteItem(id: "T-DBA", detach: true)',
    'deleteItem(id: "SVC-ORDERS", detach: true)',
]
IMPORT = "mutation($document: JSON!) { importCmdb(document: $document) { created updated unchanged } }"


def state(driver: Driver) -> tuple[set[tuple[Any, ...]], int]:
    """Every item's (id, version, updatedAt) and the number of audit entries."""
    records, _, _ = driver.execute_query(
        "MATCH (n:Item) RETURN n.id AS id, n.version AS v, toString(n.updatedAt) AS at", database_=DB
    )
    audit, _, _ = driver.execute_query("MATCH (a:AuditEntry) RETURN count(a) AS n", database_=DB)
    return {tuple(r.values()) for r in records}, int(audit[0]["n"])


def export(conn: Connection, path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["export", str(path)], env=env(conn))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_export_after_api_writes_imports_as_a_no_op(
    api: GraphQLClient, empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    load(api)
    for write in WRITES:
        out = api.data(f"mutation {{ {write} {{ __typename ... on UserError {{ message }} }} }}")
        [(name, result)] = out.items()
        assert result["__typename"].endswith(("Payload", "Deleted", "Removed")), (name, result)
    document = export(empty_db, tmp_path / "export.json")
    before = state(sync_driver)
    assert api.data(IMPORT, {"document": document})["importCmdb"] == {
        "created": 0,
        "updated": 0,
        "unchanged": sum(len(v) for k, v in document.items() if k not in {"format", "dependencies", "consumption"}),
    }
    assert state(sync_driver) == before
    assert export(empty_db, tmp_path / "again.json") == document


def test_an_import_over_api_writes_audits_only_what_it_changes(
    api: GraphQLClient, empty_db: Connection, tmp_path: Path
) -> None:
    load(api)
    for write in WRITES:
        api.data(f"mutation {{ {write} {{ __typename }} }}")
    document = export(empty_db, tmp_path / "export.json")
    shop = next(s for s in document["services"] if s["id"] == "SVC-SHOP")  # last written by updateService
    shop["criticality"] = 3
    assert api.data(IMPORT, {"document": document})["importCmdb"]["updated"] == 1
    history = '{ history(id: "SVC-SHOP", first: 1) { entries { action before after changed } } }'
    [entry] = api.data(history)["history"]["entries"]
    assert entry["action"] == "importCmdb" and entry["changed"] == ["criticality"]
    assert (entry["before"]["criticality"], entry["after"]["criticality"]) == (1, 3)
    assert entry["before"]["createdAt"] == entry["after"]["createdAt"]
