"""What slow or noisy clients get: bodies read at a minimum rate before a slot is taken, failed sign-ins counted.

- `ReadBodyFirst` reads a request's whole body before the app behind it (the concurrency limit) sees the request,
  so a client trickling its body never holds one of the `GRAPHSVC_MAX_CONCURRENT_REQUESTS` slots; and it answers
  408 when the body arrives slower than `GRAPHSVC_BODY_MIN_BYTES_PER_SECOND` on average after a 5 s grace.
- `FailedSignIns` remembers, for a few seconds, token hashes that named no token (so a client repeating a bad token
  does not cost a Neo4j read each time) and counts failures per client address: past `max_failures` in `window`
  seconds, that address is answered 429 without a lookup until the window has passed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.graphql.error_codes import Code
from graphsvc.web.middleware import answers_json, reply

__all__ = ["FailedSignIns", "ReadBodyFirst"]

_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


class ReadBodyFirst:
    def __init__(
        self, app: ASGIApp, *, min_rate: int, grace: float = 5.0, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.min_rate = min_rate
        self.grace = grace
        self.path_limits = path_limits or {}  # a smaller body limit for some paths (the sign-in takes 4 KiB)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        start = time.monotonic()
        limit = self.path_limits.get(scope["path"])
        while True:
            # The body is on time while received >= (elapsed - grace) * min_rate: wait no longer than that allows.
            allowed = self.grace + received / self.min_rate - (time.monotonic() - start)
            try:
                if allowed <= 0:
                    raise TimeoutError  # behind already: refused, as a wait of no time was
                async with asyncio.timeout(allowed):  # not wait_for: no task for every message
                    message = await receive()
            except TimeoutError:
                await reply(
                    send,
                    408,
                    f"the request body arrived slower than {self.min_rate} bytes a second "
                    "(GRAPHSVC_BODY_MIN_BYTES_PER_SECOND): send it again, whole",
                    Code.REQUEST_TIMEOUT,
                    scope=scope,
                    json_body=answers_json(scope["path"]),
                    extra=[(b"connection", b"close")],
                )
                return
            if message["type"] == "http.disconnect":
                return  # nobody to answer
            body = message.get("body", b"")
            chunks.append(body)
            received += len(body)
            if limit is not None and received > limit:
                await reply(
                    send,
                    413,
                    f"a body sent to {scope['path']} is at most {limit} bytes",
                    Code.REQUEST_TOO_LARGE,
                    scope=scope,
                    json_body=False,
                    extra=[(b"connection", b"close")],
                )
                return
            if not message.get("more_body", False):
                break
        whole: Message | None = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay() -> Message:
            nonlocal whole
            if whole is not None:
                message, whole = whole, None
                return message
            return await receive()  # after the body: the disconnect, when it comes

        await self.app(scope, replay, send)


def _client_key(address: str) -> str:
    """The unit failures are counted by: an IPv4 address, or an IPv6 address's /64 (what one host can rotate in)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class FailedSignIns:
    def __init__(self, *, max_failures: int = 20, window: float = 10.0, remember_unknown: float = 5.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self.remember_unknown = remember_unknown
        self._unknown: OrderedDict[str, float] = OrderedDict()  # token hash -> until when it is known unknown
        self._good: OrderedDict[str, float] = OrderedDict()  # token hash -> until when it is known good
        self._failures: OrderedDict[str, tuple[float, int]] = OrderedDict()  # address -> (window start, failures)

    @staticmethod
    def refusal(wait: float) -> str:
        """What an address held back for `wait` seconds is told."""
        return f"too many failed authentications from this address: try again in {wait:.0f} s"

    def blocked_for(self, address: str, now: float | None = None) -> float:
        """Seconds until `address` may try again; 0 if it may now."""
        now = time.monotonic() if now is None else now
        address = _client_key(address)
        start, count = self._failures.get(address, (now, 0))
        if now - start >= self.window:
            self._failures.pop(address, None)
            return 0.0
        return self.window - (now - start) if count >= self.max_failures else 0.0

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        address = _client_key(address)
        start, count = self._failures.pop(address, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        self._failures[address] = (start, count + 1)  # at the end: the dict runs from least to most recent
        while len(self._failures) > 100_000:  # addresses that stopped trying: forget the least recent
            self._failures.popitem(last=False)

    def known_unknown(self, digest: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        until = self._unknown.get(digest)
        if until is None:
            return False
        if until <= now:
            del self._unknown[digest]
            return False
        return True

    def succeeded(self, digest: str, now: float | None = None) -> None:
        """`digest` authenticated someone: for a minute its requests are not held back by their address's failures
        (behind a proxy or NAT, one client's stale token must not lock everyone else out)."""
        now = time.monotonic() if now is None else now
        self._good[digest] = now + 60.0
        self._good.move_to_end(digest)
        while len(self._good) > 10_000:
            self._good.popitem(last=False)

    def recently_succeeded(self, digest: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return self._good.get(digest, 0.0) > now

    def unknown(self, digest: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._unknown[digest] = now + self.remember_unknown
        self._unknown.move_to_end(digest)
        while len(self._unknown) > 10_000:
            self._unknown.popitem(last=False)
