"""Compressed answers: brotli (`br`) or gzip, whichever the client prefers (`Accept-Encoding`, q-values honoured;
brotli when both are as welcome), for answers of more than `minimum_size` bytes: GraphQL answers (a 500-CI page is
141 kB, 11 kB gzipped), reports, GraphiQL's script. Never for the sign-in route, whose answer carries a secret next
to what the client sent (a compressed size would then say something about the secret: BREACH).

Brotli runs at quality 5: on GraphiQL's 3.5 MB script it takes the time gzip's level 6 takes and sends 10% less;
quality 11 (brotli's default) would take 65 times as long on every answer.
"""

from __future__ import annotations

import functools
import gzip

import brotli
from anyio import to_thread
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["BROTLI_QUALITY", "Compress", "accepted_encodings", "chosen_encoding", "compressed"]

BROTLI_QUALITY = 5
GZIP_LEVEL = 6
THREAD_MINIMUM = 128 * 1024  # a larger chunk is compressed in a worker thread, not on the event loop
_OFFERED = ("br", "gzip")  # in order of preference when a client welcomes both alike


def _weights(accept_encoding: str) -> dict[str, float]:
    """The q-value of each coding an Accept-Encoding header names (a malformed q counts as 0: not welcome)."""
    weights: dict[str, float] = {}
    for part in accept_encoding.split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        if not coding:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        weights[coding.lower()] = q
    return weights


@functools.lru_cache(maxsize=128)  # on every request; clients send few different headers
def chosen_encoding(accept_encoding: str) -> str | None:
    """The coding to send an answer in for this Accept-Encoding header: "br", "gzip" or None (as it is)."""
    weights = _weights(accept_encoding)
    wildcard = weights.get("*", 0.0)
    best, best_q = None, 0.0
    for coding in _OFFERED:
        q = weights.get(coding, wildcard)
        if q > best_q:
            best, best_q = coding, q
    return best


def accepted_encodings(scope: Scope) -> str:
    """The request's Accept-Encoding headers, as one."""
    return ", ".join(v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"accept-encoding")


def compressed(body: bytes, encoding: str) -> bytes:
    """`body` compressed whole, as hard as is worth it once (for a file kept compressed: web/assets.py)."""
    if encoding == "br":
        out: bytes = brotli.compress(body, quality=9)  # 11 takes 25 times as long for 10% less
        return out
    return gzip.compress(body, compresslevel=9, mtime=0)


# Starlette's defaults, as its responders normalise them
_EXCLUDED = tuple(t.partition(";")[0].strip().lower() for t in DEFAULT_EXCLUDED_CONTENT_TYPES)


class _BrotliResponder(IdentityResponder):
    content_encoding = "br"

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        super().__init__(app, minimum_size, exclude_content_types=())
        self._compressor: brotli.Compressor | None = None

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        if len(body) >= THREAD_MINIMUM:
            return await to_thread.run_sync(self._compress, body, more_body)
        return self._compress(body, more_body)

    def _compress(self, body: bytes, more_body: bool) -> bytes:
        if self._compressor is None:
            self._compressor = brotli.Compressor(quality=BROTLI_QUALITY)
        out: bytes = self._compressor.process(body)
        rest: bytes = self._compressor.flush() if more_body else self._compressor.finish()
        return out + rest


class Compress:
    """Answers compressed in the coding the client prefers (see the module's docstring)."""

    UNCOMPRESSED = frozenset({"/auth/session"})

    def __init__(self, app: ASGIApp, *, minimum_size: int = 1024) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.UNCOMPRESSED:
            await self.app(scope, receive, send)
            return
        responder: IdentityResponder
        # each responder is given the excluded content types already normalised: normalising Starlette's defaults
        # for every request took 2% of a small answer's time
        match chosen_encoding(accepted_encodings(scope)):
            case "br":
                responder = _BrotliResponder(self.app, self.minimum_size)
            case "gzip":
                responder = GZipResponder(
                    self.app,
                    self.minimum_size,
                    compresslevel=GZIP_LEVEL,
                    thread_minimum_size=THREAD_MINIMUM,
                    exclude_content_types=(),
                )
            case _:
                # still says Vary: Accept-Encoding
                responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=())
        responder.exclude_content_types = _EXCLUDED
        await responder(scope, receive, send)
