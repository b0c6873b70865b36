"""Slow and noisy clients cannot take the service (hardening, point 3): headers that never finish get 408 from
`graphsvc serve` itself, a body trickled in holds no slot and is cut off below the minimum rate, one token cannot
take every slot, and failed sign-ins are counted per address with an unknown token not looked up again."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.throttle import FailedSignIns
from tests.api.conftest import bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi
from tests.integration.serving import serve_process

BROWSE = {"query": "{ services(first: 1) { totalCount } }"}


def test_headers_that_never_finish_get_408_and_the_connection_closed(empty_db: Connection, tmp_path: Path) -> None:
    with serve_process(empty_db, tmp_path / "serve.log", GRAPHSVC_HEADER_TIMEOUT_SECONDS="1") as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")  # and nothing more
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        assert data.startswith(b"HTTP/1.1 408 ")
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200  # others are served as before


def trickled(parts: list[bytes], pause: float, started: threading.Event | None = None) -> Iterator[bytes]:
    for index, part in enumerate(parts):
        if index == 1 and started is not None:
            started.set()
        if index:
            time.sleep(pause)
        yield part


def test_a_trickled_body_holds_no_slot_and_is_cut_off_below_the_minimum_rate(
    empty_db: Connection, sync_driver: Driver
) -> None:
    token = make_token(sync_driver, empty_db.database, "viewer")
    headers = {**bearer(token), "Content-Type": "application/json"}
    settings = Settings(max_concurrent_requests=1, body_min_bytes_per_second=100_000)
    with serve_asgi(create_app(settings, connection=empty_db)) as url:
        result: dict[str, Any] = {}
        started = threading.Event()
        body = [b'{"query": "{ services(first: 1) ', b"{ totalCount } ", b'}"}']

        def slow() -> None:
            with httpx.Client(timeout=60) as client:
                result["slow"] = client.post(f"{url}/graphql", content=trickled(body, 2.0, started), headers=headers)

        worker = threading.Thread(target=slow)
        worker.start()
        assert started.wait(30)
        # The only slot is free while that body trickles in: this request is served, not turned away.
        served = httpx.post(f"{url}/graphql", json=BROWSE, headers=bearer(token), timeout=60)
        assert served.json() == {"data": {"services": {"totalCount": 0}}}
        worker.join(60)
        assert result["slow"].json() == {"data": {"services": {"totalCount": 0}}}  # 4 s: inside the 5 s grace
        # Past the grace, 10 bytes a second is far below 100,000.
        starved = httpx.post(
            f"{url}/graphql", content=trickled([b'{"query": '] + [b" "] * 20, 0.5), headers=headers, timeout=60
        )
        assert starved.status_code == 408
        assert starved.json()["errors"][0]["extensions"]["code"] == "REQUEST_TIMEOUT"
        assert "slower than 100000 bytes a second" in starved.json()["errors"][0]["message"]


def test_failed_sign_ins_are_counted_per_address_and_unknown_tokens_remembered(
    empty_db: Connection, sync_driver: Driver
) -> None:
    from graphsvc.db.cypher import cypher
    from graphsvc.domain.tokens import new_token

    token_id, secret, digest = new_token()
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:
        first = httpx.post(f"{url}/graphql", json=BROWSE, headers=bearer(secret), timeout=60)
        assert first.status_code == 401 and "the token is unknown" in first.text
        # The token is created now: for a few seconds the server still knows it as unknown, without asking Neo4j.
        sync_driver.execute_query(
            cypher("tokens/create"),
            id=token_id,
            name="late",
            role="viewer",
            hash=digest,
            expiresAt=None,
            createdBy="tests",
            database_=empty_db.database,
        )
        again = httpx.post(f"{url}/graphql", json=BROWSE, headers=bearer(secret), timeout=60)
        assert again.status_code == 401 and "the token is unknown" in again.text
        statuses = []
        for _ in range(25):
            bogus = new_token()[1]
            statuses.append(httpx.post(f"{url}/graphql", json=BROWSE, headers=bearer(bogus), timeout=60).status_code)
        assert statuses[:18] == [401] * 18 and statuses[-1] == 429
        limited = httpx.post(f"{url}/graphql", json=BROWSE, headers=bearer(new_token()[1]), timeout=60)
        assert limited.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"
        assert int(limited.headers["retry-after"]) >= 1


def test_a_good_token_is_not_held_back_by_its_addresss_failures_and_ipv6_counts_by_64() -> None:
    failures = FailedSignIns(max_failures=2, window=10.0)
    failures.failed("192.0.2.1", now=0.0)
    failures.failed("192.0.2.1", now=0.1)
    assert failures.blocked_for("192.0.2.1", now=1.0) > 0
    failures.succeeded("digest-of-a-good-token", now=0.5)
    assert failures.recently_succeeded("digest-of-a-good-token", now=1.0)
    assert not failures.recently_succeeded("digest-of-a-good-token", now=61.0)
    failures.failed("2001:db8:1:2::1", now=0.0)
    failures.failed("2001:db8:1:2:ffff::9", now=0.0)  # another address of the same /64
    assert failures.blocked_for("2001:db8:1:2::77", now=1.0) > 0
    assert failures.blocked_for("2001:db8:1:3::1", now=1.0) == 0


def test_a_browser_session_cannot_sign_in_again(empty_db: Connection, sync_driver: Driver) -> None:
    token = make_token(sync_driver, empty_db.database, "viewer")
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url, httpx.Client(base_url=url) as browser:
        signed_in = browser.post("/auth/session", json={"token": token})
        assert signed_in.status_code == 200
        session = browser.cookies["graphsvc_token"]
        renewed = httpx.post(f"{url}/auth/session", json={"token": session}, timeout=60)
        assert renewed.status_code == 401 and "is a browser session: sign in with an API token" in renewed.text
        huge = httpx.post(f"{url}/auth/session", json={"token": "x" * 10_000}, timeout=60)
        assert huge.status_code == 413


def test_the_failure_counter_forgets_after_its_window() -> None:
    failures = FailedSignIns(max_failures=3, window=10.0, remember_unknown=5.0)
    for second in range(3):
        assert failures.blocked_for("10.0.0.1", now=float(second)) == 0
        failures.failed("10.0.0.1", now=float(second))
    assert failures.blocked_for("10.0.0.1", now=3.0) == 7.0
    assert failures.blocked_for("10.0.0.2", now=3.0) == 0  # another address is not held back
    assert failures.blocked_for("10.0.0.1", now=10.0) == 0
    failures.unknown("abc", now=0.0)
    assert failures.known_unknown("abc", now=4.9) and not failures.known_unknown("abc", now=5.0)
