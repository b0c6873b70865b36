"""web/compression.py Compress over a small app: a large answer goes out in the coding the client prefers, with
`Vary: Accept-Encoding`; the content types Starlette leaves as they are (already compressed, streams) stay so under
every coding; a small answer goes out as it is."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import brotli
import pytest

from graphsvc.web.compression import Compress

BODY = b'{"data": "' + b"impact " * 400 + b'"}'


def _answer(content_type: bytes, body: bytes, accept_encoding: str | None) -> tuple[dict[bytes, bytes], bytes]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    headers = [(b"accept-encoding", accept_encoding.encode())] if accept_encoding is not None else []
    scope = {"type": "http", "method": "GET", "path": "/graphql", "headers": headers}
    asyncio.run(Compress(app)(scope, receive, send))
    start, *bodies = sent
    return dict(start["headers"]), b"".join(m.get("body", b"") for m in bodies)


@pytest.mark.parametrize("accept", [None, "identity", "gzip", "br"])
@pytest.mark.parametrize("content_type", [b"application/gzip", b"text/event-stream", b"application/grpc+proto"])
def test_excluded_content_types_go_out_as_they_are(accept: str | None, content_type: bytes) -> None:
    headers, body = _answer(content_type, BODY, accept)
    assert body == BODY and b"content-encoding" not in headers


@pytest.mark.parametrize(
    ("accept", "coding", "decode"),
    [
        (None, None, lambda b: b),
        ("gzip", b"gzip", gzip.decompress),
        ("br", b"br", brotli.decompress),
        ("gzip, br", b"br", brotli.decompress),
    ],
)
def test_a_large_answer_in_the_coding_preferred(accept: str | None, coding: bytes | None, decode: Any) -> None:
    headers, body = _answer(b"application/json", BODY, accept)
    assert decode(body) == BODY
    assert headers[b"vary"] == b"Accept-Encoding"
    assert headers.get(b"content-encoding") == coding
    assert int(headers[b"content-length"]) == len(body)


@pytest.mark.parametrize("accept", [None, "gzip", "br"])
def test_a_small_answer_goes_out_as_it_is(accept: str | None) -> None:
    headers, body = _answer(b"application/json", b'{"data": 1}', accept)
    assert body == b'{"data": 1}' and b"content-encoding" not in headers
