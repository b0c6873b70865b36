"""The in-memory dependency graph: the same answers as reading from Neo4j, and never stale after a write."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from neo4j import AsyncDriver, Driver

from graphsvc.db import writes
from graphsvc.db.audit import SYSTEM
from graphsvc.db.graph import whole_graph
from graphsvc.db.importer import import_document
from graphsvc.db.items import ItemRepository
from graphsvc.domain.exchange import ConfigurationItem, Dependency, Sla, Team
from graphsvc.domain.vocabulary import Kind
from graphsvc.usecases.cost import cost_allocation
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import impact_of, site_failure
from tests.conftest import wipe


async def demo_cache(adriver: AsyncDriver, document: Any, **options: Any) -> tuple[ItemRepository, GraphCache]:
    """`document` imported, its repository, and a cache over it, not loaded yet: GraphCache's `options`, with
    max_items a limit no test reaches unless given."""
    await import_document(adriver, "neo4j", document)
    repo = ItemRepository(adriver, "neo4j")
    return repo, GraphCache(repo, **{"max_items": 1_000_000, **options})


def answer(result: Any) -> dict[str, tuple[str, int, str, str]]:
    impact = result.impact
    return {
        i: (impact.status[i].name, impact.depth[i], "/".join(impact.path(i)), impact.explanation(i))
        for i in impact.ids()
    }


async def test_cached_answers_equal_answers_read_from_neo4j(adriver: AsyncDriver, demo_document: Any) -> None:
    repo, cache = await demo_cache(adriver, demo_document)
    assert await cache.wait() is not None and cache.loads == 1
    origins = [[c["id"]] for c in demo_document["configurationItems"][::3]]
    origins += [g["members"][:2] for g in demo_document["redundancyGroups"]]
    origins += [[s["id"]] for s in demo_document["services"]] + [["CI-ORA-FINANCE-OLD"]]
    for origin in origins:
        assert answer(await impact_of(repo, origin, cache)) == answer(await impact_of(repo, origin)), origin
    for site in ("SITE-DC1", "SITE-DC2", "SITE-AWS"):
        assert answer(await site_failure(repo, site, cache)) == answer(await site_failure(repo, site))
    assert cache.loads == 1  # nothing changed: one load served every question
    await cache.close()


async def test_kept_exposure_equals_exposure_read_from_neo4j_and_needs_no_read(
    adriver: AsyncDriver, demo_document: Any
) -> None:
    repo, cache = await demo_cache(adriver, demo_document)
    assert await cache.wait() is not None and cache.exposure is not None
    origins = [[c["id"]] for c in demo_document["configurationItems"]]
    origins += [[s["id"]] for s in demo_document["services"]] + [[g["id"]] for g in demo_document["redundancyGroups"]]
    exposed = 0
    for origin in origins:
        kept = await impact_of(repo, origin, cache)
        before = repo.round_trips
        mine = await kept.exposure()
        assert repo.round_trips == before, origin  # requirements, units, SLAs and teams from memory
        read_from_neo4j = await impact_of(repo, origin)
        read = await read_from_neo4j.exposure()
        assert mine == read, origin
        assert kept.facts == read_from_neo4j.facts, origin
        exposed += bool(read.slas and read.teams and read.requirements)
    assert exposed > 10  # the comparison covers real exposures, not empty ones
    await cache.close()


async def test_a_new_sla_or_team_is_in_the_next_exposure(adriver: AsyncDriver, demo_document: Any) -> None:
    repo, cache = await demo_cache(adriver, demo_document)
    await cache.wait()
    origin = ["SVC-CUSTOMER-SERVICE"]
    before = await (await impact_of(repo, origin, cache)).exposure()
    sla = Sla.model_validate(
        {
            "id": "SLA-NEW",
            "name": "New",
            "service": "SVC-CUSTOMER-SERVICE",
            "businessUnit": "BU-CUSTOMER-CARE",
            "availabilityTarget": 99.0,
        }
    )
    await writes.create_item(adriver, "neo4j", Kind.SLA, sla, audit=SYSTEM)
    team = Team.model_validate({"id": "TEAM-SERVICE-DESK", "name": "Service desk, renamed"})
    stored = await repo.by_ids(["TEAM-SERVICE-DESK"])
    await writes.update_item(adriver, "neo4j", Kind.TEAM, team, int(stored[0]["version"]), audit=SYSTEM)
    for _ in range(2):  # read from Neo4j while the copy is stale, then from the reloaded copy
        after = await (await impact_of(repo, origin, cache)).exposure()
        assert {s["id"] for s in after.slas} == {s["id"] for s in before.slas} | {"SLA-NEW"}
        names = {t["id"]: t["name"] for t in after.teams}
        assert names["TEAM-SERVICE-DESK"] == "Service desk, renamed"
        await cache.wait()
    assert cache.exposure is not None and "SLA-NEW" in {
        f.sla["id"] for f in cache.exposure.services["SVC-CUSTOMER-SERVICE"].slas
    }
    assert cache.exposure.teams["TEAM-SERVICE-DESK"]["name"] == "Service desk, renamed"
    await cache.close()


async def test_a_write_through_graphsvc_is_seen_at_once(adriver: AsyncDriver, demo_document: Any) -> None:
    repo, cache = await demo_cache(adriver, demo_document)
    await cache.wait()
    before = await impact_of(repo, ["CI-DC1-FTP-LEGACY-01"], cache)
    assert set(before.impact.status) == {"CI-DC1-FTP-LEGACY-01"}  # the orphan: nothing depends on it
    await writes.add_dependency(
        adriver,
        "neo4j",
        Dependency.model_validate({"from": "SVC-GIFT-CARDS", "to": "CI-DC1-FTP-LEGACY-01"}),
        audit=SYSTEM,
    )
    assert await cache.current() is None  # stale: the answer comes from Neo4j while it reloads
    after = await impact_of(repo, ["CI-DC1-FTP-LEGACY-01"], cache)
    assert after.impact.status["SVC-GIFT-CARDS"].name == "DOWN"
    assert await cache.wait() is not None and cache.loads == 2
    cached = await impact_of(repo, ["CI-DC1-FTP-LEGACY-01"], cache)
    assert answer(cached) == answer(after)
    await cache.close()


async def test_changes_behind_its_back_that_add_or_delete_are_seen(
    adriver: AsyncDriver, sync_driver: Driver, demo_document: Any
) -> None:
    _, cache = await demo_cache(adriver, demo_document)
    await cache.wait()
    sync_driver.execute_query(
        "MATCH (a:Item {id: 'SVC-GIFT-CARDS'}), (b:Item {id: 'CI-DC1-FTP-LEGACY-01'}) CREATE (a)-[:DEPENDS_ON]->(b)",
        database_="neo4j",
    )
    assert await cache.current() is None
    await cache.wait()
    wipe(sync_driver, "neo4j")
    assert await cache.current() is None
    await cache.close()


async def test_an_estate_above_the_limit_is_not_copied(adriver: AsyncDriver, demo_document: Any) -> None:
    repo, cache = await demo_cache(adriver, demo_document, max_items=100)
    assert await cache.wait() is None and cache.loads == 0 and cache.too_large
    result = await impact_of(repo, ["CI-PG-ORDERS-02"], cache)  # answered from Neo4j
    assert result.impact.status["RG-DB-ORDERS"].name == "DEGRADED"
    await cache.close()


BROKEN: dict[str, Any] = {
    "format": "graphsvc-cmdb/1",
    "services": [{"id": "SVC", "name": "svc", "tier": "BUSINESS", "criticality": 1}],
    "configurationItems": [
        {"id": "CI-O", "name": "o", "type": "SERVER"},
        {"id": "APP", "name": "app", "type": "APPLICATION"},
        {"id": "M1", "name": "m1", "type": "DATABASE"},
        {"id": "OLD", "name": "old", "type": "DATABASE", "status": "RETIRED"},
        {"id": "DNS", "name": "dns", "type": "NETWORK_DEVICE"},
    ],
    "redundancyGroups": [
        {"id": "RG", "name": "rg", "minHealthy": 2, "members": ["M1", "OLD"]},
        {"id": "RG-OK", "name": "rg-ok", "minHealthy": 1, "members": ["M1", "DNS"]},
    ],
    "dependencies": [
        {"from": "SVC", "to": "CI-O", "strength": "SOFT"},
        {"from": "SVC", "to": "APP"},
        {"from": "APP", "to": "RG"},
        {"from": "RG-OK", "to": "CI-O"},
    ],
}


async def test_tricky_groups_answer_alike_from_memory_and_from_neo4j(adriver: AsyncDriver) -> None:
    """A group whose quorum is capped at its live members (a RETIRED member), reached by another path, and a group's
    own dependency: memory and Neo4j agree."""
    repo, cache = await demo_cache(adriver, BROKEN, max_items=1_000)
    await cache.wait()
    for origin in (["CI-O"], ["M1"], ["DNS"], ["APP"], ["RG-OK"]):
        assert answer(await impact_of(repo, origin, cache)) == answer(await impact_of(repo, origin)), origin
    direct = answer(await impact_of(repo, ["CI-O"]))
    # RG asks for 2 but has 1 live member: its quorum is 1, so it is not down already and SVC only loses CI-O
    assert direct["SVC"][0] == "DEGRADED" and direct["SVC"][3] == "DEGRADED: uses (SOFT) CI-O, which is DOWN"
    assert "RG-OK" not in direct and "RG" not in direct  # a group's own dependency carries no impact
    lost = answer(await impact_of(repo, ["M1"]))
    assert lost["RG-OK"][0] == "DEGRADED"  # DNS still up
    assert lost["RG"][3] == "DOWN: 0 of 1 members up, needs 1" and lost["SVC"][3] == "DOWN: needs APP, which is DOWN"
    await cache.close()


async def test_cost_allocation_is_computed_once_per_version_and_again_after_a_write(
    adriver: AsyncDriver, demo_document: Any
) -> None:
    repo, cache = await demo_cache(adriver, demo_document)
    # concurrent requests share one computation, and the next request is answered from it
    first, *others = await asyncio.gather(*(cost_allocation(repo, cache) for _ in range(4)))
    assert all(o is first for o in others) and await cost_allocation(repo, cache) is first
    assert cache.computed == {"cost_allocation": 1}
    assert first == await cost_allocation(repo)  # the same as computed without the cache

    # a CI's cost changes through graphsvc: the next answer has it
    ci = next(c for c in demo_document["configurationItems"] if c["id"] == "CI-APP-ACCOUNTS")
    props = (await repo.by_ids([ci["id"]]))[0]
    assert props is not None
    changed = ConfigurationItem.model_validate({**ci, "monthlyCost": str(Decimal(ci["monthlyCost"]) + 1000)})
    await writes.update_item(adriver, "neo4j", Kind.CONFIGURATION_ITEM, changed, int(props["version"]), audit=SYSTEM)
    after = await cost_allocation(repo, cache)
    assert after.total == first.total + 1000 and cache.computed == {"cost_allocation": 2}
    assert after == await cost_allocation(repo)

    # a business unit goes (with its consumption): what it consumed is unallocated from the next answer on
    gone = after.business_units[0]
    assert gone.amount > 0
    await writes.delete_item(adriver, "neo4j", gone.id, None, detach=True, audit=SYSTEM)
    last = await cost_allocation(repo, cache)
    assert gone.id not in {u.id for u in last.business_units} and cache.computed == {"cost_allocation": 3}
    assert last.unallocated_total > after.unallocated_total and last == await cost_allocation(repo)
    await cache.close()


async def test_without_the_cache_cost_allocation_is_computed_every_time(
    adriver: AsyncDriver, demo_document: Any
) -> None:
    repo, cache = await demo_cache(adriver, demo_document, keep_graph=False)
    a, b = await cost_allocation(repo, cache), await cost_allocation(repo, cache)
    assert a == b and a is not b and cache.computed == {}
    await cache.close()


async def test_remember_keeps_no_failure_and_runs_one_computation_at_a_time(
    adriver: AsyncDriver, demo_document: Any
) -> None:
    _, cache = await demo_cache(adriver, demo_document)

    async def boom() -> int:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await cache.remember("k", boom)
    release, started = asyncio.Event(), asyncio.Event()

    async def slow() -> int:
        started.set()
        await release.wait()
        return 7

    waiting = asyncio.ensure_future(cache.remember("k", slow))  # the failure was not kept: this computes
    await started.wait()
    started.clear()
    cache._remembered["k"][1].cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # cancelled is not kept either; now a long computation, and a write while it runs
    first = asyncio.ensure_future(cache.remember("k", slow))
    await started.wait()
    dependency = Dependency.model_validate({"from": "SVC-GIFT-CARDS", "to": "CI-DC1-FTP-LEGACY-01"})
    await writes.add_dependency(adriver, "neo4j", dependency, audit=SYSTEM)
    later = [asyncio.ensure_future(cache.remember("k", slow)) for _ in range(3)]
    await asyncio.sleep(0.5)
    assert cache.computed["k"] == 3  # the later callers wait for the running computation instead of piling up
    release.set()
    assert await first == 7 and [await t for t in later] == [7, 7, 7]
    assert cache.computed["k"] == 4  # then one computation for the new version, shared by all three
    await cache.close()


async def test_the_load_reports_its_progress_and_its_parts(adriver: AsyncDriver, demo_document: Any) -> None:
    """What /readyz shows during a first load (nodes read so far) and what the log says after it (its parts)."""
    await import_document(adriver, "neo4j", demo_document)
    repo = ItemRepository(adriver, "neo4j")
    seen: list[int] = []
    graph = await whole_graph(repo, chunk=20, progress=seen.append)
    assert len(seen) > 2 and seen == sorted(seen) and seen[-1] == len(graph.nodes) + len(graph.retired)  # rows read
    cache = GraphCache(repo, max_items=1_000_000)
    assert cache.load_progress is None
    await cache.wait()
    assert cache.load_progress is None  # done: /readyz says "loaded"
    assert set(cache.load_phases) == {"graph", "exposure", "arrays and freeze"}
    await cache.close()
