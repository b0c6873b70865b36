"""Persisted queries over the real app: Apollo's automatic persisted queries (the hash alone after the document has
been registered with it) over GET and POST, an unknown hash, a hash that does not match, the store's bound, and the
allow-list mode that runs only the documents of a directory (here the contract's operations)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.persisted import sha256_of
from tests.api.conftest import OPERATIONS, bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

TEAMS = "{ teams(first: 5) { nodes { id name } } }"
Serve = Callable[..., httpx.Client]


@pytest.fixture
def serve(empty_db: Connection, sync_driver: Driver) -> Iterator[Serve]:
    """A client (admin token) of the real app with these settings, on an empty graph."""
    token = make_token(sync_driver, empty_db.database, "admin")
    with ExitStack() as stack:

        def start(**settings: Any) -> httpx.Client:
            url = stack.enter_context(serve_asgi(create_app(Settings(**settings), connection=empty_db)))
            return stack.enter_context(httpx.Client(base_url=url, timeout=60, headers=bearer(token)))

        yield start


def extension(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_of(document)}}


def post(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return client.post("/graphql", json=body)


def get(client: httpx.Client, **params: Any) -> httpx.Response:
    shown = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return client.get("/graphql?" + urlencode(shown))


def code_of(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    code: str = error["extensions"]["code"]
    return code


def test_apq_round_trip_over_post_and_get(serve: Serve) -> None:
    client = serve()
    unknown = post(client, {"extensions": extension(TEAMS)})
    assert unknown.status_code == 200 and code_of(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert unknown.headers["cache-control"] == "no-store"
    assert code_of(get(client, extensions=extension(TEAMS))) == "PERSISTED_QUERY_NOT_FOUND"

    registered = post(client, {"query": TEAMS, "extensions": extension(TEAMS)})
    assert registered.status_code == 200 and registered.json() == {"data": {"teams": {"nodes": []}}}
    by_post = post(client, {"extensions": extension(TEAMS)})
    assert by_post.status_code == 200 and by_post.json() == registered.json()
    by_get = get(client, extensions=extension(TEAMS))
    assert by_get.status_code == 200 and by_get.json() == registered.json()
    assert by_get.headers["etag"]  # a GET by hash is a GET query like any other

    # Registered over GET, with variables and an operation name beside the hash
    named = "query Some($n: Int!) { teams(first: $n) { nodes { id } } }"
    assert get(client, query=named, variables={"n": 2}, extensions=extension(named)).json()["data"]
    again = get(client, variables={"n": 3}, operationName="Some", extensions=extension(named))
    assert again.status_code == 200 and again.json() == {"data": {"teams": {"nodes": []}}}


def test_a_hash_that_does_not_match_or_is_malformed_is_refused(serve: Serve) -> None:
    client = serve()
    other = "{ teams(first: 1) { nodes { id } } }"
    mismatch = post(client, {"query": TEAMS, "extensions": extension(other)})
    assert mismatch.status_code == 400 and code_of(mismatch) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert code_of(post(client, {"extensions": extension(TEAMS)})) == "PERSISTED_QUERY_NOT_FOUND"  # not registered
    version = post(client, {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256_of(TEAMS)}}})
    assert version.status_code == 400 and "version" in version.json()["errors"][0]["message"]
    short = post(client, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}})
    assert short.status_code == 400 and "64 hex digits" in short.json()["errors"][0]["message"]


def test_a_hash_alone_needs_a_token(serve: Serve) -> None:
    client = serve()
    assert post(client, {"query": TEAMS, "extensions": extension(TEAMS)}).status_code == 200
    anonymous = httpx.get(f"{client.base_url}/graphql?" + urlencode({"extensions": json.dumps(extension(TEAMS))}))
    assert anonymous.status_code == 401


def test_the_store_lets_the_least_recently_used_go_within_its_budget(serve: Serve) -> None:
    client = serve(persisted_queries_kb=1)  # 1024 bytes: four of these documents (200 bytes each of overhead)
    documents = [f"{{ teams(first: {n}) {{ nodes {{ id }} }} }}" for n in range(1, 6)]
    for document in documents[:4]:
        assert post(client, {"query": document, "extensions": extension(document)}).status_code == 200
    assert post(client, {"extensions": extension(documents[0])}).status_code == 200  # used: now the most recent
    post(client, {"query": documents[4], "extensions": extension(documents[4])})
    assert code_of(post(client, {"extensions": extension(documents[1])})) == "PERSISTED_QUERY_NOT_FOUND"
    for kept in (documents[0], documents[2], documents[3], documents[4]):
        assert "errors" not in post(client, {"extensions": extension(kept)}).json(), kept
    large = "{ teams(first: 1) { nodes { id } } }" + " " * 400  # over a quarter of the budget: run, not kept
    assert "errors" not in post(client, {"query": large, "extensions": extension(large)}).json()
    assert code_of(post(client, {"extensions": extension(large)})) == "PERSISTED_QUERY_NOT_FOUND"


def test_off_says_persisted_queries_are_not_supported(serve: Serve) -> None:
    client = serve(persisted_queries="off")
    refused = post(client, {"extensions": extension(TEAMS)})
    assert refused.status_code == 200 and code_of(refused) == "PERSISTED_QUERY_NOT_SUPPORTED"
    ran = post(client, {"query": TEAMS, "extensions": extension(TEAMS)})
    assert ran.json() == {"data": {"teams": {"nodes": []}}}
    assert code_of(post(client, {"extensions": extension(TEAMS)})) == "PERSISTED_QUERY_NOT_SUPPORTED"


def test_allowlist_runs_only_its_documents(serve: Serve) -> None:
    client = serve(persisted_queries="allowlist", persisted_queries_dir=OPERATIONS, introspection=True)
    browse = (OPERATIONS / "browse.graphql").read_text(encoding="utf-8")
    by_hash = post(client, {"extensions": extension(browse), "operationName": "Search", "variables": {"text": "x"}})
    assert by_hash.status_code == 200 and by_hash.json() == {"data": {"search": []}}
    as_text = get(client, query=browse, operationName="Search", variables={"text": "x"})
    assert as_text.status_code == 200 and as_text.json() == by_hash.json()

    refused = post(client, {"query": TEAMS})
    assert refused.status_code == 400 and code_of(refused) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert code_of(get(client, query=TEAMS)) == "PERSISTED_QUERY_NOT_ALLOWED"
    # an APQ client cannot register one either
    assert code_of(post(client, {"query": TEAMS, "extensions": extension(TEAMS)})) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert code_of(post(client, {"extensions": extension(TEAMS)})) == "PERSISTED_QUERY_NOT_FOUND"
    mutation = 'mutation { createTeam(input: {id: "T-X", name: "X"}) { __typename } }'
    assert code_of(post(client, {"query": mutation})) == "PERSISTED_QUERY_NOT_ALLOWED"
    # GraphiQL's schema question goes on to the schema's own rule (introspection is on here)
    schema = post(client, {"query": "query IntrospectionQuery { __schema { queryType { name } } }"})
    assert schema.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    mixed = post(client, {"query": "{ __schema { queryType { name } } teams(first: 1) { nodes { id } } }"})
    assert code_of(mixed) == "PERSISTED_QUERY_NOT_ALLOWED"
    batch = client.post("/graphql", json=[{"query": browse, "operationName": "Search"}, {"query": TEAMS}])
    assert batch.status_code == 400 and code_of(batch) == "PERSISTED_QUERY_NOT_ALLOWED"


def test_allowlist_without_documents_stops_the_start(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="GRAPHSVC_PERSISTED_QUERIES_DIR"):
        create_app(Settings(persisted_queries="allowlist"))
    with pytest.raises(ValueError, match=r"no \.graphql file"):
        create_app(Settings(persisted_queries="allowlist", persisted_queries_dir=tmp_path))


def test_allowlist_reads_apollo_manifests(serve: Serve, tmp_path: Any) -> None:
    # as Apollo's client prints and sends it (__typename added), and as its manifest generator stores it
    printed = "query Teams {\n  teams(first: 5) {\n    nodes {\n      id\n      __typename\n    }\n"
    printed += "    __typename\n  }\n}"
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256_of(printed), "name": "Teams", "type": "query", "body": printed}],
    }
    (tmp_path / "persisted-query-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    client = serve(persisted_queries="allowlist", persisted_queries_dir=tmp_path)
    ran = get(client, extensions=extension(printed), operationName="Teams")
    assert ran.status_code == 200 and ran.json() == {"data": {"teams": {"nodes": [], "__typename": "TeamConnection"}}}
    assert code_of(post(client, {"query": TEAMS})) == "PERSISTED_QUERY_NOT_ALLOWED"
    manifest["operations"][0]["id"] = sha256_of(TEAMS)  # an id that is not the body's hash
    (tmp_path / "persisted-query-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValueError, match=r"operations\[0\] needs a body and, as its id, the body's SHA-256"):
        create_app(Settings(persisted_queries="allowlist", persisted_queries_dir=tmp_path))
