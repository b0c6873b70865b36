"""What every response tells the browser and what every request must look like (hardening, point 5): framing
denied and a CSP on every HTML page, nosniff, no referrer, no-store on data; one Authorization header; JSON sent as
exactly application/json; no write from another origin's page."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import bearer
from tests.conftest import counts, make_token
from tests.e2e.conftest import serve_asgi

CREATE = 'mutation { createTeam(input: {id: "T-9", name: "nine"}) { __typename } }'


@pytest.fixture
def server(empty_db: Connection, sync_driver: Driver) -> Iterator[tuple[str, str]]:
    token = make_token(sync_driver, empty_db.database, "admin")
    app = create_app(Settings(trusted_origins="https://cmdb.example.com"), connection=empty_db)
    with serve_asgi(app) as url:
        yield url, token


def common(headers: httpx.Headers) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_html_pages_deny_framing_and_allow_only_their_own_scripts(server: tuple[str, str]) -> None:
    url, token = server
    page = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    common(page.headers)
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "base-uri 'none'" in csp
    # No CMDB data in it; revalidated on every visit, since it names this release's immutable assets (assets.py).
    assert page.headers["cache-control"] == "no-cache"
    (nonce,) = re.findall(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'", csp)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.text)
    assert inline, "the GraphiQL page has an inline script"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)
    again = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"}).headers["content-security-policy"]
    assert again != csp  # a nonce for each response
    report = httpx.get(f"{url}/reports/costs", headers=bearer(token))
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    common(report.headers)
    assert report.headers["cache-control"] == "no-store"


def test_data_answers_are_not_stored_and_static_assets_may_be(server: tuple[str, str]) -> None:
    url, token = server
    answer = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers=bearer(token))
    assert answer.status_code == 200
    common(answer.headers)
    assert answer.headers["cache-control"] == "no-store"
    refused = httpx.post(f"{url}/graphql", json={"query": "{ __typename }"})
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    asset = httpx.get(f"{url}/static/graphiql/graphiql.min.css")
    assert asset.status_code == 200 and "no-store" not in asset.headers.get("cache-control", "")
    assert asset.headers["x-content-type-options"] == "nosniff"


def raw_request(url: str, head: str) -> tuple[int, str]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split(b" ")[1]), rest.decode("utf-8", "replace")


def test_two_authorization_headers_are_refused(server: tuple[str, str]) -> None:
    url, token = server
    body = '{"query": "{ __typename }"}'
    status, text = raw_request(
        url,
        f"POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer gsvc_{'A' * 43}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n\r\n{body}",
    )
    assert status == 400 and "more than one Authorization header" in text


def test_only_application_json_is_json(server: tuple[str, str]) -> None:
    url, token = server
    body = b'{"query": "{ __typename }"}'
    for ctype in ["application/jsonp", "text/application/json", "application/json-seq", "text/plain", ""]:
        r = httpx.post(f"{url}/graphql", content=body, headers={**bearer(token), "Content-Type": ctype})
        assert r.status_code == 415, (ctype, r.text)
        assert r.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    for ctype in ["application/json", "application/json; charset=utf-8", "Application/JSON"]:
        r = httpx.post(f"{url}/graphql", content=body, headers={**bearer(token), "Content-Type": ctype})
        assert r.json() == {"data": {"__typename": "Query"}}, ctype


def test_a_write_from_another_origins_page_is_refused(
    server: tuple[str, str], sync_driver: Driver, empty_db: Connection
) -> None:
    url, token = server
    before = counts(sync_driver, empty_db.database)
    for origin in ["http://127.0.0.1:1", "http://evil.example", "null", "file://"]:
        r = httpx.post(f"{url}/graphql", json={"query": CREATE}, headers={**bearer(token), "Origin": origin})
        assert r.status_code == 403, origin
        assert r.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_ORIGIN"
    signin = httpx.post(f"{url}/auth/session", json={"token": token}, headers={"Origin": "http://evil.example"})
    assert signin.status_code == 403 and "set-cookie" not in signin.headers
    assert counts(sync_driver, empty_db.database) == before
    own: Any = httpx.post(f"{url}/graphql", json={"query": CREATE}, headers={**bearer(token), "Origin": url})
    assert own.json() == {"data": {"createTeam": {"__typename": "TeamPayload"}}}
    trusted = httpx.post(
        f"{url}/graphql",
        json={"query": "{ __typename }"},
        headers={**bearer(token), "Origin": "https://cmdb.example.com"},
    )
    assert trusted.json() == {"data": {"__typename": "Query"}}
    assert counts(sync_driver, empty_db.database)[0] == before[0] + 1
