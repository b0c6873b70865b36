"""Reads for the change analyses: changes, policies with rules, and recent history on items."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.domain.changes import (
    ApprovedAssessment,
    ChangeRecord,
    ChangeStatus,
    ChangeType,
    History,
    PolicyException,
    PolicyRule,
)

__all__ = [
    "approved_assessments",
    "change_record",
    "changes_by_ids",
    "changes_overlapping",
    "changes_starting",
    "history",
    "policies",
    "policy_exceptions",
    "policy_exceptions_until",
    "policy_rule",
    "release_changes",
]

GRANT = "grantPolicyException"  # the audit action of a grant: the mutation's name (graphql/change_mutations.py)


def change_record(record: Any) -> ChangeRecord:
    props = native_props(record["props"])
    return ChangeRecord(
        id=props["id"],
        title=str(props.get("title") or props["id"]),
        type=ChangeType(props.get("type", "NORMAL")),
        status=ChangeStatus(props.get("status", "DRAFT")),
        modifies=tuple(x for _, x in sorted(record["modifies"], key=lambda m: (m[0] is None, m[0] or 0, m[1]))),
        planned_start=props.get("plannedStart"),
        planned_end=props.get("plannedEnd"),
        implemented_at=props.get("implementedAt"),
        release=record["release"],
        props=props,
    )


async def changes_by_ids(repo: ItemRepository, ids: Sequence[str]) -> dict[str, ChangeRecord]:
    records = await repo.read(cypher("changes/by_ids"), ids=list(ids))
    return {c.id: c for c in map(change_record, records)}


async def changes_overlapping(
    repo: ItemRepository, start: datetime, end: datetime, statuses: Iterable[ChangeStatus]
) -> list[ChangeRecord]:
    """Changes in `statuses` whose planned window overlaps [start, end), by id."""
    records = await repo.read(
        cypher("changes/overlapping"), statuses=sorted(s.value for s in statuses), **{"from": start, "to": end}
    )
    return [change_record(r) for r in records]


async def changes_starting(
    repo: ItemRepository, start: datetime, end: datetime, statuses: Iterable[ChangeStatus]
) -> list[ChangeRecord]:
    """Changes in `statuses` planned to start in [start, end), by planned start."""
    records = await repo.read(
        cypher("changes/starting"), statuses=sorted(s.value for s in statuses), **{"from": start, "to": end}
    )
    return [change_record(r) for r in records]


async def release_changes(repo: ItemRepository, release_id: str) -> list[str] | None:
    """The ids of a release's changes, or None if there is no such release."""
    records = await repo.read(cypher("changes/of_release"), id=release_id)
    return list(records[0]["ids"]) if records[0]["found"] else None


async def policies(repo: ItemRepository, rule_types: Iterable[str]) -> list[PolicyRule]:
    """Policies with a rule of one of `rule_types`, by id."""
    return [policy_rule(r) for r in await repo.read(cypher("policies/with_rules"), types=sorted(rule_types))]


def policy_rule(record: Any) -> PolicyRule:
    """A policy from its stored properties (`props`) and the ids it governs (`governs`)."""
    props = native_props(record["props"])
    rule = props.get("rule")
    rule = json.loads(rule) if isinstance(rule, str) else dict(rule or {})
    return PolicyRule(
        id=props["id"],
        name=str(props.get("name") or props["id"]),
        rule_type=props["ruleType"],
        rule=rule,
        governs=frozenset(record["governs"]),
        props=props,
    )


async def history(
    repo: ItemRepository,
    ids: Sequence[str],
    *,
    incidents_since: datetime | None,
    changes_since: datetime | None,
    until: datetime | None,
) -> History:
    """Incidents on, and failed changes to, any of `ids` in the given periods (each id once, sorted)."""
    if not ids:
        return History()
    records = await repo.read(
        cypher("changes/history"),
        ids=list(ids),
        incidentsSince=incidents_since,
        changesSince=changes_since,
        until=until,
    )
    incidents = sorted({i for r in records for i in r["incidents"]})
    failed = sorted({c for r in records for c in r["failed"]})
    return History(tuple(incidents), tuple(failed))


def _exception(r: Any) -> PolicyException:
    return PolicyException(r["change"], r["policy"], r["reason"], r["grantedBy"], native_props(dict(r))["grantedAt"])


async def policy_exceptions(repo: ItemRepository, change_ids: Sequence[str]) -> list[PolicyException]:
    """The exceptions granted to these changes, by change, then policy."""
    return [_exception(r) for r in await repo.read(cypher("changes/exceptions"), ids=list(change_ids))]


async def policy_exceptions_until(
    repo: ItemRepository, change_ids: Sequence[str], until: datetime
) -> list[PolicyException]:
    """The exceptions granted to these changes as they stood at `until`, by change, then policy: read from the grants'
    audit entries, since a later grant for the same policy replaces the exception's reason and time."""
    records = await repo.read(cypher("changes/exceptions_until"), ids=list(change_ids), until=until, action=GRANT)
    last: dict[tuple[str, str], PolicyException] = {}
    for r in records:  # in time order: the last grant of each policy wins
        after = json.loads(r["after"])
        at = after.get("grantedAt")  # absent from the entries of an older graphsvc: the entry's own time
        granted_at = datetime.fromisoformat(at) if at else native_props({"at": r["at"]})["at"]
        policy = after["policyException"]
        last[r["change"], policy] = PolicyException(r["change"], policy, after["reason"], r["grantedBy"], granted_at)
    return [last[k] for k in sorted(last)]


async def approved_assessments(
    repo: ItemRepository, change_ids: Sequence[str], until: datetime | None = None
) -> dict[str, ApprovedAssessment]:
    """The assessment each change was last approved on (at or before `until`, if given; absent: never approved since
    graphsvc kept them)."""
    records = await repo.read(cypher("changes/approved_assessment"), changes=list(change_ids), until=until)
    return {r["change"]: ApprovedAssessment.from_json(r["data"]) for r in records}
