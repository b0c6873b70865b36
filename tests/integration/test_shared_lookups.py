"""Concurrent requests with the same token share its lookup, against a real Neo4j, and still see revocations."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from neo4j import AsyncDriver

from graphsvc.db.tokens import TokenRejected, TokenStore
from graphsvc.domain.tokens import Role

DB = "neo4j"


async def test_one_token_asked_at_once_is_looked_up_once_or_twice(adriver: AsyncDriver) -> None:
    store = TokenStore(adriver, DB)
    record, secret = await store.create("many connections", Role.analyst)
    lookups: list[dict[str, Any]] = []
    run = store._run

    async def counted(statement: str, **params: Any) -> list[Any]:
        lookups.append(params)
        return await run(statement, **params)

    store._run = counted  # type: ignore[method-assign]  # counts the real reads
    principals = await asyncio.gather(*(store.authenticate(secret) for _ in range(20)))
    assert {(p.token_id, p.role) for p in principals} == {(record.id, Role.analyst)}
    assert 1 <= len(lookups) <= 2  # the first caller's read, and one more for all who came while it ran
    assert store._lookups == {}  # nothing kept once no lookup runs

    await store.revoke(record.id)
    with pytest.raises(TokenRejected, match="revoked"):
        await store.authenticate(secret)  # a lookup after the revocation, not a kept answer
