"""The change lifecycle: status transitions checked and written in one transaction under the change's lock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import native_props
from graphsvc.domain.changes import (
    BLOCKING_RULES,
    TRANSITIONS,
    ApprovedAssessment,
    ChangeStatus,
    PolicyException,
    allowed_actions,
)
from graphsvc.domain.facts import Props
from graphsvc.domain.validation import DocumentInvalid, Problem
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import IllegalTransition, NotFound, StaleVersion

__all__ = ["grant_exception", "illegal_transition", "transition_change"]


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
    evidence: ApprovedAssessment | None = None,
    audit: Audit,
) -> Props:
    """Apply a lifecycle action (submit, approve, schedule, implement, fail, cancel) if the status allows it; an
    approval keeps `evidence`, the assessment it was made on, in the same transaction."""
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
        if evidence is not None:
            await (
                await tx.run(
                    cypher("changes/record_approval"), change=change_id, at=evidence.at, data=evidence.to_json()
                )
            ).consume()
        await audit.record(tx, [(change_id, native_props(record["props"]), after)])
        return after

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))


@translate_unavailable
async def grant_exception(
    driver: AsyncDriver, database: str, change_id: str, policy_id: str, reason: str, *, granted_by: str, audit: Audit
) -> PolicyException:
    """Let a change go ahead despite a freeze or maintenance-window policy, for `reason`; checked and written under
    the change's lock, and audited on the change."""

    async def work(tx: AsyncManagedTransaction) -> PolicyException:
        record = await (await tx.run(cypher("items/lock"), id=change_id)).single()
        if record is None or record["kind"] != Kind.CHANGE.value:
            raise NotFound.item(change_id, Kind.CHANGE.value)
        policy = await (await tx.run(cypher("changes/policy_rule"), id=policy_id)).single(strict=True)
        if policy["kind"] != Kind.POLICY.value:
            raise NotFound(f"policyId: no POLICY with id {policy_id!r}", id=policy_id, kind=Kind.POLICY.value)
        if policy["ruleType"] not in BLOCKING_RULES:
            rule = policy["ruleType"] or "no rule"
            raise DocumentInvalid(
                [Problem("policyId", f"{policy_id} has {rule}: only {' and '.join(BLOCKING_RULES)} block a change")]
            )
        granted: dict[str, Any] = {"reason": reason, "grantedBy": granted_by, "grantedAt": datetime.now(UTC)}
        result = await tx.run(cypher("changes/grant_exception"), change=change_id, policy=policy_id, **granted)
        row = await result.single(strict=True)
        # the grant's time too: the exceptions as they stood at a past time are read back from these entries
        grant = {"policyException": policy_id, "reason": reason, "grantedAt": granted["grantedAt"]}
        await audit.record(tx, [(change_id, None, grant)])
        return PolicyException(change_id, policy_id, reason, granted_by, native_props(dict(row))["grantedAt"])

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(with_timeout(work))
