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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import ItemState, dump_states, states_of
from graphsvc.domain.exchange import is_id
from graphsvc.domain.stored_text import json_text, without
from graphsvc.errors import InvalidArgument

__all__ = [
    "SYSTEM",
    "Audit",
    "AuditRecord",
    "Entries",
    "KnownStates",
    "audit_log",
    "created_entry",
    "cursor_of",
    "entries",
    "history",
    "parse_cursor",
    "tx_clock",
]

Change = tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None]  # (item id, before, after)
# Given the journal position a write takes, the states of items it knows without reading them (or None).
Known = Callable[[int], Mapping[str, ItemState | None] | None]
_INTERNAL = frozenset({"hash", "_lock", "discovered", "lastSeenAt"})  # bookkeeping: not what changed


def _json(props: Mapping[str, Any] | None) -> str | None:
    if props is None:
        return None

    def plain(value: Any) -> Any:
        if hasattr(value, "to_native"):
            value = value.to_native()
        return value.isoformat() if isinstance(value, datetime) else str(value)  # Decimal and the rest: text

    shown = without(props, _INTERNAL)
    return json_text(shown, default=plain, sort_keys=True)


def tx_clock(at: datetime) -> int:
    """`at` in nanoseconds since the epoch: an audit entry's `tx` for a write that gives its own (Audit.tx), as
    cypher/audit/record.cypher makes one of a transaction's clock."""
    since = as_utc(at) - datetime(1970, 1, 1, tzinfo=UTC)
    return (since.days * 86_400 + since.seconds) * 1_000_000_000 + since.microseconds * 1_000


@dataclass(frozen=True)
class Audit:
    """Who is writing and what they call the write: passed to every write function.

    `tx` groups entries into one write for the event feed (db/audit_feed.py): left None, each transaction's entries
    are a write of their own (they get its clock); a write that commits in several transactions (a bulk import)
    gives all of them one value, so that it is told as the one write it is."""

    actor_id: str
    actor_name: str
    action: str
    tx: int | None = None

    async def record(
        self,
        tx: AsyncManagedTransaction,
        changes: Sequence[Change] | Entries,
        *,
        kind: str = "ITEM",
        states: bool = True,
        also: Sequence[str] = (),
        known: Known | None = None,
    ) -> int | None:
        """Entries for `changes`; `kind` "API_TOKEN" keeps token entries out of the items' `history`.

        Item writes also record, on their first entry, the state the transaction leaves each touched item in (its
        properties and outgoing relationships: the estate's journal, journal.py), for the ids of `changes` and of
        `also`; `states=False` leaves that to a later step of the same write (an import's node and merge batches:
        its seals record them). The states are read in the transaction, but for the ids whose states
        `known(position)` gives: the writer's own, given the journal position this write takes (an import's created
        items, db/importer.py). `changes` may be made ahead (`entries`). Returns that position, if states were
        recorded."""
        made = changes if isinstance(changes, Entries) else entries(changes, kind)
        ids = list(dict.fromkeys([*made.ids, *also])) if kind == "ITEM" and states else []
        if not made.rows and not ids:
            return None
        rows = list(made.rows)
        pos = None
        if ids:
            # the first entry carries the states (a copy: one made ahead stays as it was, for a retried transaction)
            rows[:1] = [
                dict(rows[0]) if rows else {"seq": 0, "itemId": "", "kind": "STATE", "before": None, "after": None}
            ]
            # the position first: it holds the journal until this transaction ends, so every write recorded before
            # it has committed when `known` is asked
            rows[0]["pos"] = pos = (await (await tx.run(cypher("audit/journal_next"))).single(strict=True))["pos"]
            rows[0]["states"] = await states_in(tx, ids, known(pos) if known else None)
        await (
            await tx.run(
                cypher("audit/record"),
                rows=rows,
                actorId=self.actor_id,
                actorName=self.actor_name,
                action=self.action,
                tx=self.tx,
            )
        ).consume()
        return pos

    async def record_states(
        self, tx: AsyncManagedTransaction, ids: Sequence[str], known: Known | None = None
    ) -> int | None:
        """A STATE entry with the state of `ids` (an import's last step: every item it wrote); its journal position."""
        return await self.record(tx, [], also=ids, known=known)


@dataclass(frozen=True)
class Entries:
    """Changes as audit entries store them (JSON text), made ahead of the write that records them (an import makes
    its created items' in a thread while Neo4j writes the batch before, db/importer.py)."""

    ids: list[str]
    rows: list[dict[str, Any]]


def entries(changes: Sequence[Change], kind: str = "ITEM") -> Entries:
    rows = [
        {"seq": n, "itemId": item_id, "kind": kind, "before": _json(before), "after": _json(after)}
        for n, (item_id, before, after) in enumerate(changes)
    ]
    return Entries([c[0] for c in changes], rows)


def created_entry(created: Sequence[tuple[str, Mapping[str, Any]]]) -> Entries:
    """One entry for a batch of items an import created (id, what it stored), rather than one per item (a bulk load,
    or an import creating db/importer.py CREATED_PER_BATCH_FROM items or more): subject
    CREATED, `after` the count, `createdIds` the ids separated by spaces (ids have none: the exchange format's
    pattern) for the `audit_created` index, and `afters` each item's stored fields in the same order. An item's
    `history` finds its creation through the index (cypher/audit/history.cypher) and shows it as an entry of its
    own."""
    ids = [item_id for item_id, _ in created]
    row = {
        "seq": 0,
        "itemId": "",
        "kind": "CREATED",
        "before": None,
        "after": json_text({"created": len(ids)}),
        "createdIds": " ".join(ids),
        "afters": [_json(after) for _, after in created],
    }
    return Entries(ids, [row])


class KnownStates(dict[str, ItemState | None]):
    """States a writer knows without reading them (`Known`), and their journal text when made ahead: `text` is
    `dump_states` of exactly these, used when they are all the states a write records."""

    def __init__(self, states: Mapping[str, ItemState | None], text: str | None = None) -> None:
        super().__init__(states)
        self.text = text


async def states_in(
    tx: AsyncManagedTransaction, ids: Sequence[str], known: Mapping[str, ItemState | None] | None = None
) -> str:
    """The state `ids` are in within the transaction, as the journal's JSON text: read, but for those in `known`."""
    known = known or {}
    unread = [i for i in ids if i not in known]
    if not unread and isinstance(known, KnownStates) and known.text is not None and len(set(ids)) == len(known):
        return known.text
    rows = []
    if unread:
        # one record holding every id's row: the driver's cost per record is most of a small row's
        found = await (await tx.run(cypher("audit/states"), ids=unread)).single(strict=True)
        for item_id, props, out in found["states"]:
            props = None if props is None else native_props(props)
            rows.append((item_id, props, [(a, b, native_props(p)) for a, b, p in out]))
    states = states_of(rows)
    states.update((i, known[i]) for i in ids if i in known)
    return dump_states(states)


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
    rows = await repo.read(
        cypher("audit/history"), id=item_id, phrase=_phrase(item_id), before=parse_cursor(after), limit=limit
    )
    return [_record(r["props"]) for r in rows]


def _phrase(item_id: str) -> str | None:
    """`item_id` as a Lucene phrase for the audit_created index (whitespace-separated ids; none has a quote or a
    space), or None for an id no item can have."""
    return f'"{item_id}"' if is_id(item_id) else None


async def audit_log(
    repo: ItemRepository, since: datetime, actor: str | None, *, limit: int, after: str | None = None
) -> list[AuditRecord]:
    """Entries since `since` (of one actor, by token id or name, if given), newest first."""
    since = as_utc(since)
    rows = await repo.read(cypher("audit/log"), since=since, actor=actor, before=parse_cursor(after), limit=limit)
    return [_record(r["props"]) for r in rows]
