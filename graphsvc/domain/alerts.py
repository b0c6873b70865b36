"""Prometheus Alertmanager's webhook (version 4) as incidents: the body checked and read, and the rules that turn an
alert into an incident (SEMANTICS.md, "Alert intake"; docs/operations.md, "Alerts from Prometheus Alertmanager").

- One incident per occurrence of an alert: its id is `INC-AM-<fingerprint>-<startsAt, UTC, to the second>`
  (`INC-AM-3fa1c02e9b7d4e55-20261201T100000Z`). Alertmanager keeps an alert's `startsAt` over every notification
  of one occurrence, the resolved one included, so the id alone makes a repeated notification a no-op, survives an
  export and import, and lets the same alert open a new incident when it fires again after it was resolved.
- Priority from the `severity` label: critical P1; error or major P2; warning P3; anything else (or none) P4.
- Effect from the `impact` label (or annotation): outage or down -> OUTAGE, degraded or degradation -> DEGRADATION;
  otherwise none is recorded and the incident's effect follows its priority as every incident's does (OUTAGE at P1
  and P2, DEGRADATION at P3 and P4: domain.incidents.effect_of), so a warning does not count as downtime.
- Title: the `summary` annotation, else the `alertname` label, else the fingerprint (one line, 200 characters).

Pure: `parse` refuses a body with DocumentInvalid naming every field at fault; `next_step` decides what an alert
does given the incidents its fingerprint already has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from graphsvc.domain.incidents import DEGRADATION, OUTAGE
from graphsvc.domain.text import strip_controls
from graphsvc.domain.validation import DocumentInvalid, Problem

__all__ = [
    "AFFECTABLE",
    "ID_LABELS",
    "ID_PREFIX",
    "MAX_ALERTS",
    "Alert",
    "Mapped",
    "Step",
    "StoredIncident",
    "effect_of_alert",
    "incident_id",
    "instance_host",
    "item_of",
    "next_step",
    "parse",
    "priority_of",
    "title_of",
]

ID_PREFIX = "INC-AM-"
MAX_ALERTS = 1_000  # per notification; Alertmanager's `max_alerts: 1000` keeps a huge group within it
MAX_LABELS = 100  # labels (and annotations) per alert
MAX_NAME = 256  # characters of a label or annotation name
MAX_LABEL_VALUE = 4_096
MAX_ANNOTATION_VALUE = 16_384  # descriptions and runbooks run longer than labels
MAX_TITLE = 200
_FINGERPRINT = re.compile(r"[0-9a-fA-F]{1,64}")
# Go's RFC 3339 (time.RFC3339Nano as Alertmanager writes it): fractions of any length, an offset or Z.
_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})")
_TOP_MAPS = ("groupLabels", "commonLabels", "commonAnnotations")
_TOP_TEXT = ("groupKey", "receiver", "externalURL")


@dataclass(frozen=True)
class Alert:
    """One alert of a notification, checked."""

    index: int  # its place in the body's `alerts`
    fingerprint: str  # lower case
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime  # UTC
    ends_at: datetime | None  # UTC; read for resolved alerts only (a firing one's is a guess or year 1)

    @property
    def alertname(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def incident_id(self) -> str:
        return incident_id(self.fingerprint, self.starts_at)


def incident_id(fingerprint: str, starts_at: datetime) -> str:
    """The incident of one occurrence of an alert (see the module docstring)."""
    return f"{ID_PREFIX}{fingerprint.lower()}-{starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def priority_of(labels: Mapping[str, str]) -> str:
    severity = labels.get("severity", "").strip().lower()
    if severity == "critical":
        return "P1"
    if severity in ("error", "major"):
        return "P2"
    return "P3" if severity == "warning" else "P4"


_EFFECTS = {"outage": OUTAGE, "down": OUTAGE, "degraded": DEGRADATION, "degradation": DEGRADATION}


def effect_of_alert(labels: Mapping[str, str], annotations: Mapping[str, str]) -> str | None:
    """OUTAGE or DEGRADATION as the `impact` label (else annotation) says; None: by priority."""
    said = labels.get("impact") or annotations.get("impact") or ""
    return _EFFECTS.get(said.strip().lower())


def title_of(alert: Alert) -> str:
    for text in (alert.annotations.get("summary", ""), alert.alertname, alert.fingerprint):
        line = " ".join(strip_controls(text).split())
        if line:
            return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1] + "…"
    return alert.fingerprint


def instance_host(instance: str) -> str | None:
    """The host of an `instance` label, lower case: `web-01:9100` -> `web-01`, `[::1]:9100` -> `::1`, a URL's host;
    a bare name or address as it is. None when nothing is left."""
    text = instance.strip()
    if "://" in text:
        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
        return host.lower() if host else None
    if text.startswith("["):
        host, _, _ = text[1:].partition("]")
    elif text.count(":") == 1:
        host = text.partition(":")[0]
    else:
        host = text  # a name without a port, or a bare IPv6 address
    return host.lower() or None


# Reading the body ------------------------------------------------------------------------------------------------


def _time(value: Any, path: str, problems: list[Problem]) -> datetime | None:
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problems.append(Problem(path, f"must be an RFC 3339 time such as 2026-12-01T10:00:00Z (got {value!r:.60})"))
        return None
    whole, fraction, offset = match.groups()
    text = whole + ("." + (fraction + "00000")[:6] if fraction else "") + ("+00:00" if offset == "Z" else offset)
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        problems.append(Problem(path, f"is not a real time ({value!r:.60})"))
        return None


def _strings(value: Any, path: str, problems: list[Problem], *, longest: int, required: bool = True) -> dict[str, str]:
    """A map of strings to strings (labels, annotations), bounded."""
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        problems.append(Problem(path, "must be an object of strings"))
        return {}
    if len(value) > MAX_LABELS:
        problems.append(Problem(path, f"has {len(value)} entries; at most {MAX_LABELS}"))
        return {}
    out: dict[str, str] = {}
    for name, text in value.items():
        if len(name) > MAX_NAME:
            problems.append(Problem(f"{path}.{name[:40]}...", f"the name is longer than {MAX_NAME} characters"))
        elif not isinstance(text, str):
            problems.append(Problem(f"{path}.{name}", f"must be a string (got {type(text).__name__})"))
        elif len(text) > longest:
            problems.append(Problem(f"{path}.{name}", f"is longer than {longest} characters"))
        else:
            out[name] = text
    return out


def _alert(index: int, value: Any, problems: list[Problem]) -> Alert | None:
    path = f"alerts[{index}]"
    if not isinstance(value, dict):
        problems.append(Problem(path, "must be an object"))
        return None
    before = len(problems)
    for name in ("status", "labels", "startsAt", "endsAt", "fingerprint"):
        if name not in value:
            problems.append(Problem(f"{path}.{name}", "is missing"))
    if len(problems) > before:
        return None
    status = value["status"]
    if status not in ("firing", "resolved"):
        problems.append(Problem(f"{path}.status", f'must be "firing" or "resolved" (got {status!r:.40})'))
    fingerprint = value["fingerprint"]
    if not isinstance(fingerprint, str) or not _FINGERPRINT.fullmatch(fingerprint):
        problems.append(Problem(f"{path}.fingerprint", f"must be 1 to 64 hex digits (got {fingerprint!r:.80})"))
    labels = _strings(value["labels"], f"{path}.labels", problems, longest=MAX_LABEL_VALUE)
    annotations = _strings(
        value.get("annotations"), f"{path}.annotations", problems, longest=MAX_ANNOTATION_VALUE, required=False
    )
    starts_at = _time(value["startsAt"], f"{path}.startsAt", problems)
    ends_at = None
    if status == "resolved":
        ends_at = _time(value["endsAt"], f"{path}.endsAt", problems)
        if starts_at and ends_at and ends_at < starts_at:
            problems.append(Problem(f"{path}.endsAt", f"{value['endsAt']} is before startsAt ({value['startsAt']})"))
    elif not isinstance(value["endsAt"], str):
        problems.append(Problem(f"{path}.endsAt", "must be a string"))
    for name in ("generatorURL",):
        if name in value and not isinstance(value[name], str):
            problems.append(Problem(f"{path}.{name}", "must be a string"))
    if len(problems) > before or starts_at is None:
        return None
    return Alert(index, fingerprint.lower(), status, labels, annotations, starts_at, ends_at)


def parse(body: Any) -> list[Alert]:
    """The alerts of a version-4 webhook body (parsed JSON); DocumentInvalid names everything wrong with it."""
    if not isinstance(body, dict):
        raise DocumentInvalid([Problem("", "the body must be a JSON object (Alertmanager's webhook, version 4)")])
    problems: list[Problem] = []
    if body.get("version") != "4":
        got = "missing" if "version" not in body else f"{body['version']!r:.40}"
        problems.append(Problem("version", f'must be "4", the webhook version graphsvc reads (got {got})'))
    if body.get("status") not in ("firing", "resolved"):
        problems.append(Problem("status", 'must be "firing" or "resolved"'))
    for name in _TOP_TEXT:
        if name in body and not isinstance(body[name], str):
            problems.append(Problem(name, "must be a string"))
    for name in _TOP_MAPS:
        if name in body:
            _strings(body[name], name, problems, longest=MAX_ANNOTATION_VALUE)
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        problems.append(Problem("alerts", "is missing" if alerts is None else "must be a list"))
        raise DocumentInvalid(problems)
    if len(alerts) > MAX_ALERTS:
        problems.append(
            Problem("alerts", f"holds {len(alerts)} alerts; at most {MAX_ALERTS} (set max_alerts in Alertmanager)")
        )
        raise DocumentInvalid(problems)
    parsed = [_alert(i, a, problems) for i, a in enumerate(alerts)]
    if problems:
        raise DocumentInvalid(problems)
    return [a for a in parsed if a is not None]


# Mapping to an item -----------------------------------------------------------------------------------------------

AFFECTABLE = frozenset({"CONFIGURATION_ITEM", "SERVICE"})  # what an incident may affect
ID_LABELS = ("cmdb_id", "service")  # labels that name an item by id, in the order they are tried


@dataclass(frozen=True)
class Mapped:
    """The item an alert maps to (None: unmapped, `reason` says why), and by which label."""

    item: str | None
    label: str | None = None
    reason: str = ""


def item_of(alert: Alert, kinds: Mapping[str, str], hosts: Mapping[str, list[str]]) -> Mapped:
    """The item an alert affects: its `cmdb_id` label's, else its `service` label's (an id of a service or CI), else
    the one CI whose `hostname` attribute is its `instance` label's host (ignoring case; RETIRED CIs left out).

    `kinds` holds the kind of every label value that is an item's id; `hosts` the ids of the CIs of each host."""
    tried = []
    for label in ID_LABELS:
        value = alert.labels.get(label)
        if value is None:
            continue
        kind = kinds.get(value)
        if kind in AFFECTABLE:
            return Mapped(value, label)
        tried.append(f"{label}={value!r:.80} is " + (f"a {kind}" if kind else "no item's id"))
    instance = alert.labels.get("instance")
    if instance is not None:
        host = instance_host(instance)
        found = hosts.get(host, []) if host else []
        if len(found) == 1:
            return Mapped(found[0], "instance")
        if not found:
            tried.append(f"instance={instance!r:.80}: no CI has the hostname {host!r:.80}")
        else:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            tried.append(f"instance={instance!r:.80}: {len(found)} CIs have the hostname {host!r:.80} ({shown})")
    if not tried:
        return Mapped(None, None, "it has none of the labels cmdb_id, service, instance")
    return Mapped(None, None, "; ".join(tried))


# Deciding ---------------------------------------------------------------------------------------------------------


@dataclass
class StoredIncident:
    """An incident an alert's fingerprint opened before (or earlier in the same notification)."""

    id: str
    status: str
    opened_at: datetime
    item: str | None
    new: bool = field(default=False, compare=False)  # created by this notification


@dataclass(frozen=True)
class Step:
    """What one alert does: "open" (a new OPEN incident), "open_resolved" (a new incident, resolved at once: the
    alert's firing was never seen), "resolve" (`incidents`, OPEN so far), or "unchanged" (`incidents[0]`, why)."""

    action: Literal["open", "open_resolved", "resolve", "unchanged"]
    incidents: tuple[StoredIncident, ...] = ()
    reason: str = ""


def next_step(alert: Alert, known: list[StoredIncident]) -> Step:
    """What `alert` does, given the incidents its fingerprint has (its own occurrence's among them, if recorded).

    A firing alert opens its occurrence's incident unless that is recorded already (whatever its status: a late
    copy of an old notification does not reopen it) or another occurrence of the fingerprint is still OPEN. A
    resolved one resolves the fingerprint's OPEN incidents that opened by its `endsAt`; with none, and its own
    occurrence not recorded, it records the whole occurrence (opened at startsAt, resolved at endsAt)."""
    own = next((s for s in known if s.id == alert.incident_id), None)
    still_open = [s for s in known if s.status == "OPEN"]
    if alert.status == "firing":
        if own is not None:
            return Step("unchanged", (own,), f"already recorded ({own.status})")
        if still_open:
            return Step("unchanged", (still_open[0],), f"{still_open[0].id} is still OPEN for this fingerprint")
        return Step("open")
    assert alert.ends_at is not None
    ended = alert.ends_at
    targets = tuple(s for s in still_open if s.opened_at <= ended)
    if targets:
        return Step("resolve", targets)
    if own is not None:
        return Step("unchanged", (own,), f"already {own.status}")
    if still_open:
        return Step("unchanged", (still_open[0],), f"{still_open[0].id} opened after this alert ended")
    return Step("open_resolved")
