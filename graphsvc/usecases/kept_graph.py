"""Getting a large dependency graph ready to be kept in memory: its impact arrays built, and all of it moved out of
the cyclic collector's reach. The server's graph copy (usecases/graph_cache.py) and the kept estates
(usecases/estate.py) both go through here."""

from __future__ import annotations

import asyncio
import gc
import logging

from graphsvc.analysis.impact import ARRAYS_FROM
from graphsvc.analysis.impact_arrays import arrays_of
from graphsvc.domain.graph import DependencyGraph
from graphsvc.util import keep_out_of_collections

__all__ = ["FREEZE_FROM", "settle"]

log = logging.getLogger("graphsvc")

# A graph this large is kept out of the cyclic collector's passes once loaded (util.keep_out_of_collections): at
# 100,000 CIs a full collection walking it paused the server for half a second every few seconds.
FREEZE_FROM = 20_000


async def settle(graph: DependencyGraph) -> None:
    """Build `graph`'s impact arrays now (from ARRAYS_FROM nodes) rather than in a request, and freeze what is alive
    (from FREEZE_FROM nodes; not while an import has the collector paused: the next load does it)."""
    if len(graph.nodes) >= ARRAYS_FROM:
        try:
            await asyncio.to_thread(arrays_of, graph)
        except Exception:  # the graph is good; the first large search builds them instead
            log.exception("building the impact search's arrays failed")
    if len(graph.nodes) >= FREEZE_FROM and gc.isenabled():
        keep_out_of_collections()
