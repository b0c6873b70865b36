"""The event feed of one server process: one poller reads the audit trail (db/audit_feed.py) every
`subscription_poll_seconds` while anyone is subscribed, and hands each write to every subscriber's bounded queue.

Delivery is at most once, from subscription time: a subscriber gets the writes the poller reads after it joined, in
commit order (a write committed within one poll interval before it joined may be among them); nothing is replayed,
and a subscriber that falls `queue` events behind is dropped (`SubscriberDropped`) rather than slowing the others or
growing memory. When the last subscriber leaves, the poller stops; the next one starts from the newest write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from graphsvc.db.audit_feed import AuditFeed
from graphsvc.domain.events import WriteEvent
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout

__all__ = ["EventFeed", "Subscriber", "SubscriberDropped", "TooManySubscriptions"]

log = logging.getLogger("graphsvc")
_DROPPED = object()  # put in a dropped subscriber's (emptied) queue to wake it


class TooManySubscriptions(Exception):
    def __init__(self, who: str, limit: int) -> None:
        super().__init__(
            f"{who} already holds {limit} subscriptions (GRAPHSVC_MAX_SUBSCRIPTIONS_PER_TOKEN): end one (complete) "
            "before starting another"
        )


class SubscriberDropped(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the subscriber fell {limit} events behind (GRAPHSVC_SUBSCRIPTION_QUEUE) and was dropped: read events "
            "as they come, subscribe again, and read what was missed from auditLog"
        )


class Subscriber:
    """One subscription's queue of writes; iterate it for them (SubscriberDropped if it fell too far behind)."""

    def __init__(self, feed: EventFeed, who: str, size: int) -> None:
        self.feed = feed
        self.who = who
        self.size = size
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=size)
        self.dropped = False

    def offer(self, event: WriteEvent) -> bool:
        """Queue `event`; False (and the subscriber is dropped) if its queue is full."""
        try:
            self.queue.put_nowait(event)
            return True
        except asyncio.QueueFull:
            self.dropped = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_DROPPED)
            return False

    async def __aiter__(self) -> AsyncIterator[WriteEvent]:
        try:
            while True:
                event = await self.queue.get()
                if event is _DROPPED:
                    raise SubscriberDropped(self.size)
                assert isinstance(event, WriteEvent)
                yield event
        finally:
            self.feed.leave(self)


class EventFeed:
    """The process's poller and its subscribers (see the module docstring)."""

    def __init__(self, reader: AuditFeed, *, interval: float, queue: int, per_token: int) -> None:
        self.reader = reader
        self.interval = interval
        self.queue = queue
        self.per_token = per_token
        self.subscribers: set[Subscriber] = set()
        self.dropped = 0  # subscribers dropped for falling behind, since the start
        self.polls = 0
        self._task: asyncio.Task[None] | None = None
        self._started = asyncio.Event()  # set once the poller knows where it starts from

    def held_by(self, who: str) -> int:
        return sum(1 for s in self.subscribers if s.who == who)

    async def join(self, who: str) -> Subscriber:
        """A new subscriber for `who` (a token id), getting the writes committed from now on; TooManySubscriptions if
        `who` holds its limit. Returns once the poller knows its starting point, so a write made after this returns
        is delivered."""
        if self.held_by(who) >= self.per_token:
            raise TooManySubscriptions(who, self.per_token)
        subscriber = Subscriber(self, who, self.queue)
        self.subscribers.add(subscriber)
        if self._task is None or self._task.done():
            self._started = asyncio.Event()
            self._task = asyncio.create_task(self._poll(), name="graphsvc-event-feed")
        started = asyncio.ensure_future(self._started.wait())
        # Bounded: with Neo4j away, the subscriber gets the writes from when the poller can read again.
        await asyncio.wait({started, self._task}, timeout=10.0, return_when=asyncio.FIRST_COMPLETED)
        started.cancel()
        return subscriber

    @property
    def listening(self) -> int:
        """Subscribers the poller is reading for (0 until it knows where it starts from)."""
        return len(self.subscribers) if self._started.is_set() and self._task is not None else 0

    def leave(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        if not self.subscribers and self._task is not None:
            self._task.cancel()
            self._task = None

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _poll(self) -> None:
        failures = 0
        position: int | None = None
        while True:
            try:
                if position is None:
                    position = await self.reader.head()
                    self._started.set()
                else:
                    events, position = await self.reader.after(position)
                    self.polls += 1
                    for event in events:
                        self._fan_out(event)
                failures = 0
            except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError) as exc:
                failures += 1
                log.warning("the event feed could not read the audit trail (%s); trying again", exc)
            except Exception:  # a bug must not leave every subscriber waiting on a dead poller in silence
                failures += 1
                log.exception("the event feed failed reading the audit trail; trying again")
            # A database that does not answer is asked less often, up to every 10 s.
            await asyncio.sleep(min(self.interval * 2**failures, max(self.interval, 10.0)))

    def _fan_out(self, event: WriteEvent) -> None:
        for subscriber in list(self.subscribers):
            if not subscriber.dropped and not subscriber.offer(event):
                self.dropped += 1
                log.warning("a subscriber of %s fell %d events behind and was dropped", subscriber.who, self.queue)
