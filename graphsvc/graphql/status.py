"""The service desk's board: `serviceStatus` (operations-now.graphql; SEMANTICS.md, "Service status now")."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from graphsvc.graphql import types as t
from graphsvc.graphql.context import Context
from graphsvc.graphql.impact import ImpactStatus
from graphsvc.usecases.status import StatusBoard, status_board

__all__ = ["ServiceStatusBoard", "ServiceStatusEntry", "resolve_service_status"]


@strawberry.type(description="A service DOWN or DEGRADED at the board's moment, and the open incidents behind it.")
class ServiceStatusEntry:
    service: t.Service = strawberry.field(description="the service")
    status: ImpactStatus = strawberry.field(
        description="DOWN or DEGRADED, from one impact of every open incident (OUTAGE incidents' items DOWN, "
        "DEGRADATION incidents' items DEGRADED), redundancy-aware"
    )
    since: datetime = strawberry.field(description="the earliest openedAt of `incidents` (UTC)")
    incidents: list[t.Incident] = strawberry.field(
        description="the open incidents that reach it (an item they affect is the service or something it depends on, "
        "at any depth), earliest opened first"
    )


@strawberry.type(description="Every service DOWN or DEGRADED at one moment; a service not listed is OK.")
class ServiceStatusBoard:
    at: datetime = strawberry.field(description="the moment the board is for (UTC): now, or the estate's time")
    open_incidents: int = strawberry.field(
        description="how many incidents are open at that moment, whether or not they reach a service"
    )
    services: list[ServiceStatusEntry] = strawberry.field(
        description="DOWN before DEGRADED; within each the most critical first (criticality 1 before 4, none last), "
        "then the longest affected, then id"
    )


def board_of(board: StatusBoard) -> ServiceStatusBoard:
    # one object per incident, shared by every service it reaches (a busy board lists each many times)
    incidents = {i["id"]: i for entry in board.services for i in entry.incidents}
    objects = {iid: t.item_from_props(props) for iid, props in incidents.items()}
    return ServiceStatusBoard(
        at=board.at,
        open_incidents=board.open_incidents,
        services=[
            ServiceStatusEntry(
                service=t.item_from_props(entry.service),
                status=ImpactStatus[entry.state.status.name],
                since=entry.state.since,
                incidents=[objects[i["id"]] for i in entry.incidents],
            )
            for entry in board.services
        ],
    )


async def resolve_service_status(info: Info[Context, None]) -> ServiceStatusBoard:
    view = info.context.view(info)
    return board_of(await status_board(view.repo, view.cache, view.as_of))
