"""The rules of alert intake (graphsvc/domain/alerts.py): reading Alertmanager's body, the incident an alert makes,
the item it maps to and what a notification does given what its fingerprint already has."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.domain import alerts as am
from graphsvc.domain.validation import DocumentInvalid

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def body(*alerts: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"version": "4", "status": "firing", "alerts": list(alerts), **top}


def raw(status: str = "firing", **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "Down"},
        "annotations": {},
        "startsAt": "2026-12-01T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": "3FA1c02e9b7d4e55",
        **fields,
    }


def one(**fields: Any) -> am.Alert:
    return am.parse(body(raw(**fields)))[0]


def test_times_as_alertmanager_writes_them() -> None:
    alert = one(startsAt="2026-12-01T11:00:00.123456789+01:00")
    assert alert.starts_at == T0.replace(microsecond=123456)
    assert alert.fingerprint == "3fa1c02e9b7d4e55"
    assert alert.incident_id == "INC-AM-3fa1c02e9b7d4e55-20261201T100000Z"
    assert alert.ends_at is None  # a firing alert's endsAt is not read
    done = one(status="resolved", endsAt="2026-12-01T10:30:00Z")
    assert done.ends_at == T0.replace(minute=30)


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", "P1"), ("CRITICAL", "P1"), ("error", "P2"), ("major", "P2"), ("warning", "P3"), ("info", "P4")],
)
def test_priority_from_severity(severity: str, priority: str) -> None:
    assert am.priority_of({"severity": severity}) == priority


def test_no_severity_is_p4() -> None:
    assert am.priority_of({}) == "P4"


def test_effect_from_the_impact_label_else_by_priority() -> None:
    assert am.effect_of_alert({"impact": "Degraded"}, {}) == "DEGRADATION"
    assert am.effect_of_alert({}, {"impact": "outage"}) == "OUTAGE"
    assert am.effect_of_alert({"impact": "down"}, {"impact": "degraded"}) == "OUTAGE"  # the label first
    assert am.effect_of_alert({"impact": "minor"}, {}) is None


def test_title_summary_then_alertname_one_line_bounded() -> None:
    assert am.title_of(one(annotations={"summary": " disk\n\tfull \u202e"})) == "disk full"
    assert am.title_of(one()) == "Down"
    assert am.title_of(one(labels={})) == "3fa1c02e9b7d4e55"
    long = am.title_of(one(annotations={"summary": "x" * 500}))
    assert len(long) == am.MAX_TITLE and long.endswith("…")


@pytest.mark.parametrize(
    ("instance", "host"),
    [
        ("web-01:9100", "web-01"),
        ("WEB-01.example.com:443", "web-01.example.com"),
        ("web-01", "web-01"),
        ("10.0.0.5:9100", "10.0.0.5"),
        ("[2001:db8::1]:9100", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("https://Shop.example.com:8443/health", "shop.example.com"),
        (":9100", None),
        ("", None),
    ],
)
def test_instance_host(instance: str, host: str | None) -> None:
    assert am.instance_host(instance) == host


def test_item_of_tries_cmdb_id_then_service_then_instance() -> None:
    alert = one(labels={"cmdb_id": "TEAM-1", "service": "SVC", "instance": "web:1"})
    kinds = {"TEAM-1": "TEAM", "SVC": "SERVICE"}
    assert am.item_of(alert, kinds, {"web": ["CI-W"]}) == am.Mapped("SVC", "service")
    assert am.item_of(alert, {"TEAM-1": "TEAM"}, {"web": ["CI-W"]}) == am.Mapped("CI-W", "instance")
    unmapped = am.item_of(alert, {"TEAM-1": "TEAM"}, {})
    assert unmapped.item is None
    assert unmapped.reason == (
        "cmdb_id='TEAM-1' is a TEAM; service='SVC' is no item's id; instance='web:1': no CI has the hostname 'web'"
    )
    assert am.item_of(one(), {}, {}).reason == "it has none of the labels cmdb_id, service, instance"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": 4}, 'version: must be "4"'),
        ({"alerts": {}}, "alerts: must be a list"),
        ({"groupLabels": {"a": 1}}, "groupLabels.a: must be a string (got int)"),
        ({"receiver": ["x"]}, "receiver: must be a string"),
        ({"alerts": [raw(status="pending")]}, 'alerts[0].status: must be "firing" or "resolved"'),
        ({"alerts": [raw(labels={f"l{i}": "v" for i in range(101)})]}, "alerts[0].labels: has 101 entries"),
        ({"alerts": [raw(labels={"a": "v" * 5000})]}, "alerts[0].labels.a: is longer than 4096 characters"),
        ({"alerts": [raw(startsAt="2026-02-30T10:00:00Z")]}, "alerts[0].startsAt: is not a real time"),
        ({"alerts": [raw(startsAt="2026-12-01 10:00:00Z")]}, "alerts[0].startsAt: must be an RFC 3339 time"),
        ({"alerts": [raw(status="resolved", endsAt=None)]}, "alerts[0].endsAt: must be an RFC 3339 time"),
        ({"alerts": ["x"]}, "alerts[0]: must be an object"),
        ({"alerts": [raw(fingerprint="")]}, "alerts[0].fingerprint: must be 1 to 64 hex digits"),
    ],
)
def test_bad_bodies_name_the_field(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(DocumentInvalid) as refused:
        am.parse({**body(raw()), **change})
    assert any(str(p).startswith(problem) for p in refused.value.problems), refused.value.problems


def stored(suffix: str, status: str, opened: datetime = T0) -> am.StoredIncident:
    return am.StoredIncident(f"INC-AM-3fa1c02e9b7d4e55-{suffix}", status, opened, "CI-1")


OWN = "20261201T100000Z"


def test_next_step() -> None:
    firing, done = one(), one(status="resolved", endsAt="2026-12-01T10:30:00Z")
    assert am.next_step(firing, []).action == "open"
    assert am.next_step(firing, [stored(OWN, "RESOLVED")]) == am.Step(
        "unchanged", (stored(OWN, "RESOLVED"),), "already recorded (RESOLVED)"
    )
    other_open = stored("20261130T000000Z", "OPEN", T0.replace(day=30, month=11))
    assert am.next_step(firing, [other_open]).reason.endswith("is still OPEN for this fingerprint")
    assert am.next_step(done, []).action == "open_resolved"
    assert am.next_step(done, [stored(OWN, "OPEN"), other_open]).incidents == (stored(OWN, "OPEN"), other_open)
    assert am.next_step(done, [stored(OWN, "CLOSED")]).reason == "already CLOSED"
    later = stored("20261201T110000Z", "OPEN", T0.replace(hour=11))
    assert am.next_step(done, [later]).reason.endswith("opened after this alert ended")


@given(st.sampled_from(["OPEN", "RESOLVED", "CLOSED"]), st.lists(st.sampled_from(["OPEN", "RESOLVED"]), max_size=3))
def test_a_recorded_occurrence_never_opens_again(own: str, others: list[str]) -> None:
    known = [stored(OWN, own)] + [stored(f"2026113{i}T000000Z", s, T0.replace(day=1)) for i, s in enumerate(others)]
    assert am.next_step(one(), known).action == "unchanged"
    assert am.next_step(one(status="resolved", endsAt="2026-12-01T10:30:00Z"), known).action in ("resolve", "unchanged")
