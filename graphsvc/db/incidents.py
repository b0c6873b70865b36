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

__all__ = [
    "changes_done_between",
    "incident_record",
    "incidents_open_during",
    "incidents_opened_between",
    "open_problems",
    "problem_record",
    "slas",
]


def incident_record(record: Any) -> IncidentRecord:
    """An incident from its stored properties (`props`) and the ids it affects (`affects`)."""
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
    return [
        incident_record(r) for r in await repo.read(cypher("incidents/opened_between"), **{"from": start, "to": end})
    ]


async def incidents_open_during(repo: ItemRepository, start: datetime, end: datetime) -> list[IncidentRecord]:
    return [incident_record(r) for r in await repo.read(cypher("incidents/open_during"), **{"from": start, "to": end})]


async def open_problems(repo: ItemRepository) -> list[ProblemRecord]:
    return [problem_record(r) for r in await repo.read(cypher("incidents/open_problems"))]


def problem_record(record: Any) -> ProblemRecord:
    """A problem from its stored properties (`props`) and the ids it is blamed on (`causedBy`)."""
    props = native_props(record["props"])
    return ProblemRecord(
        props["id"], str(props.get("title") or props["id"]), props["status"], tuple(record["causedBy"]), props
    )


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
