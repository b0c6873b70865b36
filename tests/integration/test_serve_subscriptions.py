"""Subscriptions through `graphsvc serve --workers 2` as a user runs it (uvicorn's WebSocket over graphsvc's own HTTP
protocol): a subscriber on one worker is told of the writes made through either, in commit order, once each."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from graphsvc.db.connection import Connection
from tests.integration.serving import serve_process

WRITES = "subscription { estateWritten(kinds: [TEAM]) { position action items { id operation } } }"
IMPORT = "mutation($d: JSON!) { importCmdb(document: $d) { created } }"
WAIT = 30.0


async def add_team(url: str, team: str) -> None:
    """One write, on a new connection (the kernel spreads new connections over the workers)."""
    doc = {"format": "graphsvc-cmdb/1", "teams": [{"id": team, "name": team}]}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        answer = await client.post("/graphql", json={"query": IMPORT, "variables": {"d": doc}})
    assert answer.json() == {"data": {"importCmdb": {"created": 1}}}, answer.text


async def test_a_subscriber_hears_the_writes_of_every_worker(empty_db: Connection, tmp_path: Path) -> None:
    with serve_process(empty_db, tmp_path / "serve.log", "--workers", "2", GRAPHSVC_AUTH="false") as url:
        transport = WebsocketsTransport(
            url=url.replace("http://", "ws://") + "/graphql", subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
        )
        events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def listen() -> None:
            async with Client(transport=transport) as session:
                async for result in session.subscribe(GraphQLRequest(WRITES)):
                    await events.put(result["estateWritten"])

        task = asyncio.create_task(listen())
        try:
            # The subscription is listening once a probe write comes back (no server-side hook in another process).
            deadline = time.monotonic() + WAIT
            probe = 0
            while True:
                assert time.monotonic() < deadline and not task.done(), "the subscription never heard a write"
                probe += 1
                await add_team(url, f"T-PROBE-{probe}")
                try:
                    await asyncio.wait_for(events.get(), 2.0)
                    break
                except TimeoutError:
                    continue
            teams = [f"T-{n}" for n in range(8)]
            for team in teams:
                await add_team(url, team)
            heard: list[dict[str, Any]] = []
            while len(heard) < len(teams):
                event = await asyncio.wait_for(events.get(), WAIT)
                if not event["items"][0]["id"].startswith("T-PROBE-"):  # a probe heard late
                    heard.append(event)
            assert [e["items"] for e in heard] == [[{"id": t, "operation": "CREATED"}] for t in teams]
            positions = [e["position"] for e in heard]
            assert positions == sorted(set(positions))
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
