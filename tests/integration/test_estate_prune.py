"""Pruning the estate's history against a real Neo4j (db/journal.prune, `graphsvc prune-history`): every time from
the cut on answers exactly as before, times before it are refused by name, the journal entries keep their audit
record but lose their states, and an unfinished snapshot is never used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import writes
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.db.journal import estate_as_of, estates_at, plan_prune, prune
from graphsvc.domain.exchange import ConfigurationItem, Dependency
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument
from graphsvc.usecases.estate import EstateCache
from tests.integration.test_estate_journal import DB, SMALL, WHO, _moments, shape


def _count(sync_driver: Driver, query: str, **params: Any) -> int:
    records, _, _ = sync_driver.execute_query(query, params, database_=DB)
    return int(records[0][0])


async def test_pruning_keeps_every_time_from_the_cut(adriver: AsyncDriver, sync_driver: Driver) -> None:
    ci = ConfigurationItem.model_validate({"id": "CI-NEW", "name": "New box", "type": "SERVER", "owner": "T-WEB"})
    steps: list[Callable[[], Awaitable[Any]]] = [
        lambda: import_document(adriver, DB, SMALL),
        lambda: writes.create_item(adriver, DB, Kind.CONFIGURATION_ITEM, ci, audit=WHO),
        lambda: writes.add_dependency(
            adriver, DB, Dependency.model_validate({"from": "CI-NEW", "to": "CI-DB-1"}), audit=WHO
        ),
        lambda: writes.remove_dependency(adriver, DB, "CI-NEW", "CI-DB-1", audit=WHO),
        lambda: writes.delete_item(adriver, DB, "CI-SAN-1", None, detach=True, audit=WHO),
    ]
    moments = await _moments(adriver, steps)
    repo = ItemRepository(adriver, DB)
    entries = _count(sync_driver, "MATCH (a:AuditEntry) RETURN count(a)")

    # an unfinished snapshot (a prune stopped half-way) is never used, and the next prune clears it
    sync_driver.execute_query(
        "CREATE (:EstateSnapshot {pos: 1, until: datetime(), complete: false}) "
        "CREATE (:EstateSnapshotPart {pos: 1, part: 0, data: '{}'})",
        database_=DB,
    )
    assert shape((await estate_as_of(repo, moments[-1][0]))[0]) == shape(moments[-1][1])

    cut = moments[1][0]  # after the import and the new CI: those two writes' states go
    plan = await plan_prune(repo, cut)
    assert plan.needed and plan.until is not None and plan.until <= cut
    result = await prune(adriver, DB, cut)
    assert result is not None and result.items == len(moments[1][1].items)
    assert result.entries_pruned >= 2 and result.bytes_freed > 0 and result.snapshot_bytes > 0
    assert _count(sync_driver, "MATCH (s:EstateSnapshot) WHERE NOT s.complete RETURN count(s)") == 0
    assert _count(sync_driver, "MATCH (a:AuditEntry) RETURN count(a)") == entries  # the audit trail is whole
    kept = "MATCH (a:AuditEntry) WHERE a.pos <= $pos AND a.states IS NOT NULL RETURN count(a)"
    assert _count(sync_driver, kept, pos=plan.pos) == 0

    for n, (at, expected) in enumerate(moments[1:], start=1):  # from the cut on: exactly as before
        assert shape((await estate_as_of(repo, at))[0]) == shape(expected), f"as of step {n}"
    assert shape((await estate_as_of(repo, plan.until))[0]) == shape(moments[1][1])
    walked = await estates_at(repo, [at for at, _ in moments[1:]])
    assert [shape(e) for e in walked] == [shape(e) for _, e in moments[1:]]
    with pytest.raises(InvalidArgument, match=r"asOf: .* is before .*the history before it was pruned"):
        await estate_as_of(repo, moments[0][0])
    fresh = EstateCache(repo, max_items=1_000_000)  # the server's estate of now, replayed from the snapshot
    assert shape((await fresh.now()).estate) == shape(moments[-1][1])

    assert await prune(adriver, DB, cut) is None  # nothing more to do for the same cut
    later = await prune(adriver, DB, moments[3][0])  # a later cut replaces the snapshot
    assert later is not None and later.snapshots_dropped == 1
    assert _count(sync_driver, "MATCH (s:EstateSnapshot) RETURN count(s)") == 1
    others = "MATCH (p:EstateSnapshotPart) WHERE p.pos <> $pos RETURN count(p)"
    assert _count(sync_driver, others, pos=later.plan.pos) == 0
    assert shape((await estate_as_of(repo, moments[-1][0]))[0]) == shape(moments[-1][1])
    with pytest.raises(InvalidArgument, match="pruned"):
        await estate_as_of(repo, moments[2][0] - timedelta(milliseconds=1))


async def test_nothing_to_prune_on_an_empty_database(adriver: AsyncDriver) -> None:
    assert not (await plan_prune(ItemRepository(adriver, DB), datetime.now(UTC))).needed
    assert await prune(adriver, DB, datetime.now(UTC)) is None
