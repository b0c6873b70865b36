"""Alertmanager's alerts written as incidents: one notification, one transaction (domain/alerts.py has the rules).

The transaction reads the incidents each fingerprint already has, maps the alerts that may open one to items, and
writes through the incidents' own writes (`writes.create_items_in`, `record_writes.update_record_in`), with one
audit record of every incident it opened or resolved. Two notifications racing to open the same incident: the
later one's transaction fails on the unique id and is run again, and then finds the incident recorded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graphsvc.db.audit import Audit, Change
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.record_writes import update_record_in
from graphsvc.db.stored import existing_in
from graphsvc.db.writes import create_items_in
from graphsvc.domain import alerts as am
from graphsvc.domain.exchange import Incident, is_id
from graphsvc.domain.vocabulary import Kind
from graphsvc.errors import DuplicateId, InvalidState

__all__ = ["Outcome", "record_alerts"]

ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    """What one alert did: "opened", "resolved", "opened_resolved", "unchanged" or "unmapped"."""

    alert: am.Alert
    action: str
    incident: str | None = None
    item: str | None = None
    mapped_by: str | None = None  # the label that named the item (for what this notification opened)
    reason: str = ""


async def _known(tx: AsyncManagedTransaction, alerts: Sequence[am.Alert]) -> dict[str, list[am.StoredIncident]]:
    """The incidents of each fingerprint, by fingerprint."""
    prefixes = sorted({f"{am.ID_PREFIX}{a.fingerprint}-" for a in alerts})
    known: dict[str, list[am.StoredIncident]] = defaultdict(list)
    async for r in await tx.run(cypher("alerts/incidents"), prefixes=prefixes):
        affects = sorted(r["affects"])
        opened = r["openedAt"].to_native()
        fingerprint = r["prefix"][len(am.ID_PREFIX) : -1]
        known[fingerprint].append(am.StoredIncident(r["id"], r["status"], opened, affects[0][1] if affects else None))
    return known


async def _hosts(tx: AsyncManagedTransaction, wanted: set[str]) -> dict[str, list[str]]:
    """The ids of the CIs (RETIRED ones left out) whose hostname attribute is each of `wanted` (lower case)."""
    if not wanted:
        return {}
    as_stored = {json.dumps(h)[1:-1].lower(): h for h in wanted}
    out: dict[str, list[str]] = defaultdict(list)
    async for r in await tx.run(cypher("alerts/hostnames"), hosts=sorted(as_stored)):
        try:
            hostname = json.loads(r["attributes"]).get("hostname")
        except (ValueError, AttributeError):
            continue
        if isinstance(hostname, str) and hostname.lower() in wanted and r["status"] != "RETIRED":
            out[hostname.lower()].append(r["id"])
    return {h: sorted(ids) for h, ids in out.items()}


async def _mapping(tx: AsyncManagedTransaction, alerts: Sequence[am.Alert]) -> dict[int, am.Mapped]:
    """The item each of `alerts` maps to, by the alert's index."""
    ids = sorted({v for a in alerts for k in ("cmdb_id", "service") if (v := a.labels.get(k)) and is_id(v)})
    kinds = {i: found["kind"].value for i, found in (await existing_in(tx, ids)).items()}
    need_host = [a for a in alerts if not any(kinds.get(a.labels.get(k, "")) in am.AFFECTABLE for k in am.ID_LABELS)]
    wanted = {h for a in need_host if "instance" in a.labels and (h := am.instance_host(a.labels["instance"]))}
    hosts = await _hosts(tx, wanted)
    return {a.index: am.item_of(a, kinds, hosts) for a in alerts}


def _incident(alert: am.Alert, item: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": alert.incident_id,
        "title": am.title_of(alert),
        "priority": am.priority_of(alert.labels),
        "status": "OPEN",
        "openedAt": alert.starts_at,
        "affects": [item],
    }
    effect = am.effect_of_alert(alert.labels, alert.annotations)
    if effect is not None:
        data["effect"] = effect
    return data


async def _work(tx: AsyncManagedTransaction, alerts: Sequence[am.Alert], audit: Audit) -> list[Outcome]:
    known = await _known(tx, alerts)
    # Only an alert whose occurrence has no incident yet is mapped (a repeated notification looks up no items).
    recorded = {s.id for incidents in known.values() for s in incidents}
    mapped = await _mapping(tx, [a for a in alerts if a.incident_id not in recorded])
    outcomes: list[Outcome] = []
    new: dict[str, dict[str, Any]] = {}  # incidents to create, by id
    resolves: dict[str, datetime] = {}  # stored incidents to resolve, and when
    for alert in alerts:
        mine = known[alert.fingerprint]
        step = am.next_step(alert, mine)
        if step.action in ("open", "open_resolved"):
            to = mapped[alert.index]
            if to.item is None:
                outcomes.append(Outcome(alert, "unmapped", reason=to.reason))
                continue
            data = new[alert.incident_id] = _incident(alert, to.item)
            stored = am.StoredIncident(alert.incident_id, "OPEN", alert.starts_at, to.item, new=True)
            if step.action == "open_resolved":
                data.update(status="RESOLVED", resolvedAt=alert.ends_at)
                stored.status = "RESOLVED"
            mine.append(stored)
            outcomes.append(Outcome(alert, step.action.replace("open", "opened"), stored.id, to.item, to.label))
        elif step.action == "resolve":
            assert alert.ends_at is not None
            for target in step.incidents:
                if target.new:
                    new[target.id].update(status="RESOLVED", resolvedAt=alert.ends_at)
                else:
                    resolves[target.id] = alert.ends_at
                target.status = "RESOLVED"
                outcomes.append(Outcome(alert, "resolved", target.id, target.item))
        else:
            target = step.incidents[0]
            outcomes.append(Outcome(alert, "unchanged", target.id, target.item, reason=step.reason))
    changes: list[Change] = []
    created = await create_items_in(tx, Kind.INCIDENT, [Incident.model_validate(d) for d in new.values()])
    changes += [(props["id"], None, props) for props in created]
    for incident_id, at in resolves.items():
        before, after = await update_record_in(
            tx,
            Kind.INCIDENT,
            incident_id,
            allowed=["OPEN"],
            action="resolve",
            props={"status": "RESOLVED", "resolvedAt": at},
            check=_not_before_opening(incident_id, at),
        )
        changes.append((incident_id, before, after))
    await audit.record(tx, changes)
    return outcomes


def _not_before_opening(incident_id: str, at: datetime) -> Any:
    def check(current: dict[str, Any]) -> None:
        if current["openedAt"] > at:
            opened = current["openedAt"].isoformat()
            message = f"endsAt {at.isoformat()} is before {incident_id} opened ({opened})"
            raise InvalidState(incident_id, "OPEN", message)

    return check


@translate_unavailable
async def record_alerts(
    driver: AsyncDriver, database: str, alerts: Sequence[am.Alert], *, audit: Audit
) -> list[Outcome]:
    """Open and resolve the incidents of one notification's alerts, in one transaction; what each alert did."""
    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await session.execute_write(with_timeout(_work), alerts, audit)
            except (ConstraintError, DuplicateId, InvalidState):
                # another notification wrote one of these incidents meanwhile: run again over what it wrote
                if attempt == ATTEMPTS:
                    raise
    raise AssertionError("unreachable")
