"""Impact of an origin set, and of losing a site, with what it exposes loaded only when asked for."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphsvc.analysis.exposure import Exposure, ImpactedService, exposure, impacted_services, owned_ids
from graphsvc.analysis.impact import ARRAYS_REACH, Impact, ReachTooLarge, compute_impact
from graphsvc.domain.facts import ExposureFacts, ServiceFacts
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.vocabulary import DEPENDABLE, Kind
from graphsvc.errors import InvalidArgument, NotFound
from graphsvc.usecases import sources
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.sources import Source

__all__ = ["ImpactAnalysis", "graph_for", "impact_of", "site_failure", "whole_graph"]

MAX_ORIGIN = 10_000


@dataclass
class ImpactAnalysis:
    """An impact and the repository to load its exposure (business units, SLAs, teams, ...) from, once."""

    repo: Source
    impact: Impact
    kept: ExposureFacts | None = None  # the server's copy, current with the graph the impact ran on (else: read)
    _exposure: Exposure | None = None
    facts: dict[str, ServiceFacts] = field(default_factory=dict)  # of the impacted services, once exposure ran
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def exposure_services(self) -> tuple[ImpactedService, ...]:
        """The impacted services, worst first (no database read)."""
        return impacted_services(self.impact)

    async def exposure(self) -> Exposure:
        async with self._lock:
            if self._exposure is None:
                services = [s.id for s in impacted_services(self.impact)]
                if self.kept is not None:
                    self.facts = self.kept.service_facts(services)
                    teams = self.kept.owners(owned_ids(self.impact))
                else:
                    self.facts = await sources.service_facts(self.repo, services)
                    teams = await sources.owners(self.repo, owned_ids(self.impact))
                self._exposure = exposure(self.impact, self.facts, teams)
            return self._exposure


def _checked(origin: Sequence[str], kinds: dict[str, Kind], argument: str) -> list[str]:
    ids = list(dict.fromkeys(str(i) for i in origin))
    unknown = [i for i in ids if i not in kinds]
    if unknown:
        raise NotFound(f"{argument}: unknown id{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown[:20]))}")
    wrong = [f"{i!r} is a {kinds[i].value}" for i in ids if kinds[i] not in DEPENDABLE]
    if wrong:
        starts = "impact starts from services, configuration items or redundancy groups"
        raise InvalidArgument(f"{argument}: {'; '.join(wrong[:20])}: {starts}")
    return ids


def _bounded(origin: Sequence[str], argument: str) -> list[str]:
    ids = list(dict.fromkeys(str(i) for i in origin))
    if len(ids) > MAX_ORIGIN:
        raise InvalidArgument(f"{argument}: {len(ids)} ids, at most {MAX_ORIGIN} are allowed")
    return ids


async def whole_graph(repo: Source, cache: GraphCache | None) -> DependencyGraph:
    """The whole dependency graph: the server's copy while it is current, else read from Neo4j."""
    view = await cache.view() if cache is not None else None
    return view.graph if view is not None and view.graph is not None else await sources.whole_graph(repo)


async def graph_for(repo: Source, ids: Sequence[str], cache: GraphCache | None) -> DependencyGraph:
    """What the impact of `ids` needs: the in-memory graph while it is current, else the part read from Neo4j."""
    return (await _graph_and_exposure(repo, ids, cache))[0]


async def _graph_and_exposure(
    repo: Source, ids: Sequence[str], cache: GraphCache | None
) -> tuple[DependencyGraph, ExposureFacts | None]:
    """graph_for, with what the in-memory graph's impacts expose when it is that graph (else None: read per answer)."""
    view = await cache.view() if cache is not None else None
    if view is None or view.graph is None:
        return await sources.upstream(repo, ids), None
    return view.graph, view.exposure


# An impact whose search reaches at most this many nodes is computed on the event loop (under a millisecond); a
# larger one is started again in a thread.
INLINE_REACH = 200
assert INLINE_REACH < ARRAYS_REACH, "the array search (its arrays built on first use) never runs on the event loop"


async def _computed(graph: DependencyGraph, ids: Sequence[str], worse: Sequence[str] = ()) -> Impact:
    """The impact, off the event loop as every analysis when it is large (a hub's impact over a large estate takes
    long enough to hold up every other request, and /healthz, if it ran on it), but on it when it is small: handing a
    typical impact to a thread and back took longer than computing it (0.2 to 0.3 ms at 100k, of a 1 ms answer)."""
    try:
        return compute_impact(graph, ids, worse, most=INLINE_REACH)
    except ReachTooLarge:
        return await asyncio.to_thread(compute_impact, graph, ids, worse)


async def impact_of(
    repo: Source,
    origin: Sequence[str],
    cache: GraphCache | None = None,
    degraded: Sequence[str] = (),
) -> ImpactAnalysis:
    """The impact of the origin set and the degraded origins (SEMANTICS.md): RETIRED ids are absent, so they impact
    nothing; an id in both sets counts as an origin.

    Each id must exist and be a service, CI or redundancy group (checked from the same read as the traversal)."""
    ids = _bounded(origin, "origin")
    worse = _bounded(degraded, "degraded")
    if len(ids) + len(worse) > MAX_ORIGIN:
        raise InvalidArgument(f"origin and degraded: {len(ids) + len(worse)} ids, at most {MAX_ORIGIN} in all")
    view = await cache.view() if cache is not None else None
    whole = view.graph if view is not None else None
    kept = view.exposure if view is not None else None
    if whole is None:
        graph, kinds = await sources.upstream_with_kinds(repo, [*ids, *worse])
    else:
        graph = whole
        kinds = {i: whole.kind_of(i) for i in (*ids, *worse) if i in whole.nodes}
        others = [i for i in (*ids, *worse) if i not in kinds]  # RETIRED, of another kind, or unknown
        if others:
            kinds |= {i: k for i, (k, _) in (await sources.item_kinds(repo, others)).items()}
    _checked(ids, kinds, "origin")
    _checked(worse, kinds, "degraded")
    return ImpactAnalysis(repo, await _computed(graph, ids, worse), kept)


async def site_failure(repo: Source, site_id: str, cache: GraphCache | None = None) -> ImpactAnalysis:
    """The impact of losing every CI located at the site."""
    ids = await sources.site_cis(repo, site_id)
    if ids is None:
        kinds = await sources.item_kinds(repo, [site_id])
        what = (
            f"{site_id!r} is a {kinds[site_id][0].value}, not a SITE" if site_id in kinds else f"unknown id {site_id!r}"
        )
        raise NotFound(f"siteId: {what}")
    graph, kept = await _graph_and_exposure(repo, ids, cache)
    return ImpactAnalysis(repo, await _computed(graph, ids), kept)
