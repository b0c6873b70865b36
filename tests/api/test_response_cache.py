"""The response cache end to end, on the real app and Neo4j: a browse answer is kept until graphsvc writes, or
items or relationships are added or deleted behind its back, or it reaches its age limit (between half and all of
GRAPHSVC_RESPONSE_CACHE_SECONDS).

A kept answer is recognised by what the cache documents it cannot see: a property edited behind graphsvc's back
(plain Cypher, no audit entry) shows only once the answer is let go."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.db.items import ItemRepository
from graphsvc.graphql import lane
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.graphql_view import GraphQLApp
from tests.api.conftest import GraphQLClient, bearer, operation
from tests.api.test_contract_browse import load
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

BROWSE = operation("browse.graphql", "ServiceDetail")
PAGE = "{ services(first: 50) { totalCount edges { node { id name } } } }"
RENAME_TEAM = """
mutation($id: ID!, $version: Int!) {
  updateTeam(id: $id, version: $version, patch: {name: "Web Platform"}) { __typename }
}"""


@pytest.fixture
def serve(empty_db: Connection, sync_driver: Driver) -> Iterator[Callable[..., Any]]:
    """A client of the real app with the given settings, on an empty graph."""
    token = make_token(sync_driver, empty_db.database, "admin")
    stack: list[Any] = []

    @contextmanager
    def client(**settings: Any) -> Iterator[GraphQLClient]:
        app = create_app(Settings(**settings), connection=empty_db)
        with serve_asgi(app) as url, httpx.Client(base_url=url, timeout=60, headers=bearer(token)) as http:
            client = GraphQLClient(http)
            client.app = app  # type: ignore[attr-defined]  # for a look at the server's response cache
            yield client

    yield lambda **s: stack.append(client(**s)) or stack[-1].__enter__()
    for c in reversed(stack):
        c.__exit__(None, None, None)


def shop_name(api: GraphQLClient) -> str:
    return str(api.data(BROWSE, {"id": "SVC-SHOP"}, "ServiceDetail")["service"]["name"])


def rename_behind(driver: Driver, name: str) -> None:
    """A property edit graphsvc does not see: no audit entry, no item or relationship added."""
    driver.execute_query("MATCH (s:Service {id: 'SVC-SHOP'}) SET s.name = $name", name=name, database_="neo4j")


def test_a_kept_answer_is_served_until_graphsvc_writes(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    api = serve()
    load(api)
    assert shop_name(api) == "Web Shop"
    rename_behind(sync_driver, "Renamed behind graphsvc")
    assert shop_name(api) == "Web Shop"  # kept
    assert api.data(RENAME_TEAM, {"id": "T-WEB", "version": 1})["updateTeam"]["__typename"] == "TeamPayload"
    assert shop_name(api) == "Renamed behind graphsvc"  # any graphsvc write lets every kept answer go


def test_items_added_behind_graphsvc_are_seen_at_once(serve: Callable[..., GraphQLClient], sync_driver: Driver) -> None:
    api = serve()
    load(api)
    before = api.data(PAGE)["services"]["totalCount"]
    assert api.data(PAGE)["services"]["totalCount"] == before
    sync_driver.execute_query(
        "CREATE (:Item:Service {id: 'SVC-ZZ', itemKind: 'SERVICE', name: 'zz', tier: 'TECHNICAL', criticality: 3,"
        " version: 1})",
        database_="neo4j",
    )
    page = api.data(PAGE)["services"]
    assert page["totalCount"] == before + 1 and page["edges"][-1]["node"] == {"id": "SVC-ZZ", "name": "zz"}


def test_a_kept_answer_goes_when_it_is_older_than_its_limit(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    api = serve(response_cache_seconds=4)  # kept for 2 to 4 s
    load(api)
    assert shop_name(api) == "Web Shop"
    rename_behind(sync_driver, "Renamed behind graphsvc")
    assert shop_name(api) == "Web Shop"
    time.sleep(4.2)
    assert shop_name(api) == "Renamed behind graphsvc"


def test_with_the_cache_off_every_answer_is_read_afresh(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    api = serve(response_cache_seconds=0)
    load(api)
    assert shop_name(api) == "Web Shop"
    rename_behind(sync_driver, "Renamed behind graphsvc")
    assert shop_name(api) == "Renamed behind graphsvc"


def test_an_analysis_is_never_kept(serve: Callable[..., GraphQLClient], sync_driver: Driver) -> None:
    api = serve()
    load(api)
    query = '{ requirementTrace(id: "R-B1") { services { id name } } }'
    first = api.data(query)["requirementTrace"]["services"]
    assert {"id": "SVC-SHOP", "name": "Web Shop"} in first
    rename_behind(sync_driver, "Renamed behind graphsvc")
    again = api.data(query)["requirementTrace"]["services"]
    assert {"id": "SVC-SHOP", "name": "Renamed behind graphsvc"} in again


def test_a_kept_answer_goes_out_as_kept_and_still_needs_a_token(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    """A kept answer skips GraphQL execution (graphsvc/web/app.py), not authentication, and reads as the fresh one."""
    api = serve()
    load(api)
    body = {"query": BROWSE, "operationName": "ServiceDetail", "variables": {"id": "SVC-SHOP"}}
    fresh = api.http.post("/graphql", json=body)
    rename_behind(sync_driver, "Renamed behind graphsvc")
    kept = api.http.post("/graphql", json=body)
    assert kept.status_code == 200 and kept.headers["content-type"] == "application/json"
    assert kept.json() == fresh.json() and kept.json()["data"]["service"]["name"] == "Web Shop"
    assert kept.headers["x-graphsvc-cache"] == "kept" and "x-graphsvc-cache" not in fresh.headers
    anonymous = httpx.post(str(api.http.base_url.join("/graphql")), json=body, timeout=60)
    assert anonymous.status_code == 401 and "Web Shop" not in anonymous.text
    # the same document asked by GET is served from the same kept answer, through strawberry
    params = {"query": BROWSE, "operationName": "ServiceDetail", "variables": '{"id": "SVC-SHOP"}'}
    assert api.http.get("/graphql", params=params).json() == fresh.json()
    # a request strawberry refuses is still refused, not answered from the kept answer
    odd = api.http.post("/graphql", json={**body, "variables": ["SVC-SHOP"]})
    assert odd.status_code == 400 and "x-graphsvc-cache" not in odd.headers


NAME = "Boutique Zürich, 東京"


def test_a_kept_answer_is_the_fresh_answer_byte_for_byte(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    """Both are written by util.json_bytes, so a client's ETag and its parser see one answer: text beyond ASCII goes
    out as UTF-8, not escaped."""
    api = serve()
    load(api)
    sync_driver.execute_query("MATCH (s:Service {id: 'SVC-SHOP'}) SET s.name = $name", name=NAME, database_="neo4j")
    api.data('mutation { createTeam(input: {id: "T-NEW", name: "New"}) { __typename } }')  # graphsvc sees a write
    body = {"query": BROWSE, "operationName": "ServiceDetail", "variables": {"id": "SVC-SHOP"}}
    fresh = api.http.post("/graphql", json=body)
    kept = api.http.post("/graphql", json=body)
    assert "x-graphsvc-cache" not in fresh.headers and kept.headers["x-graphsvc-cache"] == "kept"
    assert kept.content == fresh.content
    assert NAME.encode() in fresh.content
    assert fresh.json()["data"]["service"]["name"] == NAME


def test_a_page_with_a_lane_is_kept_again_after_a_write(serve: Callable[..., GraphQLClient]) -> None:
    """A document the response cache keeps answers for is answered by the general path, which keeps the answer, even
    once it has a lane (web/graphql_view.py `_laned` leaves it alone): after a write, the next answer is kept."""
    api = serve()
    load(api)
    body = {"query": PAGE}
    for _ in range(3):  # computed (its lane made), then kept
        answered = api.http.post("/graphql", json=body)
    assert answered.headers.get("x-graphsvc-cache") == "kept"
    by_view = lane.STATS.by_view
    api.data('mutation { createTeam(input: {id: "T-LANE", name: "Lane"}) { __typename } }')  # the answer goes
    fresh = api.http.post("/graphql", json=body)
    kept = api.http.post("/graphql", json=body)
    assert "x-graphsvc-cache" not in fresh.headers and kept.headers.get("x-graphsvc-cache") == "kept"
    assert kept.content == fresh.content
    assert lane.STATS.by_view == by_view


def test_a_search_is_kept_until_a_write_and_then_finds_what_was_written(serve: Callable[..., GraphQLClient]) -> None:
    """The full-text index takes in a write a moment after its commit; the search waits for it. So the answer after
    a write holds the new item at once, and the kept answer before the write is let go."""
    api = serve()
    load(api)
    body = {"query": operation("browse.graphql", "Search"), "operationName": "Search", "variables": {"text": "quokka"}}

    def ask() -> httpx.Response:
        reply = api.http.post("/graphql", json=body)
        assert reply.status_code == 200 and "errors" not in reply.json(), reply.text
        return reply

    assert ask().json()["data"]["search"] == []
    kept = ask()
    assert kept.headers.get("x-graphsvc-cache") == "kept" and kept.json()["data"]["search"] == []
    created: set[str] = set()
    for n in range(15):  # each search right after its write: without the wait, some would miss the new team
        made = api.data(f'mutation {{ createTeam(input: {{id: "T-Q{n}", name: "Quokka {n}"}}) {{ __typename }} }}')
        assert made["createTeam"]["__typename"] == "TeamPayload"
        created.add(f"T-Q{n}")
        fresh = ask()
        assert "x-graphsvc-cache" not in fresh.headers
        assert {h["id"] for h in fresh.json()["data"]["search"]} == created
    again = ask()
    assert again.headers.get("x-graphsvc-cache") == "kept" and again.json() == fresh.json()


def graphql_view(api: GraphQLClient) -> Any:
    """The server's GraphQL view (graphsvc/web/app.py GraphQLApp), for a look at its response cache: the route's
    endpoint, unwrapped (ETags, persisted queries)."""
    view = next(r.endpoint for r in api.app.routes if getattr(r, "path", None) == "/graphql")  # type: ignore[attr-defined]
    while not isinstance(view, GraphQLApp):
        view = view.app
    return view


def hold_first_page_read(monkeypatch: pytest.MonkeyPatch, *, fails: bool) -> tuple[threading.Event, list[Any]]:
    """Neo4j's page reads (compiled or field by field), recorded; the first one stays open until the returned gate is
    set, then goes on (or fails, with `fails`). The later ones go straight through."""
    gate, reads = threading.Event(), []

    def held(real: Any) -> Any:
        async def held_page(self: ItemRepository, *args: Any, **kwargs: Any) -> Any:
            reads.append(kwargs)
            if len(reads) == 1:
                await asyncio.to_thread(gate.wait, 60)
                if fails:
                    raise RuntimeError("the first read fails")
            return await real(self, *args, **kwargs)

        return held_page

    monkeypatch.setattr(ItemRepository, "page", held(ItemRepository.page))
    monkeypatch.setattr(ItemRepository, "page_selected", held(ItemRepository.page_selected))
    return gate, reads


def asked_at_once(api: GraphQLClient, clients: int, gate: threading.Event) -> list[Any]:
    """PAGE asked by `clients` clients at once; `gate` is set once all but the first wait for the first's answer."""
    responses = graphql_view(api).responses

    def ask(_: int) -> Any:
        with httpx.Client(base_url=api.http.base_url, headers=api.http.headers, timeout=60) as http:
            return http.post("/graphql", json={"query": PAGE}).json()

    with ThreadPoolExecutor(clients) as pool:
        answers = pool.map(ask, range(clients))
        deadline = time.monotonic() + 30
        while responses.shared < clients - 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        gate.set()
        return list(answers)


def test_the_same_question_asked_while_it_is_computed_waits_for_that_answer(
    serve: Callable[..., GraphQLClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six clients ask the same page at once: it is read from Neo4j once, and each gets the whole answer."""
    api = serve()
    load(api)
    gate, reads = hold_first_page_read(monkeypatch, fails=False)
    answers = asked_at_once(api, 6, gate)
    assert graphql_view(api).responses.shared == 5 and len(reads) == 1
    assert all(a == answers[0] for a in answers) and answers[0]["data"]["services"]["totalCount"] == 3
    assert answers[0]["data"] == api.data(PAGE) and len(reads) == 1  # and it was kept


def test_when_the_answer_waited_for_fails_each_waiting_request_asks_for_itself(
    serve: Callable[..., GraphQLClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Field by field: a compiled read that fails is asked again field by field within the same request, so the
    # first request would not fail (tests/api/test_compiled_reads.py).
    api = serve(compiled_reads=False)
    load(api)
    gate, reads = hold_first_page_read(monkeypatch, fails=True)
    answers = asked_at_once(api, 3, gate)
    failed = [a for a in answers if a.get("errors")]
    assert len(failed) == 1 and len(reads) == 3  # the two that waited read for themselves
    assert all(a["data"]["services"]["totalCount"] == 3 for a in answers if a not in failed)


def test_an_impact_is_kept_for_analysts_only_and_let_go_when_the_graph_changes(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    """The contract's Impact document: a graph analysis, kept like a read but only served to roles that may ask it."""
    api = serve()
    load(api)
    body = {
        "query": operation("impact.graphql", "Impact"),
        "operationName": "Impact",
        "variables": {"origin": ["CI-MON"]},
    }
    url = str(api.http.base_url.join("/graphql"))

    def ask(role: str) -> httpx.Response:
        return httpx.post(url, json=body, headers=bearer(make_token(sync_driver, "neo4j", role, role)), timeout=60)

    fresh = ask("analyst")
    ids = {i["id"] for i in fresh.json()["data"]["impact"]["impacted"]}
    assert {"CI-MON", "CI-APP-1"} <= ids and "x-graphsvc-cache" not in fresh.headers
    kept = ask("editor")
    assert kept.headers.get("x-graphsvc-cache") == "kept" and kept.json() == fresh.json()
    refused = ask("viewer")  # the same question from a viewer is refused as it always was, never served kept
    assert "x-graphsvc-cache" not in refused.headers and "CI-APP-1" not in refused.text
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    params = {"query": body["query"], "operationName": "Impact", "variables": '{"origin": ["CI-MON"]}'}
    viewer = bearer(make_token(sync_driver, "neo4j", "viewer", "viewer by GET"))
    by_get = httpx.get(url, params=params, headers=viewer, timeout=60)  # GET: through GraphQL, refused there too
    assert "CI-APP-1" not in by_get.text and by_get.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    gone = api.data('mutation { removeDependency(from: "CI-APP-1", to: "CI-MON") { __typename } }')
    assert gone["removeDependency"]["__typename"] != "NotFound"
    after = ask("analyst")
    assert "x-graphsvc-cache" not in after.headers
    assert {i["id"] for i in after.json()["data"]["impact"]["impacted"]} == {"CI-MON"}  # nothing depends on it now


BOARD = "{ serviceStatus { at services { service { id name } status incidents { id } } } }"
OPEN = """mutation($id: ID!) {
  openIncident(input: {id: $id, title: "shop down", priority: P1, affects: ["SVC-SHOP"]}) { __typename }
}"""


def test_the_status_board_is_kept_for_polling_screens_until_graphsvc_writes(
    serve: Callable[..., GraphQLClient], sync_driver: Driver
) -> None:
    api = serve()
    load(api)
    assert api.data(OPEN, {"id": "I-1"})["openIncident"]["__typename"] == "IncidentPayload"
    first = api.data(BOARD)["serviceStatus"]
    assert (first["services"][0]["service"]["name"], first["services"][0]["status"]) == ("Web Shop", "DOWN")
    rename_behind(sync_driver, "Renamed behind graphsvc")
    assert api.data(BOARD)["serviceStatus"] == first  # kept: the same answer, its moment included
    assert api.data(OPEN, {"id": "I-2"})["openIncident"]["__typename"] == "IncidentPayload"
    after = api.data(BOARD)["serviceStatus"]
    assert after["at"] > first["at"]
    assert after["services"][0]["service"]["name"] == "Renamed behind graphsvc"
    assert [i["id"] for i in after["services"][0]["incidents"]][-2:] == ["I-1", "I-2"]
