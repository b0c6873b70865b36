"""The in-memory twins of the change reads (usecases/estate_reads.py) against their Cypher (cypher/changes/*.cypher)
on the demo CMDB in a real Neo4j: the same records in the same order, bounds included, for every argument tried."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from neo4j import AsyncDriver

from graphsvc.db import changes as db
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.db.journal import estate_now
from graphsvc.domain.changes import PENDING, ChangeRecord, ChangeStatus
from graphsvc.domain.estate import INTERNAL
from graphsvc.usecases.estate_reads import EstateReads

DB = "neo4j"


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def plain(records: list[ChangeRecord] | dict[str, ChangeRecord]) -> Any:
    """Records comparable with ==: the stored properties graphsvc keeps for itself (hash) are no part of a state."""

    def one(c: ChangeRecord) -> ChangeRecord:
        return dataclasses.replace(c, props={k: v for k, v in c.props.items() if k not in INTERNAL})

    if isinstance(records, dict):
        return {k: one(c) for k, c in records.items()}
    return [one(c) for c in records]


# Period bounds on planned starts and ends of the demo's changes (CHG-1002 01:00-03:00, CHG-1003 01:30-03:30 on the
# 21st), to hold [from, to) to Cypher's comparisons, and whole months.
PERIODS = [
    (t("2026-11-21T01:00:00"), t("2026-11-21T01:30:00")),
    (t("2026-11-21T03:00:00"), t("2026-11-21T03:30:00")),
    (t("2026-11-21T03:30:00"), t("2026-11-22T00:00:00")),
    (t("2026-11-01T00:00:00"), t("2026-12-01T00:00:00")),
    (t("2026-01-01T00:00:00"), t("2028-01-01T00:00:00")),
]
STATUSES = [PENDING, frozenset(ChangeStatus), frozenset({ChangeStatus.DRAFT}), frozenset()]


async def test_change_reads_match_their_cypher(adriver: AsyncDriver, demo_document: Any) -> None:
    await import_document(adriver, DB, demo_document)
    repo = ItemRepository(adriver, DB)
    reads = EstateReads(await estate_now(repo))
    changes = [c["id"] for c in demo_document["changes"]]
    asked = [*changes, "CHG-NOPE", "SVC-ORDERS"]
    assert plain(await reads.changes_by_ids(asked)) == plain(await db.changes_by_ids(repo, asked))
    assert len(await reads.changes_by_ids(asked)) == len(changes)

    for start, end in PERIODS:
        for statuses in STATUSES:
            found = await reads.changes_overlapping(start, end, statuses)
            assert plain(found) == plain(await db.changes_overlapping(repo, start, end, statuses)), (start, statuses)
            found = await reads.changes_starting(start, end, statuses)
            assert plain(found) == plain(await db.changes_starting(repo, start, end, statuses)), (start, statuses)
    starting = await reads.changes_starting(*PERIODS[0], PENDING)
    assert [c.id for c in starting] == ["CHG-1002"]  # from is in, to is out

    for release in [r["id"] for r in demo_document["releases"]] + ["REL-NOPE", "CHG-1002"]:
        assert await reads.release_changes(release) == await db.release_changes(repo, release), release
    assert await reads.release_changes("REL-NOPE") is None

    touched = sorted({x for c in demo_document["changes"] for x in c["modifies"]})
    touched += sorted({x for i in demo_document["incidents"] for x in i.get("affects", [])})
    ref = t("2026-11-20T00:00:00")
    bounds: list[tuple[datetime | None, datetime | None, datetime | None]] = [
        (None, None, None),
        (ref - timedelta(days=30), ref - timedelta(days=90), ref),
        (None, None, ref),
        (ref - timedelta(days=10), None, None),
        (None, ref - timedelta(days=20), t("2026-11-08T02:00:00")),  # CHG-1011 failed at its planned end: out
    ]
    seen = set()
    for since, changes_since, until in bounds:
        kwargs = {"incidents_since": since, "changes_since": changes_since, "until": until}
        for item in [*touched, "NOPE"]:
            mine = await reads.history([item], **kwargs)
            assert mine == await db.history(repo, [item], **kwargs), (item, kwargs)
            seen.update(mine.incidents + mine.failed_changes)
        assert await reads.history(touched, **kwargs) == await db.history(repo, touched, **kwargs)
    assert "CHG-1011" in seen and any(i.startswith("INC-") for i in seen)  # the bounds let some through
