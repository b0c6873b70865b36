"""`graphsvc import --initial-load` (db/initial_load.py) on managed Neo4j servers of their own: Neo4j's bulk
importer writes the very items, properties (with their types) and relationships that `graphsvc import` writes into
an empty database, the audit trail holds one import and the journal knows the estate it left; a load into a database
that holds anything, or of an invalid document, is refused with nothing changed."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase

from graphsvc.db import initial_load
from graphsvc.db.connection import Connection, open_async_driver
from graphsvc.db.items import ItemRepository
from graphsvc.db.journal import estate_as_of, estate_now
from graphsvc.domain.estate import Estate
from tests.integration.test_backup_restore import Managed

ITEMS = "MATCH (n:Item) RETURN labels(n) AS labels, properties(n) AS props"
RELS = "MATCH (a:Item)-[r]->(b:Item) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props"
OTHER = "MATCH (n) WHERE NOT n:Item RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
LOG = "MATCH (a:AuditEntry) RETURN a.subject AS subject, a.action AS action, a.after AS after, a.pos AS pos"
INDEXES = (
    "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, indexProvider, options, state "
    "RETURN name, type, entityType, labelsOrTypes, properties, indexProvider, options.indexConfig AS config, state "
    "ORDER BY name"
)
CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN * ORDER BY name"
MIGRATIONS = "MATCH (m:SchemaMigration) RETURN m.version AS version, m.name AS name ORDER BY version"
STAMPS = {"createdAt", "updatedAt"}  # the time of each write: compared by type only


def read(server: Managed, statement: str) -> list[dict[str, Any]]:
    s = server.server
    with GraphDatabase.driver(s.uri, auth=(s.user, s.password())) as driver:
        records, _, _ = driver.execute_query(statement, database_="neo4j")
    return [r.data() for r in records]


def items(server: Managed) -> dict[str, tuple[list[str], dict[str, Any]]]:
    return {r["props"]["id"]: (sorted(r["labels"]), r["props"]) for r in read(server, ITEMS)}


def relationships(server: Managed) -> list[str]:
    return sorted(repr((r["a"], r["type"], r["b"], sorted(r["props"].items()))) for r in read(server, RELS))


def typed(props: dict[str, Any]) -> dict[str, Any]:
    """Properties with their types, the write times by type only."""
    return {k: type(v).__name__ if k in STAMPS else (type(v).__name__, v) for k, v in props.items()}


def journal_and_now(server: Managed) -> tuple[Estate, Estate]:
    s = server.server

    async def run() -> tuple[Estate, Estate]:
        driver = open_async_driver(Connection(s.uri, s.user, s.password(), "neo4j", True))
        try:
            repo = ItemRepository(driver, "neo4j")
            replayed, _ = await estate_as_of(repo, datetime.now(UTC))
            return replayed, await estate_now(repo)
        finally:
            await driver.close()

    return asyncio.run(run())


def tricky(document: Any) -> Any:
    """The demo with strings the CSV files must carry whole: quotes, the delimiter, a line break, an empty string,
    text beyond ASCII, and a value longer than the bulk importer's default read buffer (4 MiB: 1.1 million
    characters of 4 bytes each, in the item's row and in its entry of journal states)."""
    doc = copy.deepcopy(document)
    doc["configurationItems"][2].setdefault("attributes", {})["blob"] = "\U0001f600" * 1_100_000
    doc["configurationItems"][0]["name"] = 'a "quoted", comma: ünïcødé 数据'
    doc["policies"][0]["statement"] = 'two lines,\nthe second "quoted"'
    doc["configurationItems"][1]["vendor"] = ""
    doc["services"][0]["name"] = "  padded  "
    return doc


def test_an_initial_load_writes_what_an_import_writes(
    tmp_path: Path, demo_document: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 items' states an entry: the demo's 572 items are written in two parts, the second by a forked process
    monkeypatch.setattr(initial_load, "STATES_PER_ENTRY", 100)
    loaded, imported = Managed(tmp_path / "loaded"), Managed(tmp_path / "imported")
    try:
        document = tmp_path / "demo.json"
        document.write_text(json.dumps(tricky(demo_document)))
        for server in (loaded, imported):
            server.cli("migrate")
        said = loaded.cli("import", "--initial-load", str(document))
        imported.cli("import", str(document))

        ours, theirs = items(loaded), items(imported)
        assert len(ours) == sum(
            len(v)
            for k, v in demo_document.items()
            if isinstance(v, list) and k not in {"dependencies", "consumption", "utilizationReadings"}
        )
        assert f"{len(ours)} items and" in said
        assert ours.keys() == theirs.keys()
        for item_id, (labels, props) in ours.items():
            assert (labels, typed(props)) == (theirs[item_id][0], typed(theirs[item_id][1])), item_id
        assert ours[demo_document["configurationItems"][0]["id"]][1]["name"].endswith("ünïcødé 数据")
        assert relationships(loaded) == relationships(imported)
        # the schema made after the bulk import (migrate.schema_after_bulk_import) is the migrations' own
        for statement in (INDEXES, CONSTRAINTS, MIGRATIONS):
            assert read(loaded, statement) == read(imported, statement), statement
        assert {r["state"] for r in read(loaded, INDEXES)} == {"ONLINE"}
        assert loaded.export(tmp_path) == imported.export(tmp_path)

        # one import in the audit trail, the readings' entries as an import writes them, the journal's states
        entries = read(loaded, LOG)
        [summary] = [e for e in entries if e["subject"] == "IMPORT"]
        counts = json.loads(summary["after"])
        assert counts["items"] == len(ours) and counts["relationships"] == len(relationships(imported))
        assert summary["action"] == "import"
        assert not [e for e in entries if e["subject"] in (None, "ITEM")]
        assert {e["subject"] for e in entries} == {"IMPORT", "STATE", "UTILIZATION"}
        replayed, now = journal_and_now(loaded)
        assert replayed.items == now.items and replayed.out == now.out
        assert len(replayed.items) == len(ours)
        # the load's six entries of states (572 items, 100 an entry), then the readings' write: one journal
        assert sorted(e["pos"] for e in entries if e["subject"] == "STATE") == list(range(1, 8))

        # a second initial load: the database is not empty; refused, nothing changed
        before = loaded.export(tmp_path), read(loaded, OTHER)
        refused = loaded.cli("import", "--initial-load", str(document), ok=False)
        assert "is not empty" in refused and "Item" in refused and "graphsvc import" in refused
        assert (loaded.export(tmp_path), read(loaded, OTHER)) == before
    finally:
        loaded.server.stop()
        imported.server.stop()


def test_an_invalid_document_or_a_database_with_tokens_is_refused_with_nothing_written(
    tmp_path: Path, demo_document: Any
) -> None:
    target = Managed(tmp_path / "target")
    try:
        target.cli("migrate")
        bad = copy.deepcopy(demo_document)
        bad["dependencies"][0]["to"] = "CI-NOWHERE"
        (tmp_path / "bad.json").write_text(json.dumps(bad))
        said = target.cli("import", "--initial-load", str(tmp_path / "bad.json"), ok=False)
        assert "CI-NOWHERE" in said
        assert read(target, "MATCH (n:Item) RETURN count(n) AS n") == [{"n": 0}]

        target.cli("token", "create", "--name", "ci", "--role", "viewer")
        (tmp_path / "good.json").write_text(json.dumps(demo_document))
        refused = target.cli("import", "--initial-load", str(tmp_path / "good.json"), ok=False)
        assert "is not empty" in refused and "ApiToken" in refused
        assert read(target, "MATCH (n:Item) RETURN count(n) AS n") == [{"n": 0}]
        assert read(target, "MATCH (t:ApiToken) RETURN t.name AS name") == [{"name": "ci"}]
    finally:
        target.server.stop()
