"""Service status now: the service desk's board (SEMANTICS.md, "Service status now"); analysis/status.py computes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graphsvc.analysis.status import ServiceState, service_status
from graphsvc.domain.facts import Props
from graphsvc.usecases import sources
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import whole_graph
from graphsvc.usecases.sources import Source

__all__ = ["BoardEntry", "StatusBoard", "status_board"]


@dataclass(frozen=True)
class BoardEntry:
    service: Props
    state: ServiceState
    incidents: list[Props]  # the open incidents that reach it, earliest opened first


@dataclass(frozen=True)
class StatusBoard:
    at: datetime  # the moment the board is for
    open_incidents: int  # every incident open then, whether or not it reaches a service
    services: list[BoardEntry]  # DOWN first, then DEGRADED; the most critical first within each

    def signature(self) -> tuple[object, ...]:
        """What the board shows, without its moment: equal signatures are the same board to the one watching it."""
        return (
            self.open_incidents,
            tuple(
                (
                    e.service.get("id"),
                    e.service.get("name"),
                    e.service.get("criticality"),
                    e.state.status.name,
                    e.state.since,
                    tuple((i.get("id"), i.get("title"), i.get("priority")) for i in e.incidents),
                )
                for e in self.services
            ),
        )

    @property
    def down(self) -> int:
        return sum(1 for e in self.services if e.state.status.name == "DOWN")


async def status_board(repo: Source, cache: GraphCache | None = None, at: datetime | None = None) -> StatusBoard:
    """The board at `at` (default now): every service DOWN or DEGRADED from the incidents open then."""
    now = at or datetime.now(UTC)
    graph = await whole_graph(repo, cache)
    # open at `now`: the incidents open at some moment of [now, now + 1 ms), then exactly at `now` below
    incidents = await sources.incidents_open_during(repo, now, now + timedelta(milliseconds=1))
    states = await asyncio.to_thread(service_status, graph, incidents, now)
    by_id = {i.id: i for i in incidents}
    services = {p["id"]: p for p in await repo.by_ids([s.service for s in states]) if p is not None}
    return StatusBoard(
        now,
        sum(1 for i in incidents if i.opened_at <= now),
        [
            BoardEntry(services[s.service], s, [by_id[i].props for i in s.incidents])
            for s in states
            if s.service in services
        ],
    )
