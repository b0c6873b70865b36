"""The audit trail: every write records who did it, the action, and each item's before and after, in the same
transaction as the write (so a write and its record stand or fall together).

Entries are `:AuditEntry` nodes outside the CMDB's items, with `before` / `after` as JSON text of the item's stored
properties (null when the item did not exist before, or does not after). The first entry of an item write also
carries the journal's position and the state of every item the write touched (db/journal.py reads them back).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import dump_states, states_of
from graphsvc.errors import InvalidArgument

__all__ = ["SYSTEM", "Audit", "AuditRecord", "audit_log", "cursor_of", "history", "parse_cursor"]

Change = tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None]  # (item id, before, after)
_INTERNAL = frozenset({"hash", "_lock", "discovered", "lastSeenAt"})  # bookkeeping: not what changed


def _json(props: Mapping[str, Any] | None) -> str | None:
    if props is None:
        return None

    def plain(value: Any) -> Any:
        if hasattr(value, "to_native"):
            value = value.to_native()
        return value.isoformat() if isinstance(value, datetime) else str(value)  # Decimal and the rest: text

    shown = {k: v for k, v in props.items() if k not in _INTERNAL}
    return json.dumps(shown, default=plain, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Audit:
    """Who is writing and what they call the write: passed to every write function."""

    actor_id: str
    actor_name: str
    action: str

    async def record(
        self,
        tx: AsyncManagedTransaction,
        changes: Sequence[Change],
        *,
        kind: str = "ITEM",
        states: bool = True,
        also: Sequence[str] = (),
    ) -> None:
        """Entries for `changes`; `kind` "API_TOKEN" keeps token entries out of the items' `history`.

        Item writes also record, on their first entry, the state the transaction leaves each touched item in (its
        properties and outgoing relationships: the estate's journal, journal.py), for the ids of `changes` and of
        `also`; `states=False` leaves that to a later step of the same write (an import's node batches)."""
        ids = list(dict.fromkeys([*(c[0] for c in changes), *also])) if kind == "ITEM" and states else []
        if not changes and not ids:
            return
        rows = [
            {"seq": n, "itemId": item_id, "kind": kind, "before": _json(before), "after": _json(after)}
            for n, (item_id, before, after) in enumerate(changes)
        ]
        if ids:
            if not rows:
                rows = [{"seq": 0, "itemId": "", "kind": "STATE", "before": None, "after": None}]
            rows[0]["states"] = await states_in(tx, ids)
            rows[0]["pos"] = (await (await tx.run(cypher("audit/journal_next"))).single(strict=True))["pos"]
        await (
            await tx.run(
                cypher("audit/record"), rows=rows, actorId=self.actor_id, actorName=self.actor_name, action=self.action
            )
        ).consume()

    async def record_states(self, tx: AsyncManagedTransaction, ids: Sequence[str]) -> None:
        """A STATE entry with the state of `ids` (an import's last step: every item it wrote)."""
        await self.record(tx, [], also=ids)


async def states_in(tx: AsyncManagedTransaction, ids: Sequence[str]) -> str:
    """The state `ids` are in within the transaction, as the journal's JSON text."""
    result = await tx.run(cypher("audit/states"), ids=list(ids))
    rows = []
    async for r in result:
        props = None if r["props"] is None else native_props(r["props"])
        rows.append((r["id"], props, [(a, b, native_props(p)) for a, b, p in r["out"]]))
    return dump_states(states_of(rows))


SYSTEM = Audit("system", "graphsvc (no actor given)", "write")


@dataclass(frozen=True)
class AuditRecord:
    id: str
    at: datetime
    seq: int
    actor_id: str
    actor_name: str
    action: str
    item_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _record(props: Mapping[str, Any]) -> AuditRecord:
    p = native_props(props)
    return AuditRecord(
        id=p["id"],
        at=p["at"],
        seq=int(p.get("seq") or 0),
        actor_id=p["actorId"],
        actor_name=p["actorName"],
        action=p["action"],
        item_id=p["itemId"],
        before=json.loads(p["before"]) if p.get("before") else None,
        after=json.loads(p["after"]) if p.get("after") else None,
    )


def cursor_of(record: AuditRecord) -> str:
    """An opaque cursor for the entry (what comes after it, newest first)."""
    raw = json.dumps([record.at.isoformat(), record.seq, record.id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def parse_cursor(cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        at, seq, entry = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return {"at": datetime.fromisoformat(at), "seq": int(seq), "id": str(entry)}
    except (ValueError, TypeError, binascii.Error, RecursionError):
        raise InvalidArgument(f"after: {cursor!r} is not a cursor from this list") from None


async def history(repo: ItemRepository, item_id: str, *, limit: int, after: str | None = None) -> list[AuditRecord]:
    """An item's entries, newest first: `limit` of them after the cursor `after`."""
    rows = await repo.read(cypher("audit/history"), id=item_id, before=parse_cursor(after), limit=limit)
    return [_record(r["props"]) for r in rows]


async def audit_log(
    repo: ItemRepository, since: datetime, actor: str | None, *, limit: int, after: str | None = None
) -> list[AuditRecord]:
    """Entries since `since` (of one actor, by token id or name, if given), newest first."""
    since = as_utc(since)
    rows = await repo.read(cypher("audit/log"), since=since, actor=actor, before=parse_cursor(after), limit=limit)
    return [_record(r["props"]) for r in rows]
