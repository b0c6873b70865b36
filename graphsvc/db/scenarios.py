"""Saved what-if scenarios: a named list of edits (JSON), stored in Neo4j beside the CMDB (not an item of it) and
audited as a write (subject SCENARIO, so an item's history never shows one)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.errors import NotFound

__all__ = ["SavedScenario", "delete_scenario", "get_scenario", "list_scenarios", "save_scenario"]


@dataclass(frozen=True)
class SavedScenario:
    id: str
    name: str
    description: str | None
    edits: list[dict[str, Any]]  # each as the GraphEdit input spells it
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


def _scenario(props: dict[str, Any]) -> SavedScenario:
    p = native_props(props)
    return SavedScenario(
        p["id"],
        p["name"],
        p.get("description"),
        json.loads(p["edits"]),
        int(p["version"]),
        p["createdAt"],
        p["createdBy"],
        p["updatedAt"],
        p["updatedBy"],
    )


@translate_unavailable
async def save_scenario(
    driver: AsyncDriver,
    database: str,
    scenario_id: str,
    name: str,
    description: str | None,
    edits: list[dict[str, Any]],
    *,
    audit: Audit,
) -> SavedScenario:
    """Create the scenario, or replace its name, description and edits."""

    async def work(tx: AsyncManagedTransaction) -> SavedScenario:
        before = await (await tx.run(cypher("scenarios/by_id"), id=scenario_id)).single()
        params = {"id": scenario_id, "name": name, "description": description, "by": audit.actor_name}
        record = await (await tx.run(cypher("scenarios/save"), params, edits=json.dumps(edits))).single(strict=True)
        after = native_props(record["props"])
        await audit.record(
            tx, [(scenario_id, native_props(before["props"]) if before else None, after)], kind="SCENARIO"
        )
        return _scenario(record["props"])

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


@translate_unavailable
async def delete_scenario(driver: AsyncDriver, database: str, scenario_id: str, *, audit: Audit) -> SavedScenario:
    async def work(tx: AsyncManagedTransaction) -> SavedScenario:
        record = await (await tx.run(cypher("scenarios/delete"), id=scenario_id)).single()
        if record is None:
            raise NotFound(f"id: no scenario {scenario_id!r}", id=scenario_id, kind="SCENARIO")
        await audit.record(tx, [(scenario_id, native_props(record["props"]), None)], kind="SCENARIO")
        return _scenario(record["props"])

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


async def list_scenarios(repo: ItemRepository) -> list[SavedScenario]:
    return [_scenario(r["props"]) for r in await repo.read(cypher("scenarios/list"))]


async def get_scenario(repo: ItemRepository, scenario_id: str) -> SavedScenario | None:
    records = await repo.read(cypher("scenarios/by_id"), id=scenario_id)
    return _scenario(records[0]["props"]) if records else None
