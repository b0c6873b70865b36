"""Export of the whole CMDB in the exchange format; import(export(x)) round-trips exactly."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from neo4j import AsyncDriver, RoutingControl

from graphsvc.db.cypher import cypher
from graphsvc.db.utilization import export_readings
from graphsvc.domain.exchange import FORMAT
from graphsvc.domain.rows import dependency_from_props, item_from_props
from graphsvc.domain.vocabulary import RELATIONSHIPS, Kind, Rel

__all__ = ["export_document"]


async def export_document(driver: AsyncDriver, database: str) -> dict[str, Any]:
    """The whole CMDB as an exchange document (items in id order, lists in their imported order)."""
    refs: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    dependencies: list[dict[str, Any]] = []
    consumption: list[dict[str, Any]] = []
    for rel in RELATIONSHIPS:
        records, _, _ = await driver.execute_query(
            cypher("export/rels", rel=rel.type), database_=database, routing_=RoutingControl.READ
        )
        for r in records:
            props = r["props"]
            if rel.type is Rel.DEPENDS_ON:
                dependencies.append(dependency_from_props(r["from"], r["to"], props))
            elif rel.type is Rel.CONSUMES:
                consumption.append({"businessUnit": r["from"], "service": r["to"], "share": props["share"]})
            else:
                assert rel.field is not None
                refs[r["from"]][rel.field].append(r["to"])
    doc: dict[str, Any] = {"format": FORMAT}
    for kind in Kind:
        records, _, _ = await driver.execute_query(
            cypher("export/nodes", label=kind), database_=database, routing_=RoutingControl.READ
        )
        items = [item_from_props(kind, r["props"], refs.get(r["props"]["id"], {})) for r in records]
        if items:
            doc[kind.collection] = items
    if dependencies:
        doc["dependencies"] = dependencies
    if consumption:
        doc["consumption"] = consumption
    readings = await export_readings(driver, database)
    if readings:
        doc["utilizationReadings"] = readings
    return doc
