"""The server's graph copy loaded in a process of its own and shared through a file that every worker maps.

Loaded in the server's own process, a 1,000,000-CI graph left it 625 MiB larger, though its data is about 350 MiB:
the rest is memory the load passed through, which Python's allocator keeps (docs/benchmarks.md, "Memory"), and each
of `--workers N` paid all of it. Here a child process (`python -m graphsvc.usecases.graph_share`) reads the graph
from Neo4j, packs it with its impact arrays and writes it to a file (usecases/graph_file.py), then exits, handing
back everything it used. The server maps the file read-only: its columns are the page cache's, one copy for every
worker, and the process holds only the ids and their index as objects.

The workers of one `graphsvc serve` share a folder (GRAPHSVC_GRAPH_SHARE_DIR, made and removed by `serve`; a
single process makes its own). A file is named by the database fingerprint it was loaded under, and one lock file
per name (`flock`) makes the first worker to want it load it while the others wait, then map the same file. A
newer file replaces the older ones; a worker still mapping one keeps it (its pages) until it lets the graph go.

The child is given the connection on its standard input (so the password is in no command line or environment),
reports how many nodes it has read on its standard output (for /readyz), and stops if the server goes away (its
standard input closes). Its error output is logged by the server when a load fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.analysis.impact_arrays import arrays_of
from graphsvc.db import graph as g
from graphsvc.db.connection import Connection, open_async_driver
from graphsvc.db.items import ItemRepository
from graphsvc.domain.graph import DependencyGraph
from graphsvc.usecases.graph_file import GraphFileError, mapped, write

__all__ = ["GraphShare", "LoadFailed"]

log = logging.getLogger("graphsvc")

PREFIX = "graph-"
LOCK_POLL_SECONDS = 0.1


class LoadFailed(Exception):
    """The loading process failed: its last lines of error output say why."""


@dataclass(frozen=True)
class GraphShare:
    """A folder the server's processes share graph files in, and the connection a loading process uses."""

    directory: Path
    connection: Connection
    timeout: float | None = None  # each read's transaction timeout, as the server's own

    def name(self, fingerprint: g.Fingerprint) -> str:
        """The file of the graph under `fingerprint`: graph-<the database, 8 hex digits>-<the fingerprint, 16>."""
        database = hashlib.sha256(json.dumps([self.connection.uri, self.connection.database]).encode())
        version = hashlib.sha256(json.dumps(fingerprint).encode())
        return f"{PREFIX}{database.hexdigest()[:8]}-{version.hexdigest()[:16]}"

    async def graph(self, fingerprint: g.Fingerprint, progress: Callable[[int], None]) -> DependencyGraph:
        """The graph loaded under `fingerprint`: mapped from the file a worker made of it, or loaded now (in a
        child process) and mapped. `progress` hears the nodes read when this process is the one loading."""
        name = self.name(fingerprint)
        path = self.directory / name
        async with _locked(self.directory / f"{name}.lock"):
            if _exists(path):
                try:
                    return await asyncio.to_thread(mapped, path)
                except (GraphFileError, OSError) as exc:  # not one this code can read (cut short, removed): again
                    log.warning("graph file %s unusable (%s): loading the graph again", path, exc)
                    path.unlink(missing_ok=True)
            await self._load(path, progress)
            graph = await asyncio.to_thread(mapped, path)
        self._forget_others(name)
        return graph

    async def _load(self, path: Path, progress: Callable[[int], None]) -> None:
        # not the server's metrics folder: the child is no worker whose figures /metrics should sum
        environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "graphsvc.usecases.graph_share",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        conn = self.connection
        config = {
            "uri": conn.uri,
            "user": conn.user,
            "password": conn.password,
            "database": conn.database,
            "path": str(path),
            "timeout": self.timeout,
        }
        errors = asyncio.create_task(child.stderr.read())
        try:
            child.stdin.write(json.dumps(config).encode() + b"\n")
            await child.stdin.drain()  # kept open: the child stops when it closes (this process gone)
            peak, phases = None, {}
            async for line in child.stdout:
                if line.startswith(b"peak "):
                    peak = int(line.split()[1]) / 1024
                elif line.startswith(b"phase "):
                    _, phase, seconds = line.decode().split()
                    phases[phase] = float(seconds)
                else:
                    with contextlib.suppress(ValueError):
                        progress(int(line))
            code = await child.wait()
        except BaseException:  # cancelled (the server stopping, a newer load): the child goes too
            with contextlib.suppress(ProcessLookupError):
                child.kill()
            await child.wait()
            errors.cancel()
            raise
        finally:
            child.stdin.close()
        told = (await errors).decode(errors="replace").strip().splitlines()
        if code != 0 or not _exists(path):
            raise LoadFailed(f"the graph loading process ended with {code}: " + " | ".join(told[-5:]))
        log.info(
            "graph loaded in a process of its own (its peak resident memory %.0f MiB; %s)",
            peak or 0,
            ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in phases.items()),
        )

    def _forget_others(self, keep: str) -> None:
        """Remove this database's files older than `keep` (a process mapping one keeps its pages until it lets that
        graph go), each only while nobody holds its lock (a worker loading or mapping it): never a file being
        written (those have a suffix), nor a newer one, nor another database's."""
        import fcntl

        try:
            kept = (self.directory / keep).stat().st_mtime
        except FileNotFoundError:
            return
        same = keep[: len(PREFIX) + 9]  # graph-<database>-
        for other in self.directory.iterdir():
            name = other.name
            if not name.startswith(same) or len(name) != len(keep) or name == keep:
                continue
            fd = os.open(self.directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                if other.stat().st_mtime <= kept:
                    other.unlink()
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)


def _exists(path: Path) -> bool:
    return path.exists()  # a stat: not worth a thread


@contextlib.asynccontextmanager
async def _locked(path: Path) -> AsyncIterator[None]:
    """Hold an exclusive `flock` on `path`, waiting for it without blocking the event loop (and cancellably)."""
    import fcntl  # POSIX only: the app makes no GraphShare where it is missing

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # and with it the lock


# The loading process --------------------------------------------------------------------------------------------


async def _load(config: dict[str, Any]) -> None:
    conn = Connection(config["uri"], config["user"], config["password"], config["database"], False)
    # not watched (db/movement.py): this process's reads are no news to the server's
    started = time.perf_counter()
    driver = open_async_driver(conn, max_pool_size=2, watched=False)
    try:
        repo = ItemRepository(driver, conn.database, timeout=config["timeout"])
        graph = await g.whole_graph(repo, progress=lambda n: print(n, flush=True))
    finally:
        await driver.close()
    read = time.perf_counter()
    arrays_of(graph)
    arrays = time.perf_counter()
    write(Path(config["path"]), graph)
    for phase, seconds in (
        ("read", read - started),
        ("arrays", arrays - read),
        ("write", time.perf_counter() - arrays),
    ):
        print("phase", phase, f"{seconds:.3f}", flush=True)
    import resource  # POSIX, as this whole process

    print("peak", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)  # KiB on Linux


def _stop_when_orphaned() -> None:
    while os.read(0, 4096):  # unbuffered: returns b"" when the server closes its end, or goes
        pass
    os._exit(3)


def main() -> None:
    line = b""
    while not line.endswith(b"\n"):  # the connection, one JSON line (read unbuffered: the thread below reads on)
        got = os.read(0, 4096)
        if not got:
            raise SystemExit("graph loading process: no connection given on standard input")
        line += got
    config = json.loads(line)
    threading.Thread(target=_stop_when_orphaned, daemon=True).start()
    asyncio.run(_load(config))
    sys.stdout.flush()
    os._exit(0)  # the file is written: no need to free a million objects one by one


if __name__ == "__main__":
    main()
