"""uvicorn's HTTP protocol with a deadline for a request's headers.

uvicorn times out an idle keep-alive connection, but not a client that sends its request line and headers a byte at
a time: each such connection costs a socket and a parser for as long as the client likes (slowloris). This protocol
answers 408 and closes the connection when a request's headers are not complete `header_timeout` seconds after its
first byte (or after the connection opened). Bodies have their own minimum rate (web/throttle.py)."""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HeaderTimeoutProtocol"]

_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: 53\r\n\r\nthe request's headers took too long to arrive; retry\n"
)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """Named by import path in uvicorn's config (worker processes import it): the deadline comes from the settings,
    GRAPHSVC_HEADER_TIMEOUT_SECONDS."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        from graphsvc.settings import get_settings

        self.header_timeout = get_settings().header_timeout_seconds
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()  # the next request on a kept-alive connection

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.logger.info("closed a connection whose request headers took over %g s", self.header_timeout)
            self.transport.write(_408)
            self.transport.close()
