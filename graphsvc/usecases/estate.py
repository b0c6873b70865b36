"""The estate as of a time and/or with what-if edits, for every read and analysis to run on; and what changed
between two times (SEMANTICS.md, "The estate as of a time, and what-if").

Now (no time, or a time not yet past) is the database as it stands; an earlier time is the journal replayed to it
(db/journal.py). Edits apply to a copy in memory, in order: nothing is written, and the server's own graph copy is
never touched.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graphsvc.db import journal
from graphsvc.db.items import ItemRepository
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import Estate, EstateDiff, diff
from graphsvc.domain.whatif import Edit, apply_edits, touched_by
from graphsvc.errors import InvalidArgument
from graphsvc.usecases.estate_reads import EstateReads
from graphsvc.usecases.kept_graph import FREEZE_FROM, settle

__all__ = ["MAX_EDITS", "EstateAt", "EstateCache", "estate_at", "estate_diff"]

log = logging.getLogger("graphsvc")

MAX_EDITS = 1_000
PAST_KEPT = 2  # estates as of a past time kept by the server (each about as large as the estate of now)
REWIRE_UP_TO = 20  # the estate of now's graph is rewired when writes since touched at most 1/20 of the items


@dataclass(frozen=True)
class EstateAt:
    reads: EstateReads
    as_of: datetime | None  # the time answered for; None: now
    edits: int


class EstateCache:
    """The server's estate of now: replayed from the journal once, then brought forward by the entries recorded
    since (each graphsvc write adds one small entry), so that `estate(edits:)` of now starts from a copy of it and its
    graph is the kept one rewired (usecases/estate_reads.rewired), not a new build.

    Kept while the estate has at most `max_items` items (GRAPHSVC_GRAPH_CACHE_MAX_ITEMS) and `keep` is on
    (GRAPHSVC_GRAPH_CACHE); otherwise each request replays the journal. As the in-memory graph, it sees the writes
    made through graphsvc: a change made behind graphsvc's back is not in the journal (docs/operations.md)."""

    def __init__(self, repo: ItemRepository, *, max_items: int, keep: bool = True) -> None:
        self.repo = repo
        self.max_items = max_items
        self.keep = keep
        self._head: tuple[int, EstateReads] | None = None
        self._lock = asyncio.Lock()
        self.replays = 0  # whole replays from the start (tests)
        self.from_database = 0  # times the journal fell short and the database was read instead (tests)
        self._past: OrderedDict[tuple[int, int], EstateReads] = OrderedDict()  # the last few estates as of a time

    async def as_of(self, when: datetime) -> EstateReads:
        """The estate as of a past time; the last PAST_KEPT asked for are kept (a review asks of one time often)."""
        key = await journal.seen_at(self.repo, when)
        found = self._past.get(key)
        if found is not None:
            self._past.move_to_end(key)
            return found
        reads = EstateReads((await journal.estate_as_of(self.repo, when))[0])
        if self._keeps(reads):
            self._past[key] = reads
            while len(self._past) > PAST_KEPT:
                self._past.popitem(last=False)
            await self._settle(reads)
        return reads

    async def now(self) -> EstateReads:
        """The estate as the journal's last entry leaves it."""
        position = await journal.head(self.repo)
        async with self._lock:
            kept = self._head
            if kept is not None and kept[0] == position:
                return kept[1]
            now = datetime.now(UTC)
            touched: set[str] = set()
            if kept is not None and kept[0] < position:
                estate, last = await journal.replay(self.repo, kept[1].estate.copy(), kept[0], now, touched)
            else:
                self.replays += 1
                estate, last = await journal.estate_as_of(self.repo, now)
            if len(estate.items) != await journal.item_total(self.repo):
                estate = await self._from_database(len(estate.items))
                touched.clear()
            # a few writes since: the kept graph rewired around the items they touched, not built again
            few = kept is not None and 0 < len(touched) <= len(estate.items) // REWIRE_UP_TO
            reads = EstateReads(estate, kept[1], touched) if few and kept is not None else EstateReads(estate)
            self._head = (last, reads) if self._keeps(reads) else None
            if self._head is not None and not few:
                await self._settle(reads)
            return reads

    def _keeps(self, reads: EstateReads) -> bool:
        return self.keep and len(reads.estate.items) <= self.max_items

    @staticmethod
    async def _settle(reads: EstateReads) -> None:
        """A large estate about to be kept: its graph and impact arrays made now, and all of it moved out of the
        cyclic collector's reach, as the server's graph copy is (usecases/graph_cache.py): at 100,000 CIs a full
        collection walking it took a what-if from 0.1 s to 0.5 s every few requests."""
        if len(reads.estate.items) >= FREEZE_FROM:
            await settle(await reads.whole_graph())

    async def _from_database(self, replayed: int) -> Estate:
        """The estate of now read from the database, when the journal does not account for every item (an import
        cut short before it recorded its states, or items written behind graphsvc's back)."""
        log.warning(
            "the estate's journal accounts for %d items but the database holds others (an import cut short, or "
            "writes made behind graphsvc): the estate of now is read from the database; earlier times may miss "
            "them until an import of them completes",
            replayed,
        )
        self.from_database += 1
        return await journal.estate_now(self.repo)


async def _estate(repo: ItemRepository, as_of: datetime | None, cache: EstateCache | None) -> EstateAt:
    if as_of is None or as_utc(as_of) >= datetime.now(UTC):  # the future is now
        reads = await cache.now() if cache is not None else EstateReads((await journal.estate_as_of(repo, now()))[0])
        return EstateAt(reads, None, 0)
    when = as_utc(as_of)
    if cache is not None:
        return EstateAt(await cache.as_of(when), when, 0)
    return EstateAt(EstateReads((await journal.estate_as_of(repo, when))[0]), when, 0)


def now() -> datetime:
    return datetime.now(UTC)


async def estate_at(
    repo: ItemRepository, as_of: datetime | None, edits: Sequence[Edit] = (), cache: EstateCache | None = None
) -> EstateAt:
    """The estate at `as_of` (now if None or not yet past) with `edits` applied in order."""
    if len(edits) > MAX_EDITS:
        raise InvalidArgument(f"edits: {len(edits)} edits, at most {MAX_EDITS} are allowed")
    found = await _estate(repo, as_of, cache)
    if not edits:
        return found
    edited = await asyncio.to_thread(apply_edits, found.reads.estate, edits)
    return EstateAt(EstateReads(edited, found.reads, touched_by(edits)), found.as_of, len(edits))


async def estate_diff(repo: ItemRepository, start: datetime, end: datetime) -> tuple[EstateDiff, Estate, Estate]:
    """What changed from the estate as of `start` to the estate as of `end` (both replayed from the journal, so a
    time not yet past is the journal's last state), with the two estates."""
    start, end = as_utc(start), as_utc(end)
    if end < start:
        raise InvalidArgument(f"to ({end.isoformat()}) must not be before from ({start.isoformat()})")
    before, position = await journal.estate_as_of(repo, start)
    after, _ = await journal.replay(repo, before.copy(), position, end)
    return await asyncio.to_thread(diff, before, after), before, after
