"""web/headers.py TrustedHosts: Starlette's Host check (what stops DNS rebinding of a server with auth off), with the
Host values it let through remembered. It lets through exactly what Starlette's check lets through, answers the rest
as Starlette does, and remembers no more than REMEMBERED values."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from starlette.middleware.trustedhost import TrustedHostMiddleware

from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from graphsvc.web.headers import TrustedHosts

ALLOWED = ["localhost", "127.0.0.1", "[::1]", "::1", "*.example.org", "www.example.net"]


async def _app(scope: Any, receive: Any, send: Any) -> None:
    scope["state"]["reached"] = True
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def guard(middleware_class: type[Any] = TrustedHosts) -> Any:
    return middleware_class(_app, allowed_hosts=ALLOWED)


def _through(guarded: Any, host: bytes | None, *more: bytes) -> tuple[bool, int | None]:
    """Whether a request with this Host (and `more` Host headers after it) reaches the app behind `guarded`, and the
    status it is answered with."""
    status: list[int] = []

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [(b"host", h) for h in ([host] if host is not None else []) + list(more)],
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "http_version": "1.1",
        "state": {},
    }
    asyncio.run(guarded(scope, receive, send))
    return bool(scope["state"].get("reached")), status[0] if status else None


_HOSTS = st.one_of(
    st.sampled_from(["localhost", "127.0.0.1", "[::1]", "::1", "a.example.org", "example.org", "example.net"]),
    st.text(alphabet="abcxyz.:[]1-*", max_size=12),
).flatmap(lambda h: st.sampled_from([h, h + ":8080", h.upper(), h + ":"]))


@given(_HOSTS)
def test_it_lets_through_what_starlette_lets_through_and_answers_the_rest_alike(host: str) -> None:
    raw = host.encode("latin-1")
    remembering = guard()
    first = _through(remembering, raw)
    again = _through(remembering, raw)  # remembered, if it was let through
    plain = _through(guard(TrustedHostMiddleware), raw)
    assert first == again == plain
    assert remembering.allows(host) is plain[0]


@given(_HOSTS, _HOSTS)
def test_with_two_host_headers_it_decides_as_starlette_does(host: str, other: str) -> None:
    remembering = guard()
    for _ in range(2):
        assert _through(remembering, host.encode("latin-1"), other.encode("latin-1")) == _through(
            guard(TrustedHostMiddleware), host.encode("latin-1"), other.encode("latin-1")
        )


def test_a_refused_host_stays_refused_after_others_are_remembered() -> None:
    remembering = guard()
    assert _through(remembering, b"localhost:8000") == (True, 204)
    assert _through(remembering, b"evil.example.com") == (False, 400)
    assert _through(remembering, None) == (False, 400)
    assert _through(remembering, b"www.example.net.evil.com") == (False, 400)
    assert _through(remembering, b"evil.example.com", b"localhost:8000") == (False, 400)


def test_it_remembers_at_most_its_bound() -> None:
    remembering = guard()
    for port in range(TrustedHosts.REMEMBERED + 20):
        assert _through(remembering, f"localhost:{port}".encode()) == (True, 204)
    assert len(remembering._passed) == TrustedHosts.REMEMBERED
    assert _through(remembering, b"evil.example.com") == (False, 400)


def test_a_server_with_auth_off_refuses_another_host() -> None:
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own name as Host."""
    app = create_app(Settings(auth=False, host="127.0.0.1"))

    async def ask(host: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            return await client.get("/healthz", headers={"host": host})

    for _ in range(2):
        assert asyncio.run(ask("127.0.0.1:8000")).status_code == 200
        refused = asyncio.run(ask("evil.example:8000"))
        assert refused.status_code == 400 and refused.text == "Invalid host header"
