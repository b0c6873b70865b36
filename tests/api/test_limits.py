"""The request limits on the real app: concurrency shedding, body size while streaming, and the switches' defaults."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from graphsvc.analysis.impact import ReachTooLarge
from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.attack_corpus import nested
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

http = httpx.Client(timeout=60)  # no cookies are set on it: each request stands alone


@pytest.fixture(scope="module", autouse=True)
def _close_http() -> Iterator[None]:
    """The module's client closed after its last test (left open, its sockets warn at interpreter exit)."""
    yield
    http.close()


def test_past_the_concurrency_limits_requests_are_turned_away_at_once(
    empty_db: Connection, sync_driver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An impact held in its thread keeps its request in flight: past the limit of all requests a request gets 503,
    past the limit of one token's requests that token gets 429 while another token is served."""
    from graphsvc.usecases import impact as impact_usecase

    admin = {"Authorization": f"Bearer {make_token(sync_driver, empty_db.database, 'admin')}"}
    auth = {"Authorization": f"Bearer {make_token(sync_driver, empty_db.database, 'analyst')}"}
    other = {"Authorization": f"Bearer {make_token(sync_driver, empty_db.database, 'analyst')}"}
    release, started = threading.Event(), threading.Event()
    real = impact_usecase.compute_impact

    def held(*args: Any, most: int | None = None) -> Any:
        if most is not None:  # the first, bounded try on the event loop: held in the thread instead
            raise ReachTooLarge("held in its thread by the test")
        started.set()
        release.wait(30)
        return real(*args)

    monkeypatch.setattr(impact_usecase, "compute_impact", held)
    doc = {"format": "graphsvc-cmdb/1", "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE"}]}
    impact = {"query": '{ impact(origin: ["CI-1"]) { origin } }'}
    for settings, refused_status, code, served_by_other in [
        (Settings(max_concurrent_requests=1), 503, "SERVER_BUSY", False),
        (Settings(max_concurrent_per_client=1), 429, "TOO_MANY_REQUESTS", True),
    ]:
        release.clear()
        started.clear()
        with serve_asgi(create_app(settings, connection=empty_db)) as url:
            http.post(
                f"{url}/graphql",
                json={"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": doc}},
                headers=admin,
            )
            result: dict[str, httpx.Response] = {}

            def ask(url: str = url, result: dict[str, httpx.Response] = result) -> None:
                result["first"] = http.post(f"{url}/graphql", json=impact, headers=auth)

            first = threading.Thread(target=ask)
            first.start()
            assert started.wait(10), result
            busy = http.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers=auth)
            assert busy.status_code == refused_status and busy.headers["retry-after"] == "1"
            assert busy.json()["errors"][0]["extensions"]["code"] == code
            by_other = http.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers=other)
            assert (by_other.status_code == 200) is served_by_other
            assert http.get(f"{url}/healthz").status_code == 200  # health checks are never shed
            release.set()
            first.join(30)
            assert result["first"].json() == {"data": {"impact": {"origin": ["CI-1"]}}}
            again = http.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers=auth)
            assert again.json() == {"data": {"__typename": "Query"}}


def test_a_body_streamed_past_the_limit_is_refused(empty_db: Connection, sync_driver: Any) -> None:
    token = make_token(sync_driver, empty_db.database, "editor")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        yield b'{"query": "{ __typename }", "pad": "'
        for _ in range(8):
            yield b"x" * 512
        yield b'"}'

    with serve_asgi(create_app(Settings(max_request_bytes=2048), connection=empty_db)) as url:
        refused = http.post(f"{url}/graphql", content=chunks(), headers=headers)
        assert refused.status_code == 413
        assert "larger than 2048 bytes" in refused.json()["errors"][0]["message"]
        small = http.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert small.json() == {"data": {"__typename": "Query"}}


def test_introspection_when_asked_for_is_answered_once_per_process(empty_db: Connection, sync_driver: Any) -> None:
    from strawberry.http import GraphQLRequestData

    from graphsvc.graphql.schema import build_schema
    from graphsvc.web.graphql_view import _introspection_key

    token = make_token(sync_driver, empty_db.database, "viewer")
    headers = {"Authorization": f"Bearer {token}"}
    whole = "query IntrospectionQuery { __schema { types { name fields { name } } } }"
    with serve_asgi(create_app(Settings(introspection=True), connection=empty_db)) as url:
        answers = [http.post(f"{url}/graphql", json={"query": whole}, headers=headers).json() for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    names = {t["name"] for t in answers[0]["data"]["__schema"]["types"]}
    assert {"Query", "Mutation", "ConfigurationItem"} <= names
    assert names == {t.name for t in build_schema(Settings(introspection=True))._schema.type_map.values()}

    def key(query: str, name: str | None = None) -> object:
        return _introspection_key(GraphQLRequestData(query=query, variables=None, operation_name=name, extensions=None))

    assert key(whole) is not None
    assert key('{ __type(name: "Query") { name } __typename }') is not None
    assert key("{ __schema { queryType { name } } services { totalCount } }") is None  # data: not kept
    assert key("query A { __schema { queryType { name } } } query B { services { totalCount } }", "B") is None
    assert key("{ ...F } fragment F on Query { __schema { queryType { name } } }") is not None
    assert key("{ ...F } fragment F on Query { services { totalCount } __schema { queryType { name } } }") is None


def test_the_defaults_serve_graphiql_and_the_limits_name_themselves(empty_db: Connection, sync_driver: Any) -> None:
    token = make_token(sync_driver, empty_db.database, "viewer")
    headers = {"Authorization": f"Bearer {token}"}
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:

        def post(query: str) -> Any:
            return http.post(f"{url}/graphql", json={"query": query}, headers=headers).json()

        # Introspection is off unless asked for (make run asks for it, for GraphiQL's docs).
        refused = post("{ __schema { queryType { name } } }")
        assert refused["data"] is None and "introspection has been disabled" in refused["errors"][0]["message"]
        assert "Did you mean" in post("{ servic { totalCount } }")["errors"][0]["message"]
        at_limit = nested(10)  # depth 12: not too deep, but ten nested lists cost far more than the budget
        (costly,) = post(at_limit)["errors"]
        assert costly["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert "errors" not in post(nested(1))
        over = post(nested(11))
        assert over["data"] is None and "exceeds maximum operation depth of 12" in over["errors"][0]["message"]
        aliases = post("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }")
        assert "aliases" in aliases["errors"][0]["message"]
        get = http.get(f"{url}/graphql", params={"query": "{ services { totalCount } }"}, headers=headers)
        assert get.json() == {"data": {"services": {"totalCount": 0}}}
        mutation = http.get(
            f"{url}/graphql", params={"query": 'mutation { deleteItem(id: "X") { __typename } }'}, headers=headers
        )
        assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"
        assert mutation.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_a_write_stuck_past_its_timeout_is_cut_off_while_others_are_served(
    empty_db: Connection, sync_driver: Any
) -> None:
    """The test holds SVC-1's write lock in an open transaction: an update of SVC-1 waits for it and is stopped at
    GRAPHSVC_TX_TIMEOUT_SECONDS with a clear error, writing nothing, while reads and other writes go on."""
    token = make_token(sync_driver, empty_db.database, "editor")
    headers = {"Authorization": f"Bearer {token}"}
    doc = {
        "format": "graphsvc-cmdb/1",
        "services": [
            {"id": "SVC-1", "name": "held", "tier": "BUSINESS", "criticality": 1},
            {"id": "SVC-2", "name": "free", "tier": "BUSINESS", "criticality": 1},
        ],
    }
    update = 'mutation($id: ID!) { updateService(id: $id, version: 1, patch: {name: "new"}) { __typename } }'
    with serve_asgi(create_app(Settings(tx_timeout_seconds=3), connection=empty_db)) as url:

        def post(query: str, variables: dict[str, Any] | None = None) -> Any:
            body = {"query": query, "variables": variables or {}}
            return http.post(f"{url}/graphql", json=body, headers=headers).json()

        post("mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": doc})
        with sync_driver.session(database=empty_db.database) as session:
            holder = session.begin_transaction()
            holder.run("MATCH (n:Item {id: 'SVC-1'}) SET n.name = 'held by the test'").consume()
            result: dict[str, Any] = {}
            stuck = threading.Thread(target=lambda: result.setdefault("update", post(update, {"id": "SVC-1"})))
            stuck.start()
            served = []
            while stuck.is_alive() and len(served) < 200:
                served.append(post('{ service(id: "SVC-1") { name } services { totalCount } }'))
            stuck.join(60)
            holder.rollback()
        assert served and all(
            s == {"data": {"service": {"name": "held"}, "services": {"totalCount": 2}}} for s in served
        )
        [error] = result["update"]["errors"]
        assert error["extensions"]["code"] == "TIMEOUT"
        assert error["message"].startswith("the request ran past its 3 s limit (GRAPHSVC_TX_TIMEOUT_SECONDS)")
        assert post(update, {"id": "SVC-2"})["data"]["updateService"]["__typename"] == "ServicePayload"
        after = post('{ service(id: "SVC-1") { name version } }')["data"]["service"]
        assert after == {"name": "held", "version": 1}  # the cut-off update wrote nothing
