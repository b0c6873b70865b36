"""One read shared by the callers waiting for it, each of whom still sees what was written before they asked."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

__all__ = ["SharedRead"]

T = TypeVar("T")


class SharedRead(Generic[T]):
    """Calls of `read()` that overlap share its runs: at most one runs, and at most one more is waited for.

    A caller never takes the answer of a run that began before it called (a write it has already seen committed
    might be missing from it). So a caller who arrives while a run is going waits for the next one, which starts as
    soon as the current one ends and serves everyone who arrived meanwhile. Under 32 concurrent requests that is
    two reads in flight instead of 32, with the same guarantee as reading for each request.

    A failed run fails each of its callers with the same error; the next call starts afresh. A caller that is
    cancelled does not cancel the run the others wait for.
    """

    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._running: asyncio.Future[T] | None = None  # the run going now
        self._next: asyncio.Future[T] | None = None  # the answer of the run that starts when it ends
        self.runs = 0  # how many times `read` was called (tests, logs)

    @property
    def idle(self) -> bool:
        """No run is going or waited for."""
        return self._running is None and self._next is None

    async def __call__(self) -> T:
        if self._running is None:
            future = self._start()
        else:
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            future = self._next
        return await asyncio.shield(future)

    def _start(self) -> asyncio.Future[T]:
        self.runs += 1
        running = self._running = asyncio.ensure_future(self._read())
        running.add_done_callback(self._ended)
        return running

    def _ended(self, ended: asyncio.Future[T]) -> None:
        _retrieve(ended)
        self._running = None
        waiting, self._next = self._next, None
        if waiting is None:
            return
        waiting.add_done_callback(_retrieve)
        try:
            following = self._start()
        except Exception as exc:  # `read` raised before it was even a coroutine: its callers hear of it
            waiting.set_exception(exc)
            return

        def hand_over(done: asyncio.Future[T]) -> None:
            if waiting.done():
                return
            if done.cancelled():
                waiting.cancel()
            elif (error := done.exception()) is not None:
                waiting.set_exception(error)
            else:
                waiting.set_result(done.result())

        following.add_done_callback(hand_over)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Marks a failure as seen: its callers each raise it, and if they all went away nobody else need hear of it."""
    if not future.cancelled():
        future.exception()
