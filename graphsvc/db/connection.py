"""Which Neo4j to use, and opening drivers to it.

`NEO4J_URI` (+ `NEO4J_USER`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`) when set; otherwise the managed local server,
started on demand. The same choice serves the API server, the CLI and the tests.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase, unit_of_work
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from graphsvc.db import instrument, movement
from graphsvc.db.local_server import LocalNeo4j
from graphsvc.errors import DatabaseError, DatabaseUnavailable, GraphsvcError, QueryTimeout
from graphsvc.settings import Neo4jSettings, Settings

__all__ = [
    "WRITE_TIMEOUT",
    "Connection",
    "Database",
    "Driver",
    "local_server",
    "open_async_driver",
    "open_driver",
    "resolve_connection",
    "timed_out",
    "translate_unavailable",
    "translated",
    "with_timeout",
]

P = ParamSpec("P")
T = TypeVar("T")


# The time limit of the write transactions of the current request (the server sets it per request; None: none).
WRITE_TIMEOUT: ContextVar[float | None] = ContextVar("graphsvc_write_timeout", default=None)


def timed_out(exc: Neo4jError) -> bool:
    """Neo4j stopped the transaction at its timeout: while running (TransactionTimedOut...) or while it waited for
    a lock (LockClientStopped, which a timeout causes when one is set)."""
    code = exc.code or ""
    return "TransactionTimedOut" in code or ("LockClientStopped" in code and WRITE_TIMEOUT.get() is not None)


def with_timeout(work: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """`work` as a transaction function with the request's write timeout, if one is set."""
    seconds = WRITE_TIMEOUT.get()
    return unit_of_work(timeout=seconds)(work) if seconds else work


def translate_unavailable(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Turn the driver's "cannot reach Neo4j" errors into DatabaseUnavailable, and a transaction cut off at its
    timeout into QueryTimeout, for the layers above."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc
        except Neo4jError as exc:
            if timed_out(exc):
                raise QueryTimeout(WRITE_TIMEOUT.get()) from exc
            raise DatabaseError(exc.code) from exc

    return wrapper


@dataclass(frozen=True)
class Connection:
    """Where a Neo4j is and how to log in."""

    uri: str
    user: str
    password: str
    database: str
    managed: bool

    def __repr__(self) -> str:  # never print the password
        return f"Connection(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"


def local_server(settings: Settings) -> LocalNeo4j:
    """The managed local server that `settings` describe."""
    return LocalNeo4j(
        settings.data_dir,
        bolt_port=settings.bolt_port,
        version=settings.neo4j_version,
        cache_dir=settings.resolved_cache_dir(),
        maven_dir=settings.maven_dir,
        heap_size=settings.heap_size,
        pagecache_size=settings.pagecache_size,
    )


def resolve_connection(settings: Settings, neo4j: Neo4jSettings | None = None, *, start: bool = True) -> Connection:
    """The connection to use; starts the managed server if `NEO4J_URI` is unset and `start` is true."""
    neo4j = neo4j or Neo4jSettings()
    if neo4j.uri:
        return Connection(neo4j.uri, neo4j.user, neo4j.password.get_secret_value(), neo4j.database, False)
    server = local_server(settings)
    uri = server.start() if start else server.uri
    return Connection(uri, server.user, server.password(), "neo4j", True)


def open_driver(conn: Connection) -> Driver:
    """A synchronous driver (CLI, tests)."""
    return GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password), notifications_min_severity="OFF")


ServerDriver = AsyncDriver  # the type the layers above db/ hold the process's driver as, without importing neo4j


@dataclass(frozen=True)
class Database:
    """The process's driver and database name, for the layers above db/: they hand db/'s functions a `bind` of them
    and never hold the driver themselves."""

    driver: AsyncDriver
    name: str

    def bind(self, fn: Callable[Concatenate[AsyncDriver, str, P], T]) -> Callable[P, T]:
        """`fn` with this driver and database name as its first two arguments."""

        def bound(*args: P.args, **kwargs: P.kwargs) -> T:
            return fn(self.driver, self.name, *args, **kwargs)

        return bound


def translated(exc: Exception, timeout: float | None = None) -> GraphsvcError:
    """The graphsvc error a driver exception stands for: what the layers above db/ catch (they never see neo4j's)."""
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return DatabaseUnavailable(type(exc).__name__)
    if isinstance(exc, Neo4jError):
        return QueryTimeout(timeout) if timed_out(exc) else DatabaseError(exc.code)
    return DatabaseUnavailable(type(exc).__name__)


def open_async_driver(conn: Connection, *, max_pool_size: int = 50, watched: bool = True) -> AsyncDriver:
    """The process's one AsyncDriver (the API server), its statements counted and traced (db/instrument.py), and
    unless not `watched`, what its sessions see of the database moving shared with the host's other graphsvc
    processes (db/movement.py)."""
    instrument.install()
    if watched:
        movement.install()
    return AsyncGraphDatabase.driver(
        conn.uri,
        auth=(conn.user, conn.password),
        max_connection_pool_size=max_pool_size,
        connection_acquisition_timeout=10.0,
        # An API request should fail fast with "database unavailable" rather than retry for the default 30 s.
        max_transaction_retry_time=5.0,
        notifications_min_severity="OFF",
    )
