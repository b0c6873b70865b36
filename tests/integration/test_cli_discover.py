"""`graphsvc discover kubernetes` and `graphsvc discover runs` against a real Neo4j, on the manifests of
tests/fixtures/k8s: the dry run writes nothing, the run creates the workloads and their dependencies (with an impact
answer through them), a second run changes nothing, a workload gone from the manifests is retired, a mapping naming
a team the CMDB lacks writes nothing and says which item, and no secret from the manifests reaches the database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection, open_async_driver
from graphsvc.db.items import ItemRepository
from graphsvc.usecases.impact import impact_of
from tests.conftest import REPO, counts
from tests.integration.test_cli import env

runner = CliRunner()
K8S = REPO / "tests" / "fixtures" / "k8s"
SHOP = K8S / "shop.yaml"
DB_ID = "k8s:shop:shop:statefulset:orders-db"
CHECKOUT = "k8s:shop:shop:deployment:checkout"


def discover(conn: Connection, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["discover", "kubernetes", *args], env=env(conn))
    return result.exit_code, result.output


def dump(sync_driver: Driver) -> str:
    """Every property of every node and relationship, as text (to look for secrets in)."""
    records, _, _ = sync_driver.execute_query(
        "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN collect(properties(n)) AS n, collect(properties(r)) AS r",
        database_="neo4j",
    )
    return json.dumps([records[0]["n"], records[0]["r"]], default=str)


def test_discover_kubernetes_end_to_end(empty_db: Connection, sync_driver: Driver, tmp_path: Path) -> None:
    code, out = discover(empty_db, str(SHOP), "--cluster", "shop", "--dry-run")
    assert code == 0, out
    assert "kubernetes:shop (would): " in out and "(dry run: nothing was written)" in out
    assert counts(sync_driver, "neo4j") == (0, 0)

    code, out = discover(empty_db, str(SHOP), "--cluster", "shop", "--mapping", str(K8S / "mapping.toml"))
    assert code != 0 and "unknown id 'T-WEB'" in out and "owner" in out  # the mapping names teams not in the CMDB
    assert counts(sync_driver, "neo4j") == (0, 0)

    code, out = discover(empty_db, str(SHOP), "--cluster", "shop")
    assert code == 0, out
    assert "kubernetes:shop (did): " in out and "Unresolved references (not errors)" in out
    assert "CURRENCY_ADDR" in out  # a variable naming no Service is reported, not an error
    nodes, rels = counts(sync_driver, "neo4j")
    assert nodes > 8 and rels > 5

    async def stored_and_impacted() -> tuple[dict[str, object] | None, set[str]]:
        driver = open_async_driver(empty_db)
        try:
            repo = ItemRepository(driver, "neo4j")
            (stored,) = await repo.by_ids([DB_ID])
            return stored, set((await impact_of(repo, [DB_ID])).impact.status)
        finally:
            await driver.close()

    stored, impacted = asyncio.run(stored_and_impacted())
    assert stored is not None and stored["type"] == "DATABASE" and stored["source"] == "kubernetes:shop"
    assert CHECKOUT in impacted  # checkout names orders-db in its ConfigMap's URL

    secrets = ["s3cr3t", "hunter2"]
    text = SHOP.read_text()
    assert any(s in text for s in secrets)  # the manifests do carry secrets...
    assert not [s for s in secrets if s in dump(sync_driver)]  # ...and none reached the database

    code, out = discover(empty_db, str(SHOP), "--cluster", "shop")
    assert code == 0 and "0 created, 0 updated, 0 retired" in out
    assert counts(sync_driver, "neo4j") == (nodes, rels)

    fewer = tmp_path / "fewer.yaml"
    docs = text.split("\n---\n")
    fewer.write_text("\n---\n".join(d for d in docs if "name: status-page" not in d), encoding="utf-8")
    code, out = discover(empty_db, str(fewer), "--cluster", "shop")
    assert code == 0 and " 1 retired" in out and "k8s:shop:default:deployment:status-page" in out

    listed = runner.invoke(app, ["discover", "runs", "--source", "kubernetes:shop"], env=env(empty_db))
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("kubernetes:shop") == 3  # three runs; the dry run and the refused one wrote none


def test_discover_reports_bad_input_and_writes_nothing(
    empty_db: Connection, sync_driver: Driver, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"  # billion laughs: nine levels of nine aliases each
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for n in range(8):
        previous, name = chr(97 + n), chr(98 + n)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = discover(empty_db, str(bomb), "--cluster", "shop")
    assert code != 0 and "bomb.yaml" in out
    code, out = discover(empty_db, str(tmp_path / "missing.yaml"), "--cluster", "shop")
    assert code != 0 and "missing.yaml" in out
    assert counts(sync_driver, "neo4j") == (0, 0)
