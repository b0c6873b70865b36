"""The estate's journal: the states graphsvc's writes record (db/audit.py), read back into an `Estate` as of a time.

Every item write records, in its own transaction, the state it leaves each touched item in (properties and outgoing
relationships) on its first audit entry, numbered by the journal's position (`pos`, taken from one `:Journal` node
that stays locked until the write commits, so positions follow commit order). An import records its items' states in
its last step (sealing content hashes), once their relationships are all written. The estate as of T is every state
recorded at or before T, the later one winning, applied from the newest snapshot at or before T.

A database that held items before graphsvc recorded states (an older graphsvc) gets a baseline: the state of every
item at the moment the journal starts (`ensure_baseline`, run by `graphsvc migrate` and at server start). The estate
before that moment is not known, and saying so is the answer (`EstateUnknown`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncDriver, AsyncManagedTransaction

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import Estate, load_states, states_of
from graphsvc.errors import InvalidArgument

__all__ = [
    "JournalInfo",
    "ensure_baseline",
    "estate_as_of",
    "estate_now",
    "estates_at",
    "head",
    "item_total",
    "journal_info",
    "replay",
    "seen_at",
]

BASELINE = Audit("system", "graphsvc (estate journal baseline)", "baseline")
BASELINE_BATCH = 5_000


@dataclass(frozen=True)
class JournalInfo:
    pos: int  # the last position recorded (0: none)
    since: datetime | None  # when recording began
    baseline: bool  # the journal began on a database that already held items

    @property
    def known_from(self) -> datetime | None:
        """The earliest time the estate is known (None: from the start, an empty estate before the first write)."""
        return self.since if self.baseline else None

    def check_known(self, when: datetime, argument: str) -> None:
        """InvalidArgument naming `argument` when `when` is before the estate is known."""
        if self.known_from is not None and when < self.known_from:
            raise InvalidArgument(
                f"{argument}: {when.isoformat()} is before {self.known_from.isoformat()}, when graphsvc began "
                "recording the estate's history on this database; ask for a time from then on"
            )


async def journal_info(repo: ItemRepository, until: datetime) -> tuple[JournalInfo, int, str | None]:
    """Where the journal stands, and the newest snapshot usable for `until` (its position and data, or 0, None)."""
    (r,) = await repo.read(cypher("audit/journal_info"), until=as_utc(until))
    since = r["since"].to_native() if r["since"] is not None else None
    info = JournalInfo(int(r["pos"] or 0), since, bool(r["baseline"]))
    return info, int(r["snapshotPos"] or 0), r["snapshot"]


async def estate_as_of(repo: ItemRepository, until: datetime) -> tuple[Estate, int]:
    """The estate as every state recorded at or before `until` leaves it, and the last position applied.

    Before the journal began on a database that already held items, the estate is not known: InvalidArgument."""
    until = as_utc(until)
    info, snapshot_pos, _snapshot = await journal_info(repo, until)
    info.check_known(until, "asOf")
    return await replay(repo, Estate(), snapshot_pos, until)


async def replay(repo: ItemRepository, estate: Estate, after: int, until: datetime) -> tuple[Estate, int]:
    """`estate` (as of journal position `after`) brought forward by the states recorded after it up to `until`, and
    the last position applied. Parsed and applied in a worker thread: at 100,000 CIs that takes seconds."""
    records = await repo.read(cypher("audit/journal"), after=after, until=as_utc(until))

    def apply() -> int:
        last = after
        for r in records:
            if r["states"]:
                estate.apply(load_states(r["states"]))
            last = int(r["pos"])
        return last

    return estate, await asyncio.to_thread(apply)


async def estates_at(repo: ItemRepository, times: Sequence[datetime]) -> list[Estate]:
    """The estate as of each of `times` (ascending), in one pass over the journal: each point applies the entries
    recorded at or before it that the points before it did not (copies are cheap: estates copy on write)."""
    if not times:
        return []
    times = [as_utc(t) for t in times]
    if times != sorted(times):
        raise InvalidArgument("times must be in ascending order")
    (await journal_info(repo, times[0]))[0].check_known(times[0], "from")
    records = await repo.read(cypher("audit/journal"), after=0, until=times[-1])

    def walk() -> list[Estate]:
        estate, done, found = Estate(), set(), []
        for point in times:
            for r in records:
                if r["pos"] not in done and r["at"].to_native() <= point:
                    done.add(r["pos"])
                    if r["states"]:
                        estate.apply(load_states(r["states"]))
            found.append(estate.copy())
        return found

    return await asyncio.to_thread(walk)


async def seen_at(repo: ItemRepository, until: datetime) -> tuple[int, int]:
    """(last position, entries) of the journal recorded at or before `until`: equal pairs, equal estates."""
    (r,) = await repo.read(cypher("audit/journal_at"), until=as_utc(until))
    return int(r["pos"] or 0), int(r["entries"])


async def item_total(repo: ItemRepository) -> int:
    """How many items the database holds now."""
    (r,) = await repo.read(cypher("audit/item_total"))
    return int(r["items"])


async def head(repo: ItemRepository) -> int:
    """The journal's last position (0: nothing recorded)."""
    (r,) = await repo.read(cypher("audit/journal_head"))
    return int(r["pos"] or 0)


async def estate_now(repo: ItemRepository, *, chunk: int = 20_000) -> Estate:
    """The estate as the database holds it now, read in id-ordered slices."""
    estate = Estate()
    after = ""
    while True:
        (r,) = await repo.read(cypher("audit/all_states"), after=after, limit=chunk)
        rows = [(i, native_props(p), [(a, b, native_props(q)) for a, b, q in out]) for i, p, out in r["rows"]]
        estate.apply(states_of(rows))
        if len(rows) < chunk:
            return estate
        after = rows[-1][0]


@translate_unavailable
async def ensure_baseline(driver: AsyncDriver, database: str) -> int:
    """Start the journal on a database that holds items it has no states for; returns how many items it recorded.

    Idempotent: once the journal exists (any graphsvc write, or a baseline, made it) this does nothing."""

    async def work(tx: AsyncManagedTransaction) -> int:
        started = await (await tx.run(cypher("audit/journal_exists"))).single(strict=True)
        if started["journal"]:
            return 0
        ids = [r["id"] async for r in await tx.run(cypher("audit/all_item_ids"))]
        for start in range(0, len(ids), BASELINE_BATCH):
            await BASELINE.record_states(tx, ids[start : start + BASELINE_BATCH])
        await (await tx.run(cypher("audit/journal_begin"), baseline=bool(ids))).consume()
        return len(ids)

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        return await session.execute_write(work)
