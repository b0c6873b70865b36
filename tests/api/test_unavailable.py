"""With Neo4j unreachable the process stays up, says so on /readyz and answers GraphQL with a clear error."""

from __future__ import annotations

import socket

import httpx

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.e2e.conftest import serve_asgi


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the socket is


TOKEN = {"Authorization": "Bearer gsvc_" + "A" * 43}  # well formed: checking it needs the database


def test_unreachable_neo4j_is_reported_clearly() -> None:
    nowhere = Connection(f"bolt://127.0.0.1:{closed_port()}", "neo4j", "x", "neo4j", False)
    with serve_asgi(create_app(Settings(), connection=nowhere)) as url:
        assert httpx.get(f"{url}/healthz").status_code == 200
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "neo4j": "unreachable: ServiceUnavailable"}
        # the token cannot be checked: 503 with Retry-After, not a 401 that would send the user after their token
        response = httpx.post(
            f"{url}/graphql", json={"query": '{ service(id: "S") { id } }'}, headers=TOKEN, timeout=30
        )
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        [error] = response.json()["errors"]
        assert error["message"].startswith("the database is unavailable right now; try again shortly")
        assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        assert "Traceback" not in response.text
        report = httpx.get(f"{url}/reports/changes/CHG-1", headers=TOKEN, timeout=30)
        assert report.status_code == 503 and report.headers["retry-after"] == "5"
        assert report.text.startswith("the database is unavailable right now")


def test_unreachable_neo4j_without_auth_answers_inside_graphql() -> None:
    nowhere = Connection(f"bolt://127.0.0.1:{closed_port()}", "neo4j", "x", "neo4j", False)
    with serve_asgi(create_app(Settings(auth=False), connection=nowhere)) as url:
        result = httpx.post(f"{url}/graphql", json={"query": '{ service(id: "S") { id } }'}, timeout=30).json()
        [error] = result["errors"]
        assert error["message"].startswith("the database is unavailable right now; try again shortly")
        assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        assert "Traceback" not in str(result)
        impact = httpx.post(f"{url}/graphql", json={"query": '{ impact(origin: ["CI-1"]) { origin } }'}, timeout=30)
        assert impact.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        report = httpx.get(f"{url}/reports/changes/CHG-1", timeout=30)
        assert report.status_code == 503 and report.headers["retry-after"] == "5"
