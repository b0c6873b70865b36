"""The graph loaded in a process of its own and mapped from a shared file (usecases/graph_share.py), over a real
Neo4j: the same answers as the graph loaded in the server's process and as Neo4j's, one load for two "workers",
a write seen at once, and a failed load that changes nothing and says why."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver

from graphsvc.db import writes
from graphsvc.db.audit import SYSTEM
from graphsvc.db.connection import Connection
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.domain.exchange import Dependency
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.graph_share import GraphShare
from graphsvc.usecases.impact import impact_of, site_failure
from tests.integration.test_graph_cache import answer
from tests.unit.test_packed_graph import read


def graph_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def cache(repo: ItemRepository, share: GraphShare | None) -> GraphCache:
    return GraphCache(repo, max_items=1_000_000, share=share, share_from=0)


async def test_a_mapped_graph_answers_as_the_graph_loaded_here_and_as_neo4j(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any, tmp_path: Path
) -> None:
    await import_document(adriver, "neo4j", demo_document)
    repo = ItemRepository(adriver, "neo4j")
    shared, here = cache(repo, GraphShare(tmp_path, empty_db)), cache(repo, None)
    mapped, loaded = await shared.wait(), await here.wait()
    assert mapped is not None and loaded is not None
    assert shared.mapped and not here.mapped
    assert read(mapped) == read(loaded)
    origins = [[c["id"]] for c in demo_document["configurationItems"][::2]]
    origins += [g["members"][:2] for g in demo_document["redundancyGroups"]]
    origins += [[s["id"]] for s in demo_document["services"]] + [["CI-ORA-FINANCE-OLD"]]
    for origin in origins:
        from_file = answer(await impact_of(repo, origin, shared))
        assert from_file == answer(await impact_of(repo, origin, here)) == answer(await impact_of(repo, origin))
    for site in ("SITE-DC1", "SITE-AWS"):
        assert answer(await site_failure(repo, site, shared)) == answer(await site_failure(repo, site))
    assert shared.share is not None and shared.fingerprint is not None
    assert graph_files(tmp_path) == [shared.share.name(shared.fingerprint)]
    await shared.close()
    await here.close()


async def test_two_workers_share_one_load_and_see_a_write_at_once(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any, tmp_path: Path
) -> None:
    await import_document(adriver, "neo4j", demo_document)
    repo = ItemRepository(adriver, "neo4j")
    share = GraphShare(tmp_path, empty_db)
    loads: list[int] = []
    original = share._load

    async def counted(*args: Any) -> None:
        loads.append(1)
        await original(*args)

    object.__setattr__(share, "_load", counted)
    first, second = cache(repo, share), cache(repo, share)
    one, two = await asyncio.gather(first.wait(), second.wait())
    assert one is not None and two is not None and len(one.nodes) == len(two.nodes) > 0
    assert len(loads) == 1  # the second waited for the first's file and mapped it
    origin = ["CI-DC1-FTP-LEGACY-01"]
    before = answer(await impact_of(repo, origin, first))
    assert set(before) == {"CI-DC1-FTP-LEGACY-01"}  # the orphan: nothing depends on it
    await writes.add_dependency(
        adriver,
        "neo4j",
        Dependency.model_validate({"from": "SVC-GIFT-CARDS", "to": "CI-DC1-FTP-LEGACY-01"}),
        audit=SYSTEM,
    )
    # the write is seen at once (answered from Neo4j while the new file loads), then from the new file
    assert await first.current() is None
    after = answer(await impact_of(repo, origin, first))
    assert after["SVC-GIFT-CARDS"][0] == "DOWN"
    assert await first.wait() is not None and await second.wait() is not None
    assert answer(await impact_of(repo, origin, second)) == after == answer(await impact_of(repo, origin))
    assert len(loads) == 2
    assert first.fingerprint is not None
    assert graph_files(tmp_path) == [share.name(first.fingerprint)]  # the older one gone
    await first.close()
    await second.close()


async def test_a_failed_load_keeps_answers_from_neo4j_and_says_why(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any, tmp_path: Path, caplog: Any
) -> None:
    await import_document(adriver, "neo4j", demo_document)
    repo = ItemRepository(adriver, "neo4j")
    wrong = dataclasses.replace(empty_db, password="not the password")
    broken = cache(repo, GraphShare(tmp_path, wrong))
    assert await broken.wait() is None and broken.graph is None and not broken.mapped
    assert "the graph loading process ended with" in caplog.text and "Unauthorized" in caplog.text
    origin = ["CI-DC1-FTP-LEGACY-01"]
    assert answer(await impact_of(repo, origin, broken)) == answer(await impact_of(repo, origin))
    assert graph_files(tmp_path) == []  # no half-written file
    await broken.close()


async def test_what_impacts_expose_is_kept_once_per_item(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any, tmp_path: Path
) -> None:
    """A million items' owners and forty thousand services' facts: each team, unit and requirement one dict for every
    service that has it, each set of owners one tuple, each id the graph's own string."""
    await import_document(adriver, "neo4j", demo_document)
    repo = ItemRepository(adriver, "neo4j")
    kept = cache(repo, GraphShare(tmp_path, empty_db))
    graph = await kept.wait()
    assert graph is not None and kept.exposure is not None
    packed = graph.derived["packed"]
    owned_by = kept.exposure.owned_by
    live = [key for key in owned_by if key in packed.index]  # RETIRED items have owners, not a place in the graph
    assert len(live) > 20 and all(key is packed.ids[packed.index[key]] for key in live)
    by_owners: dict[tuple[str, ...], tuple[str, ...]] = {}
    for owners in owned_by.values():
        assert by_owners.setdefault(owners, owners) is owners
    dicts: dict[str, Any] = {}
    shared = 0
    for facts in kept.exposure.services.values():
        for props in [*facts.requirements, *facts.owners, *facts.consumers]:
            shared += props["id"] in dicts
            assert dicts.setdefault(props["id"], props) is props
    assert shared > 5  # the demo has requirements and teams met by several services
    await kept.close()


async def test_a_file_that_cannot_be_read_is_loaded_again(
    adriver: AsyncDriver, empty_db: Connection, demo_document: Any, tmp_path: Path, caplog: Any
) -> None:
    await import_document(adriver, "neo4j", demo_document)
    repo = ItemRepository(adriver, "neo4j")
    share = GraphShare(tmp_path, empty_db)
    first = cache(repo, share)
    assert await first.wait() is not None and first.fingerprint is not None
    await first.close()
    path = tmp_path / share.name(first.fingerprint)
    path.write_bytes(path.read_bytes()[:1000])  # cut short (a crash, a full disk)
    second = cache(repo, share)
    graph = await second.wait()
    assert graph is not None and second.mapped and len(graph.nodes) == len(first.graph.nodes)  # type: ignore[union-attr]
    assert "unusable" in caplog.text and "cut short" in caplog.text
    origin = ["CI-DC1-FTP-LEGACY-01"]
    assert answer(await impact_of(repo, origin, second)) == answer(await impact_of(repo, origin))
    await second.close()
