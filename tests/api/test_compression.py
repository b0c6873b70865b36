"""Answers are compressed (brotli, else gzip, as the client prefers) when the client accepts it and they are large
enough (GraphQL answers, reports), the same answer once decompressed; small answers and the sign-in route are sent as
they are."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import brotli
import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.db.importer import import_document
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

PAGE = {"query": "{ configurationItems(first: 200) { nodes { id name type status dependsOn { id } } } }"}


@pytest.fixture
def served(empty_db: Connection, sync_driver: Driver, demo_document: object) -> Iterator[tuple[str, str]]:
    import asyncio

    from graphsvc.db.connection import open_async_driver

    async def load() -> None:
        driver = open_async_driver(empty_db)
        try:
            await import_document(driver, empty_db.database, demo_document)
        finally:
            await driver.close()

    asyncio.run(load())
    token = make_token(sync_driver, empty_db.database, "analyst")
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:
        yield url, token


def raw(url: str, token: str, encoding: str, path: str = "/graphql", body: object = PAGE) -> httpx.Response:
    """The response as sent (httpx would otherwise decompress it for us)."""
    with httpx.Client() as client:
        request = client.build_request(
            "POST", url + path, json=body, headers={**bearer(token), "Accept-Encoding": encoding}
        )
        return client.send(request, stream=True)


def test_large_answers_are_gzipped_and_small_ones_are_not(served: tuple[str, str]) -> None:
    url, token = served
    zipped = raw(url, token, "gzip")
    body = b"".join(zipped.iter_raw())
    assert zipped.headers["content-encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["vary"]
    plain = raw(url, token, "identity")
    text = b"".join(plain.iter_raw())
    assert "content-encoding" not in plain.headers
    assert json.loads(gzip.decompress(body)) == json.loads(text) and len(body) < len(text) / 3
    assert json.loads(text)["data"]["configurationItems"]["nodes"]  # a real answer, not an error
    small = raw(url, token, "gzip", body={"query": "{ __typename }"})
    assert "content-encoding" not in small.headers
    report = httpx.get(f"{url}/reports/costs", headers={**bearer(token), "Accept-Encoding": "gzip"})
    assert report.status_code == 200 and report.headers["content-encoding"] == "gzip"
    sign_in = raw(url, token, "gzip", path="/auth/session", body={"token": token})
    assert "content-encoding" not in sign_in.headers


def test_brotli_is_preferred_when_welcome_and_q_values_count(served: tuple[str, str]) -> None:
    url, token = served
    plain = b"".join(raw(url, token, "identity").iter_raw())
    squeezed = raw(url, token, "gzip, deflate, br")
    body = b"".join(squeezed.iter_raw())
    assert squeezed.headers["content-encoding"] == "br" and "Accept-Encoding" in squeezed.headers["vary"]
    assert json.loads(brotli.decompress(body)) == json.loads(plain)
    assert len(body) < len(gzip.compress(plain, 6))  # smaller than the gzip answer would have been
    assert raw(url, token, "br;q=0.5, gzip").headers["content-encoding"] == "gzip"  # the client prefers gzip
    assert raw(url, token, "br;q=0, *").headers["content-encoding"] == "gzip"  # br refused, anything else welcome
    assert "content-encoding" not in raw(url, token, "br;q=0, gzip;q=0").headers
    assert raw(url, token, "*").headers["content-encoding"] == "br"
    small = raw(url, token, "br", body={"query": "{ __typename }"})
    assert "content-encoding" not in small.headers
    sign_in = raw(url, token, "br", path="/auth/session", body={"token": token})
    assert "content-encoding" not in sign_in.headers
