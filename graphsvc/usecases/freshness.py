"""A check of whether kept answers are current, asked of the database only when something may have changed.

The in-memory graph and the kept answers are checked against a fingerprint read from Neo4j (one constant-time read).
Read for every request, that read is a round trip per answer even when nothing was written for hours. `CheckedRead`
answers the last fingerprint again, without asking, while both hold:

- no graphsvc process on this host has seen the database move since that fingerprint was read (db/movement.py: this
  process's writes, other workers' and `graphsvc import`'s on the host, and any bookmark a read brought back); and
- the fingerprint is younger than `seconds` (GRAPHSVC_RECHECK_SECONDS, 1 s unless configured), which bounds how long
  a write from elsewhere (cypher-shell, a graphsvc on another host) goes unseen.

So an answer is never older than a write made through graphsvc on this host, and a write from elsewhere is seen
within `seconds`. `seconds=0` reads the fingerprint for every call, as before.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from graphsvc.db import movement
from graphsvc.util import SharedRead

__all__ = ["CheckedRead"]

T = TypeVar("T")


class CheckedRead(Generic[T]):
    """`read()` shared by overlapping callers (SharedRead), and its last answer given again while it is current."""

    def __init__(
        self, read: Callable[[], Awaitable[T]], seconds: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._shared = SharedRead(read)
        self.seconds = seconds
        self._clock = clock
        self._last: tuple[T, tuple[int, bytes], float] | None = None  # (answer, stamp before the read, when)

    @property
    def runs(self) -> int:
        """How many times the database was asked (tests, logs)."""
        return self._shared.runs

    @property
    def idle(self) -> bool:
        return self._shared.idle

    def forget(self) -> None:
        """Ask the database next time."""
        self._last = None

    async def __call__(self) -> T:
        before = movement.stamp()
        started = self._clock()
        last = self._last
        if last is not None and self.seconds > 0 and last[1] == before and started - last[2] < self.seconds:
            return last[0]
        # The stamp is taken before the read: a move seen while it runs changes the stamp, so the next call reads
        # again rather than trust an answer that may predate it.
        answer = await self._shared()
        self._last = (answer, before, started)
        return answer
