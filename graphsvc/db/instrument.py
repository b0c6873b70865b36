"""Every Neo4j statement the process runs, counted and (with traces on) given a span named by its cypher/ file.

graphsvc runs its statements through the driver's `run` (in transaction functions, explicit transactions, sessions;
`execute_query` runs its statement through a transaction function too), so wrapping those three methods sees them
all, wherever in db/ they are sent from. The span's attributes are the statement's name and the database, never its
text's values or its parameters. The driver exposes no figure of its connection pool, so the statements in flight
(each holding a pooled connection) stand for its use.

The same wrapper passes each statement's list parameters as `Batch`es (db/params.py), for the driver's debug line.

`install()` wraps them once per process; open_async_driver calls it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from neo4j import AsyncManagedTransaction, AsyncSession, AsyncTransaction, Query

from graphsvc.db.cypher import statement_name
from graphsvc.db.params import Batch
from graphsvc.telemetry import metrics, tracing

__all__ = ["batched", "install", "name_of"]

_installed = False


def name_of(query: object) -> str:
    """The statement's cypher/ file name, or the metrics' OTHER."""
    text = query.text if isinstance(query, Query) else query
    return (statement_name(text) if isinstance(text, str) else None) or metrics.OTHER


def batched(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """`parameters` with every plain list as a Batch (db/params.py): the same values, but the driver's debug line,
    made for every statement even with debug logging off, writes a list as its length rather than its rows."""
    return {key: Batch(value) if type(value) is list else value for key, value in parameters.items()}


def _observed(run: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(run)
    async def observed(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        # parameters come as a dict (positional or `parameters=`) and as keywords: `run(query, params, **more)`
        if args and isinstance(args[0], Mapping):
            args = (batched(args[0]), *args[1:])
        if isinstance(kwargs.get("parameters"), Mapping):
            kwargs["parameters"] = batched(kwargs["parameters"])
        if kwargs:
            kwargs = batched(kwargs)
        name = name_of(query)
        metrics.NEO4J_IN_FLIGHT.inc()
        try:
            with tracing.span(f"neo4j {name}", **{"db.system": "neo4j", "db.operation.name": name}):
                result = await run(self, query, *args, **kwargs)
        except BaseException:
            metrics.NEO4J_QUERIES.labels(name, "error").inc()
            raise
        finally:
            metrics.NEO4J_IN_FLIGHT.dec()
        metrics.NEO4J_QUERIES.labels(name, "ok").inc()
        return result

    return observed


def install() -> None:
    """Wrap the driver's `run` methods (once)."""
    global _installed
    if _installed:
        return
    for cls in (AsyncManagedTransaction, AsyncTransaction, AsyncSession):
        setattr(cls, "run", _observed(cls.run))  # noqa: B010 (a method of the driver's, replaced on purpose)
    _installed = True
