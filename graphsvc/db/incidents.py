"""Reads for continuity, availability and correlation: incidents, open problems, changes carried out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphsvc.db.changes import change_record
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.changes import ChangeRecord
from graphsvc.domain.facts import Props
from graphsvc.domain.incidents import IncidentRecord, ProblemRecord, effect_of

__all__ = ["changes_done_between", "incidents_open_during", "incidents_opened_between", "open_problems", "slas"]


def _incident(record: Any) -> IncidentRecord:
    props = native_props(record["props"])
    return IncidentRecord(
        props["id"],
        str(props.get("title") or props["id"]),
        props["openedAt"],
        props.get("resolvedAt"),
        tuple(sorted(record["affects"])),
        props,
        effect_of(props.get("priority"), props.get("effect")),
    )


async def incidents_opened_between(repo: ItemRepository, start: datetime, end: datetime) -> list[IncidentRecord]:
    return [_incident(r) for r in await repo.read(cypher("incidents/opened_between"), **{"from": start, "to": end})]


async def incidents_open_during(repo: ItemRepository, start: datetime, end: datetime) -> list[IncidentRecord]:
    return [_incident(r) for r in await repo.read(cypher("incidents/open_during"), **{"from": start, "to": end})]


async def open_problems(repo: ItemRepository) -> list[ProblemRecord]:
    found = []
    for r in await repo.read(cypher("incidents/open_problems")):
        props = native_props(r["props"])
        found.append(
            ProblemRecord(
                props["id"], str(props.get("title") or props["id"]), props["status"], tuple(r["causedBy"]), props
            )
        )
    return found


async def slas(repo: ItemRepository) -> list[tuple[Props, Props | None, Props | None]]:
    """(SLA, its service, its business unit) for every SLA, by id."""
    records = await repo.read(cypher("incidents/slas"))
    return [
        (
            native_props(r["sla"]),
            native_props(r["service"]) if r["service"] else None,
            native_props(r["unit"]) if r["unit"] else None,
        )
        for r in records
    ]


async def changes_done_between(repo: ItemRepository, start: datetime, end: datetime) -> list[ChangeRecord]:
    return [change_record(r) for r in await repo.read(cypher("changes/done_between"), **{"from": start, "to": end})]
