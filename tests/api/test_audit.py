"""The audit trail: every write records who, what and the item before and after, in the same transaction."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from graphsvc.cli import app as cli
from graphsvc.db.connection import Connection
from tests.api.conftest import GraphQLClient, operation
from tests.integration.test_cli import env

DOC = {
    "format": "graphsvc-cmdb/1",
    "teams": [{"id": "T-1", "name": "ops"}],
    "services": [{"id": "SVC-1", "name": "shop", "tier": "BUSINESS", "criticality": 2, "owner": "T-1"}],
    "configurationItems": [{"id": "CI-1", "name": "db", "type": "DATABASE"}],
}
HISTORY = """query($id: ID!, $after: String, $first: Int = 50) { history(id: $id, first: $first, after: $after) {
  entries { actorId actorName action itemId before after changed at } hasNextPage endCursor } }"""
UPDATE = """mutation($v: Int!, $name: String!) { updateService(id: "SVC-1", version: $v, patch: {name: $name}) {
  __typename ... on ServicePayload { service { version } } } }"""


def history(api: GraphQLClient, item: str, **kw: Any) -> dict[str, Any]:
    return api.data(HISTORY, {"id": item, **kw})["history"]  # type: ignore[no-any-return]


def audit_nodes(sync_driver: Any) -> int:
    records, _, _ = sync_driver.execute_query("MATCH (a:AuditEntry) RETURN count(a) AS n", database_="neo4j")
    return int(records[0]["n"])


def test_import_and_mutations_are_recorded_newest_first(api: GraphQLClient, sync_driver: Any) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": DOC}, "ImportCmdb")
    [created] = history(api, "SVC-1")["entries"]
    assert created["action"] == "importCmdb" and created["actorName"] == "tests"
    assert created["actorId"].startswith("tok-") and created["before"] is None
    assert created["after"]["name"] == "shop" and created["after"]["criticality"] == 2
    api.data(operation("import.graphql", "ImportCmdb"), {"document": DOC}, "ImportCmdb")
    assert len(history(api, "SVC-1")["entries"]) == 1  # an unchanged re-import writes nothing, so records nothing

    assert api.data(UPDATE, {"v": 1, "name": "web shop"})["updateService"]["service"]["version"] == 2
    api.data('mutation { addDependency(input: {from: "SVC-1", to: "CI-1"}) { __typename } }')
    api.data('mutation { removeDependency(from: "SVC-1", to: "CI-1") { __typename } }')
    entries = history(api, "SVC-1")["entries"]
    assert [e["action"] for e in entries] == ["removeDependency", "addDependency", "updateService", "importCmdb"]
    update = entries[2]
    assert update["before"]["name"] == "shop" and update["after"]["name"] == "web shop"
    assert update["changed"] == ["name"]
    assert entries[1]["after"]["dependsOn"] == "CI-1" and entries[0]["before"] == {"dependsOn": "CI-1"}
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)

    api.data('mutation { deleteItem(id: "CI-1") { __typename } }')
    [deleted, _] = history(api, "CI-1")["entries"]
    assert deleted["action"] == "deleteItem" and deleted["after"] is None and deleted["before"]["name"] == "db"
    assert "hash" not in deleted["before"]


def test_a_refused_write_records_nothing(api: GraphQLClient, sync_driver: Any) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": DOC}, "ImportCmdb")
    before = audit_nodes(sync_driver)
    assert api.data(UPDATE, {"v": 7, "name": "x"})["updateService"]["__typename"] == "StaleVersion"
    dup = 'mutation { createTeam(input: {id: "T-1", name: "again"}) { __typename } }'
    assert api.data(dup)["createTeam"]["__typename"] == "DuplicateId"
    bad = {
        "format": "graphsvc-cmdb/1",
        "services": [{"id": "SVC-9", "name": "x", "tier": "BUSINESS", "owner": "T-NOPE"}],
    }
    assert api.post(operation("import.graphql", "ImportCmdb"), {"document": bad}, "ImportCmdb")["errors"]
    assert audit_nodes(sync_driver) == before


def test_concurrent_writers_leave_an_unbroken_chain(api: GraphQLClient) -> None:
    """Lost updates: every accepted update is in the history, each starting from the one before it."""
    api.data(operation("import.graphql", "ImportCmdb"), {"document": DOC}, "ImportCmdb")

    def attempt(i: int) -> int:
        while True:
            current = api.data('{ service(id: "SVC-1") { version } }')["service"]["version"]
            out = api.data(UPDATE, {"v": current, "name": f"writer {i}"})["updateService"]
            if out["__typename"] == "ServicePayload":
                return int(out["service"]["version"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        accepted = sorted(pool.map(attempt, range(16)))
    assert accepted == list(range(2, 18))
    chain = [e for e in history(api, "SVC-1", first=100)["entries"] if e["action"] == "updateService"][::-1]
    assert len(chain) == 16
    for earlier, later in pairwise(chain):
        assert later["before"]["version"] == earlier["after"]["version"] == later["after"]["version"] - 1
        assert later["before"]["name"] == earlier["after"]["name"]  # nobody wrote over an update unseen
    assert sorted(e["after"]["name"] for e in chain) == sorted(f"writer {i}" for i in range(16))


def test_the_audit_log_pages_and_filters_by_actor(api: GraphQLClient, empty_db: Connection, tmp_path: Path) -> None:
    api.data(operation("import.graphql", "ImportCmdb"), {"document": DOC}, "ImportCmdb")
    for n in range(3):
        api.data(UPDATE, {"v": n + 1, "name": f"shop {n}"})
    runner = CliRunner()
    extra = {"format": "graphsvc-cmdb/1", "sites": [{"id": "S-1", "name": "lon"}]}
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(extra), encoding="utf-8")
    assert runner.invoke(cli, ["import", str(path)], env=env(empty_db)).exit_code == 0
    log = """query($actor: String, $after: String) { auditLog(since: "2020-01-01T00:00:00Z", actor: $actor, first: 2,
      after: $after) { entries { itemId action actorId actorName } hasNextPage endCursor } }"""
    first = api.data(log)["auditLog"]
    assert first["hasNextPage"] and len(first["entries"]) == 2
    assert first["entries"][0]["itemId"] == "S-1" and first["entries"][0]["actorName"].startswith("graphsvc CLI (")
    seen = [e["itemId"] for e in first["entries"]]
    cursor = first["endCursor"]
    while cursor:
        page = api.data(log, {"after": cursor})["auditLog"]
        seen += [e["itemId"] for e in page["entries"]]
        cursor = page["endCursor"] if page["hasNextPage"] else None
    assert sorted(seen) == sorted(["S-1", "SVC-1", "SVC-1", "SVC-1", "T-1", "SVC-1", "CI-1"])
    cli_only = api.data(log, {"actor": "cli"})["auditLog"]["entries"]
    assert [e["itemId"] for e in cli_only] == ["S-1"]
    bad = api.post('{ auditLog(since: "2020-01-01T00:00:00Z", after: "nope") { hasNextPage } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_tokens_are_managed_by_admins_and_recorded(api: GraphQLClient) -> None:
    made = api.data('mutation { createApiToken(name: "cab-bot", role: ANALYST) { token apiToken { id role state } } }')[
        "createApiToken"
    ]
    secret, token = made["token"], made["apiToken"]
    assert secret.startswith("gsvc_") and token["role"] == "ANALYST" and token["state"] == "active"
    listed = api.data("{ apiTokens { id name role state } }")["apiTokens"]
    assert {"id": token["id"], "name": "cab-bot", "role": "ANALYST", "state": "active"} in listed
    assert secret not in str(listed)
    bot = api.http.post(
        "/graphql", json={"query": "{ services { totalCount } }"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert bot.json() == {"data": {"services": {"totalCount": 0}}}
    revoked = api.data("mutation($id: ID!) { revokeApiToken(id: $id) { state } }", {"id": token["id"]})
    assert revoked["revokeApiToken"]["state"] == "revoked"
    again = api.http.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {secret}"})
    assert again.status_code == 401
    assert history(api, token["id"])["entries"] == []  # token entries are for admins, in the audit log only
    log = api.data('{ auditLog(since: "2020-01-01T00:00:00", actor: "tests") { entries { itemId action after } } }')
    entries = [e for e in log["auditLog"]["entries"] if e["itemId"] == token["id"]]
    assert [e["action"] for e in entries] == ["revokeApiToken", "createApiToken"]
    assert all("hash" not in (e["after"] or {}) for e in entries)
    naive = api.data(
        'mutation { createApiToken(name: "n", role: VIEWER, expiresAt: "2099-01-01T00:00:00") '
        "{ apiToken { expiresAt } } }"
    )
    assert naive["createApiToken"]["apiToken"]["expiresAt"].startswith("2099-01-01T00:00:00")
    missing = api.post('mutation { revokeApiToken(id: "tok-nope") { state } }')
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    past = api.post('mutation { createApiToken(name: "x", role: VIEWER, expiresAt: "2020-01-01T00:00:00Z") { token } }')
    assert "in the past" in past["errors"][0]["message"]
