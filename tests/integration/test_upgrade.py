"""A store made by the previous release (tests/fixtures/store-0.1.0: schema version 9, written by 0.1.0's own code)
upgrades with today's `graphsvc migrate` and answers the contract documents as a store made today from the same
document does; the token 0.1.0 created still signs in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.db.connection import Connection
from graphsvc.db.migrate import expected_version
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import GraphQLClient, bearer, operation
from tests.conftest import REPO, load_json, make_token
from tests.e2e.conftest import serve_asgi
from tests.e2e.test_cors_browser_app import VARIABLES, contract_operations
from tests.integration.test_backup_restore import Managed

FIXTURE = REPO / "tests" / "fixtures" / "store-0.1.0"
OLD_TOKEN = "gsvc_Y-QPWjJ_xBZ2wYmchLBkhOgqUOs78gMV7w4ghheIHuI"  # analyst, made by 0.1.0 for this fixture only
# Answers that depend on when and how the data was written, not on what it is: the journal (as of a time, the
# diff of the last hour) and the readings' clock; and those only an editor or admin may ask.
DIFFERENT_BY_NATURE = {"EstateItem", "EstateDiff", "CapacityForecast"}


@pytest.fixture
def upgraded(tmp_path: Path) -> Iterator[Managed]:
    server = Managed(tmp_path / "old")
    restored = server.cli("restore", str(FIXTURE / "backup.tar"))
    assert "571 items" in restored
    server.cli("db", "start")
    migrated = server.cli("migrate")
    assert "applied 0010" in migrated and f"schema at version {expected_version()}" in migrated
    yield server
    server.server.stop()


def answers(client: httpx.Client) -> dict[str, Any]:
    documents = dict(contract_operations())
    out = {}
    for name, variables in VARIABLES.items():
        if name in DIFFERENT_BY_NATURE:
            continue
        body = client.post("/graphql", json={"query": documents[name], "operationName": name, "variables": variables})
        assert body.status_code == 200, (name, body.text[:300])
        answer = body.json()
        assert "errors" not in answer, (name, answer["errors"])
        out[name] = answer["data"]
    return out


def test_a_store_of_the_previous_release_upgrades_and_answers_the_same(
    upgraded: Managed, empty_db: Connection, sync_driver: Any
) -> None:
    old = upgraded.server
    conn = Connection(old.uri, old.user, old.password(), "neo4j", managed=True)
    with (
        serve_asgi(create_app(Settings(), connection=conn)) as url,
        httpx.Client(base_url=url, timeout=120, headers=bearer(OLD_TOKEN)) as http,
    ):
        refused = httpx.post(f"{url}/graphql", json={"query": "{ processes { id } }"}, timeout=60)
        assert refused.status_code == 401  # auth is on: the answers below are the old token's
        before = answers(http)  # analyses among them: the token's analyst role came through

    token = make_token(sync_driver, empty_db.database, "analyst")
    admin = make_token(sync_driver, empty_db.database, "admin")
    with (
        serve_asgi(create_app(Settings(), connection=empty_db)) as url,
        httpx.Client(base_url=url, timeout=120, headers=bearer(token)) as http,
        httpx.Client(base_url=url, timeout=120, headers=bearer(admin)) as as_admin,
    ):
        document = {"document": load_json(FIXTURE / "demo.json")}
        GraphQLClient(as_admin).data(operation("import.graphql", "ImportCmdb"), document, "ImportCmdb")
        today = answers(http)

    differing = sorted(name for name in today if json.dumps(today[name]) != json.dumps(before[name]))
    assert differing == [], {name: (before[name], today[name]) for name in differing[:2]}
