"""Requirement compliance and traceability over the CMDB."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from graphsvc.analysis.continuity import closure
from graphsvc.analysis.requirements import compliance
from graphsvc.domain.facts import Props
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import NotFound
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph
from graphsvc.usecases.sources import Source, requirement_facts

__all__ = ["Compliance", "Trace", "requirement_compliance", "requirement_trace"]


@dataclass(frozen=True)
class Compliance:
    requirement: Props
    met: bool
    reasons: tuple[str, ...]


async def requirement_compliance(repo: Source) -> list[Compliance]:
    facts, _ = await requirement_facts(repo)
    judged = compliance(facts)
    return [Compliance(facts[r].props, *judged[r]) for r in sorted(facts)]


@dataclass(frozen=True)
class Trace:
    requirement: Props
    refined_by: list[str]  # every requirement that refines it, transitively
    services: list[str]  # the services satisfying it or any of those
    configuration_items: list[str]  # the CIs those services depend on, transitively


async def requirement_trace(repo: Source, requirement_id: str, cache: GraphCache | None = None) -> Trace:
    facts, satisfiers = await requirement_facts(repo)
    if requirement_id not in facts:
        raise NotFound(f"id: unknown requirement {requirement_id!r}")
    below: list[str] = []
    stack = list(facts[requirement_id].children)
    while stack:
        r = stack.pop()
        if r not in below and r != requirement_id:
            below.append(r)
            stack.extend(facts[r].children if r in facts else ())
    services = sorted({s for r in (requirement_id, *below) for s in satisfiers.get(r, ())})
    graph = await whole_graph(repo, cache)

    def reached() -> list[str]:
        reach: set[str] = set()
        for s in services:
            if s in graph.nodes:
                reach |= closure(graph, s)
        return sorted(n for n in reach if graph.nodes[n].kind is Kind.CONFIGURATION_ITEM)

    cis = await asyncio.to_thread(reached)  # every service's closure: off the event loop
    return Trace(facts[requirement_id].props, sorted(below), services, cis)
