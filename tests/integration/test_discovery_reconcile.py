"""Discovery runs against a real Neo4j (db/discovery.py): a run upserts what its source sees, retires what it no
longer sees (never deletes), leaves alone what a person or another source set last, merges by identity, writes all
or nothing, and a dry run writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import writes
from graphsvc.db.audit import Audit
from graphsvc.db.discovery import discovery_runs, run_discovery
from graphsvc.db.exporter import export_document
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.discovery.model import Observation, SeenDependency, SeenItem
from graphsvc.domain.exchange import ConfigurationItem
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import InvalidArgument
from tests.conftest import counts

DB = "neo4j"
WHO = Audit("tests", "discovery tests", "discover kubernetes")
SRC = "kubernetes:shop"
CI = Kind.CONFIGURATION_ITEM
API, PG = "k8s:shop:default:deployment:api", "k8s:shop:default:statefulset:pg"


def seen(*items: SeenItem, deps: tuple[tuple[str, str], ...] = (), source: str = SRC) -> Observation:
    return Observation(source, list(items), [SeenDependency(a, b, attributes={"via": "env DB"}) for a, b in deps])


def app(item_id: str = API, **fields: Any) -> SeenItem:
    return SeenItem(
        item_id, CI, {"name": "api", "type": "APPLICATION", "attributes": {"namespace": "default"}, **fields}
    )


def db(**fields: Any) -> SeenItem:
    return SeenItem(PG, CI, {"name": "pg", "type": "DATABASE", **fields})


async def run(adriver: AsyncDriver, observation: Observation, at: datetime, **kw: Any) -> Any:
    return await run_discovery(
        adriver,
        DB,
        observation,
        now=at,
        grace=kw.pop("grace", timedelta(0)),
        dry_run=kw.pop("dry_run", False),
        audit=WHO,
    )


async def item(adriver: AsyncDriver, item_id: str) -> dict[str, Any]:
    (found,) = await ItemRepository(adriver, DB).by_ids([item_id])
    assert found is not None
    return found


async def test_a_source_upserts_keeps_what_others_set_and_retires_what_it_no_longer_sees(
    adriver: AsyncDriver, sync_driver: Driver
) -> None:
    t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    first = await run(adriver, seen(app(), db(), deps=((API, PG),)), t0)
    assert sorted(first.plan.created) == [API, PG] and len(first.plan.dependencies_added) == 1
    api = await item(adriver, API)
    assert api["source"] == SRC and api["status"] == "ACTIVE" and api["type"] == "APPLICATION"
    doc = await export_document(adriver, DB)
    assert doc["dependencies"] == [
        {
            "from": API,
            "to": PG,
            "kind": "USES",
            "strength": "HARD",
            "weight": 1.0,
            "source": SRC,
            "lastSeenAt": "2026-12-01T10:00:00Z",
            "attributes": {"via": "env DB"},
        }
    ]
    exported = {c["id"]: c for c in doc["configurationItems"]}
    assert exported[API]["source"] == SRC and exported[API]["lastSeenAt"] == "2026-12-01T10:00:00Z"
    assert "discovered" not in exported[API]

    # a person renames the api: the next run leaves the name alone and says so
    current = await item(adriver, API)
    renamed = ConfigurationItem.model_validate({**_exchange(current), "name": "Orders API"})
    await writes.update_item(adriver, DB, CI, renamed, int(current["version"]), audit=Audit("p", "a person", "edit"))
    second = await run(adriver, seen(app(), db(), deps=((API, PG),)), t0 + timedelta(hours=1))
    assert [(k.item, k.field, k.current, k.seen) for k in second.plan.kept] == [(API, "name", "Orders API", "api")]
    assert second.plan.created == {} and second.plan.updated == {} and sorted(second.plan.unchanged) == [API, PG]
    assert (await item(adriver, API))["name"] == "Orders API"
    # the person's edit took the name only: the source still owns the fields nobody changed
    retyped = await run(adriver, seen(app(type="CONTAINER"), db(), deps=((API, PG),)), t0 + timedelta(minutes=90))
    assert retyped.plan.updated == {API: {"type": ("APPLICATION", "CONTAINER")}}
    await run(adriver, seen(app(), db(), deps=((API, PG),)), t0 + timedelta(minutes=100))  # and back

    # a manual dependency between the same items is the person's: never removed by the source
    nodes, rels = counts(sync_driver, DB)
    third = await run(adriver, seen(app()), t0 + timedelta(hours=2))  # pg no longer seen, nor the dependency
    assert third.plan.retired == [PG] and third.plan.dependencies_removed == [(API, PG)]
    assert (await item(adriver, PG))["status"] == "RETIRED"  # retired, never deleted
    assert counts(sync_driver, DB) == (nodes, rels - 1)

    fourth = await run(adriver, seen(app(), db()), t0 + timedelta(hours=3))  # pg back
    assert fourth.plan.updated == {PG: {"status": ("RETIRED", "ACTIVE")}}
    assert (await item(adriver, PG))["status"] == "ACTIVE"

    runs = await discovery_runs(ItemRepository(adriver, DB), SRC, 10)
    assert [r.counts["created"] for r in runs] == [0, 0, 0, 0, 0, 2] and runs[1].counts["retired"] == 1
    assert runs[2].counts["kept"] == 1 and runs[2].details["kept"][0]["field"] == "name"
    history = await ItemRepository(adriver, DB).read(
        "MATCH (a:AuditEntry {itemId: $id}) RETURN a.action AS action ORDER BY a.at", id=PG
    )
    assert [h["action"] for h in history] == ["discover kubernetes"] * 3  # created, retired, back


def _exchange(props: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "name", "type", "environment", "status", "attributes", "source")
    out = {k: props[k] for k in keep if props.get(k) is not None}
    if isinstance(out.get("attributes"), str):
        import json

        out["attributes"] = json.loads(out["attributes"])
    return out


async def test_grace_period_dry_run_and_all_or_nothing(adriver: AsyncDriver, sync_driver: Driver) -> None:
    t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    await run(adriver, seen(app(), db(), deps=((API, PG),)), t0)
    before = counts(sync_driver, DB)
    soon = await run(adriver, seen(app()), t0 + timedelta(minutes=30), grace=timedelta(hours=1))
    assert soon.plan.retired == []  # unseen for less than the grace period
    later = await run(adriver, seen(app()), t0 + timedelta(hours=2), grace=timedelta(hours=1), dry_run=True)
    assert later.plan.retired == [PG] and later.run_id is None
    assert (await item(adriver, PG))["status"] == "ACTIVE"  # a dry run writes nothing
    assert counts(sync_driver, DB) == (before[0], before[1] - 1)  # (the dependency went with the run before)

    bad = seen(app(), db(), SeenItem("k8s:shop:default:deployment:x", CI, {"name": "x", "type": "BOGUS"}))
    with pytest.raises(DocumentInvalid, match=r"k8s:shop:default:deployment:x\.type"):
        await run(adriver, bad, t0 + timedelta(hours=3))
    owner = seen(app(owner="T-NOBODY"))
    with pytest.raises(DocumentInvalid, match="unknown id 'T-NOBODY'"):
        await run(adriver, owner, t0 + timedelta(hours=3))
    assert counts(sync_driver, DB) == (before[0], before[1] - 1)  # nothing of either was written


async def test_two_sources_naming_one_machine_merge(adriver: AsyncDriver) -> None:
    await import_document(
        adriver,
        DB,
        {
            "format": "graphsvc-cmdb/1",
            "configurationItems": [
                {"id": "CI-DB-01", "name": "db-01", "type": "SERVER", "attributes": {"hostname": "db-01.corp"}}
            ],
        },
    )
    sheet = Observation(
        "csv:assets.csv",
        [
            SeenItem(
                "db-01",
                CI,
                {"name": "DB 01", "type": "SERVER", "vendor": "Dell", "attributes": {"hostname": "DB-01.corp"}},
            )
        ],
    )
    done = await run(adriver, sheet, datetime(2026, 12, 1, tzinfo=UTC))
    assert done.plan.merged == {"db-01": "CI-DB-01"} and done.plan.created == {}
    stored = await item(adriver, "CI-DB-01")
    assert stored["name"] == "db-01" and stored["vendor"] == "Dell"  # the import's name kept; the empty field set
    assert stored.get("source") is None  # created by an import: a source that merges in does not own it


async def test_a_source_that_vanished_is_refused_unless_allowed(adriver: AsyncDriver, sync_driver: Driver) -> None:
    t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    many = [app(f"k8s:shop:default:deployment:a{n}") for n in range(12)]
    await run(adriver, seen(*many), t0)
    before = counts(sync_driver, DB)
    with pytest.raises(InvalidArgument, match=r"kubernetes:shop saw nothing this run, and 12 item\(s\)"):
        await run(adriver, seen(), t0 + timedelta(hours=1))  # an empty export
    with pytest.raises(InvalidArgument, match="would retire 9 of the 12 items it had"):
        await run(adriver, seen(*many[:3]), t0 + timedelta(hours=1))  # an export cut short
    assert counts(sync_driver, DB) == before
    assert [r.counts["created"] for r in await discovery_runs(ItemRepository(adriver, DB), SRC, 10)] == [12]
    dry = await run(adriver, seen(), t0 + timedelta(hours=1), dry_run=True)  # a dry run shows it, refuses nothing
    assert len(dry.plan.retired) == 12 and dry.plan.mass_retirement() is not None
    done = await run_discovery(
        adriver,
        DB,
        seen(*many[:3]),
        now=t0 + timedelta(hours=2),
        grace=timedelta(0),
        dry_run=False,
        audit=WHO,
        allow_mass_retire=True,
    )
    assert len(done.plan.retired) == 9
    shrunk = await run(adriver, seen(*many[:2]), t0 + timedelta(hours=3))  # one of three: a small change goes ahead
    assert shrunk.plan.retired == ["k8s:shop:default:deployment:a2"]


async def test_what_a_source_sees_of_its_dependencies_is_kept_current(adriver: AsyncDriver) -> None:
    t0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    def calls(n: int) -> Observation:
        return Observation(SRC, [app(), db()], [SeenDependency(API, PG, attributes={"callCount": n})])

    await run(adriver, calls(5), t0)
    again = await run(adriver, calls(9), t0 + timedelta(hours=1))
    assert again.plan.dependencies_added == [] and again.plan.changes == 0
    (dep,) = (await export_document(adriver, DB))["dependencies"]
    assert dep["attributes"] == {"callCount": 9} and dep["lastSeenAt"] == "2026-12-01T11:00:00Z"
