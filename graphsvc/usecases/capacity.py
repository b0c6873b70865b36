"""Capacity risks: CIs running hot, and the services their saturation would degrade."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from graphsvc.analysis.exposure import ImpactedService, impacted_services
from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.facts import Props
from graphsvc.errors import InvalidArgument
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph
from graphsvc.usecases.sources import Source, hot_cis

__all__ = ["CapacityRisk", "capacity_risks"]


@dataclass(frozen=True)
class CapacityRisk:
    ci: Props
    utilization: float
    services: tuple[ImpactedService, ...]  # every service its loss would reach; saturation degrades them


async def capacity_risks(repo: Source, threshold: float = 85.0, cache: GraphCache | None = None) -> list[CapacityRisk]:
    """CIs above `threshold` percent utilization, hottest first, each with the services it would degrade (the
    impact of the CI, read as degradation: a saturated CI slows what needs it rather than stopping it)."""
    if not 0 <= threshold <= 100:
        raise InvalidArgument(f"thresholdPercent must be between 0 and 100, got {threshold}")
    hot = await hot_cis(repo, threshold)
    if not hot:
        return []
    graph = await whole_graph(repo, cache)

    def risks() -> list[CapacityRisk]:
        return [
            CapacityRisk(p, float(p["utilization"]), impacted_services(compute_impact(graph, [p["id"]]))) for p in hot
        ]

    return await asyncio.to_thread(risks)  # one impact per hot CI: off the event loop
