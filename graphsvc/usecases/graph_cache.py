"""An in-memory copy of the whole dependency graph, so impact questions need no traversal in Neo4j.

A hub CI of a 100,000-CI estate reaches about 46,000 nodes: walking that in Neo4j and shipping it takes seconds,
while the same walk in memory takes a fraction of one. The copy is checked before every use against a fingerprint
(one constant-time read: the version every graphsvc write to the graph bumps, and the count-store totals of items
and edges). When it is stale, the answer comes from Neo4j as before while a fresh copy loads in the background.

So answers are never stale for writes made through graphsvc. A change made to the graph behind graphsvc's back
(say, a status set in cypher-shell) that adds or deletes no item or edge is seen after the next graphsvc write or
restart; docs/operations.md says so. `GRAPHSVC_GRAPH_CACHE=false` turns the copy off, and estates with more than
`GRAPHSVC_GRAPH_CACHE_MAX_ITEMS` services, CIs and groups are never copied.
"""

from __future__ import annotations

import asyncio
import logging
import time

from graphsvc.db import graph as g
from graphsvc.db.items import ItemRepository
from graphsvc.domain.graph import DependencyGraph

__all__ = ["GraphCache"]

log = logging.getLogger("graphsvc")


class GraphCache:
    """One process's copy of the dependency graph; `current()` returns it only while it is up to date."""

    def __init__(self, repo: ItemRepository, *, max_items: int) -> None:
        self.repo = repo
        self.max_items = max_items
        self.graph: DependencyGraph | None = None
        self.fingerprint: g.Fingerprint | None = None
        self._loading: asyncio.Task[None] | None = None
        self.loads = 0  # how many times the graph was read whole (tests and logs)
        self.load_seconds: float | None = None  # how long the last load took

    async def current(self) -> DependencyGraph | None:
        """The copy if it matches the database now; otherwise None (and a reload starts in the background)."""
        now = await g.fingerprint(self.repo)
        if self.graph is not None and now == self.fingerprint:
            return self.graph
        if now[1] <= self.max_items and (self._loading is None or self._loading.done()):
            self._loading = asyncio.create_task(self._load(now))
        return None

    async def wait(self) -> DependencyGraph | None:
        """Load now if needed and wait for it (startup warm-up and tests)."""
        if await self.current() is None and self._loading is not None:
            await self._loading
        return await self.current()

    async def _load(self, seen: g.Fingerprint) -> None:
        started = time.perf_counter()
        try:
            graph = await g.whole_graph(self.repo)
        except Exception:  # a failed warm-up must not take the server down: answers come from Neo4j meanwhile
            log.exception("loading the dependency graph into memory failed")
            return
        # `seen` was read before the load began: a write during the load makes the next check reload again.
        self.graph, self.fingerprint = graph, seen
        self.loads += 1
        self.load_seconds = time.perf_counter() - started
        log.info(
            "dependency graph in memory: %d nodes in %.1f s (version %s)",
            len(graph.nodes),
            time.perf_counter() - started,
            seen[0],
        )

    async def close(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            try:
                await self._loading
            except asyncio.CancelledError:
                pass
