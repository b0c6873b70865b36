"""Import and export against a real Neo4j: idempotent upserts, exact round trips, nothing half-written."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db.exporter import export_document
from graphsvc.db.importer import import_document
from graphsvc.domain.validation import DocumentInvalid
from tests.conftest import REPO, counts, load_json

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
DB = "neo4j"


def rows(driver: Driver, query: str, **params: Any) -> set[tuple[Any, ...]]:
    records, _, _ = driver.execute_query(query, params, database_=DB)
    return {tuple(r.values()) for r in records}


async def test_import_writes_every_kind_and_relationship(adriver: AsyncDriver, sync_driver: Driver) -> None:
    summary = await import_document(adriver, DB, SMALL)
    assert (summary.created, summary.updated, summary.unchanged) == (36, 0, 0)
    assert rows(sync_driver, "MATCH (n:Item) RETURN n.itemKind AS k, count(*) AS c") == {
        ("BUSINESS_UNIT", 2),
        ("TEAM", 2),
        ("SITE", 2),
        ("REQUIREMENT", 4),
        ("METRIC", 2),
        ("SERVICE", 3),
        ("CONFIGURATION_ITEM", 6),
        ("REDUNDANCY_GROUP", 1),
        ("SLA", 1),
        ("POLICY", 4),
        ("PROCESS", 3),
        ("INCIDENT", 2),
        ("PROBLEM", 1),
        ("CHANGE", 2),
        ("RELEASE", 1),
    }
    assert rows(sync_driver, "MATCH (a)-[r:DEPENDS_ON]->(b) RETURN a.id, b.id, r.strength, r.weight") == {
        ("SVC-SHOP", "CI-APP-1", "HARD", 1.0),
        ("CI-APP-1", "SVC-ORDERS", "HARD", 2.0),
        ("SVC-ORDERS", "RG-DB", "HARD", 1.0),
        ("CI-DB-1", "CI-SAN-1", "HARD", 1.0),
        ("CI-DB-2", "CI-SAN-1", "HARD", 1.0),
        ("CI-APP-1", "CI-MON", "SOFT", 0.5),
    }
    assert rows(sync_driver, "MATCH (g:RedundancyGroup)-[:HAS_MEMBER]->(m) RETURN g.id, m.id") == {
        ("RG-DB", "CI-DB-1"),
        ("RG-DB", "CI-DB-2"),
        ("RG-DB", "CI-DB-3"),
    }
    assert rows(sync_driver, "MATCH (b:BusinessUnit)-[c:CONSUMES]->(s) RETURN b.id, s.id, c.share") == {
        ("BU-SALES", "SVC-SHOP", 3.0),
        ("BU-FIN", "SVC-SHOP", 1.0),
    }
    # Money stays exact, times are UTC, ids carry the shared Item label.
    assert rows(sync_driver, "MATCH (n:ConfigurationItem {id: 'CI-SAN-1'}) RETURN n.monthlyCost") == {("900.1234",)}
    assert rows(sync_driver, "MATCH (n:Incident {id: 'INC-1'}) RETURN toString(n.openedAt)") == {
        ("2026-11-20T08:00:00Z",)
    }
    assert summary.relationships == counts(sync_driver, DB)[1]


async def test_second_import_changes_nothing(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    before = counts(sync_driver, DB)
    versions = rows(sync_driver, "MATCH (n:Item) RETURN n.id, n.version")
    summary = await import_document(adriver, DB, SMALL)
    assert (summary.created, summary.updated, summary.unchanged, summary.relationships) == (0, 0, 36, 0)
    assert counts(sync_driver, DB) == before
    assert rows(sync_driver, "MATCH (n:Item) RETURN n.id, n.version") == versions


async def test_export_round_trips_exactly(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    first = await export_document(adriver, DB)
    graph = counts(sync_driver, DB)
    summary = await import_document(adriver, DB, first)
    assert summary.created == 0 and summary.updated == 0
    second = await export_document(adriver, DB)
    assert second == first
    assert counts(sync_driver, DB) == graph
    # And into an empty database: the same graph again.
    from tests.conftest import wipe

    wipe(sync_driver, DB)
    await import_document(adriver, DB, first)
    assert await export_document(adriver, DB) == first
    shop = next(s for s in first["services"] if s["id"] == "SVC-SHOP")
    assert shop["monthlyCost"] == "1200.50" and shop["satisfies"] == ["R-B1", "R-S1"]
    freeze = next(p for p in first["policies"] if p["id"] == "POL-FREEZE")
    assert freeze["rule"]["to"] == "2027-01-03T23:00:00Z"
    release = first["releases"][0]
    assert release == {"id": "REL-1", "name": "November DB patches", "version": "2026.11"}


async def test_update_removes_relationships_no_longer_listed(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    doc = {
        "format": "graphsvc-cmdb/1",
        "services": [
            {
                "id": "SVC-SHOP",
                "name": "Web Shop",
                "tier": "BUSINESS",
                "criticality": 2,
                "owner": "T-DBA",
                "satisfies": ["R-S1"],
            }
        ],
        "redundancyGroups": [
            {"id": "RG-DB", "name": "Order DB cluster", "minHealthy": 1, "members": ["CI-DB-1", "CI-DB-2"]}
        ],
        "dependencies": [{"from": "SVC-SHOP", "to": "SVC-ORDERS"}],
    }
    summary = await import_document(adriver, DB, doc)
    assert (summary.created, summary.updated) == (0, 2)
    assert rows(sync_driver, "MATCH (:Service {id: 'SVC-SHOP'})-[r]->(b) RETURN type(r), b.id") == {
        ("OWNED_BY", "T-DBA"),
        ("SATISFIES", "R-S1"),
        ("DEPENDS_ON", "SVC-ORDERS"),
    }
    assert rows(sync_driver, "MATCH (:RedundancyGroup {id: 'RG-DB'})-[:HAS_MEMBER]->(m) RETURN m.id") == {
        ("CI-DB-1",),
        ("CI-DB-2",),
    }
    assert rows(sync_driver, "MATCH (n:Service {id: 'SVC-SHOP'}) RETURN n.version, n.criticality, n.rtoMinutes") == {
        (2, 2, None)
    }
    # Items the document did not describe keep their relationships.
    assert rows(sync_driver, "MATCH (:ConfigurationItem {id: 'CI-APP-1'})-[:DEPENDS_ON]->(b) RETURN b.id") == {
        ("SVC-ORDERS",),
        ("CI-MON",),
    }


async def test_references_resolve_against_the_database(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    doc = {
        "format": "graphsvc-cmdb/1",
        "configurationItems": [{"id": "CI-NEW", "name": "new", "type": "SERVER", "site": "S-FRA", "owner": "T-WEB"}],
        "dependencies": [{"from": "CI-DB-3", "to": "CI-NEW", "kind": "HOSTED_ON"}],
    }
    summary = await import_document(adriver, DB, doc)
    assert summary.created == 1
    assert rows(sync_driver, "MATCH (:Item {id: 'CI-DB-3'})-[:DEPENDS_ON]->(b) RETURN b.id") == {("CI-NEW",)}


INVALID_CASES = [
    (lambda d: d["services"][0].update(owner="T-9"), "services[0].owner: unknown id 'T-9'"),
    (lambda d: d["services"][1].update(owner="SITE-X"), "services[1].owner: unknown id 'SITE-X'"),
    (lambda d: d["services"][0].update(owner="S-LON"), "services[0].owner: 'S-LON' is a SITE; expected a TEAM"),
    (
        lambda d: d["dependencies"].append({"from": "CI-DB-1", "to": "CI-DB-1"}),
        "dependencies[6]: 'CI-DB-1' cannot depend on itself",
    ),
    (
        lambda d: d["teams"].append({"id": "CI-DB-1", "name": "dup"}),
        "configurationItems[1].id: duplicate id 'CI-DB-1' (already used at teams[2].id)",
    ),
    (lambda d: d["configurationItems"][0].update(type="MAINFRAME"), "configurationItems[0].type: Input should be"),
    (lambda d: d["services"][0].update(monthlyCost=12.5), "services[0].monthlyCost: Value error, money must be"),
    (lambda d: d["redundancyGroups"][0].update(minHealthy=4), "redundancyGroups[0].minHealthy: minHealthy 4 exceeds"),
    (lambda d: d["incidents"][0].update(openedAt="2026-11-20T10:00:00"), "incidents[0].openedAt:"),
    (lambda d: d["changes"][0].update(plannedEnd="2026-11-28T00:00:00Z"), "changes[0].plannedEnd: plannedEnd must be"),
    (
        lambda d: d["policies"][1]["rule"].update(timezone="Mars/Olympus"),
        "policies[1].rule.timezone: unknown time zone 'Mars/Olympus'",
    ),
    (lambda d: d["policies"][0]["rule"].pop("from"), "policies[0].rule.from: Field required"),
    (lambda d: d.update(extra=1), "extra: Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("mutate", "expected"), INVALID_CASES)
async def test_invalid_document_writes_nothing(
    adriver: AsyncDriver, sync_driver: Driver, mutate: Any, expected: str
) -> None:
    base = {"format": "graphsvc-cmdb/1", "teams": [{"id": "T-KEEP", "name": "already here"}]}
    await import_document(adriver, DB, base)
    before = counts(sync_driver, DB)
    doc = copy.deepcopy(SMALL)
    mutate(doc)
    with pytest.raises(DocumentInvalid) as caught:
        await import_document(adriver, DB, doc)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert counts(sync_driver, DB) == before


async def test_every_problem_is_reported_at_once(adriver: AsyncDriver) -> None:
    doc = copy.deepcopy(SMALL)
    doc["services"][0]["owner"] = "T-9"
    doc["configurationItems"][0]["site"] = "S-NOWHERE"
    doc["incidents"][1]["affects"] = ["CI-GONE"]
    with pytest.raises(DocumentInvalid) as caught:
        await import_document(adriver, DB, doc)
    assert [str(p) for p in caught.value.problems] == [
        "services[0].owner: unknown id 'T-9'",
        "configurationItems[0].site: unknown id 'S-NOWHERE'",
        "incidents[1].affects[0]: unknown id 'CI-GONE'",
    ]


async def test_an_id_cannot_change_kind(adriver: AsyncDriver, sync_driver: Driver) -> None:
    await import_document(adriver, DB, SMALL)
    with pytest.raises(DocumentInvalid) as caught:
        await import_document(adriver, DB, {"format": "graphsvc-cmdb/1", "sites": [{"id": "T-WEB", "name": "x"}]})
    assert str(caught.value.problems[0]) == "sites[0].id: id 'T-WEB' already exists as a TEAM, not a SITE"


async def test_large_document_in_batched_transactions(adriver: AsyncDriver, sync_driver: Driver) -> None:
    from graphsvc.synth import generate_cmdb

    doc = generate_cmdb(3000, seed=7)
    seen: list[tuple[int, int]] = []
    summary = await import_document(
        adriver, DB, doc, batch_size=500, single_tx_rows=1000, progress=lambda done, total: seen.append((done, total))
    )
    nodes, rels = counts(sync_driver, DB)
    assert (
        nodes
        == summary.created
        == sum(len(v) for k, v in doc.items() if isinstance(v, list) and k not in ("dependencies", "consumption"))
    )
    assert rels == summary.relationships
    assert seen[-1][0] == seen[-1][1]
    assert await export_document(adriver, DB) == await export_document(adriver, DB)
    again = await import_document(adriver, DB, await export_document(adriver, DB))
    assert again.created == 0 and again.updated == 0


async def test_side_by_side_writers_stop_together_when_one_fails(adriver: AsyncDriver, sync_driver: Driver) -> None:
    """A bulk load's node batches go two at a time; a batch that fails stops the other writer and raises."""
    import asyncio

    from neo4j import AsyncManagedTransaction
    from neo4j.exceptions import ConstraintError

    from graphsvc.db.importer import Step, _Journal, _write_each

    sync_driver.execute_query("CREATE (:Item {id: 'X-3'})", database_=DB)
    ran: list[str] = []

    async def run(tx: AsyncManagedTransaction, chunk: list[Step]) -> list[int]:
        for _name, _arg, params in chunk:
            # Once X-3 (which fails) is taken, the other writer holds its step until the failing writer has stopped:
            # so the test does not depend on which of the two round trips comes back first (under load, the other
            # writer could otherwise race through every step before the failure came back).
            failing = next((task for i, task in taken if i == "X-3"), None)
            if failing is not None and failing is not asyncio.current_task():
                await asyncio.wait({failing})
            ran.append(params["id"])
            await (await tx.run("CREATE (:Item {id: $id})", id=params["id"])).consume()
        return []  # no journal positions taken

    taken: list[tuple[str, asyncio.Task[Any] | None]] = []  # (step's id, the writer that took it)

    def steps() -> Iterator[Step]:
        for i in range(40):
            taken.append((f"X-{i}", asyncio.current_task()))
            yield "import/create_nodes", None, {"id": f"X-{i}"}

    async with adriver.session(database=DB) as session:
        with pytest.raises(ConstraintError):
            await _write_each(adriver, DB, session, run, steps(), 2, _Journal(0))
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not [t for t in others if "writer" in repr(t.get_coro())]
    # Two writers took steps, and none was taken after the failure came back: the other writer held at most the one
    # step after X-3 when the failing writer stopped, and was stopped there.
    assert len({task for _, task in taken}) == 2 and len(taken) <= 5
    written = {i for (i,) in rows(sync_driver, "MATCH (n:Item) WHERE n.id STARTS WITH 'X-' RETURN n.id")}
    assert "X-3" in written and written <= set(ran)


@pytest.mark.parametrize("bulk", [False, True], ids=["one transaction", "batch by batch"])
async def test_an_import_moves_the_graph_version_once(adriver: AsyncDriver, bulk: bool) -> None:
    """A change that keeps every count (a renamed CI, a dependency's strength) still tells kept graphs to reload: the
    graph's version moves, once for the import, however many batches it took."""
    from graphsvc.db.graph import fingerprint
    from graphsvc.db.items import ItemRepository

    repo = ItemRepository(adriver, DB)
    await import_document(adriver, DB, SMALL)
    version, *counted = await fingerprint(repo)
    changed = copy.deepcopy(SMALL)
    changed["configurationItems"][0]["name"] = "renamed"
    changed["dependencies"][0]["strength"] = "SOFT" if changed["dependencies"][0].get("strength") != "SOFT" else "HARD"
    options: dict[str, Any] = {"single_tx_rows": 1, "batch_size": 2} if bulk else {}
    summary = await import_document(adriver, DB, changed, **options)
    assert summary.updated == 2
    after, *counted_after = await fingerprint(repo)
    assert counted_after == counted and version is not None and after == version + 1


async def test_a_bulk_load_stopped_part_way_still_moves_the_graph_version(
    adriver: AsyncDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version is bumped once at a bulk load's end, and also when it stops after some batches committed: kept
    graphs must not go on answering from before a change that keeps every count."""
    from graphsvc.db import importer
    from graphsvc.db.graph import fingerprint
    from graphsvc.db.items import ItemRepository

    repo = ItemRepository(adriver, DB)
    await import_document(adriver, DB, SMALL)
    version, *_ = await fingerprint(repo)
    original = importer._write_each

    async def failing_after_the_nodes(*args: Any, **kwargs: Any) -> None:
        await original(*args, **kwargs)
        raise RuntimeError("the load stops here")

    monkeypatch.setattr(importer, "_write_each", failing_after_the_nodes)
    changed = copy.deepcopy(SMALL)
    changed["configurationItems"][0]["name"] = "renamed"
    with pytest.raises(RuntimeError, match="stops here"):
        await import_document(adriver, DB, changed, single_tx_rows=1, batch_size=2)
    after, *_ = await fingerprint(repo)
    assert version is not None and after == version + 1


async def test_an_item_deleted_while_an_import_runs_fails_it_and_writes_nothing(
    adriver: AsyncDriver, sync_driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reference checked when the document was validated, to an item another write deletes before the import's
    relationships are written: the relationship cannot be written, so the import is refused instead of leaving it
    out, and in one transaction nothing of it stays."""
    from graphsvc.db import importer

    await import_document(adriver, DB, SMALL)
    original = importer._plan

    async def planned_then_deleted(*args: Any, **kwargs: Any) -> Any:
        plan = await original(*args, **kwargs)
        sync_driver.execute_query("MATCH (t:Item {id: 'T-WEB'}) DETACH DELETE t", database_=DB)
        return plan

    monkeypatch.setattr(importer, "_plan", planned_then_deleted)
    extra = {
        "format": "graphsvc-cmdb/1",
        "configurationItems": [{"id": "CI-NEW", "name": "new", "type": "SERVER", "owner": "T-WEB", "site": "S-LON"}],
    }
    with pytest.raises(DocumentInvalid, match="deleted while the import ran"):
        await import_document(adriver, DB, extra)
    assert rows(sync_driver, "MATCH (n:Item {id: 'CI-NEW'}) RETURN n.id") == set()
