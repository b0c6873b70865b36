"""Schema-driven fuzzing: 1,000 operations generated from graphsvc's own schema (queries and mutations, any
arguments, any depth) against the real app over a small estate. None may get a server error: no HTTP 5xx, no masked
"Unexpected error" (an exception the code did not expect), no stack trace. A refusal (a limit, a validation error,
a typed error) is a fine answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from graphsvc.db.connection import Connection
from graphsvc.graphql.error_codes import Code
from graphsvc.graphql.schema import build_schema
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.test_injection import CANARY
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

SCALARS = {
    "DateTime": st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
    .map(lambda d: d.isoformat())
    .map(nodes.String),
    "Decimal": st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False)
    .map(str)
    .map(nodes.String),
    "JSON": st.sampled_from([nodes.Object([]), nodes.String("x"), nodes.Int(1), nodes.List([])]),
}
EXAMPLES = 1000
SCHEMA = build_schema()._schema
CODES = {code.value for code in Code}


@pytest.fixture(scope="module")
def fuzz_target(migrated: Connection, sync_driver: Any) -> Iterator[tuple[httpx.Client, dict[str, int]]]:
    from tests.conftest import wipe

    wipe(sync_driver, migrated.database)
    token = make_token(sync_driver, migrated.database, "admin", name="fuzzer")
    with (
        serve_asgi(create_app(Settings(), connection=migrated)) as url,
        httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as client,
    ):
        done = client.post(
            "/graphql",
            json={"query": "mutation($d: JSON!) { importCmdb(document: $d) { created } }", "variables": {"d": CANARY}},
        )
        assert done.json()["data"]["importCmdb"]["created"] == 3
        yield client, {"sent": 0, "answered": 0, "refused": 0}


def check(client: httpx.Client, query: str, tally: dict[str, int]) -> None:
    response = client.post("/graphql", json={"query": query})
    tally["sent"] += 1
    assert response.status_code < 500, (query, response.status_code, response.text[:500])
    assert "Traceback" not in response.text and 'File "' not in response.text, query
    body = response.json()
    errors = body.get("errors") or []
    for error in errors:
        assert "Unexpected error" not in error["message"], (query, error)
        assert error.get("extensions", {}).get("code") in CODES, (query, error)  # every error has a listed code
    tally["answered" if body.get("data") else "refused"] += 1


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(query=from_schema(SCHEMA, custom_scalars=SCALARS, allow_x00=False))
def test_generated_operations_never_get_a_server_error(
    fuzz_target: tuple[httpx.Client, dict[str, int]], query: str
) -> None:
    check(fuzz_target[0], query, fuzz_target[1])


def test_the_fuzzer_ran_and_the_server_still_answers(fuzz_target: tuple[httpx.Client, dict[str, int]]) -> None:
    client, tally = fuzz_target
    assert tally["sent"] >= EXAMPLES, tally
    print(json.dumps(tally))  # shown with -s: how many were answered and how many refused
    assert client.post("/graphql", json={"query": '{ service(id: "SVC-CANARY") { name } }'}).json() == {
        "data": {"service": {"name": "canary"}}
    }
