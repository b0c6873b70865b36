"""`graphsvc serve --workers N` listens on a socket whose accepted connections get TCP_NODELAY.

uvicorn's own listening socket has protocol 0, and asyncio sets TCP_NODELAY only on connections whose socket says
IPPROTO_TCP: with two workers every answer waited ~40 ms for the client's delayed ACK (Nagle's algorithm)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn import Config

from graphsvc.cli import tcp_listener


async def nodelay_of_accepted(listener: socket.socket) -> int:
    """TCP_NODELAY on the server side of one connection accepted by asyncio from `listener`."""
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    host, port = listener.getsockname()[:2]
    _, writer = await asyncio.open_connection(host, port)
    try:
        return await asyncio.wait_for(seen, 10)
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


async def test_connections_to_the_workers_socket_are_not_delayed_by_nagle() -> None:
    listener = tcp_listener(Config("graphsvc.app:create_app", host="127.0.0.1", port=0))
    assert await nodelay_of_accepted(listener) != 0


async def test_uvicorns_own_socket_would_have_been() -> None:
    # Why tcp_listener exists: if this starts failing, uvicorn fixed it and tcp_listener can go.
    listener = Config("graphsvc.app:create_app", host="127.0.0.1", port=0).bind_socket()
    assert await nodelay_of_accepted(listener) == 0
