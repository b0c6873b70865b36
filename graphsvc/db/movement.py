"""Whether the database may have moved since a moment, known without asking it.

Neo4j hands a bookmark back at the end of every transaction, a read's included: the newest transaction the server
had committed. So every session this process closes says whether the database moved since the bookmarks seen
before: through this process's own writes (a write's session closes after its commit, before the write returns to
its caller), or, as soon as any read runs, through someone else's. `stamp()` changes whenever a closing session
brings a bookmark not seen before, or a session ends without saying (cancelled).

The processes of one host share what they saw through a small file (`shared_path()`, 16 bytes): a
process that sees a new bookmark writes a new token there, and `stamp()` includes the token. So a write through one
`graphsvc serve` worker, or a `graphsvc import` on the same host, changes the stamp of every other graphsvc process
there before the writer answers.

What it cannot see: a write by something that is not graphsvc (cypher-shell, another host's graphsvc), until this
process runs a read of its own. usecases/freshness.py bounds that by looking again after a few seconds
(`GRAPHSVC_RECHECK_SECONDS`).

`install()` wraps the driver's session close (once per process; open_async_driver calls it, as db/instrument.py).
"""

from __future__ import annotations

import functools
import logging
import os
import stat
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from neo4j import AsyncSession, Session

__all__ = ["install", "moved", "shared_path", "stamp"]

log = logging.getLogger("graphsvc")

TOKEN_BYTES = 16
_SEEN_MAX = 256  # bookmarks remembered: one per database this process talks to, with room to spare

_installed = False
_epoch = 0  # bumped when this process sees the database move
_seen: dict[str, None] = {}  # bookmarks seen lately, oldest first
_shared: int | None = None  # the token file's descriptor
_shared_tried = False


def shared_path() -> Path:
    """The host's token file: GRAPHSVC_MOVEMENT_FILE, else per user in the temporary directory (TMPDIR, else /tmp).
    Processes that share a database must share it; the test suite gives itself one of its own."""
    override = os.environ.get("GRAPHSVC_MOVEMENT_FILE")
    if override:
        return Path(override)
    return Path(tempfile.gettempdir()) / f"graphsvc-{os.getuid()}" / "movement"


def _open_shared() -> int | None:
    """The token file's descriptor, opened once: in a directory of this user's only, never through a symlink, a
    regular file of this user's. Read and written with pread/pwrite (a file cut short reads short, never a crash)."""
    global _shared, _shared_tried
    if _shared_tried:
        return _shared
    _shared_tried = True
    path = shared_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        where = os.stat(path.parent)
        if where.st_uid != os.getuid() or where.st_mode & 0o077:
            raise OSError(f"{path.parent} must belong to this user and be private to it (mode 0700)")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.getuid():
            os.close(fd)
            raise OSError(f"{path} is not a regular file of this user's")
        if found.st_size < TOKEN_BYTES:
            os.pwrite(fd, os.urandom(TOKEN_BYTES), 0)
        _shared = fd
    except OSError as exc:  # no shared file: each process still knows its own writes, and looks again in time
        log.warning("writes of other graphsvc processes on this host are seen by time only: %s: %s", path, exc)
        _shared = None
    return _shared


def stamp() -> tuple[int, bytes]:
    """Equal to an earlier stamp only if no graphsvc process of this host has seen the database move since."""
    shared = _open_shared()
    if shared is None:
        return _epoch, b""
    try:
        return _epoch, os.pread(shared, TOKEN_BYTES, 0)
    except OSError:
        return _epoch, os.urandom(TOKEN_BYTES)  # unreadable now: unlike any earlier stamp, so the caller looks


def moved() -> None:
    """The database may have moved: change this process's stamp and the host's token (random, so that no two
    processes, even of the same pid in two containers, write the same)."""
    global _epoch
    _epoch += 1
    shared = _open_shared()
    if shared is not None:
        try:
            os.pwrite(shared, os.urandom(TOKEN_BYTES), 0)
        except OSError as exc:
            log.warning("could not tell other graphsvc processes of a write: %s", exc)


def _saw(bookmarks: Any) -> None:
    new = [b for b in bookmarks.raw_values if b not in _seen]
    if not new:
        return
    for b in new:
        _seen[b] = None
    while len(_seen) > _SEEN_MAX:
        del _seen[next(iter(_seen))]
    moved()


def _async_close(close: Callable[[AsyncSession], Awaitable[None]]) -> Callable[[AsyncSession], Awaitable[None]]:
    @functools.wraps(close)
    async def closing(self: AsyncSession) -> None:
        try:
            bookmarks = None if self.closed() else await self.last_bookmarks()
        except Exception:  # whatever happened, the session cannot say: the database may have moved
            moved()
            bookmarks = None
        try:
            await close(self)
        finally:
            if bookmarks is not None:
                _saw(bookmarks)

    return closing


def _sync_close(close: Callable[[Session], None]) -> Callable[[Session], None]:
    @functools.wraps(close)
    def closing(self: Session) -> None:
        try:
            bookmarks = None if self.closed() else self.last_bookmarks()
        except Exception:
            moved()
            bookmarks = None
        try:
            close(self)
        finally:
            if bookmarks is not None:
                _saw(bookmarks)

    return closing


def _async_exit(exit_: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    @functools.wraps(exit_)
    async def exiting(self: AsyncSession, kind: Any, value: Any, traceback: Any) -> None:
        try:
            await exit_(self, kind, value, traceback)
        finally:
            # Left by an exception: a write may have committed without its bookmark coming back (a connection lost
            # at commit), or the session was dropped without a close (cancelled). Look again rather than trust.
            if kind is not None:
                moved()

    return exiting


def install() -> None:
    """Watch every session's close (once)."""
    global _installed
    if _installed:
        return
    setattr(AsyncSession, "close", _async_close(AsyncSession.close))  # noqa: B010 (the driver's, wrapped on purpose)
    setattr(AsyncSession, "__aexit__", _async_exit(AsyncSession.__aexit__))  # noqa: B010
    setattr(Session, "close", _sync_close(Session.close))  # noqa: B010
    _installed = True
