"""Incident and problem writes: status steps and links, each checked and written in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import native_props
from graphsvc.db.stored import existing_in
from graphsvc.db.writes import check_refs_in
from graphsvc.domain.exchange import FORMAT, ExchangeDocument, Problem
from graphsvc.domain.facts import Props
from graphsvc.domain.rows import content_hash, item_props, node_row
from graphsvc.domain.vocabulary import Kind, Rel
from graphsvc.errors import DuplicateId, InvalidState, NotFound, StaleVersion

__all__ = ["attribute_incidents", "check_attributable", "update_record", "update_record_in"]


async def update_record_in(
    tx: AsyncManagedTransaction,
    kind: Kind,
    item_id: str,
    *,
    allowed: Sequence[str],
    action: str,
    props: dict[str, Any],
    version: int | None = None,
    check: Any = None,
) -> tuple[Props, Props]:
    """`update_record`'s checks and write in the caller's transaction (which records the audit): (before, after)."""
    record = await (await tx.run(cypher("items/lock"), id=item_id)).single()
    if record is None or record["kind"] != kind.value:
        raise NotFound.item(item_id, kind.value)
    if version is not None and record["version"] != version:
        raise StaleVersion(item_id, version, int(record["version"]))
    current = native_props(record["props"])
    status = str(current.get("status"))
    if status not in allowed:
        need = " or ".join(allowed)
        raise InvalidState(item_id, status, f"{item_id} is {status}: {action} needs a {kind.value} that is {need}")
    if check is not None:
        check(current)
    result = await tx.run(cypher("records/set_fields"), id=item_id, props=props)
    return current, native_props((await result.single(strict=True))["props"])


@translate_unavailable
async def update_record(
    driver: AsyncDriver, database: str, /, kind: Kind, item_id: str, *, audit: Audit, **step: Any
) -> Props:
    """Set `props` on an incident or problem whose status is one of `allowed`; `check(current_props)` may refuse
    (`step`: update_record_in's allowed, action, props, version and check)."""

    async def work(tx: AsyncManagedTransaction) -> Props:
        before, after = await update_record_in(tx, kind, item_id, **step)
        await audit.record(tx, [(item_id, before, after)])
        return after

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


async def check_attributable(tx: AsyncManagedTransaction, incidents: Sequence[str]) -> None:
    """Every id must be an incident; a clear error names the first that is not."""
    records = await (await tx.run(cypher("records/attributions"), ids=list(incidents))).data()
    for r in records:
        if r["kind"] is None:
            raise NotFound.item(r["id"], Kind.INCIDENT.value)
        if r["kind"] != Kind.INCIDENT.value:
            raise InvalidState(r["id"], str(r["status"]), f"{r['id']!r} is a {r['kind']}, not an INCIDENT")


@translate_unavailable
async def attribute_incidents(
    driver: AsyncDriver,
    database: str,
    problem: str,
    incidents: Sequence[str],
    *,
    create: Problem | None = None,
    audit: Audit,
) -> Props:
    """Attribute incidents to a problem (created first from `create`, with its causedBy), in one transaction."""

    async def work(tx: AsyncManagedTransaction) -> Props:
        await check_attributable(tx, incidents)
        if create is not None:
            taken = await existing_in(tx, [problem])
            if problem in taken:
                raise DuplicateId(problem, taken[problem]["kind"].value)
            doc = ExchangeDocument.model_validate({"format": FORMAT, "problems": [create]})
            await check_refs_in(tx, doc, new_ids={problem})
            row = node_row(problem, Kind.PROBLEM, content_hash(create), item_props(Kind.PROBLEM, create))
            try:
                await (await tx.run(cypher("import/create_nodes"), rows=[row], at=None)).consume()
            except ConstraintError:
                raise DuplicateId(problem, Kind.PROBLEM.value) from None
            rows = [{"from": problem, "to": t, "props": {"i": n}} for n, t in enumerate(create.causedBy)]
            if rows:
                await (await tx.run(cypher("import/create_rels", rel=Rel.CAUSED_BY), rows=rows)).consume()
        record = await (await tx.run(cypher("items/lock"), id=problem)).single()
        if record is None or record["kind"] != Kind.PROBLEM.value:
            raise NotFound.item(problem, Kind.PROBLEM.value)
        status = record["props"].get("status")
        if status == "RESOLVED":
            raise InvalidState(problem, "RESOLVED", f"{problem} is RESOLVED: incidents cannot be attributed to it")
        await (await tx.run(cypher("records/attribute"), incidents=list(incidents), problem=problem)).consume()
        result = await tx.run(cypher("items/by_ids"), ids=[problem])
        after = native_props((await result.single(strict=True))["props"])
        before = None if create is not None else native_props(record["props"])
        await audit.record(tx, [(problem, before, after), *((i, None, {"attributedTo": problem}) for i in incidents)])
        return after

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))
