"""Where a use case reads the CMDB from: the database (an `ItemRepository`) or an estate in memory (`EstateReads`:
the CMDB as of a time, or with what-if edits). Each function here sends one read to the right one, so the use cases
are written once for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from graphsvc.analysis.health import CiFacts, GroupFacts
from graphsvc.analysis.health import ServiceFacts as HealthService
from graphsvc.analysis.requirements import RequirementFacts
from graphsvc.db import analysis_inputs as inputs
from graphsvc.db import changes
from graphsvc.db import graph as g
from graphsvc.db import incidents as inc
from graphsvc.db.items import ItemRepository
from graphsvc.domain.changes import ChangeRecord, ChangeStatus, History, PolicyRule
from graphsvc.domain.facts import Props, ServiceFacts
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.incidents import IncidentRecord, ProblemRecord
from graphsvc.domain.vocabulary import Kind
from graphsvc.usecases.estate_reads import EstateReads

__all__ = [
    "Source",
    "changes_by_ids",
    "changes_done_between",
    "changes_overlapping",
    "changes_starting",
    "cost_inputs",
    "health_facts",
    "history",
    "hot_cis",
    "incidents_open_during",
    "incidents_opened_between",
    "item_kinds",
    "open_problems",
    "owners",
    "policies",
    "policy_subjects",
    "release_changes",
    "requirement_facts",
    "service_facts",
    "site_cis",
    "slas",
    "upstream",
    "upstream_with_kinds",
    "whole_graph",
]

Source = ItemRepository | EstateReads


async def whole_graph(source: Source) -> DependencyGraph:
    if isinstance(source, EstateReads):
        return await source.whole_graph()
    return await g.whole_graph(source)


async def upstream_with_kinds(source: Source, ids: Sequence[str]) -> tuple[DependencyGraph, dict[str, Kind]]:
    if isinstance(source, EstateReads):
        return await source.upstream_with_kinds(ids)
    return await g.upstream_with_kinds(source, ids)


async def upstream(source: Source, ids: Sequence[str]) -> DependencyGraph:
    return (await upstream_with_kinds(source, ids))[0]


async def item_kinds(source: Source, ids: Sequence[str]) -> dict[str, tuple[Kind, str | None]]:
    if isinstance(source, EstateReads):
        return await source.item_kinds(ids)
    return await g.item_kinds(source, ids)


async def site_cis(source: Source, site_id: str) -> list[str] | None:
    if isinstance(source, EstateReads):
        return await source.site_cis(site_id)
    return await g.site_cis(source, site_id)


async def service_facts(source: Source, ids: Sequence[str]) -> dict[str, ServiceFacts]:
    if isinstance(source, EstateReads):
        return await source.service_facts(ids)
    return await g.service_facts(source, ids)


async def owners(source: Source, ids: Sequence[str]) -> list[tuple[Props, list[str]]]:
    if isinstance(source, EstateReads):
        return await source.owners(ids)
    return await g.owners(source, ids)


async def cost_inputs(source: Source) -> Mapping[str, Any]:
    if isinstance(source, EstateReads):
        return await source.cost_inputs()
    return await inputs.cost_inputs(source)


async def incidents_opened_between(source: Source, start: datetime, end: datetime) -> list[IncidentRecord]:
    if isinstance(source, EstateReads):
        return await source.incidents_opened_between(start, end)
    return await inc.incidents_opened_between(source, start, end)


async def incidents_open_during(source: Source, start: datetime, end: datetime) -> list[IncidentRecord]:
    if isinstance(source, EstateReads):
        return await source.incidents_open_during(start, end)
    return await inc.incidents_open_during(source, start, end)


async def open_problems(source: Source) -> list[ProblemRecord]:
    if isinstance(source, EstateReads):
        return await source.open_problems()
    return await inc.open_problems(source)


async def slas(source: Source) -> list[tuple[Props, Props | None, Props | None]]:
    if isinstance(source, EstateReads):
        return await source.slas()
    return await inc.slas(source)


async def changes_done_between(source: Source, start: datetime, end: datetime) -> list[ChangeRecord]:
    if isinstance(source, EstateReads):
        return await source.changes_done_between(start, end)
    return await inc.changes_done_between(source, start, end)


async def changes_by_ids(source: Source, ids: Sequence[str]) -> dict[str, ChangeRecord]:
    if isinstance(source, EstateReads):
        return await source.changes_by_ids(ids)
    return await changes.changes_by_ids(source, ids)


async def changes_overlapping(
    source: Source, start: datetime, end: datetime, statuses: Iterable[ChangeStatus]
) -> list[ChangeRecord]:
    if isinstance(source, EstateReads):
        return await source.changes_overlapping(start, end, statuses)
    return await changes.changes_overlapping(source, start, end, statuses)


async def changes_starting(
    source: Source, start: datetime, end: datetime, statuses: Iterable[ChangeStatus]
) -> list[ChangeRecord]:
    if isinstance(source, EstateReads):
        return await source.changes_starting(start, end, statuses)
    return await changes.changes_starting(source, start, end, statuses)


async def release_changes(source: Source, release_id: str) -> list[str] | None:
    if isinstance(source, EstateReads):
        return await source.release_changes(release_id)
    return await changes.release_changes(source, release_id)


async def history(
    source: Source,
    ids: Sequence[str],
    *,
    incidents_since: datetime | None,
    changes_since: datetime | None,
    until: datetime | None,
) -> History:
    if isinstance(source, EstateReads):
        return await source.history(ids, incidents_since=incidents_since, changes_since=changes_since, until=until)
    return await changes.history(source, ids, incidents_since=incidents_since, changes_since=changes_since, until=until)


async def hot_cis(source: Source, threshold: float) -> list[Props]:
    if isinstance(source, EstateReads):
        return await source.hot_cis(threshold)
    return await inputs.hot_cis(source, threshold)


async def requirement_facts(source: Source) -> tuple[dict[str, RequirementFacts], dict[str, list[str]]]:
    if isinstance(source, EstateReads):
        return await source.requirement_facts()
    return await inputs.requirement_facts(source)


async def policies(source: Source, rule_types: Iterable[str]) -> list[PolicyRule]:
    if isinstance(source, EstateReads):
        return await source.policies(rule_types)
    return await changes.policies(source, rule_types)


async def policy_subjects(source: Source) -> Mapping[str, Any]:
    if isinstance(source, EstateReads):
        return await source.policy_subjects()
    return await inputs.policy_subjects(source)


async def health_facts(
    source: Source,
) -> tuple[list[HealthService], list[CiFacts], list[GroupFacts], list[tuple[str, str]]]:
    if isinstance(source, EstateReads):
        return await source.health_facts()
    return await inputs.health_facts(source)
