"""ETag and 304 Not Modified for GraphQL queries asked by GET: a client that asks again sends the tag of the answer
it has (`If-None-Match`) and, while the answer is the same, gets a 304 with no body.

The tag is weak (`W/"<hash>"`): the SHA-256 of the answer's bytes before compression, so the same for every coding a
client gets it in (a strong tag would have to differ between the br and the gzip bytes). It is taken from the bytes
rather than from the data fingerprint the response cache keys on (graphql/response_cache.py) because it must hold for
every query, also those computed against the clock or the whole estate, which that cache never keeps; a kept answer
is read from memory anyway, so the 304 still spares the network and the client's parsing. It is right whoever asks:
two tokens whose roles see different answers get different tags.

Answers carry `Cache-Control: private, no-cache`: a browser may keep them, shared caches may not (they are one
token's view of the CMDB), and every use is revalidated. Only a 200 JSON answer to GET gets a tag, and only one that
has not said how it may be kept already (the persisted-query refusals say `no-store`): never a POST, never a
mutation (strawberry refuses those over GET, with 405).
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REVALIDATE", "ConditionalGet", "etag_of", "matches"]

REVALIDATE = b"private, no-cache"


def etag_of(body: bytes) -> bytes:
    """The weak entity tag of an answer's bytes."""
    return b'W/"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def matches(if_none_match: bytes, etag: bytes) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks of If-None-Match)."""
    ours = etag.removeprefix(b"W/")
    for given in if_none_match.split(b","):
        given = given.strip()
        if given == b"*" or given.removeprefix(b"W/") == ours:
            return True
    return False


class ConditionalGet:
    """Tags GET answers and answers a matching If-None-Match with 304 (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False  # not an answer to tag: sent on as it comes

        async def hold(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                names = {k.lower(): v for k, v in message.get("headers", [])}
                media = names.get(b"content-type", b"").split(b";")[0].strip().lower()
                passing = message["status"] != 200 or media != b"application/json" or b"cache-control" in names
                passing = passing or b"content-encoding" in names
                if passing:
                    await send(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    assert start is not None
                    await self._answer(scope, send, start, b"".join(chunks))
            else:
                await send(message)

        await self.app(scope, receive, hold)

    @staticmethod
    async def _answer(scope: Scope, send: Send, start: Message, body: bytes) -> None:
        etag = etag_of(body)
        asked = b",".join(v for k, v in scope.get("headers", []) if k.lower() == b"if-none-match")
        headers: list[Any] = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers += [(b"etag", etag), (b"cache-control", REVALIDATE)]
        if asked and matches(asked, etag):
            kept = [(k, v) for k, v in headers if k.lower() in (b"etag", b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
