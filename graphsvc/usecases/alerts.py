"""Alert intake: a Prometheus Alertmanager webhook notification opens and resolves incidents (SEMANTICS.md, "Alert
intake"; the rules are graphsvc/domain/alerts.py's).

The body is read and checked whole before anything is written (DocumentInvalid names every field at fault), then
written in one transaction (db/alert_writes.py). The answer lists what each alert did; an alert that maps to no
item is only reported.
"""

from __future__ import annotations

from typing import Any

from graphsvc.db.alert_writes import Outcome, record_alerts
from graphsvc.db.audit import Audit
from graphsvc.db.connection import Database
from graphsvc.domain import alerts as am
from graphsvc.domain.safe_json import JsonRefused, loads
from graphsvc.domain.validation import DocumentInvalid, Problem
from graphsvc.telemetry import metrics

__all__ = ["receive_alertmanager", "report_of"]


def _entry(o: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {"fingerprint": o.alert.fingerprint, "incident": o.incident, "item": o.item}
    if o.mapped_by:
        entry["mappedBy"] = o.mapped_by
    if o.reason:
        entry["reason"] = o.reason
    return entry


def report_of(outcomes: list[Outcome]) -> dict[str, list[dict[str, Any]]]:
    """The webhook's answer: `opened`, `resolved`, `unchanged` and `unmapped`, each in the notification's order (an
    incident opened and resolved by the same notification is in both `opened` and `resolved`)."""
    report: dict[str, list[dict[str, Any]]] = {"opened": [], "resolved": [], "unchanged": [], "unmapped": []}
    for o in outcomes:
        if o.action == "unmapped":
            report["unmapped"].append(
                {
                    "fingerprint": o.alert.fingerprint,
                    "alertname": o.alert.alertname,
                    "labels": o.alert.labels,
                    "reason": o.reason,
                }
            )
        elif o.action == "opened_resolved":
            report["opened"].append(_entry(o))
            report["resolved"].append(_entry(o))
        else:
            report[o.action].append(_entry(o))
    return report


async def receive_alertmanager(db: Database, body: bytes, *, audit: Audit) -> dict[str, list[dict[str, Any]]]:
    """Record one notification (the raw request body); the answer as `report_of` gives it."""
    try:
        try:
            parsed = loads(body, "the body")
        except JsonRefused as exc:
            raise DocumentInvalid([Problem("", str(exc))]) from None
        alerts = am.parse(parsed)
    except DocumentInvalid:
        metrics.ALERTS.labels("rejected").inc()  # a notification refused whole: its alerts are not counted
        raise
    if not alerts:
        return report_of([])
    outcomes = await db.bind(record_alerts)(alerts, audit=audit)
    for o in outcomes:
        metrics.ALERTS.labels(o.action).inc()
    return report_of(outcomes)
