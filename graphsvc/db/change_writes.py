"""The change lifecycle: status transitions checked and written in one transaction under the change's lock."""

from __future__ import annotations

from datetime import datetime

from neo4j import AsyncDriver, AsyncManagedTransaction

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import native_props
from graphsvc.domain.changes import TRANSITIONS, ChangeStatus, allowed_actions
from graphsvc.domain.facts import Props
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import IllegalTransition, NotFound, StaleVersion

__all__ = ["illegal_transition", "transition_change"]


def illegal_transition(change_id: str, action: str, current: ChangeStatus) -> IllegalTransition:
    """The error for `action` on a change that is `current`, naming what its status needs and allows."""
    sources, _ = TRANSITIONS[action]
    need = " or ".join(sorted(s.value for s in sources))
    nxt = allowed_actions(current)
    then = f"it can {', '.join(nxt)}" if nxt else f"{current.value} is final"
    message = f"{change_id} is {current.value}: {action} needs a change that is {need}; {then}"
    return IllegalTransition(change_id, action, current.value, nxt, message)


@translate_unavailable
async def transition_change(
    driver: AsyncDriver,
    database: str,
    change_id: str,
    action: str,
    *,
    version: int | None = None,
    fields: dict[str, datetime] | None = None,
    audit: Audit,
) -> Props:
    """Apply a lifecycle action (submit, approve, schedule, implement, fail, cancel) if the status allows it."""
    sources, target = TRANSITIONS[action]

    async def work(tx: AsyncManagedTransaction) -> Props:
        record = await (await tx.run(cypher("items/lock"), id=change_id)).single()
        if record is None or record["kind"] != Kind.CHANGE.value:
            raise NotFound.item(change_id, Kind.CHANGE.value)
        if version is not None and record["version"] != version:
            raise StaleVersion(change_id, version, int(record["version"]))
        current = ChangeStatus(record["props"].get("status", "DRAFT"))
        if current not in sources:
            raise illegal_transition(change_id, action, current)
        result = await tx.run(cypher("changes/set_status"), id=change_id, status=target.value, props=fields or {})
        after = native_props((await result.single(strict=True))["props"])
        await audit.record(tx, [(change_id, native_props(record["props"]), after)])
        return after

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))
