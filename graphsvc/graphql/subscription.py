"""The Subscription root: what a client is told as writes commit, over WebSocket (graphql-transport-ws).

Events come from the server's event feed (usecases/events.py), which reads the audit trail, so writes of every
process count (the CLI's imports and discovery, other server workers). Each needs the viewer role, like reading the
items' history. An event's item (`incident`, `change`) is read when the event is sent: it is the item as it is then
(null if it has since been deleted).
"""

# No `from __future__ import annotations`: strawberry reads the resolvers' annotations at class creation.

from collections.abc import AsyncGenerator, Iterator, Sequence
from datetime import datetime
from typing import Annotated, Any, cast

import strawberry
from graphql import ExecutionResult as CoreResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.domain import events as ev
from graphsvc.domain.tokens import Role
from graphsvc.domain.vocabulary import Kind
from graphsvc.graphql import enums as e
from graphsvc.graphql import types as t
from graphsvc.graphql.access import needs
from graphsvc.graphql.context import Context, Loaders
from graphsvc.graphql.status import ServiceStatusBoard, board_of
from graphsvc.usecases.events import SubscriberDropped, TooManySubscriptions
from graphsvc.usecases.status import status_board

__all__ = ["SocketOperations", "Subscription"]

WriteOperation = e.describe_values(
    strawberry.enum(ev.WriteOperation, name="WriteOperation", description="How a write changed an item."),
    {
        "CREATED": "the item did not exist before the write",
        "UPDATED": "the item's fields or relationships changed",
        "DELETED": "the item does not exist after the write",
    },
)
IncidentEventKind = e.describe_values(
    strawberry.enum(ev.IncidentEventKind, name="IncidentEventKind", description="What happened to an incident."),
    {"OPENED": "the incident was created OPEN", "RESOLVED": "its status turned RESOLVED"},
)
Ids = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(description="only events of these items (at most 100); null: all"),
]
AT = "when the write's entries were recorded (UTC)"
ACTOR = "who wrote: the token's name, the CLI's user, or local (auth off)"
ACTION = "the mutation (openIncident, submitChange, ...), alertmanager, or the import or discovery that wrote"
MAX_FILTER_IDS = 100


@strawberry.type(description="One item a write changed, and how.")
class ItemWrite:
    id: strawberry.ID = strawberry.field(description="the item's id")
    kind: str | None = strawberry.field(description="the item's kind (an ItemKind); null for a relationship entry")
    operation: ev.WriteOperation = strawberry.field(description="created, updated or deleted")
    changed: list[str] = strawberry.field(description="the fields whose value differs between before and after")
    before_fields: strawberry.Private[Any]
    after_fields: strawberry.Private[Any]

    @strawberry.field(description="the item's stored fields before; null if it did not exist")
    def before(self) -> JSON | None:
        return cast(JSON, self.before_fields)

    @strawberry.field(description="its fields after; null if it was deleted")
    def after(self) -> JSON | None:
        return cast(JSON, self.after_fields)


@strawberry.type(description="A committed write: when, who, which action, and the items it changed.")
class EstateWrite:
    position: int = strawberry.field(description="the write's journal position (commit order)")
    at: datetime = strawberry.field(description=AT)
    actor_id: str = strawberry.field(description="the token's id (tok-...), 'cli', or 'local' (auth off)")
    actor_name: str = strawberry.field(description=ACTOR)
    action: str = strawberry.field(description=ACTION)
    item_count: int = strawberry.field(description="how many items the write changed (`items` holds at most 1,000)")
    items: list[ItemWrite] = strawberry.field(description="the items it changed (of the `kinds` asked for, if any)")


@strawberry.type(description="An incident opened or resolved.")
class IncidentEvent:
    kind: ev.IncidentEventKind = strawberry.field(description="opened or resolved")
    incident_id: strawberry.ID = strawberry.field(description="the incident's id")
    at: datetime = strawberry.field(description=AT)
    actor_name: str = strawberry.field(description=ACTOR)
    action: str = strawberry.field(description=ACTION)
    incident: t.Incident | None = strawberry.field(description="the incident as it is now; null if since deleted")


@strawberry.type(description="A change whose status moved.")
class ChangeEvent:
    change_id: strawberry.ID = strawberry.field(description="the change's id")
    from_status: e.ChangeStatus = strawberry.field(name="from", description="its status before the write")
    to_status: e.ChangeStatus = strawberry.field(name="to", description="its status after the write")
    at: datetime = strawberry.field(description=AT)
    actor_name: str = strawberry.field(description=ACTOR)
    action: str = strawberry.field(description=ACTION)
    change: t.Change | None = strawberry.field(description="the change as it is now; null if since deleted")


def _ids(ids: Sequence[strawberry.ID] | None, what: str) -> frozenset[str] | None:
    if ids is None:
        return None
    if len(ids) > MAX_FILTER_IDS:
        raise GraphQLError(
            f"{what}: at most {MAX_FILTER_IDS} ids, not {len(ids)}", extensions={"code": "BAD_USER_INPUT"}
        )
    return frozenset(str(i) for i in ids)


async def _writes(info: Info[Context, None]) -> AsyncGenerator[ev.WriteEvent, None]:
    """The writes committed from now on, for this subscription; each event read with fresh loaders."""
    async for write in _feed(info):
        if write is not None:
            yield write


async def _feed(info: Info[Context, None]) -> AsyncGenerator[ev.WriteEvent | None, None]:
    """None once the subscriber has joined the feed (what is read from then on cannot miss a write), then the writes
    committed from then on, each read with fresh loaders."""
    ctx = info.context
    feed = ctx.events
    if feed is None:
        raise GraphQLError("subscriptions are served over WebSocket at /graphql", extensions={"code": "BAD_REQUEST"})
    who = ctx.principal.token_id if ctx.principal else "anonymous"
    try:
        subscriber = await feed.join(who)
    except TooManySubscriptions as exc:
        raise GraphQLError(str(exc), extensions={"code": "TOO_MANY_SUBSCRIPTIONS"}) from None
    try:
        yield None
        async for write in subscriber:
            # The connection's context lives as long as the socket: its loaders would keep items as first read.
            ctx.loaders = Loaders(ctx.repo, max_list_items=ctx.settings.max_list_items)
            ctx.__dict__.pop("database_view", None)
            yield write
    except SubscriberDropped as exc:
        close = getattr(ctx.request, "close", None)
        if close is not None:  # the client does not read: its connection goes, with the reason
            await close(code=1008, reason="too slow: fell behind and was dropped (GRAPHSVC_SUBSCRIPTION_QUEUE)")
        raise GraphQLError(str(exc), extensions={"code": "SUBSCRIBER_DROPPED"}) from None
    finally:
        feed.leave(subscriber)


async def _item(info: Info[Context, None], item_id: str, kind: Kind) -> Any:
    props = (await info.context.repo.by_ids([item_id]))[0]
    if props is None or props.get("itemKind") != kind.value:
        return None
    return t.item_from_props(props)


def _item_write(item: ev.ItemWrite) -> ItemWrite:
    return ItemWrite(
        id=strawberry.ID(item.item_id),
        kind=item.kind,
        operation=item.operation,
        changed=list(item.fields),
        before_fields=item.before,
        after_fields=item.after,
    )


@strawberry.type(description="What changes, as it is committed: over WebSocket (graphql-transport-ws) at /graphql.")
class Subscription:
    @strawberry.subscription(
        metadata=needs(Role.viewer),
        description="each committed write to the CMDB (mutations, the Alertmanager hook, imports, discovery), from now "
        "on; `ids`: only writes touching one of these items, `kinds`: only writes touching an item of these kinds",
    )
    async def estate_written(
        self,
        info: Info[Context, None],
        ids: Ids = None,
        kinds: Annotated[
            list[Kind] | None,
            strawberry.argument(description="only writes touching an item of these kinds, listing only those items"),
        ] = None,
    ) -> AsyncGenerator[EstateWrite, None]:
        wanted = _ids(ids, "ids")
        wanted_kinds = None if kinds is None else {Kind(k).value for k in kinds}
        async for write in _writes(info):
            items = [
                i
                for i in write.items
                if (wanted is None or i.item_id in wanted) and (wanted_kinds is None or i.kind in wanted_kinds)
            ]
            if (wanted is not None or wanted_kinds is not None) and not items:
                continue
            yield EstateWrite(
                position=write.position,
                at=write.at,
                actor_id=write.actor_id,
                actor_name=write.actor_name,
                action=write.action,
                item_count=write.item_count,
                items=[_item_write(i) for i in items],
            )

    @strawberry.subscription(
        metadata=needs(Role.viewer),
        description="incidents opened or resolved, from now on (by mutations, the Alertmanager hook, imports); "
        "`ids`: only these incidents",
    )
    async def incident_events(self, info: Info[Context, None], ids: Ids = None) -> AsyncGenerator[IncidentEvent, None]:
        wanted = _ids(ids, "ids")
        async for write in _writes(info):
            for event in ev.incident_events(write):
                if wanted is not None and event.incident_id not in wanted:
                    continue
                yield IncidentEvent(
                    kind=event.kind,
                    incident_id=strawberry.ID(event.incident_id),
                    at=write.at,
                    actor_name=write.actor_name,
                    action=write.action,
                    incident=await _item(info, event.incident_id, Kind.INCIDENT),
                )

    @strawberry.subscription(
        metadata=needs(Role.viewer),
        description="changes moving from one status to another, from now on; `ids`: only these changes",
    )
    async def change_events(self, info: Info[Context, None], ids: Ids = None) -> AsyncGenerator[ChangeEvent, None]:
        wanted = _ids(ids, "ids")
        async for write in _writes(info):
            for moved in ev.change_moves(write):
                if wanted is not None and moved.change_id not in wanted:
                    continue
                yield ChangeEvent(
                    change_id=strawberry.ID(moved.change_id),
                    from_status=e.ChangeStatus(moved.from_status or "DRAFT"),
                    to_status=e.ChangeStatus(moved.to_status),
                    at=write.at,
                    actor_name=write.actor_name,
                    action=write.action,
                    change=await _item(info, moved.change_id, Kind.CHANGE),
                )

    @strawberry.subscription(
        metadata=needs(Role.viewer),
        description="the service desk's board (`serviceStatus`): first as it is when the subscription starts, then "
        "again after each committed write that changes it (a service turns DOWN, DEGRADED or OK, the incidents behind "
        "one change, or the count of open incidents moves); a write that leaves the board as it was sends nothing. "
        "Each board is the one as it stands when it is computed: of writes committed together, only the board after "
        "the last is sent",
    )
    async def service_status_changed(self, info: Info[Context, None]) -> AsyncGenerator[ServiceStatusBoard, None]:
        ctx = info.context
        last: object = None
        async for write in _feed(info):
            if write is not None and not ev.may_change_status(write):
                continue
            # the graph is read through the server's copy, brought forward to the write by its version
            board = await status_board(ctx.repo, ctx.graph_cache)
            if (seen := board.signature()) != last:
                last = seen
                yield board_of(board)


class SocketOperations(SchemaExtension):
    """A WebSocket carries subscriptions only: queries and mutations go to POST /graphql, behind the limits, deadlines
    and origin checks of HTTP requests; and a subscription sent over HTTP is told where to go."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        on_socket = getattr(ctx.context, "events", None) is not None
        kind = ctx.operation_type.value
        message = None
        if on_socket and kind != "subscription":
            message = f"a {kind} is sent as POST /graphql: the WebSocket carries subscriptions only"
        elif not on_socket and kind == "subscription":
            message = "subscriptions are served over WebSocket at /graphql (subprotocol graphql-transport-ws)"
        if message is not None:
            ctx.result = CoreResult(data=None, errors=[GraphQLError(message, extensions={"code": "BAD_REQUEST"})])
        yield
