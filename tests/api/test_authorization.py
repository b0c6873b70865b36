"""Who may do what, against the real app with auth on: each role against each operation, tokens that fail, and
the browser sign-in session."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    parse,
)

from graphsvc.db.connection import Connection
from graphsvc.domain.tokens import Role
from graphsvc.graphql.permissions import field_role
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import OPERATIONS
from tests.api.probes import SCHEMA, probe
from tests.conftest import counts, make_token
from tests.e2e.conftest import serve_asgi

http = httpx.Client(timeout=60)  # no cookies are set on it: each request stands alone


@pytest.fixture(scope="module", autouse=True)
def _close_http() -> Iterator[None]:
    """The module's client closed after its last test (left open, its sockets warn at interpreter exit)."""
    yield
    http.close()


VARIABLES = {
    "after": None,
    "type": None,
    "id": "X-1",
    "text": "db",
    "from": "2026-11-20T00:00:00Z",
    "to": "2026-11-29T00:00:00Z",
    "serviceId": "X-1",
    "origin": ["X-1"],
    "degraded": ["X-1"],
    "siteId": "X-1",
    "document": {"format": "graphsvc-cmdb/1"},
    "since": "2026-11-01T00:00:00Z",
    "until": "2026-11-20T00:00:00Z",
    "windowMinutes": 60,
    "asOf": "2026-11-20T00:00:00Z",
    "edits": [{"retire": "X-1"}],
    "threshold": 85,
    "windowDays": 30,
}


def contract_operations() -> Iterator[tuple[str, str, str]]:
    for path in sorted(OPERATIONS.glob("*.graphql")):
        text = path.read_text()
        for d in parse(text).definitions:
            name = getattr(d, "name", None)
            if name is not None and hasattr(d, "operation"):
                yield path.name, name.value, text


CASES: list[tuple[str, str, str | None, dict[str, Any]]] = [
    (
        f"{file}:{op}",
        text,
        op,
        {v: VARIABLES[v] for v in re.findall(r"\$(\w+):", text.split(op, 1)[1].split("\n}\n")[0])},
    )
    for file, op, text in contract_operations()
]
CASES += [(f"Query.{n}", probe("Query", n), None, {}) for n in sorted(SCHEMA.query_type.fields)]  # type: ignore[union-attr]
CASES += [(f"Mutation.{n}", probe("Mutation", n), None, {}) for n in sorted(SCHEMA.mutation_type.fields)]  # type: ignore[union-attr]


def needed(text: str, op: str | None) -> Role:
    from graphsvc.graphql.permissions import required_role

    return required_role(SCHEMA, parse(text), op)[0]


@pytest.fixture
def server(empty_db: Connection, sync_driver: Any) -> Iterator[tuple[str, dict[str, str]]]:
    tokens = {
        role.value: make_token(sync_driver, empty_db.database, role.value, name=f"{role.value} tester") for role in Role
    }
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:
        yield url, tokens


def post(
    url: str, token: str | None, query: str, variables: dict[str, Any] | None = None, op: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    if op:
        body["operationName"] = op
    return http.post(f"{url}/graphql", json=body, headers=headers, timeout=60)


def test_the_matrix_each_role_against_each_operation(
    server: tuple[str, dict[str, str]], sync_driver: Any, empty_db: Connection
) -> None:
    url, tokens = server
    assert len(CASES) >= 90  # 18 contract operations, every Query and every Mutation field
    seen: dict[str, dict[str, str]] = {}
    for label, text, op, variables in CASES:
        need = needed(text, op)
        for role in Role:
            response = post(url, tokens[role.value], text, variables, op)
            assert response.status_code == 200, (label, role, response.text)
            body = response.json()
            codes = [e.get("extensions", {}).get("code") for e in body.get("errors", [])]
            if role.allows(need):
                assert "FORBIDDEN" not in codes, (label, role, body)
                seen.setdefault(label, {})[role.value] = "allowed"
            else:
                assert body["data"] is None and codes == ["FORBIDDEN"], (label, role, body)
                assert f"needs the {need.value} role" in body["errors"][0]["message"]
                seen.setdefault(label, {})[role.value] = "denied"
    # the table the product promises
    assert seen["browse.graphql:ServiceDetail"] == dict.fromkeys(("viewer", "analyst", "editor", "admin"), "allowed")
    assert seen["impact.graphql:Impact"]["viewer"] == "denied" and seen["impact.graphql:Impact"]["analyst"] == "allowed"
    assert seen["change.graphql:ChangeAssessment"]["viewer"] == "denied"  # the assessment inside a readable change
    assert seen["import.graphql:ImportCmdb"] == {
        "viewer": "denied",
        "analyst": "denied",
        "editor": "allowed",
        "admin": "allowed",
    }
    for label, by_role in seen.items():
        if label.startswith("Mutation."):
            admin_only = field_role(SCHEMA.mutation_type, label.split(".")[1]) is Role.admin  # type: ignore[arg-type]
            assert by_role["analyst"] == "denied" and by_role["admin"] == "allowed", label
            assert by_role["editor"] == ("denied" if admin_only else "allowed"), label
    for label in ("Query.auditLog", "Query.apiTokens", "Mutation.createApiToken", "Mutation.revokeApiToken"):
        assert seen[label] == {"viewer": "denied", "analyst": "denied", "editor": "denied", "admin": "allowed"}
    assert seen["Query.history"]["viewer"] == "allowed"


def test_a_denied_mutation_changes_nothing(
    server: tuple[str, dict[str, str]], sync_driver: Any, empty_db: Connection
) -> None:
    url, tokens = server
    before = counts(sync_driver, empty_db.database)
    text = 'mutation { createTeam(input: {id: "T-1", name: "t"}) { __typename } }'
    denied = post(url, tokens["analyst"], text).json()
    assert denied["data"] is None and denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert counts(sync_driver, empty_db.database) == before
    assert "errors" not in post(url, tokens["editor"], text).json()
    assert counts(sync_driver, empty_db.database) == (before[0] + 1, before[1])


def test_requests_without_a_usable_token_are_refused_clearly(
    server: tuple[str, dict[str, str]], sync_driver: Any, empty_db: Connection
) -> None:
    url, tokens = server
    none = post(url, None, "{ services { totalCount } }")
    assert none.status_code == 401 and none.headers["www-authenticate"] == 'Bearer realm="graphsvc"'
    assert none.json() == {
        "data": None,
        "errors": [
            {
                "message": "authentication required: send 'Authorization: Bearer <token>' (graphsvc token create "
                "makes one), or sign in on the GraphiQL page at /graphql",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ],
    }
    basic = http.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401 and "use the Bearer scheme" in basic.text
    wrong = post(url, "gsvc_" + "A" * 43, "{ __typename }")
    assert wrong.status_code == 401 and "the token is unknown" in wrong.text
    assert "not a graphsvc API token" in post(url, "hunter2", "{ __typename }").text
    # revoked and expired tokens say so, by id, without echoing the secret
    sync_driver.execute_query(
        "MATCH (t:ApiToken {name: 'viewer tester'}) SET t.revokedAt = datetime()", database_=empty_db.database
    )
    revoked = post(url, tokens["viewer"], "{ __typename }")
    assert revoked.status_code == 401 and re.search(r"the token tok-\w+ \(viewer tester\) is revoked", revoked.text)
    assert tokens["viewer"] not in revoked.text
    past = datetime.now(UTC) - timedelta(minutes=1)
    sync_driver.execute_query(
        "MATCH (t:ApiToken {name: 'analyst tester'}) SET t.expiresAt = $t", t=past, database_=empty_db.database
    )
    assert "is expired" in post(url, tokens["analyst"], "{ __typename }").text
    # public routes stay public
    assert http.get(f"{url}/healthz").status_code == 200 and http.get(f"{url}/readyz").status_code == 200
    page = http.get(f"{url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "gs-signin" in page.text
    assert http.get(f"{url}/graphql", params={"query": "{ __typename }"}).status_code == 401


def test_reports_need_an_analyst(server: tuple[str, dict[str, str]]) -> None:
    url, tokens = server
    assert http.get(f"{url}/reports/costs").status_code == 401
    viewer = http.get(f"{url}/reports/costs", headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert viewer.status_code == 403 and "/reports/costs needs the analyst role" in viewer.text
    analyst = http.get(f"{url}/reports/costs", headers={"Authorization": f"Bearer {tokens['analyst']}"})
    assert analyst.status_code == 200 and "<h1>IT cost allocation</h1>" in analyst.text


def test_a_browser_session_is_an_httponly_strict_cookie(server: tuple[str, dict[str, str]]) -> None:
    url, tokens = server
    with httpx.Client(base_url=url) as browser:
        assert browser.get("/auth/session").status_code == 401
        bad = browser.post("/auth/session", json={"token": "gsvc_" + "B" * 43})
        assert bad.status_code == 401 and "sign-in failed: the token is unknown" in bad.text
        assert (
            browser.post(
                "/auth/session", content=b"token=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
            ).status_code
            == 415
        )
        ok = browser.post("/auth/session", json={"token": tokens["analyst"]})
        assert ok.status_code == 200 and ok.json() == {
            "tokenId": ok.json()["tokenId"],
            "name": "analyst tester",
            "role": "analyst",
        }
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        assert browser.get("/auth/session").json()["role"] == "analyst"
        assert browser.post("/graphql", json={"query": "{ services { totalCount } }"}).json() == {
            "data": {"services": {"totalCount": 0}}
        }
        assert browser.get("/reports/costs").status_code == 200
        assert browser.delete("/auth/session").status_code == 200
        assert browser.post("/graphql", json={"query": "{ __typename }"}).status_code == 401


def test_auth_off_is_for_loopback_only(empty_db: Connection) -> None:
    with pytest.raises(ValueError, match="GRAPHSVC_AUTH=off is only for a server bound to loopback"):
        create_app(Settings(auth=False, host="0.0.0.0"), connection=empty_db)
    with serve_asgi(create_app(Settings(auth=False), connection=empty_db)) as url:
        who = http.get(f"{url}/auth/session").json()
        assert who["role"] == "admin" and who["auth"] is False
        assert http.post(f"{url}/graphql", json={"query": "{ services { totalCount } }"}).status_code == 200


def test_signing_out_revokes_the_session_token(server: tuple[str, dict[str, str]]) -> None:
    """The cookie's token stops working at sign-out, wherever it was copied to; the token signed in with does not."""
    url, tokens = server
    with httpx.Client(base_url=url) as browser:
        signed_in = browser.post("/auth/session", json={"token": tokens["editor"]})
        assert signed_in.status_code == 200
        session_token = browser.cookies["graphsvc_token"]
        query = {"query": "{ services { totalCount } }"}
        bearer = {"Authorization": f"Bearer {session_token}"}
        assert http.post(f"{url}/graphql", json=query, headers=bearer).status_code == 200
        # writes made in the browser are the signed-in token's in the audit trail
        assert browser.get("/auth/session").json()["tokenId"] == signed_in.json()["tokenId"]

        assert browser.delete("/auth/session").json() == {"signedOut": True}
        assert "graphsvc_token" not in browser.cookies
        again = http.post(f"{url}/graphql", json=query, headers=bearer)
        assert again.status_code == 401 and again.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert http.get(f"{url}/auth/session", headers=bearer).status_code == 401
        # the API token itself (a tool's, or another browser's) is untouched: the cookie held a session of its own
        assert post(url, tokens["editor"], "{ services { totalCount } }").status_code == 200
        assert session_token != tokens["editor"]


def test_revoking_a_token_ends_its_browser_sessions(server: tuple[str, dict[str, str]], sync_driver: Any) -> None:
    url, tokens = server
    with httpx.Client(base_url=url) as browser:
        token_id = browser.post("/auth/session", json={"token": tokens["viewer"]}).json()["tokenId"]
        assert browser.post("/graphql", json={"query": "{ __typename }"}).status_code == 200
        revoked = post(url, tokens["admin"], "mutation($id: ID!) { revokeApiToken(id: $id) { id } }", {"id": token_id})
        assert "errors" not in revoked.json(), revoked.text
        assert browser.post("/graphql", json={"query": "{ __typename }"}).status_code == 401
        # sessions are not tokens of their own in the token list
        listed = post(url, tokens["admin"], "{ apiTokens { id } }").json()["data"]["apiTokens"]
        assert len(listed) == len(tokens)
