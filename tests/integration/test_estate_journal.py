"""The estate's journal against a real Neo4j: as of the instant after each write, the replayed estate is exactly
what the database held then (items, properties and relationships), whichever write made it."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import importer, record_writes, writes
from graphsvc.db.audit import Audit
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.db.journal import ensure_baseline, estate_as_of, estate_now
from graphsvc.db.journal import head as journal_head
from graphsvc.domain.estate import Estate
from graphsvc.domain.exchange import ConfigurationItem, Dependency
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument
from tests.conftest import REPO, load_json
from tests.integration.test_import_cut_short import add_a_dependency, after_the_nodes

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
DB = "neo4j"
WHO = Audit("tests", "tests", "test")


def graph_shape(graph: DependencyGraph) -> tuple[Any, ...]:
    return graph.nodes, graph.out, graph.into, graph.members_total, graph.retired, graph.groups


def shape(estate: Estate) -> tuple[dict[str, Any], set[tuple[str, str, str, tuple[tuple[str, Any], ...]]]]:
    """Items and relationships of an estate, comparable with ==."""
    rels = {(r, s, t, tuple(sorted(p.items()))) for r, s, t, p in estate.relationships()}
    return estate.items, rels


async def _moments(adriver: AsyncDriver, steps: list[Callable[[], Awaitable[Any]]]) -> list[tuple[datetime, Estate]]:
    repo = ItemRepository(adriver, DB)
    seen = []
    for step in steps:
        await step()
        seen.append((datetime.now(UTC), await estate_now(repo)))
        await asyncio.sleep(0.01)  # the next write's transaction starts strictly later
    return seen


async def test_as_of_each_write_is_the_state_it_produced(adriver: AsyncDriver) -> None:
    changed = copy.deepcopy(SMALL)
    changed["configurationItems"][0]["name"] = "App server one, renamed"
    changed["redundancyGroups"][0]["members"] = ["CI-DB-1", "CI-DB-2"]
    changed["dependencies"] = [d for d in changed["dependencies"] if d["from"] != "SVC-SHOP"]
    extra = {"format": "graphsvc-cmdb/1", "dependencies": [{"from": "CI-MON", "to": "CI-SAN-1", "strength": "SOFT"}]}
    ci = ConfigurationItem.model_validate(
        {"id": "CI-NEW", "name": "New box", "type": "SERVER", "owner": "T-WEB", "site": "S-LON"}
    )
    steps: list[Callable[[], Awaitable[Any]]] = [
        lambda: import_document(adriver, DB, SMALL),
        lambda: writes.create_item(adriver, DB, Kind.CONFIGURATION_ITEM, ci, audit=WHO),
        lambda: writes.add_dependency(
            adriver, DB, Dependency.model_validate({"from": "CI-NEW", "to": "CI-DB-1"}), audit=WHO
        ),
        lambda: import_document(adriver, DB, changed, single_tx_rows=1, batch_size=3),  # a bulk load, batch by batch
        lambda: import_document(adriver, DB, extra),  # a dependency of an item the document does not describe
        lambda: writes.remove_dependency(adriver, DB, "CI-NEW", "CI-DB-1", audit=WHO),
        lambda: writes.delete_item(adriver, DB, "CI-SAN-1", None, detach=True, audit=WHO),
        lambda: record_writes.attribute_incidents(adriver, DB, "PRB-1", ["INC-2"], audit=WHO),
    ]
    before = datetime.now(UTC)
    moments = await _moments(adriver, steps)
    repo = ItemRepository(adriver, DB)
    assert (await estate_as_of(repo, before))[0].items == {}  # before the first write: an empty estate
    for n, (at, expected) in enumerate(moments):
        replayed, _pos = await estate_as_of(repo, at)
        assert shape(replayed) == shape(expected), f"as of step {n}"
    future, _ = await estate_as_of(repo, datetime.now(UTC) + timedelta(days=365))
    assert shape(future) == shape(moments[-1][1])


async def test_a_database_from_before_the_journal_gets_a_baseline(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    # as an older graphsvc left it: items, but no journal and no states
    sync_driver.execute_query("MATCH (j:Journal) DETACH DELETE j", database_=DB)
    sync_driver.execute_query("MATCH (a:AuditEntry) REMOVE a.states, a.pos", database_=DB)
    before = datetime.now(UTC)
    await asyncio.sleep(0.01)
    repo = ItemRepository(adriver, DB)
    assert await ensure_baseline(adriver, DB) == len((await estate_now(repo)).items)
    assert await ensure_baseline(adriver, DB) == 0  # once
    replayed, _ = await estate_as_of(repo, datetime.now(UTC))
    assert shape(replayed) == shape(await estate_now(repo))
    with pytest.raises(InvalidArgument, match=r"before .* when graphsvc began recording"):
        await estate_as_of(repo, before)


async def test_the_estate_of_now_falls_back_to_the_database_when_the_journal_falls_short(
    adriver: AsyncDriver, sync_driver: Driver
) -> None:
    from graphsvc.usecases.estate import EstateCache
    from graphsvc.usecases.estate_reads import EstateReads

    await import_document(adriver, DB, SMALL)
    cache = EstateCache(ItemRepository(adriver, DB), max_items=1_000_000)
    first = await cache.now()
    assert await cache.now() is first and cache.replays == 1 and cache.from_database == 0  # kept
    await writes.add_dependency(adriver, DB, Dependency.model_validate({"from": "CI-MON", "to": "CI-DB-2"}), audit=WHO)
    first_graph = first.graph
    moved = await cache.now()
    assert moved is not first and cache.replays == 1  # brought forward by the one new entry, not replayed again
    # its graph is the kept one rewired around CI-MON, and equals the graph built afresh
    assert moved.graph is not first_graph and moved.graph.derived["rewired_from"][0] is first_graph
    assert graph_shape(moved.graph) == graph_shape(EstateReads(moved.estate).graph)
    assert graph_shape(first.graph) != graph_shape(moved.graph)
    assert ("DEPENDS_ON", "CI-DB-2") in moved.estate.out["CI-MON"]
    assert ("DEPENDS_ON", "CI-DB-2") not in first.estate.out["CI-MON"]  # the kept one was copied, not changed
    # an item written behind graphsvc's back: no journal entry, so the count differs and the database is read
    sync_driver.execute_query(
        "CREATE (:Item:ConfigurationItem {id: 'CI-SHELL', itemKind: 'CONFIGURATION_ITEM', name: 'shell'})",
        database_=DB,
    )
    await writes.remove_dependency(adriver, DB, "CI-MON", "CI-DB-2", audit=WHO)
    read = await cache.now()
    assert cache.from_database == 1 and "CI-SHELL" in read.estate.items


def _seals_known(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each seal step of an import, whether it recorded its created items' states as written (True) or read
    them back (False)."""
    seen: list[bool] = []
    original = importer._known

    def known(created: Any, own: Any, position: int) -> Any:
        states = original(created, own, position)
        seen.append(states is not None)
        return states

    monkeypatch.setattr(importer, "_known", known)
    return seen


@pytest.mark.parametrize("bulk", [False, True], ids=["one transaction", "batch by batch"])
async def test_an_import_records_what_it_creates_without_reading_it_back(
    adriver: AsyncDriver, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """The states of the items an import creates are the ones it wrote, exactly as the database holds them."""
    seals = _seals_known(monkeypatch)
    options: dict[str, Any] = {"single_tx_rows": 1, "batch_size": 3} if bulk else {}
    await import_document(adriver, DB, SMALL, **options)
    assert seals and all(seals)
    repo = ItemRepository(adriver, DB)
    replayed, _ = await estate_as_of(repo, datetime.now(UTC))
    assert shape(replayed) == shape(await estate_now(repo))
    listed = ("dependencies", "consumption")
    assert len(replayed.items) == sum(len(v) for k, v in SMALL.items() if isinstance(v, list) and k not in listed)


async def test_a_bulk_load_reads_back_what_another_write_changed_meanwhile(
    adriver: AsyncDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another write between a bulk load's batches (here: a dependency added to an item it created) is in the
    journal's states, and so is the load: the load's seal reads its items back instead of recording what it wrote."""
    seals = _seals_known(monkeypatch)
    after_the_nodes(monkeypatch, lambda: add_a_dependency(adriver))
    await import_document(adriver, DB, SMALL, single_tx_rows=1, batch_size=3)
    assert seals and not any(seals)  # every seal after the other write read its items back
    repo = ItemRepository(adriver, DB)
    now = await estate_now(repo)
    assert ("DEPENDS_ON", "CI-DB-2") in now.out["CI-APP-1"] and now.items["CI-APP-1"]["version"] == 2
    replayed, _ = await estate_as_of(repo, datetime.now(UTC))
    assert shape(replayed) == shape(now)


async def test_a_bulk_load_records_the_items_it_merged_onto_and_moves_the_graph_s_version_at_its_first_seal(
    adriver: AsyncDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relationships added to items a document does not describe are recorded in the journal by the load's seals
    (here more of those items than seals: a seal of their own for the rest); and the graph's version has moved by
    the load's first journal position, where the event feed tells it."""
    await import_document(adriver, DB, SMALL)
    repo = ItemRepository(adriver, DB)
    doc = {
        "format": SMALL["format"],
        "teams": [{**SMALL["teams"][0], "name": "renamed"}],  # one item described: one seal
        "dependencies": [
            {"from": "CI-MON", "to": "CI-SAN-1"},
            {"from": "CI-DB-1", "to": "CI-SAN-1"},
            {"from": "CI-DB-2", "to": "CI-SAN-1"},
        ],
    }
    bumped_at: list[int] = []  # the journal's position at each move of the graph's version
    original = importer.bump_graph_state

    async def bump(tx: Any) -> None:
        bumped_at.append((await (await tx.run("MATCH (j:Journal) RETURN j.pos AS pos")).single(strict=True))["pos"])
        await original(tx)

    monkeypatch.setattr(importer, "bump_graph_state", bump)
    before = await journal_head(repo)
    await import_document(adriver, DB, doc, single_tx_rows=1, batch_size=1)
    now = await estate_now(repo)
    assert all(("DEPENDS_ON", "CI-SAN-1") in now.out[i] for i in ("CI-MON", "CI-DB-1", "CI-DB-2"))
    replayed, _ = await estate_as_of(repo, datetime.now(UTC))
    assert shape(replayed) == shape(now)
    assert bumped_at == [before]  # once, at the first seal, before it takes the load's first position
