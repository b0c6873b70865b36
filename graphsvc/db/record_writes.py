"""Incident and problem writes: status steps and links, each checked and written in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import Props, native_props
from graphsvc.db.writes import DuplicateIdError, NotFoundError, StaleVersionError, WriteError
from graphsvc.domain.rows import node_row
from graphsvc.domain.vocabulary import Kind, Rel

__all__ = ["RecordStateError", "attribute_incidents", "check_attributable", "update_record"]


@dataclass
class RecordStateError(WriteError):
    """The record's status does not allow this step (or link)."""

    id: str
    status: str
    message: str

    def __str__(self) -> str:
        return self.message


@translate_unavailable
async def update_record(
    driver: AsyncDriver,
    database: str,
    kind: Kind,
    item_id: str,
    *,
    allowed: Sequence[str],
    action: str,
    props: dict[str, Any],
    version: int | None = None,
    check: Any = None,
    audit: Audit,
) -> Props:
    """Set `props` on an incident or problem whose status is one of `allowed`; `check(current_props)` may refuse."""

    async def work(tx: AsyncManagedTransaction) -> Props:
        record = await (await tx.run(cypher("items/lock"), id=item_id)).single()
        if record is None or record["kind"] != kind.value:
            raise NotFoundError(item_id)
        if version is not None and record["version"] != version:
            raise StaleVersionError(item_id, version, int(record["version"]))
        current = native_props(record["props"])
        status = str(current.get("status"))
        if status not in allowed:
            need = " or ".join(allowed)
            raise RecordStateError(
                item_id, status, f"{item_id} is {status}: {action} needs a {kind.value} that is {need}"
            )
        if check is not None:
            check(current)
        result = await tx.run(cypher("records/set_fields"), id=item_id, props=props)
        after = native_props((await result.single(strict=True))["props"])
        await audit.record(tx, [(item_id, current, after)])
        return after

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


async def check_attributable(tx: AsyncManagedTransaction, incidents: Sequence[str]) -> None:
    """Every id must be an incident; a clear error names the first that is not."""
    records = await (await tx.run(cypher("records/attributions"), ids=list(incidents))).data()
    for r in records:
        if r["kind"] is None:
            raise NotFoundError(r["id"])
        if r["kind"] != Kind.INCIDENT.value:
            raise RecordStateError(r["id"], str(r["status"]), f"{r['id']!r} is a {r['kind']}, not an INCIDENT")


@translate_unavailable
async def attribute_incidents(
    driver: AsyncDriver,
    database: str,
    problem: str,
    incidents: Sequence[str],
    *,
    create: Props | None = None,
    audit: Audit,
) -> Props:
    """Attribute incidents to a problem (created first from `create`, with its causedBy), in one transaction."""

    async def work(tx: AsyncManagedTransaction) -> Props:
        await check_attributable(tx, incidents)
        if create is not None:
            row = node_row(problem, Kind.PROBLEM, create["hash"], create["props"])
            try:
                await (await tx.run(cypher("import/create_nodes", label=Kind.PROBLEM), rows=[row])).consume()
            except ConstraintError:
                raise DuplicateIdError(problem, Kind.PROBLEM) from None
            rows = [{"from": problem, "to": t, "props": {"i": n}} for n, t in enumerate(create["causedBy"])]
            if rows:
                await (await tx.run(cypher("import/create_rels", rel=Rel.CAUSED_BY), rows=rows)).consume()
        record = await (await tx.run(cypher("items/lock"), id=problem)).single()
        if record is None or record["kind"] != Kind.PROBLEM.value:
            raise NotFoundError(problem)
        status = record["props"].get("status")
        if status == "RESOLVED":
            raise RecordStateError(problem, "RESOLVED", f"{problem} is RESOLVED: incidents cannot be attributed to it")
        await (await tx.run(cypher("records/attribute"), incidents=list(incidents), problem=problem)).consume()
        result = await tx.run(cypher("items/by_ids"), ids=[problem])
        after = native_props((await result.single(strict=True))["props"])
        before = None if create is not None else native_props(record["props"])
        await audit.record(tx, [(problem, before, after), *((i, None, {"attributedTo": problem}) for i in incidents)])
        return after

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))
