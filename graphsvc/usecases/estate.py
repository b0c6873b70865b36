"""The estate as of a time and/or with what-if edits, for every read and analysis to run on; and what changed
between two times (SEMANTICS.md, "The estate as of a time, and what-if").

Now (no time, or a time not yet past) is the database as it stands; an earlier time is the journal replayed to it
(db/journal.py). Edits apply to a copy in memory, in order: nothing is written, and the server's own graph copy is
never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graphsvc.db import journal
from graphsvc.db.items import ItemRepository
from graphsvc.domain.clock import as_utc
from graphsvc.domain.estate import Estate, EstateDiff, diff
from graphsvc.domain.whatif import Edit, apply_edits
from graphsvc.errors import InvalidArgument
from graphsvc.usecases.estate_reads import EstateReads

__all__ = ["MAX_EDITS", "EstateAt", "estate_at", "estate_diff"]

MAX_EDITS = 1_000


@dataclass(frozen=True)
class EstateAt:
    reads: EstateReads
    as_of: datetime | None  # the time answered for; None: now
    edits: int


async def _estate(repo: ItemRepository, as_of: datetime | None) -> tuple[Estate, datetime | None]:
    if as_of is None or as_utc(as_of) >= datetime.now(UTC):  # the future is now
        return await journal.estate_now(repo), None
    when = as_utc(as_of)
    return (await journal.estate_as_of(repo, when))[0], when


async def estate_at(repo: ItemRepository, as_of: datetime | None, edits: Sequence[Edit] = ()) -> EstateAt:
    """The estate at `as_of` (now if None or not yet past) with `edits` applied in order."""
    if len(edits) > MAX_EDITS:
        raise InvalidArgument(f"edits: {len(edits)} edits, at most {MAX_EDITS} are allowed")
    estate, when = await _estate(repo, as_of)
    return EstateAt(EstateReads(apply_edits(estate, edits)), when, len(edits))


async def estate_diff(repo: ItemRepository, start: datetime, end: datetime) -> tuple[EstateDiff, Estate, Estate]:
    """What changed from the estate as of `start` to the estate as of `end` (both replayed from the journal, so a
    time not yet past is the journal's last state), with the two estates."""
    start, end = as_utc(start), as_utc(end)
    if end < start:
        raise InvalidArgument(f"to ({end.isoformat()}) must not be before from ({start.isoformat()})")
    before, _ = await journal.estate_as_of(repo, start)
    after, _ = await journal.estate_as_of(repo, end)
    return diff(before, after), before, after
