"""Generic helpers with nothing of graphsvc's domain in them.

- `cyclic_gc_paused` and `keep_out_of_collections`: keeping Python's cyclic garbage collector off large acyclic
  data: paused around bulk work, and the long-lived in-memory graph kept out of its passes.
- `SharedRead`: one read shared by the callers waiting for it, each of whom still sees what was written before they
  asked.
- `KeptByIdentity`: what was worked out from an object (a parsed document), kept by the object's identity.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import orjson

__all__ = ["KeptByIdentity", "SharedRead", "cyclic_gc_paused", "json_bytes", "keep_out_of_collections"]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off, and back on afterwards if it was on.

    For work that builds millions of small dicts and lists holding no reference cycles (generated documents,
    imports): reference counting frees all of it anyway, and the collector's full passes only rescan the live
    objects again and again. Cycles made elsewhere in the process meanwhile are collected once it is back on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def keep_out_of_collections() -> None:
    """Collect once, then move every object alive now out of the collector's reach (`gc.freeze`).

    Called once a large graph is loaded. The server's requests make some cyclic garbage (about 300 objects each),
    and the collector's full passes over it also walked the millions of objects of the in-memory graph: at 100k CIs,
    a pause of 0.45 to 0.7 s every 2 to 4 s under load. Frozen, the graph is not walked again; it holds no cycles,
    so reference counting still frees it when a newer graph replaces it. The collection first (and the unfreeze
    before it) keeps garbage from being frozen along: what was frozen last time is looked at once more.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def release_free_memory() -> bool:
    """Hand the C allocator's free memory back to the system (glibc's `malloc_trim`); False where there is none.

    Called after a large graph loads: the rows it was read from, and the buffers it was packed through, are freed,
    but glibc keeps freed blocks in its heap, resident, for the next allocation. At 1,000,000 CIs that was about
    200 MiB the process held after the load and never used again (docs/benchmarks.md, "Memory")."""
    global _LIBC
    if _LIBC is None:
        try:
            _LIBC = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not Linux with glibc: nothing to do
            _LIBC = False
    if _LIBC is False:
        return False
    _LIBC(0)
    return True


_LIBC: Any = None

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


class KeptByIdentity(Generic[T]):
    """Values worked out from an object, kept by the object's identity: at most `maxsize`, the oldest dropped first.

    For objects that are expensive to hash and handed back as the same object when they are the same (strawberry's
    ParserCache gives the same parsed document for the same text; its nodes are the same nodes): an `lru_cache` would
    hash the whole tree on every call. Each entry holds its object, so the object's id stays its own while the entry
    is kept. `also` are further values an entry must have been made with (the schema, the validation rules), compared
    with `==`."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._kept: dict[int, tuple[object, tuple[object, ...], T]] = {}

    def get_or_make(self, obj: object, make: Callable[[], T], *also: object) -> T:
        entry = self._kept.get(id(obj))
        if entry is not None and entry[0] is obj and entry[1] == also:
            return entry[2]
        value = make()
        if entry is None and len(self._kept) >= self.maxsize:
            self._kept.pop(next(iter(self._kept)))
        self._kept[id(obj)] = (obj, also, value)
        return value

    def __len__(self) -> int:
        return len(self._kept)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Marks a failure as seen: its callers each raise it, and if they all went away nobody else need hear of it."""
    if not future.cancelled():
        future.exception()


def json_bytes(value: object) -> bytes:
    """`value` as compact JSON: orjson's (a 500 KB browse page in 0.3 ms, where json.dumps takes 5 ms), or json.dumps'
    for what orjson refuses (an integer past 64 bits, a key that is not text). Both write the same values; orjson
    leaves non-ASCII text as UTF-8 where json.dumps escapes it."""
    try:
        return orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, separators=(",", ":")).encode()
