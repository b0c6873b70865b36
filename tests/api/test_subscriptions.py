"""Subscriptions over graphql-transport-ws, with a real client (gql's WebsocketsTransport) against the real app
served by uvicorn over the test Neo4j: a write made over HTTP reaches the subscriber as an event; who may subscribe,
how many at once, and from which page."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from starlette.applications import Starlette

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.usecases.events import EventFeed
from graphsvc.web.app import create_app
from tests.api.conftest import GraphQLClient, bearer
from tests.api.test_change_lifecycle import act, load
from tests.e2e.conftest import serve_asgi

WAIT = 30.0  # generous: an event is normally there within a poll interval or two

INCIDENTS = """subscription Incidents($ids: [ID!]) {
  incidentEvents(ids: $ids) { kind incidentId actorName action incident { id status title } }
}"""
CHANGES = "subscription { changeEvents { changeId from to action change { id status } } }"
WRITES = """subscription Writes($kinds: [ItemKind!]) {
  estateWritten(kinds: $kinds) { position at actorId actorName action itemCount items { id kind operation changed } }
}"""


class Served:
    def __init__(self, app: Starlette, url: str, tokens: dict[str, str]) -> None:
        self.app = app
        self.url = url
        self.ws_url = url.replace("http://", "ws://") + "/graphql"
        self.tokens = tokens
        self.http = httpx.Client(base_url=url, timeout=60, headers=bearer(tokens["admin"]))

    @property
    def feed(self) -> EventFeed:
        feed: EventFeed = self.app.state.graphsvc["event_feed"]
        return feed

    def transport(self, role: str | None = "viewer", **kwargs: Any) -> WebsocketsTransport:
        payload = {"Authorization": f"Bearer {self.tokens[role]}"} if role else None
        return WebsocketsTransport(
            url=self.ws_url,
            init_payload=payload,
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            **kwargs,
        )

    async def listening(self, n: int) -> None:
        """Wait until the server's feed reads for `n` subscribers (so a write made now is delivered)."""
        deadline = time.monotonic() + WAIT
        while self.feed.listening < n:
            assert time.monotonic() < deadline, f"{self.feed.listening} subscribers listening, not {n}"
            await asyncio.sleep(0.02)


def serve(conn: Connection, sync_driver: Any, settings: Settings) -> Iterator[Served]:
    from tests.conftest import make_token

    tokens = {role: make_token(sync_driver, conn.database, role) for role in ("admin", "viewer")}
    app = create_app(settings, connection=conn)
    with serve_asgi(app) as url:
        served = Served(app, url, tokens)
        with served.http:
            yield served


@pytest.fixture
def served(empty_db: Connection, sync_driver: Any) -> Iterator[Served]:
    yield from serve(empty_db, sync_driver, Settings(subscription_poll_seconds=0.1, max_subscriptions_per_token=2))


@asynccontextmanager
async def subscribed(
    served: Served, document: str, variables: dict[str, Any] | None = None, *, role: str = "viewer"
) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """A subscription held open by a task, its results put in the queue yielded; waits until the server listens."""
    results: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    before = served.feed.listening

    async def run() -> None:
        async with Client(transport=served.transport(role)) as session:
            request = GraphQLRequest(document, variable_values=variables)
            async for result in session.subscribe(request):
                await results.put(result)

    task = asyncio.create_task(run())
    try:
        waiting = asyncio.create_task(served.listening(before + 1))
        done, _ = await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            waiting.cancel()
            task.result()  # raises what ended it
        yield results
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def next_event(results: asyncio.Queue[dict[str, Any]]) -> dict[str, Any]:
    return await asyncio.wait_for(results.get(), WAIT)


def http(served: Served) -> GraphQLClient:
    """An admin's HTTP client of the served app."""
    return GraphQLClient(served.http)


async def in_thread(fn: Any, *args: Any) -> Any:
    """A blocking HTTP write, off the test's event loop (the subscription's client runs on it)."""
    return await asyncio.to_thread(fn, *args)


async def test_incidents_opened_and_resolved_reach_a_viewer(served: Served) -> None:
    api = http(served)
    await in_thread(load, api)
    async with subscribed(served, INCIDENTS) as events:
        opened = await in_thread(
            api.data,
            'mutation { openIncident(input: {id: "I-1", title: "db down", priority: P2, affects: ["DB-1"]}) '
            "{ __typename } }",
        )
        assert opened["openIncident"]["__typename"] == "IncidentPayload"
        event = (await next_event(events))["incidentEvents"]
        assert event["kind"] == "OPENED" and event["incidentId"] == "I-1" and event["action"] == "openIncident"
        assert event["incident"] == {"id": "I-1", "status": "OPEN", "title": "db down"}
        assert event["actorName"] == "tests"
        await in_thread(api.data, 'mutation { resolveIncident(id: "I-1") { __typename } }')
        event = (await next_event(events))["incidentEvents"]
        assert (event["kind"], event["incidentId"], event["incident"]["status"]) == ("RESOLVED", "I-1", "RESOLVED")


async def test_a_change_moving_status_is_told_with_from_and_to(served: Served) -> None:
    api = http(served)
    await in_thread(load, api)
    async with subscribed(served, CHANGES) as events:
        assert (await in_thread(act, api, "submitChange", 'id: "C-3"'))["change"]["status"] == "SUBMITTED"
        event = (await next_event(events))["changeEvents"]
        assert event == {
            "changeId": "C-3",
            "from": "DRAFT",
            "to": "SUBMITTED",
            "action": "submitChange",
            "change": {"id": "C-3", "status": "SUBMITTED"},
        }


async def test_an_import_is_one_write_listing_what_it_created(served: Served) -> None:
    api = http(served)
    async with subscribed(served, WRITES, {"kinds": ["CHANGE"]}) as events:
        await in_thread(load, api)  # nine kinds of item, in one transaction
        write = (await next_event(events))["estateWritten"]
        assert write["actorName"] == "tests" and write["action"] == "importCmdb"
        assert {(i["id"], i["kind"], i["operation"]) for i in write["items"]} == {
            ("C-1", "CHANGE", "CREATED"),
            ("C-2", "CHANGE", "CREATED"),
            ("C-3", "CHANGE", "CREATED"),
        }
        assert write["itemCount"] > 3  # the other kinds were written too, and filtered out
        await in_thread(act, api, "submitChange", 'id: "C-3"')
        write = (await next_event(events))["estateWritten"]
        assert write["action"] == "submitChange" and write["position"] > 0
        assert [(i["id"], i["operation"], "status" in i["changed"]) for i in write["items"]] == [
            ("C-3", "UPDATED", True)
        ]


async def test_the_token_may_come_with_the_upgrade_request(served: Served) -> None:
    api = http(served)
    await in_thread(load, api)
    transport = WebsocketsTransport(
        url=served.ws_url,
        headers=bearer(served.tokens["viewer"]),
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    results: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def run() -> None:
        async with Client(transport=transport) as session:
            async for result in session.subscribe(GraphQLRequest(CHANGES)):
                await results.put(result)

    task = asyncio.create_task(run())
    try:
        await served.listening(1)
        await in_thread(act, api, "submitChange", 'id: "C-3"')
        assert (await next_event(results))["changeEvents"]["to"] == "SUBMITTED"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _closed(exc: BaseException) -> tuple[int, str]:
    """The close code and reason of the server's close frame behind a gql transport error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, websockets.ConnectionClosed) and seen.rcvd is not None:
            return seen.rcvd.code, seen.rcvd.reason
        seen = seen.__cause__ or seen.__context__
    raise AssertionError(f"no close frame behind {exc!r}")


@pytest.mark.parametrize(
    ("payload", "code", "reason"),
    [
        (None, 4401, "Unauthorized"),
        ({"Authorization": "Bearer gsvc_" + "x" * 43}, 4403, "Forbidden: the token is unknown"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 4403, "Forbidden: use the Bearer scheme"),
    ],
)
async def test_unauthenticated_connections_are_closed(
    served: Served, payload: dict[str, str] | None, code: int, reason: str
) -> None:
    transport = WebsocketsTransport(
        url=served.ws_url, init_payload=payload, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
    )
    with pytest.raises(TransportConnectionFailed) as refused:
        async with Client(transport=transport) as session:
            await session.execute(GraphQLRequest(CHANGES))
    got_code, got_reason = _closed(refused.value)
    assert got_code == code and got_reason.startswith(reason), (got_code, got_reason)
    assert served.feed.listening == 0


async def test_a_page_of_another_origin_cannot_open_a_socket(served: Served) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            served.ws_url, subprotocols=["graphql-transport-ws"], origin="https://evil.example.com"
        ):
            pass
    assert refused.value.response.status_code == 403
    # the server's own page may
    own = served.url
    async with websockets.connect(served.ws_url, subprotocols=["graphql-transport-ws"], origin=own) as socket:
        assert socket.subprotocol == "graphql-transport-ws"


async def test_a_token_holds_at_most_its_limit_of_subscriptions(served: Served) -> None:
    async with subscribed(served, CHANGES), subscribed(served, INCIDENTS):
        async with Client(transport=served.transport()) as session:
            with pytest.raises(TransportQueryError) as refused:
                async for _ in session.subscribe(GraphQLRequest(CHANGES)):
                    pass
        error = refused.value.errors[0]  # type: ignore[index]
        assert error["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert "already holds 2 subscriptions (GRAPHSVC_MAX_SUBSCRIPTIONS_PER_TOKEN)" in error["message"]
        # another token is not held to this one's count
        async with subscribed(served, CHANGES, role="admin"):
            assert served.feed.listening == 3


async def test_queries_and_mutations_go_over_http(served: Served) -> None:
    async with Client(transport=served.transport("admin")) as session:
        with pytest.raises(TransportQueryError) as refused:
            await session.execute(GraphQLRequest('mutation { submitChange(id: "C-3") { __typename } }'))
    error = refused.value.errors[0]  # type: ignore[index]
    assert "POST /graphql" in error["message"] and error["extensions"]["code"] == "BAD_REQUEST"


async def test_writes_of_another_process_are_told(served: Served, adriver: Any) -> None:
    """An import by another writer (here, as `graphsvc import` does: its own driver, not the server) reaches the
    subscriber: the feed reads the audit trail, not the server's own writes."""
    from graphsvc.db.audit import Audit
    from graphsvc.db.importer import import_document
    from tests.api.test_change_lifecycle import ESTATE

    async with subscribed(served, WRITES, {"kinds": ["SLA"]}) as events:
        await import_document(adriver, "neo4j", ESTATE, audit=Audit("cli", "graphsvc CLI (ops)", "import"))
        write = (await next_event(events))["estateWritten"]
        assert (write["actorId"], write["actorName"], write["action"]) == ("cli", "graphsvc CLI (ops)", "import")
        assert [(i["id"], i["operation"]) for i in write["items"]] == [("SLA-1", "CREATED")]


def test_a_subscription_over_http_is_refused(served: Served) -> None:
    [error] = served.http.post("/graphql", json={"query": CHANGES}).json()["errors"]
    assert error["message"] == "subscriptions are served over WebSocket at /graphql (subprotocol graphql-transport-ws)"
    assert error["extensions"]["code"] == "BAD_REQUEST"


async def test_incidents_the_alertmanager_hook_opens_and_resolves_are_told(served: Served) -> None:
    from tests.api.test_alert_hook import DB_DOWN, DB_INCIDENT, ESTATE, notification

    api = http(served)
    await in_thread(api.data, "mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": ESTATE})
    resolved = {**DB_DOWN, "status": "resolved", "endsAt": "2026-12-01T10:30:00Z"}
    async with subscribed(served, INCIDENTS, {"ids": [DB_INCIDENT]}) as events:
        for body in (notification([DB_DOWN]), notification([resolved], status="resolved")):
            answer = await asyncio.to_thread(served.http.post, "/hooks/alertmanager", json=body)
            assert answer.status_code == 200, answer.text
        heard = [(await next_event(events))["incidentEvents"] for _ in range(2)]
    assert [(e["kind"], e["incidentId"], e["action"]) for e in heard] == [
        ("OPENED", DB_INCIDENT, "alertmanager"),
        ("RESOLVED", DB_INCIDENT, "alertmanager"),
    ]


STATUS_CHANGED = """subscription {
  serviceStatusChanged { openIncidents services { service { id } status incidents { id } } }
}"""


async def test_the_status_board_is_sent_first_and_again_when_a_write_changes_it(served: Served) -> None:
    api = http(served)
    await in_thread(load, api)
    async with subscribed(served, STATUS_CHANGED) as events:
        assert (await next_event(events))["serviceStatusChanged"] == {"openIncidents": 0, "services": []}
        # a write the board does not show (a change submitted) sends nothing: the next event is the incident's
        assert (await in_thread(act, api, "submitChange", 'id: "C-3"'))["change"]["status"] == "SUBMITTED"
        await in_thread(
            api.data,
            'mutation { openIncident(input: {id: "I-DB", title: "db-1 down", priority: P1, affects: ["DB-1"]}) '
            "{ __typename } }",
        )
        # one of the cluster's three nodes: it holds (two needed), degraded, and so is the shop behind it
        assert (await next_event(events))["serviceStatusChanged"] == {
            "openIncidents": 1,
            "services": [{"service": {"id": "SVC-SHOP"}, "status": "DEGRADED", "incidents": [{"id": "I-DB"}]}],
        }
        await in_thread(
            api.data,
            'mutation { openIncident(input: {id: "I-APP", title: "app down", priority: P1, affects: ["APP"]}) '
            "{ __typename } }",
        )
        assert (await next_event(events))["serviceStatusChanged"]["services"] == [
            {"service": {"id": "SVC-SHOP"}, "status": "DOWN", "incidents": [{"id": "I-DB"}, {"id": "I-APP"}]}
        ]
        await in_thread(api.data, 'mutation { resolveIncident(id: "I-APP") { __typename } }')
        after_app = (await next_event(events))["serviceStatusChanged"]
        assert [(s["status"], s["incidents"]) for s in after_app["services"]] == [("DEGRADED", [{"id": "I-DB"}])]
        await in_thread(api.data, 'mutation { resolveIncident(id: "I-DB") { __typename } }')
        assert (await next_event(events))["serviceStatusChanged"] == {"openIncidents": 0, "services": []}
