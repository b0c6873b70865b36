"""What every response tells the browser, and what every request must look like before anything reads it.

- `SecurityHeaders` (outermost): `nosniff`, `Referrer-Policy: no-referrer` and framing denied (`X-Frame-Options:
  DENY` and CSP `frame-ancestors 'none'`) on every response; a Content-Security-Policy on every HTML page (scripts
  from the server itself, plus the one inline script of a page carrying this response's nonce); `Cache-Control:
  no-store` on every answer that is not a static asset, since answers and reports carry CMDB data.
- `RequestShape`: refuses a request with two `Authorization` headers (which one would count is a guess an attacker
  can exploit), a POST to /graphql whose body is not exactly `application/json` (with parameters), and a write
  (POST, PUT, PATCH, DELETE) sent by a page of another origin (`Origin` not this server's own).
- `TrustedHosts` (a server with auth off, on loopback): Starlette's Host check, remembering the few Host values it
  let through.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from starlette._utils import parse_host_header
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.graphql.error_codes import Code
from graphsvc.web.middleware import answers_json, headers_of, reply

__all__ = ["NONCE", "Nonce", "RequestShape", "SecurityHeaders", "TrustedHosts", "csp_for_html"]

NONCE = "csp_nonce"  # scope["state"] key: this response's Nonce for an inline script
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_NOT_HTML_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csp_for_html(nonce: str) -> str:
    """The policy of an HTML page: everything from the server itself; inline styles (GraphiQL and the reports set
    them), images as data: URLs (the diagrams), and inline scripts only with this response's nonce."""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "font-src 'self' data:; "
        "connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class Nonce:
    """This response's CSP nonce, made when first read: only an HTML page needs one (making one for every answer took
    2% of a small answer's time)."""

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value: str | None = None

    @property
    def value(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(18)
        return self._value


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = Nonce()
        scope.setdefault("state", {})[NONCE] = nonce
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                html = content_type.split(b";")[0].strip().lower() == b"text/html"
                policy = csp_for_html(nonce.value).encode() if html else _NOT_HTML_CSP
                extra = [h for h in _ALWAYS if h[0] not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", policy))
                if not static and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, with_headers)


def _normal(origin: str) -> str | None:
    """scheme://host:port of an origin, its scheme's default port made explicit; None if it is not one."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname}:{port}"


class RequestShape:
    def __init__(self, app: ASGIApp, *, allowed_origins: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.allowed_origins = frozenset(filter(None, (_normal(o) for o in allowed_origins)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        graphql = scope["path"] == "/graphql"
        raw = scope.get("headers", [])
        if sum(1 for name, _ in raw if name.lower() == b"authorization") > 1:
            await reply(
                send,
                400,
                "the request has more than one Authorization header; send one",
                Code.BAD_REQUEST,
                scope=scope,
                json_body=answers_json(scope["path"]),
                extra=[],
            )
            return
        headers = headers_of(scope)
        method = scope["method"]
        origin = headers.get("origin")
        if method in _WRITES and origin is not None:
            own = _normal(f"{scope.get('scheme', 'http')}://{headers.get('host', '')}")
            theirs = _normal(origin)
            if theirs is None or (theirs != own and theirs not in self.allowed_origins):
                await reply(
                    send,
                    403,
                    f"a {method} from a page of another origin ({origin}) is refused: "
                    "only pages served by graphsvc itself may write to it",
                    Code.FORBIDDEN_ORIGIN,
                    scope=scope,
                    json_body=answers_json(scope["path"]),
                    extra=[],
                )
                return
        if graphql and method == "POST":
            given, _, parameters = headers.get("content-type", "").partition(";")
            media = given.strip().lower()
            if media == "application/json" and given != media:  # media types are case-insensitive; strawberry's not
                fixed = (media + (";" + parameters if parameters else "")).encode("latin-1")
                scope["headers"] = [(n, fixed if n.lower() == b"content-type" else v) for n, v in raw]
            if media != "application/json":
                await reply(
                    send,
                    415,
                    f"send the GraphQL request as JSON (Content-Type: application/json), not {media or 'no type'}",
                    Code.UNSUPPORTED_MEDIA_TYPE,
                    scope=scope,
                    json_body=True,
                    extra=[],
                )
                return
        await self.app(scope, receive, send)


class TrustedHosts(TrustedHostMiddleware):
    """Starlette's TrustedHostMiddleware (the Host check that stops DNS rebinding of a server with auth off), letting a
    Host value it has let through before go on without the parse and the match (3% of a small answer's time; a
    loopback server sees one or two values). Anything else is Starlette's to check and answer, as before."""

    REMEMBERED = 64  # values let through, at most; past that, every other value is checked each time

    def __init__(self, app: ASGIApp, allowed_hosts: list[str], www_redirect: bool = True) -> None:
        super().__init__(app, allowed_hosts, www_redirect)
        self._passed: set[bytes] = set()

    def allows(self, host_header: str) -> bool:
        """Whether Starlette's check lets a request with this Host header through to the app."""
        parsed = parse_host_header(host_header)
        if parsed is None:
            return False
        host = parsed.host.lower()
        patterns = self.allowed_hosts
        return self.allow_any or any(p == host or (p.startswith("*") and host.endswith(p[1:])) for p in patterns)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = next((value for key, value in scope["headers"] if key == b"host"), None)
            if host is not None and host in self._passed:
                await self.app(scope, receive, send)
                return
            if host is not None and len(self._passed) < self.REMEMBERED and self.allows(host.decode("latin-1")):
                self._passed.add(host)
        await super().__call__(scope, receive, send)
