"""Edits of one item or record: the steps between a mutation's arguments and db/'s one-transaction writes.

Each function validates what it is given against the exchange models, then hands db/ one write that checks ids,
versions, statuses and references inside its transaction. Failures are raised, never returned: pydantic's
ValidationError and domain.validation.DocumentInvalid for bad input, the `graphsvc.errors` types for the rest;
graphql/user_errors.py turns each into the mutation's typed result. Nothing is written when one is raised.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from graphsvc.analysis.risk import RiskWeights
from graphsvc.db import record_writes, writes
from graphsvc.db.audit import Audit
from graphsvc.db.change_writes import grant_exception, transition_change
from graphsvc.db.connection import Database
from graphsvc.db.items import ItemRepository
from graphsvc.domain import exchange as x
from graphsvc.domain.changes import ApprovedAssessment, PolicyException
from graphsvc.domain.facts import Props
from graphsvc.domain.rows import item_from_props
from graphsvc.domain.text import control_characters
from graphsvc.domain.validation import DocumentInvalid, Problem
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import Blocked, InvalidState, NotFound
from graphsvc.usecases.changes import assess, evidence_of
from graphsvc.usecases.graph_cache import GraphCache

__all__ = [
    "MODELS",
    "add_dependency",
    "approve_change",
    "attribute_incident",
    "change_step",
    "create_item",
    "delete_item",
    "grant_policy_exception",
    "open_incident",
    "problem_from_cluster",
    "raise_change",
    "record_known_error",
    "remove_dependency",
    "resolve_incident",
    "update_item",
]

# The exchange model each editable kind is validated against.
MODELS: dict[Kind, type[BaseModel]] = {
    Kind.SERVICE: x.Service,
    Kind.CONFIGURATION_ITEM: x.ConfigurationItem,
    Kind.TEAM: x.Team,
    Kind.SITE: x.Site,
    Kind.BUSINESS_UNIT: x.BusinessUnit,
    Kind.REDUNDANCY_GROUP: x.RedundancyGroup,
    Kind.CHANGE: x.ChangeRecord,
    Kind.INCIDENT: x.Incident,
    Kind.PROBLEM: x.Problem,
}


def _present(data: dict[str, Any]) -> dict[str, Any]:
    """On create and after a merge, a null field means the same as an absent one."""
    return {k: v for k, v in data.items() if v is not None}


def _time_problem(field: str, message: str) -> DocumentInvalid:
    return DocumentInvalid([Problem(field, message)])


def _utc(field: str, value: datetime | None) -> datetime:
    """`value` in UTC (now when absent); a time without an offset is refused rather than guessed."""
    if value is None:
        return datetime.now(UTC)
    if value.tzinfo is None:
        raise _time_problem(field, "the time needs an offset, such as 2026-11-21T01:00:00Z")
    return value.astimezone(UTC)


async def create_item(db: Database, kind: Kind, data: dict[str, Any], *, audit: Audit) -> Props:
    item = MODELS[kind].model_validate(_present(data))
    return await db.bind(writes.create_item)(kind, item, audit=audit)


async def update_item(
    db: Database,
    repo: ItemRepository,
    kind: Kind,
    item_id: str,
    version: int,
    patch: dict[str, Any],
    *,
    audit: Audit,
) -> Props:
    """Merge `patch` into the item as stored and write it if the item is still at `version` (the write checks the
    version under the item's lock, so a merge made from a newer read is refused as stale, never written)."""
    props = (await repo.by_ids([item_id]))[0]
    if props is None or props["itemKind"] != kind.value:
        raise NotFound.item(item_id, kind.value)
    refs = await db.bind(writes.current_refs)(kind, item_id)
    merged = item_from_props(kind, props, refs) | patch
    item = MODELS[kind].model_validate(_present(merged))
    return await db.bind(writes.update_item)(kind, item, version, audit=audit)


async def delete_item(db: Database, item_id: str, version: int | None, *, detach: bool, audit: Audit) -> Kind:
    """Delete any item (refused while others refer to it unless `detach`); the kind it was."""
    return await db.bind(writes.delete_item)(item_id, version, detach=detach, audit=audit)


async def add_dependency(
    db: Database, repo: ItemRepository, data: dict[str, Any], *, audit: Audit
) -> tuple[Props, Props, int]:
    """Add (or re-weigh) `from` -> `to`; the two items as they are after the write and the dependent's version."""
    dep = x.Dependency.model_validate(data)
    version = await db.bind(writes.add_dependency)(dep, audit=audit)
    dependent, depends_on = await repo.by_ids([dep.from_, dep.to])
    return dependent or {}, depends_on or {}, version


async def remove_dependency(db: Database, source: str, target: str, *, audit: Audit) -> None:
    if not await db.bind(writes.remove_dependency)(source, target, audit=audit):
        raise NotFound(f"no dependency {source!r} -> {target!r}", id=source)


# Changes ---------------------------------------------------------------------------------------------------------


def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise _time_problem("plannedStart", "times need an offset, such as 2026-11-21T01:00:00Z")
    if end <= start:
        raise _time_problem("plannedEnd", f"must be after plannedStart ({start.isoformat()})")
    return start.astimezone(UTC), end.astimezone(UTC)


async def raise_change(db: Database, data: dict[str, Any], *, draft: bool, audit: Audit) -> Props:
    """A new request for change, SUBMITTED (or DRAFT)."""
    data = _present(data) | {"status": "DRAFT" if draft else "SUBMITTED"}
    start, end = data.get("plannedStart"), data.get("plannedEnd")
    if isinstance(start, datetime) and isinstance(end, datetime):
        _window(start, end)
    return await create_item(db, Kind.CHANGE, data, audit=audit)


async def change_step(
    db: Database,
    change_id: str,
    action: str,
    *,
    version: int | None,
    at: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
    evidence: ApprovedAssessment | None = None,
    audit: Audit,
) -> Props:
    """One lifecycle action (submit, approve, schedule, implement, fail, cancel); `at` stamps implement and fail,
    `window` is schedule's planned start and end, `evidence` the assessment an approval is made on."""
    fields: dict[str, datetime] = {}
    if window is not None:
        fields["plannedStart"], fields["plannedEnd"] = _window(*window)
    if action in ("implement", "fail"):
        fields["implementedAt"] = _utc("at", at)
    return await db.bind(transition_change)(
        change_id, action, version=version, fields=fields, evidence=evidence, audit=audit
    )


async def approve_change(
    db: Database,
    repo: ItemRepository,
    change_id: str,
    *,
    version: int | None,
    weights: RiskWeights,
    cache: GraphCache | None,
    audit: Audit,
) -> Props:
    """SUBMITTED -> APPROVED, unless the change breaks a freeze or maintenance window that no exception covers."""
    assessment = await assess(repo, weights, change_id, cache)
    if blocking := assessment.blocking:
        policies = sorted({v.policy.id for v in blocking})
        message = (
            f"{change_id} is BLOCKED by {', '.join(policies)}: {blocking[0].message}. Move it out of the window, "
            "or grant a policy exception with a reason (grantPolicyException) first"
        )
        raise Blocked(change_id, policies, message)
    evidence = evidence_of(assessment, datetime.now(UTC), audit.actor_name)
    return await change_step(db, change_id, "approve", version=version, evidence=evidence, audit=audit)


MAX_REASON = 2000


async def grant_policy_exception(
    db: Database, change_id: str, policy_id: str, reason: str, *, granted_by: str, audit: Audit
) -> PolicyException:
    """Let a change go ahead despite a freeze or maintenance-window policy; the reason is required and audited."""
    reason = reason.strip()
    if not reason:
        raise DocumentInvalid([Problem("reason", "say why the change may go ahead despite the policy")])
    if len(reason) > MAX_REASON:
        raise DocumentInvalid([Problem("reason", f"at most {MAX_REASON} characters (got {len(reason)})")])
    if found := control_characters(reason.replace("\n", "").replace("\t", "")):
        raise DocumentInvalid([Problem("reason", f"must not hold control characters (found {', '.join(found)})")])
    return await db.bind(grant_exception)(change_id, policy_id, reason, granted_by=granted_by, audit=audit)


# Incidents and problems -----------------------------------------------------------------------------------------


async def open_incident(db: Database, data: dict[str, Any], *, audit: Audit) -> Props:
    """A new incident, OPEN, opened now unless `openedAt` says otherwise."""
    data = _present(data)
    data["openedAt"] = _utc("openedAt", data.get("openedAt"))
    data["status"] = "OPEN"
    return await create_item(db, Kind.INCIDENT, data, audit=audit)


async def resolve_incident(
    db: Database, incident_id: str, *, at: datetime | None, version: int | None, audit: Audit
) -> Props:
    """OPEN -> RESOLVED at `at` (default now), which may not be before the incident opened."""
    when = _utc("at", at)

    def not_before_opening(current: dict[str, Any]) -> None:
        if current["openedAt"] > when:
            opened = current["openedAt"].isoformat()
            raise InvalidState(incident_id, "OPEN", f"at: {when.isoformat()} is before {incident_id} opened ({opened})")

    return await db.bind(record_writes.update_record)(
        Kind.INCIDENT,
        incident_id,
        allowed=["OPEN"],
        action="resolve",
        props={"status": "RESOLVED", "resolvedAt": when},
        version=version,
        check=not_before_opening,
        audit=audit,
    )


async def problem_from_cluster(
    db: Database,
    *,
    problem_id: str,
    title: str,
    root_cause: str,
    incidents: list[str],
    root_cause_text: str | None,
    workaround: str | None,
    audit: Audit,
) -> Props:
    """A problem blamed on a correlation cluster's root cause, with the cluster's incidents attributed to it; one
    transaction checks the id is free, the root cause exists and every incident is an incident."""
    incidents = list(dict.fromkeys(incidents))
    if not incidents:
        raise DocumentInvalid([Problem("incidents", "a cluster has at least one incident")])
    data: dict[str, Any] = {
        "id": problem_id,
        "title": title,
        "status": "KNOWN_ERROR" if workaround else "OPEN",
        "causedBy": [root_cause],
        "rootCause": root_cause_text or None,
        "workaround": workaround or None,
    }
    problem = x.Problem.model_validate(_present(data))
    return await db.bind(record_writes.attribute_incidents)(problem.id, incidents, create=problem, audit=audit)


async def attribute_incident(
    db: Database, repo: ItemRepository, incident_id: str, problem_id: str, *, audit: Audit
) -> Props:
    """Attribute an incident to a problem (replacing any earlier attribution); the incident as it is after."""
    await db.bind(record_writes.attribute_incidents)(problem_id, [incident_id], audit=audit)
    props = (await repo.by_ids([incident_id]))[0]
    if props is None:  # deleted since the write: report it as gone rather than answer with nothing
        raise NotFound.item(incident_id, Kind.INCIDENT.value)
    return props


async def record_known_error(
    db: Database, problem_id: str, workaround: str, *, version: int | None, audit: Audit
) -> Props:
    """OPEN or KNOWN_ERROR -> KNOWN_ERROR with this workaround."""
    if not workaround.strip():
        raise DocumentInvalid([Problem("workaround", "must not be empty")])
    return await db.bind(record_writes.update_record)(
        Kind.PROBLEM,
        problem_id,
        allowed=["OPEN", "KNOWN_ERROR"],
        action="recording a known error",
        props={"status": "KNOWN_ERROR", "workaround": workaround},
        version=version,
        audit=audit,
    )
