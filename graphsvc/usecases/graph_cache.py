"""What the server keeps between requests about the dependency graph: a copy of the whole graph, checked before
every use.

A hub CI of a 100,000-CI estate reaches about 46,000 nodes: walking that in Neo4j and shipping it takes seconds,
while the same walk in memory takes a fraction of one. Beside it is kept what impacts expose (the owners of every
service and CI; the consumers, SLAs and requirements of every service), so an impact's whole answer needs no read.
The copy is checked before every use against a fingerprint (one constant-time read: the version every graphsvc
write to the graph, its business units, SLAs, teams or requirements bumps, and count-store totals of items and
edges), and that read is itself skipped while no graphsvc process on this host has seen the database move and the
last one is younger than GRAPHSVC_RECHECK_SECONDS (usecases/freshness.py). When the copy is stale, the answer comes
from Neo4j as before while a fresh copy loads in the background.

So answers are never stale for writes made through graphsvc on this host. A change made behind graphsvc's back that
adds or deletes an item or edge is seen within GRAPHSVC_RECHECK_SECONDS; one that adds or deletes none (say, a
status set in cypher-shell) is seen after the next graphsvc write or restart; docs/operations.md says so.
`GRAPHSVC_GRAPH_CACHE=false` keeps no copy, and estates with more than
`GRAPHSVC_GRAPH_CACHE_MAX_ITEMS` services, CIs and groups are never copied.

Analyses of the whole estate that depend only on what the version covers (cost allocation: costs, dependencies,
memberships, business units and their consumption) are remembered under the same fingerprint (`remember`), also
when the estate is too large to copy: they are computed once per version, and requests arriving meanwhile wait for
that one computation rather than each starting their own.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from graphsvc.db import graph as g
from graphsvc.db.items import ItemRepository
from graphsvc.domain.facts import ExposureFacts
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.vocabulary import Kind
from graphsvc.usecases.estate import EstateCache
from graphsvc.usecases.freshness import CheckedRead
from graphsvc.usecases.graph_share import GraphShare
from graphsvc.usecases.kept_graph import FREEZE_FROM, settle
from graphsvc.util import keep_out_of_collections, release_free_memory

__all__ = ["GraphCache", "GraphView"]

log = logging.getLogger("graphsvc")

T = TypeVar("T")


def _failed(task: asyncio.Future[Any]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


def _same_ids(graph: DependencyGraph) -> Callable[[str], str] | None:
    """The graph's own string for an id it has (the one id of a million kept once, not twice); None for a graph
    that is not packed."""
    packed = graph.derived.get("packed")
    if packed is None:
        return None
    ids, index = packed.ids, packed.index

    def same(item_id: str) -> str:
        i = index.get(item_id)
        return item_id if i is None else ids[i]

    return same


@dataclass(frozen=True)
class GraphView:
    """What is current now: the whole graph in memory, or None (then the part an answer needs is read from Neo4j);
    with it, what impacts expose (owners, consumers, SLAs, requirements of every service and CI)."""

    graph: DependencyGraph | None
    exposure: ExposureFacts | None = None


class GraphCache:
    """One process's knowledge of the dependency graph, valid while the database's fingerprint stays the same."""

    def __init__(
        self,
        repo: ItemRepository,
        *,
        max_items: int,
        keep_graph: bool = True,
        recheck_seconds: float = 0.0,
        share: GraphShare | None = None,
        share_from: int = 0,
    ) -> None:
        self.repo = repo
        # from `share_from` items, the graph is loaded in a process of its own and mapped from a file the server's
        # workers share (usecases/graph_share.py)
        self.share = share
        self.share_from = share_from
        self.mapped = False  # whether the copy in memory is mapped from such a file
        # concurrent requests share fingerprint reads, each still seeing what was written before it asked; and the
        # last one is trusted while nothing may have moved (usecases/freshness.py)
        self._fingerprint = CheckedRead(partial(g.fingerprint, repo), recheck_seconds)
        self.max_items = max_items
        self.keep_graph = keep_graph
        self.graph: DependencyGraph | None = None
        self.exposure: ExposureFacts | None = None  # read after the graph, and kept only beside that graph
        self.fingerprint: g.Fingerprint | None = None
        self._loading: asyncio.Task[None] | None = None
        self._exposing: asyncio.Task[None] | None = None  # what the copy's impacts expose, loading after it
        self.loads = 0  # how many times the graph was read whole (tests and logs)
        self.too_large = False  # the estate has more items than max_items, so it is not copied (/readyz says so)
        self._remembered: dict[str, tuple[g.Fingerprint, asyncio.Future[Any]]] = {}
        self.computed: dict[str, int] = {}  # how many times each remembered analysis was computed (tests)
        self.load_seconds: float | None = None  # how long the last load took
        self.load_phases: dict[str, float] = {}  # and its parts: graph, arrays and freeze, exposure (read after)
        self._progress: tuple[int, float] | None = None  # the load going now: (nodes read, time.monotonic() it began)
        self.loaded_at: float | None = None  # time.monotonic() when the copy in memory was read (its age: /metrics)
        self.estate = EstateCache(repo, max_items=max_items, keep=keep_graph)  # the estate of now, for what-if

    async def view(self) -> GraphView:
        """The graph if the copy matches the database now (else a reload starts in the background)."""
        now = await self._fingerprint()
        self.too_large = now[1] > self.max_items
        if self.graph is not None and now == self.fingerprint:
            return GraphView(self.graph, self.exposure)
        if self.keep_graph and now[1] <= self.max_items and (self._loading is None or self._loading.done()):
            if self._exposing is not None:  # what the old copy's impacts expose is of no use to the new one
                self._exposing.cancel()
            self._loading = asyncio.create_task(self._load(now))
        return GraphView(None)

    async def current(self) -> DependencyGraph | None:
        """The copy if it matches the database now; otherwise None (and a reload starts in the background)."""
        return (await self.view()).graph

    async def wait(self) -> DependencyGraph | None:
        """Load now if needed and wait for it (startup warm-up and tests)."""
        if await self.current() is None and self._loading is not None:
            await self._loading
        if self._exposing is not None:  # and what its impacts expose
            await asyncio.wait([self._exposing])
        return await self.current()

    @property
    def load_progress(self) -> tuple[int, float] | None:
        """The load going now: nodes read so far and seconds since it began (/readyz); None when none is."""
        if self._progress is None:
            return None
        nodes, began = self._progress
        return nodes, time.monotonic() - began

    def _read_so_far(self, nodes: int) -> None:
        if self._progress is not None:
            self._progress = (nodes, self._progress[1])

    async def _load(self, seen: g.Fingerprint) -> None:
        started = time.perf_counter()
        self._progress = (0, time.monotonic())
        shared = self.share is not None and seen[1] >= self.share_from
        try:
            if self.share is not None and shared:
                graph = await self.share.graph(seen, self._read_so_far)
            else:
                graph = await g.whole_graph(self.repo, progress=self._read_so_far)
        except Exception:  # a failed warm-up must not take the server down: answers come from Neo4j meanwhile
            log.exception("loading the dependency graph into memory failed")
            self._progress = None
            return
        read = time.perf_counter()
        # `seen` was read before the load began: a write during the load makes the next check reload again.
        await settle(graph)  # arrays built before the graph is offered, and the whole of it frozen
        self.graph, self.exposure, self.fingerprint = graph, None, seen  # the copy before it goes
        self.mapped = shared
        await asyncio.to_thread(release_free_memory)  # what the load and that copy leave free, back to the system
        self._progress = None
        self.loads += 1
        self.loaded_at = time.monotonic()
        self.load_seconds = time.perf_counter() - started
        self.load_phases = {"graph": read - started, "arrays and freeze": self.load_seconds - (read - started)}
        log.info(
            "dependency graph in memory: %d nodes in %.1f s (version %s; graph %.1f s, arrays and freeze %.1f s%s)",
            len(graph.nodes),
            self.load_seconds,
            seen[0],
            *self.load_phases.values(),
            "; mapped from a shared file" if shared else "",
        )
        # Then what its impacts expose, which they read from Neo4j until it is in (46,666 services and 1M owners at
        # 1M CIs, 27 s: read in slices, after the graph and in a task of its own, so that it never holds up the graph
        # nor the next reload, which cancels it).
        self._exposing = asyncio.create_task(self._expose(graph))

    async def _expose(self, graph: DependencyGraph) -> None:
        begun = time.perf_counter()
        try:
            services = [n.id for n in graph.of_kind(Kind.SERVICE)]
            exposure = await g.exposure_facts(self.repo, services, same=_same_ids(graph))
        except Exception:
            log.exception("loading what impacts expose into memory failed")
            return
        if self.graph is graph:  # still the copy it belongs with (same fingerprint)
            self.exposure = exposure
            if len(graph.nodes) >= FREEZE_FROM and gc.isenabled():  # out of the collector's passes, as the graph
                keep_out_of_collections()
            await asyncio.to_thread(release_free_memory)
        self.load_phases["exposure"] = time.perf_counter() - begun
        log.info(
            "what impacts expose in memory: %d services, %d owned items in %.1f s",
            len(exposure.services),
            len(exposure.owned_by),
            self.load_phases["exposure"],
        )

    async def remember(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        """What `compute()` answers, kept while the fingerprint stays the same (not kept when the cache is off).

        At most one computation per key runs at a time: a caller that finds one running for an older fingerprint
        waits for it and then looks again, so writes arriving during a long computation (72 s at 1M CIs) do not pile
        up computations. The fingerprint is read before computing, so a write during the computation makes the next
        call compute again; a caller whose fingerprint is older than the kept one reads it again before replacing
        it. A failed or cancelled computation is not kept."""
        if not self.keep_graph:
            return await compute()
        looked_again = False
        while True:
            now = await self._fingerprint()
            entry = self._remembered.get(key)
            if entry is not None and not _failed(entry[1]):
                seen, running = entry
                if seen == now:
                    break
                if not running.done():  # an older computation: wait for it (whatever it gives), then look again
                    await asyncio.wait([running])
                    continue
                if not looked_again:  # perhaps our fingerprint is the older one: read it once more
                    looked_again = True
                    continue
            self.computed[key] = self.computed.get(key, 0) + 1
            entry = self._remembered[key] = (now, asyncio.ensure_future(compute()))
            break
        task: asyncio.Future[T] = entry[1]
        try:
            # shielded: a caller that goes away (a closed connection) does not cancel the others' computation
            return await asyncio.shield(task)
        except BaseException:
            if _failed(task) and self._remembered.get(key, (None, None))[1] is task:
                del self._remembered[key]
            raise

    async def close(self) -> None:
        if self._exposing is not None and not self._exposing.done():
            self._exposing.cancel()
            await asyncio.wait([self._exposing])
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            try:
                await self._loading
            except asyncio.CancelledError:
                pass
