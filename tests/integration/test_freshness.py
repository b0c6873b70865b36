"""The check of the in-memory graph asks Neo4j only when something may have moved (usecases/freshness.py,
db/movement.py): a write through graphsvc, in this process or another of this host, is seen at once even when the
last look is trusted for an hour; a write from elsewhere is seen as soon as any read of this process brings back its
bookmark."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

from neo4j import AsyncDriver

from graphsvc.db import movement, writes
from graphsvc.db.audit import SYSTEM
from graphsvc.db.connection import Connection
from graphsvc.db.items import ItemRepository
from graphsvc.domain.exchange import Dependency
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import impact_of
from tests.integration.test_graph_cache import demo_cache

HOUR = 3600.0
ORPHAN = "CI-DC1-FTP-LEGACY-01"  # nothing depends on it in the demo CMDB

WRITE = "MATCH (a:Item {id: 'SVC-GIFT-CARDS'}), (b:Item {id: $to}) MERGE (a)-[:DEPENDS_ON]->(b)"


def write_from_another_process(conn: Connection, *, as_graphsvc: bool) -> None:
    """A dependency on the orphan, written by a separate Python process: a plain Neo4j client (cypher-shell's kind),
    or one with graphsvc's driver hooks (another worker, `graphsvc import`)."""
    script = textwrap.dedent(
        f"""
        import asyncio
        from neo4j import AsyncGraphDatabase
        if {as_graphsvc!r}:
            from graphsvc.db import movement
            movement.install()
        async def main():
            driver = AsyncGraphDatabase.driver({conn.uri!r}, auth=({conn.user!r}, {conn.password!r}))
            await driver.execute_query({WRITE!r}, to={ORPHAN!r}, database_={conn.database!r})
            await driver.close()
        asyncio.run(main())
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)


async def trusted_cache(adriver: AsyncDriver, demo_document: Any) -> tuple[ItemRepository, GraphCache]:
    repo, cache = await demo_cache(adriver, demo_document, recheck_seconds=HOUR)
    assert await cache.wait() is not None
    await cache.view()  # the load's own read may have brought a new bookmark: look once more, then it is trusted
    return repo, cache


def reached(analysis: Any) -> set[str]:
    return set(analysis.impact.status)


async def test_nothing_moved_no_read(adriver: AsyncDriver, demo_document: Any) -> None:
    repo, cache = await trusted_cache(adriver, demo_document)
    before = repo.round_trips
    for _ in range(5):
        assert reached(await impact_of(repo, [ORPHAN], cache)) == {ORPHAN}
    assert repo.round_trips == before  # five impacts from memory, no fingerprint read
    await cache.close()


async def test_own_write_is_seen_at_once(adriver: AsyncDriver, demo_document: Any) -> None:
    repo, cache = await trusted_cache(adriver, demo_document)
    assert reached(await impact_of(repo, [ORPHAN], cache)) == {ORPHAN}
    dependency = Dependency.model_validate({"from": "SVC-GIFT-CARDS", "to": ORPHAN})
    await writes.add_dependency(adriver, "neo4j", dependency, audit=SYSTEM)
    assert "SVC-GIFT-CARDS" in reached(await impact_of(repo, [ORPHAN], cache))
    await cache.close()


async def test_a_graphsvc_write_from_another_process_is_seen_at_once(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any
) -> None:
    repo, cache = await trusted_cache(adriver, demo_document)
    stamp = movement.stamp()
    write_from_another_process(empty_db, as_graphsvc=True)
    assert movement.stamp() != stamp  # through the host's shared token, with no read of this process
    assert "SVC-GIFT-CARDS" in reached(await impact_of(repo, [ORPHAN], cache))
    await cache.close()


async def test_a_foreign_write_is_seen_once_any_read_brings_its_bookmark(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any
) -> None:
    repo, cache = await trusted_cache(adriver, demo_document)
    write_from_another_process(empty_db, as_graphsvc=False)
    # Nothing of graphsvc saw it: the last look is still trusted (GRAPHSVC_RECHECK_SECONDS bounds this; an hour here).
    assert reached(await impact_of(repo, [ORPHAN], cache)) == {ORPHAN}
    await repo.by_ids(["SVC-GIFT-CARDS"])  # any read: Neo4j hands back the newest transaction's bookmark
    assert "SVC-GIFT-CARDS" in reached(await impact_of(repo, [ORPHAN], cache))
    await cache.close()


async def test_with_no_trust_every_check_reads(adriver: AsyncDriver, empty_db: Connection, demo_document: Any) -> None:
    repo, cache = await demo_cache(adriver, demo_document, recheck_seconds=0)
    await cache.wait()
    before = repo.round_trips
    await impact_of(repo, [ORPHAN], cache)
    await impact_of(repo, [ORPHAN], cache)
    assert repo.round_trips == before + 2
    write_from_another_process(empty_db, as_graphsvc=False)
    assert "SVC-GIFT-CARDS" in reached(await impact_of(repo, [ORPHAN], cache))
    await cache.close()
