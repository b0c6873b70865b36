"""The audit trail read as a feed of writes, in commit order: what the subscriptions' poller reads (usecases/events.py).

Every item write takes a journal position in its transaction (audit.py, journal.py): the :Journal node stays locked
until the write commits, so positions follow the order of commits and a position seen means every earlier one is
visible too. The feed reads the positions after the last one it saw (the `audit_pos` index), groups them into writes
(a write that records states several times, an import, has several positions, all with its transaction's clock `tx`,
actor and action) and reads each write's item entries (the `audit_tx` index); an import's batch of created items
recorded as one entry gives each of its items (cypher/audit/feed_write.cypher).

A bulk import (over `single_tx_rows` rows: importer.py) commits batch by batch, but all its entries share one `tx`
(the load's clock, Audit.tx), and its journal positions are all taken after its last entry of an item has committed:
the feed tells it as one write, whole, at its first position, and skips its later positions, which other writes'
positions may come between (the writes told lately are remembered, `TOLD`). A bulk import cut short before its
first seal is told when the next import records its items' states as the load's own write (importer.py
`_after_cut_load`).

Writes that take no journal position are not in the feed: token management and saved scenarios (not the CMDB).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.domain.clock import as_utc
from graphsvc.domain.events import WriteEvent, item_write

__all__ = ["AuditFeed"]

Key = tuple[Any, str, str]  # (the transaction's clock, actor id, action): one write


# Writes told lately, remembered so that one whose positions span several reads, or have other writes' between them
# (a bulk import's seals), is told once.
TOLD = 1024


class AuditFeed:
    """Reads the writes committed after a journal position; remembers the last TOLD writes it told, so a write whose
    positions span two reads, or come between other writes' positions, is told once."""

    def __init__(self, repo: ItemRepository, *, max_items: int = 1000, batch: int = 500) -> None:
        self.repo = repo
        self.max_items = max_items  # item entries read per write (WriteEvent.item_count says how many there are)
        self.batch = batch  # positions read at once
        self._told: OrderedDict[Key, None] = OrderedDict()

    async def head(self) -> int:
        """The last journal position committed (0: none yet)."""
        rows = await self.repo.read(cypher("audit/journal_head"))
        pos = rows[0]["pos"] if rows else None
        return int(pos or 0)

    async def after(self, position: int) -> tuple[list[WriteEvent], int]:
        """The writes with positions after `position`, oldest first, and the position to read after next time."""
        rows = await self.repo.read(cypher("audit/feed_positions"), after=position, limit=self.batch)
        groups: list[tuple[Key, list[Any]]] = []
        for row in rows:
            key: Key = (row["tx"], row["actorId"], row["action"])
            if groups and groups[-1][0] == key:
                groups[-1][1].append(row)
            else:
                groups.append((key, [row]))
        events = []
        for key, found in groups:
            if key in self._told:  # the rest of a write whose entries were read with its first positions
                self._told.move_to_end(key)
                continue
            events.append(await self._write(key, found))
            self._told[key] = None
            if len(self._told) > TOLD:
                self._told.popitem(last=False)
        return events, int(rows[-1]["pos"]) if rows else position

    async def _write(self, key: Key, positions: Sequence[Any]) -> WriteEvent:
        tx, actor_id, action = key
        [row] = await self.repo.read(
            cypher("audit/feed_write"), tx=tx, actorId=actor_id, action=action, limit=self.max_items
        )
        items = tuple(
            item_write(item_id, _loaded(before), _loaded(after)) for item_id, before, after in _items(row["entries"])
        )
        last = positions[-1]
        at = last["at"].to_native() if hasattr(last["at"], "to_native") else last["at"]
        return WriteEvent(
            position=int(last["pos"]),
            at=as_utc(at),
            actor_id=str(actor_id),
            actor_name=str(last["actorName"]),
            action=str(action),
            items=items,
            item_count=int(row["total"]),
        )


def _items(entries: Sequence[Any]) -> Iterator[tuple[str, str | None, str | None]]:
    """(item id, before, after) of each item entry, a batch of created items' (`ids`, `afters`) one by one."""
    for e in entries:
        if "ids" in e:
            yield from ((item_id, None, after) for item_id, after in zip(e["ids"], e["afters"], strict=True))
        else:
            yield e["itemId"], e["before"], e["after"]


def _loaded(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
