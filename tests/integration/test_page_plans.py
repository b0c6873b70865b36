"""A page of items is read from its kind's id index, and an unfiltered count from Neo4j's count store, on a real Neo4j:
the statements ItemRepository runs, as Neo4j plans them.

Before schema/0013 and the statements written with only the conditions a read has, every page scanned all the items
of its kind and sorted them (60 to 150 ms a page at 100k CIs, most of the browse bench's tail)."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncDriver

from graphsvc.db.items import ItemRepository
from graphsvc.domain.vocabulary import Kind, Rel, RelationRead

CIS = 3000  # enough that reading every CI to sort them costs more, to Neo4j's planner, than reading 51 from an index


class Recording(ItemRepository):
    """The repository, keeping the statements it runs (with their parameters) for the test to plan again."""

    def __init__(self, driver: AsyncDriver, database: str) -> None:
        super().__init__(driver, database)
        self.statements: list[tuple[str, dict[str, Any]]] = []

    async def read(self, statement: Any, **params: Any) -> Any:
        self.statements.append((statement, params))
        return await super().read(statement, **params)


async def _plan(driver: AsyncDriver, statement: str, params: dict[str, Any]) -> list[str]:
    """The operators of the statement's plan, leaves included."""
    async with driver.session(database="neo4j") as session:
        summary = await (await session.run(f"EXPLAIN {statement}", **params)).consume()
    found: list[str] = []

    def walk(op: Any) -> None:
        found.append(op["operatorType"].split("@")[0])
        for child in op.get("children", []):
            walk(child)

    walk(summary.plan)
    return found


async def _estate(driver: AsyncDriver) -> None:
    await driver.execute_query(
        "UNWIND range(0, $n - 1) AS i "
        "CREATE (:Item:ConfigurationItem {id: 'CI-' + right('00000' + toString(i), 5), itemKind: 'CONFIGURATION_ITEM', "
        "name: 'ci ' + toString(i), type: ['SERVER', 'DATABASE', 'FACILITY'][i % 3], status: 'LIVE'})",
        n=CIS,
        database_="neo4j",
    )
    await driver.execute_query("CALL db.resampleOutdatedIndexes()", database_="neo4j")


async def test_pages_read_the_id_index_and_counts_the_count_store(adriver: AsyncDriver) -> None:
    await _estate(adriver)
    repo = Recording(adriver, "neo4j")
    first = await repo.page(Kind.CONFIGURATION_ITEM, first=50, after=None, props={})
    later = await repo.page(Kind.CONFIGURATION_ITEM, first=50, after=first.items[-1]["id"], props={})
    assert [p["id"] for p in later.items][:1] == ["CI-00050"]  # the page after, in id order
    count = await repo.count(Kind.CONFIGURATION_ITEM, props={})
    assert count == CIS
    deps = (RelationRead(Rel.DEPENDS_ON, outgoing=False, fields=("id", "name")),)
    selected = await repo.page_selected(
        Kind.CONFIGURATION_ITEM, deps, first=50, after=None, props={}, fields=("id", "name")
    )
    assert selected.total == CIS and len(selected.items) == 50
    typed = await repo.page_selected(
        Kind.CONFIGURATION_ITEM, deps, first=50, after="CI-01000", props={"type": "FACILITY"}, fields=("id", "name")
    )
    assert typed.total == CIS // 3 and typed.items[0][0]["id"] == "CI-01001"

    plans = [await _plan(adriver, statement, params) for statement, params in repo.statements]
    for plan in plans:
        assert "NodeByLabelScan" not in plan, plan  # no page nor count reads every CI
        assert "Sort" not in plan and "PartialSort" not in plan, plan
    page_first, page_later, counted, selected_first, selected_typed = plans
    assert "NodeIndexScan" in page_first and "Top" not in page_first, page_first  # in the index's order
    assert "NodeIndexSeekByRange" in page_later and "Top" not in page_later, page_later
    assert "NodeCountFromCountStore" in counted, counted
    # (its related lists are each sorted and cut (Top): the page itself comes from the index, as above)
    assert "NodeCountFromCountStore" in selected_first and "NodeIndexScan" in selected_first, selected_first
    assert any(op.startswith("NodeIndexSeek") for op in selected_typed), selected_typed  # (type, id): schema/0013
