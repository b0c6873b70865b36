"""The estate's journal: the states graphsvc's writes record (db/audit.py), read back into an `Estate` as of a time.

Every item write records, in its own transaction, the state it leaves each touched item in (properties and outgoing
relationships) on its first audit entry, numbered by the journal's position (`pos`, taken from one `:Journal` node
that stays locked until the write commits, so positions follow commit order). An import records its items' states in
its last step, once their relationships are all written. The estate as of T is every state
recorded at or before T, the later one winning, applied from the newest snapshot at or before T.

A database that held items before graphsvc recorded states (an older graphsvc) gets a baseline: the state of every
item at the moment the journal starts (`ensure_baseline`, run by `graphsvc migrate` and at server start). The estate
before that moment is not known, and saying so is the answer (InvalidArgument naming the time).

The history can be pruned (`prune`, `graphsvc prune-history`): the estate as of a time is kept as one snapshot
(`:EstateSnapshot`, written in `:EstateSnapshotPart`s), the states recorded before it are dropped, and the estate
before that time is no longer known.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import Estate, ItemState, dump_states, load_states, states_of
from graphsvc.errors import InvalidArgument

__all__ = [
    "JournalInfo",
    "PrunePlan",
    "PruneResult",
    "ensure_baseline",
    "estate_as_of",
    "estate_now",
    "estates_at",
    "head",
    "item_total",
    "journal_info",
    "plan_prune",
    "prune",
    "replay",
    "seen_at",
]

BASELINE = Audit("system", "graphsvc (estate journal baseline)", "baseline")
BASELINE_BATCH = 5_000
SNAPSHOT_PART = 5_000  # items per part of a snapshot (about 4 MB of JSON at the bench's 100,000-CI estate)


@dataclass(frozen=True)
class JournalInfo:
    pos: int  # the last position recorded (0: none)
    since: datetime | None  # when recording began
    baseline: bool  # the journal began on a database that already held items
    pruned_until: datetime | None = None  # the history before this time was pruned (`prune`)

    @property
    def known_from(self) -> datetime | None:
        """The earliest time the estate is known (None: from the start, an empty estate before the first write)."""
        began = self.since if self.baseline else None
        if self.pruned_until is None:
            return began
        return self.pruned_until if began is None else max(began, self.pruned_until)

    def check_known(self, when: datetime, argument: str) -> None:
        """InvalidArgument naming `argument` when `when` is before the estate is known."""
        known = self.known_from
        if known is None or when >= known:
            return
        if self.pruned_until is not None and known == self.pruned_until:
            why = "the oldest time the estate's history keeps (the history before it was pruned)"
        else:
            why = "when graphsvc began recording the estate's history on this database"
        raise InvalidArgument(
            f"{argument}: {when.isoformat()} is before {known.isoformat()}, {why}; ask for a time from then on"
        )


async def journal_info(repo: ItemRepository, until: datetime) -> tuple[JournalInfo, int]:
    """Where the journal stands, and the position of the newest snapshot usable for `until` (0: none)."""
    (r,) = await repo.read(cypher("audit/journal_info"), until=as_utc(until))
    since = r["since"].to_native() if r["since"] is not None else None
    pruned = as_utc(r["prunedUntil"].to_native()) if r["prunedUntil"] is not None else None
    info = JournalInfo(int(r["pos"] or 0), since, bool(r["baseline"]), pruned)
    return info, int(r["snapshotPos"] or 0)


async def _start(repo: ItemRepository, until: datetime, argument: str) -> tuple[Estate, int]:
    """Where a replay to `until` starts: the newest snapshot usable for it (or nothing), and its position."""
    info, snapshot_pos = await journal_info(repo, until)
    info.check_known(until, argument)
    if not snapshot_pos:
        return Estate(), 0
    parts = await repo.read(cypher("audit/snapshot_parts"), pos=snapshot_pos)

    def load() -> Estate:
        estate = Estate()
        for r in parts:
            estate.apply(load_states(r["data"]))
        return estate

    return await asyncio.to_thread(load), snapshot_pos


async def estate_as_of(repo: ItemRepository, until: datetime) -> tuple[Estate, int]:
    """The estate as every state recorded at or before `until` leaves it, and the last position applied.

    Before the estate is known (the journal began on a database that already held items, or the history before was
    pruned): InvalidArgument."""
    until = as_utc(until)
    estate, snapshot_pos = await _start(repo, until, "asOf")
    return await replay(repo, estate, snapshot_pos, until)


async def replay(
    repo: ItemRepository,
    estate: Estate,
    after: int,
    until: datetime,
    touched: set[str] | None = None,
    *,
    through: int | None = None,
) -> tuple[Estate, int]:
    """`estate` (as of journal position `after`) brought forward by the states recorded after it up to `until` (and
    up to position `through`, if given), and the last position applied; the ids of the items those states are of go
    into `touched` if given. Parsed and applied in a worker thread: at 100,000 CIs that takes seconds."""
    records = await repo.read(cypher("audit/journal"), after=after, until=as_utc(until), through=through)

    def apply() -> int:
        last = after
        for r in records:
            if r["states"]:
                states = load_states(r["states"])
                estate.apply(states)
                if touched is not None:
                    touched.update(states)
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
    start, snapshot_pos = await _start(repo, times[0], "from")
    records = await repo.read(cypher("audit/journal"), after=snapshot_pos, until=times[-1], through=None)

    def walk() -> list[Estate]:
        estate, done, found = start, set(), []
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


@dataclass(frozen=True)
class PrunePlan:
    """What pruning the history before a time would do."""

    cut: datetime  # asked: prune what was recorded before this
    pos: int  # the snapshot's position: every entry up to it was recorded before `cut` (0: nothing to prune)
    until: datetime | None  # the time the snapshot answers for (its newest entry's): the oldest time kept after
    entries: int  # journal entries at or before `pos`
    done_before: int  # the newest snapshot's position (0: none): a plan at or before it has nothing to do

    @property
    def needed(self) -> bool:
        return self.pos > self.done_before and self.until is not None


@dataclass(frozen=True)
class PruneResult:
    plan: PrunePlan
    items: int  # items in the snapshot
    snapshot_bytes: int  # its JSON
    entries_pruned: int  # entries whose states were dropped
    bytes_freed: int  # their JSON
    snapshots_dropped: int


async def plan_prune(repo: ItemRepository, cut: datetime) -> PrunePlan:
    """Where pruning the history before `cut` would stop, and whether there is anything to do."""
    records = await repo.read(cypher("audit/prune_plan"), cut=as_utc(cut))
    if not records:  # no journal yet
        return PrunePlan(as_utc(cut), 0, None, 0, 0)
    (r,) = records
    # as_utc: a time handed back carries the zone "UTC", and Cypher orders two equal instants in different zones
    # neither way (so `s.until <= $until` would fail at the snapshot's own time)
    until = as_utc(r["until"].to_native()) if r["until"] is not None else None
    return PrunePlan(as_utc(cut), int(r["pos"] or 0), until, int(r["entries"]), int(r["snapshotPos"] or 0))


async def prune(
    driver: AsyncDriver, database: str, cut: datetime, progress: Callable[[int, int], None] | None = None
) -> PruneResult | None:
    """Keep the estate's history from `cut` on: a snapshot of the estate as every entry recorded before `cut` left it,
    then those entries' states dropped (the audit entries stay) and older snapshots with them. None: nothing to do.

    Safe to stop at any point and to run while graphsvc writes: the snapshot is written in parts and only used once
    complete (an unfinished one is cleared by the next run); the states go only after that, and a replay that starts
    from the snapshot never reads them. `asOf` before the snapshot's time is then refused, naming it."""
    repo = ItemRepository(driver, database)
    plan = await plan_prune(repo, cut)
    if not plan.needed or plan.until is None:
        return None
    estate, snapshot_pos = await _start(repo, plan.until, "cut")
    estate, _ = await replay(repo, estate, snapshot_pos, plan.until, through=plan.pos)
    ids = sorted(estate.items)
    parts = [
        dump_states({i: ItemState(estate.items[i], estate.out.get(i, {})) for i in ids[n : n + SNAPSHOT_PART]})
        for n in range(0, len(ids), SNAPSHOT_PART)
    ]
    write = RoutingControl.WRITE
    await driver.execute_query(
        cypher("audit/snapshot_begin"), pos=plan.pos, until=plan.until, items=len(ids), database_=database
    )
    for n, data in enumerate(parts):
        await driver.execute_query(
            cypher("audit/snapshot_part"), pos=plan.pos, part=n, data=data, database_=database, routing_=write
        )
        if progress is not None:
            progress(n + 1, len(parts))
    await driver.execute_query(cypher("audit/snapshot_complete"), pos=plan.pos, database_=database, routing_=write)
    async with driver.session(database=database) as session:  # CALL { } IN TRANSACTIONS: an auto-commit query
        freed = await (await session.run(cypher("audit/prune_states"), pos=plan.pos)).single(strict=True)
    dropped, _, _ = await driver.execute_query(
        cypher("audit/snapshots_drop_older"), pos=plan.pos, database_=database, routing_=write
    )
    return PruneResult(
        plan,
        len(ids),
        sum(len(d.encode()) for d in parts),
        int(freed["entries"]),
        int(freed["bytes"] or 0),
        int(dropped[0]["dropped"]),
    )
