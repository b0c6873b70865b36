"""ASGI middleware in front of every route: who is asking (tokens), how much they may send, how many at once.

- `Authenticate` finds the request's token (`Authorization: Bearer ...`, or the `graphsvc_token` cookie that the
  GraphiQL sign-in sets), checks it against the stored hashes and puts the `Principal` in `scope["state"]`. Health
  checks, static assets, the GraphiQL page itself and the sign-in route are public; the reports need `analyst`;
  everything else needs a valid token, and the GraphQL fields check their own role (permissions.py).
- `BodyLimit` refuses a body over the limit with 413, by Content-Length or while it streams in; it reads and drops
  the refused body first (bounded), so the client is not reset before it reads the 413.
- `ConcurrencyLimit` turns requests away with 503 and Retry-After once the limit is being served. It sits inside
  `Authenticate` and does not count public routes, so anonymous clients cannot take the slots.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.db.tokens import UNKNOWN, TokenRejected, TokenStore, TokenUnknown
from graphsvc.domain.tokens import LOCAL, Principal, Role, hash_token
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout
from graphsvc.graphql.error_codes import Code
from graphsvc.web.graphql_http import GRAPHQL_RESPONSE, JSON, content_type, preferred_media

if TYPE_CHECKING:
    from graphsvc.web.throttle import FailedSignIns

log = logging.getLogger("graphsvc")

__all__ = [
    "COOKIE",
    "Authenticate",
    "BodyLimit",
    "ConcurrencyLimit",
    "answers_json",
    "headers_of",
    "reply",
    "route_role",
    "token_from",
]

COOKIE = "graphsvc_token"
_DIGITS = re.compile(r"^[0-9]{1,20}$")
DRAIN_SECONDS = 10.0
DRAIN_IDLE = 1.0  # a client that stops sending (a Content-Length that lies) is not waited for longer
PUBLIC_PREFIXES = ("/static/",)
# /metrics is guarded by its own rule (web/observe.py): its token, or loopback
PUBLIC_PATHS = frozenset({"/", "/healthz", "/readyz", "/auth/session", "/favicon.ico", "/metrics", "/explore"})


def route_role(method: str, path: str, query_string: bytes) -> Role | None:
    """The role a route needs before it runs; None for a public one."""
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    asks = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).keys() & {"query", "extensions"}
    if path == "/graphql" and method in ("GET", "HEAD") and not asks:  # "extensions": a persisted query's hash
        return None  # the GraphiQL page: no data in it, and where a person signs in
    if path.startswith("/reports/"):
        return Role.analyst
    if path.startswith("/hooks/"):
        return Role.editor  # a hook writes (Alertmanager's alerts open incidents)
    return Role.viewer


def answers_json(path: str) -> bool:
    """Whether the route's refusals are JSON (the API and the hooks) rather than plain text (the reports)."""
    return path == "/graphql" or path.startswith("/hooks/")


_HEADERS = "graphsvc.headers"  # request scope key: (the raw header list, headers_of it)


def headers_of(scope: Scope) -> dict[str, str]:
    """The request's headers by lower-case name (the last of repeated ones); made once for each list of raw headers
    the scope holds (each middleware asks; one that rewrites a header puts a new list in the scope). The dict is
    shared: read it, do not change it."""
    raw = scope.get("headers", [])
    made = scope.get(_HEADERS)
    if made is not None and made[0] is raw:
        found: dict[str, str] = made[1]
        return found
    found = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
    scope[_HEADERS] = (raw, found)
    return found


def token_from(headers: dict[str, str]) -> str | None:
    """The bearer token of the Authorization header, else the sign-in cookie's."""
    auth = headers.get("authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else ""
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value
    return None


async def reply(
    send: Send, status: int, message: str, code: Code, *, json_body: bool, extra: list[Any], scope: Scope | None = None
) -> None:
    """Answer with `message`: as a GraphQL error body with `code` when `json_body` (in the media type the request's
    Accept prefers, graphql_http.py), else as plain text."""
    if json_body:
        media = preferred_media(headers_of(scope).get("accept")) if scope is not None else JSON
        error = {"message": message, "extensions": {"code": code}}
        # application/json answers have always carried data: null; the spec's media type has no data entry in a 4xx
        # or 5xx (an APQ PersistedQueryNotFound is a 200, so it keeps it)
        bare = media == GRAPHQL_RESPONSE and status >= 400
        body = json.dumps({"errors": [error]} if bare else {"data": None, "errors": [error]})
        ctype = content_type(media).encode()
    else:
        body = message + "\n"
        ctype = b"text/plain; charset=utf-8"
    payload = body.encode()
    headers = [(b"content-type", ctype), (b"content-length", str(len(payload)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class Authenticate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        enabled: bool,
        store: Callable[[], TokenStore | None],
        failures: FailedSignIns | None = None,
    ) -> None:
        self.app = app
        self.enabled = enabled
        self.store = store
        from graphsvc.web.throttle import FailedSignIns

        self.failures = failures or FailedSignIns()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        needed = route_role(scope["method"], scope["path"], scope.get("query_string", b""))
        state = scope.setdefault("state", {})
        if not self.enabled:
            state["principal"] = LOCAL
            await self.app(scope, receive, send)
            return
        headers = headers_of(scope)
        token = token_from(headers)
        principal: Principal | None = None
        problem = "authentication failed: use the Bearer scheme, 'Authorization: Bearer <token>'"
        if token and (needed is not None or scope["path"] == "/auth/session"):  # public pages need no lookup
            address = (scope.get("client") or ("unknown", 0))[0]
            known_good = self.failures.recently_succeeded(hash_token(token))
            wait = 0.0 if known_good else self.failures.blocked_for(address)
            if wait > 0:
                await reply(
                    send,
                    429,
                    self.failures.refusal(wait),
                    Code.TOO_MANY_REQUESTS,
                    scope=scope,
                    json_body=answers_json(scope["path"]),
                    extra=[(b"retry-after", str(max(1, round(wait))).encode())],
                )
                return
            principal, problem = await self._check(token)
            if principal is not None:
                self.failures.succeeded(hash_token(token))
            elif not problem.startswith("the database"):
                self.failures.failed(address)
        if needed is None:
            state["principal"] = principal  # a public route may still want to know (the sign-in page)
            await self.app(scope, receive, send)
            return
        as_json = answers_json(scope["path"])
        challenge = [(b"www-authenticate", b'Bearer realm="graphsvc"')]
        if token is None:
            await reply(
                send,
                401,
                "authentication required: send 'Authorization: Bearer <token>' (graphsvc token create makes one), "
                "or sign in on the GraphiQL page at /graphql",
                Code.UNAUTHENTICATED,
                scope=scope,
                json_body=as_json,
                extra=challenge,
            )
            return
        if principal is None:
            status, code = (
                (503, Code.DATABASE_UNAVAILABLE) if problem.startswith("the database") else (401, Code.UNAUTHENTICATED)
            )
            extra = [(b"retry-after", b"5")] if status == 503 else challenge
            await reply(send, status, problem, code, scope=scope, json_body=as_json, extra=extra)
            return
        if not principal.role.allows(needed):
            await reply(
                send,
                403,
                f"forbidden: {scope['path']} needs the {needed.value} role; the token {principal.token_id} has role "
                f"{principal.role.value}",
                Code.FORBIDDEN,
                scope=scope,
                json_body=as_json,
                extra=[],
            )
            return
        state["principal"] = principal
        await self.app(scope, receive, send)

    async def _check(self, token: str) -> tuple[Principal | None, str]:
        store = self.store()
        if store is None:
            return None, "the database is unavailable right now; try again shortly (graphsvc is starting)"
        digest = hash_token(token)
        if self.failures.known_unknown(digest):  # asked for a moment ago: not worth another read
            return None, f"authentication failed: {UNKNOWN}"
        try:
            return await store.authenticate(token), ""
        except TokenUnknown as exc:
            self.failures.unknown(digest)
            return None, f"authentication failed: {exc}"
        except TokenRejected as exc:
            return None, f"authentication failed: {exc}"
        except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError) as exc:
            return None, f"the database is unavailable right now; try again shortly ({type(exc).__name__})"


class BodyLimitExceeded(Exception):
    pass


async def _drain(receive: Receive, limit: int, idle: float, seconds: float = DRAIN_SECONDS) -> None:
    """Read and drop what is left of a refused body: up to `limit` bytes, `seconds` in all, `idle` between reads.

    The 413 goes out with `Connection: close`. If the socket closes while the client's unread body still sits in
    the kernel's buffer, the kernel answers with a reset and the client can lose the 413 it was about to read
    (a flaky "peer closed connection" instead of a clear refusal). Reading the rest first, bounded, is what
    nginx's lingering close does; a client that announces `Expect: 100-continue` has sent nothing and is not read.
    """
    remaining = limit

    async def read() -> None:
        nonlocal remaining
        while remaining > 0:
            message = await asyncio.wait_for(receive(), idle)
            if message["type"] != "http.request":
                return
            remaining -= len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    try:
        await asyncio.wait_for(read(), seconds)
    except (TimeoutError, ClientDisconnect):
        pass


class BodyLimit:
    """Refuses a body over `max_bytes` with 413; reads and drops up to `drain_bytes` of it first (see `_drain`)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, drain_bytes: int | None = None, drain_idle: float = DRAIN_IDLE
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = 4 * max_bytes if drain_bytes is None else drain_bytes
        self.drain_idle = drain_idle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = (
            f"the request body is larger than {self.max_bytes} bytes (GRAPHSVC_MAX_REQUEST_BYTES); "
            "import large CMDB documents with `graphsvc import`"
        )
        headers = headers_of(scope)
        length = headers.get("content-length")
        if length is not None and (not _DIGITS.match(length) or int(length) > self.max_bytes):
            if _DIGITS.match(length) and headers.get("expect", "").lower() != "100-continue":
                await _drain(receive, min(int(length), self.drain_bytes), self.drain_idle)
            await reply(
                send,
                413,
                too_big,
                Code.REQUEST_TOO_LARGE,
                scope=scope,
                json_body=True,
                extra=[(b"connection", b"close")],
            )
            return
        received = 0
        started = False
        more = True  # whether the client has more of the body to send

        async def counted() -> Message:
            nonlocal received, more
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                more = bool(message.get("more_body", False))
                if received > self.max_bytes:
                    raise BodyLimitExceeded
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyLimitExceeded:
            if not started:
                if more:
                    await _drain(receive, self.drain_bytes, self.drain_idle)
                await reply(
                    send,
                    413,
                    too_big,
                    Code.REQUEST_TOO_LARGE,
                    scope=scope,
                    json_body=True,
                    extra=[(b"connection", b"close")],
                )
        except ClientDisconnect:
            # The client went away before its body was read (a load generator stopping, a closed tab): there is
            # no one to answer, and it is not a server error worth a traceback in the log.
            log.debug("client disconnected before sending its whole request: %s", scope.get("path"))


class ConcurrencyLimit:
    """Load shedding: past `limit` requests in flight, answer 503 at once instead of queueing without end."""

    EXEMPT = frozenset({"/healthz", "/readyz"})

    def __init__(self, app: ASGIApp, *, limit: int, per_client: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.per_client = per_client
        self.in_flight = 0
        self.by_client: dict[str, int] = {}  # token id, or address without a token -> requests being served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        public = (
            scope["type"] == "http"
            and route_role(scope["method"], scope["path"], scope.get("query_string", b"")) is None
        )
        if scope["type"] != "http" or scope["path"] in self.EXEMPT or public:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await reply(
                send,
                503,
                f"the server is serving its limit of {self.limit} requests at once; try again shortly",
                Code.SERVER_BUSY,
                scope=scope,
                json_body=answers_json(scope["path"]),
                extra=[(b"retry-after", b"1")],
            )
            return
        principal: Principal | None = scope.get("state", {}).get("principal")
        client = principal.token_id if principal else "address " + str((scope.get("client") or ("?", 0))[0])
        if self.per_client is not None and self.by_client.get(client, 0) >= self.per_client:
            await reply(
                send,
                429,
                f"this client already has {self.per_client} requests being served "
                "(GRAPHSVC_MAX_CONCURRENT_PER_CLIENT); wait for their answers",
                Code.TOO_MANY_REQUESTS,
                scope=scope,
                json_body=answers_json(scope["path"]),
                extra=[(b"retry-after", b"1")],
            )
            return
        self.in_flight += 1
        self.by_client[client] = self.by_client.get(client, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            left = self.by_client[client] - 1
            if left:
                self.by_client[client] = left
            else:
                del self.by_client[client]
