"""`graphsvc serve --workers N` listens on a socket whose accepted connections get TCP_NODELAY.

uvicorn before 0.55 made its listening socket with protocol 0, and asyncio sets TCP_NODELAY only on connections whose
socket says IPPROTO_TCP: with two workers every answer waited ~40 ms for the client's delayed ACK (Nagle's algorithm).
These tests check graphsvc's outcome whichever uvicorn is installed, and tcp_listener's remaking of a protocol-0
socket on its own (a stand-in Config hands it one)."""

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
    listener = tcp_listener(Config("graphsvc.web.app:create_app", host="127.0.0.1", port=0))
    assert await nodelay_of_accepted(listener) != 0


class _ProtocolZeroConfig:
    """What uvicorn before 0.55 handed tcp_listener: a bound, listening TCP socket made with protocol 0."""

    def bind_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        return sock


async def test_a_protocol_zero_listener_is_remade_as_tcp() -> None:
    listener = tcp_listener(_ProtocolZeroConfig())
    assert listener.proto == socket.IPPROTO_TCP
    assert await nodelay_of_accepted(listener) != 0
