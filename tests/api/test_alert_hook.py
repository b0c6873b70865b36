"""POST /hooks/alertmanager end to end: Alertmanager's notifications (webhook version 4) open and resolve incidents
on a small estate over the real app and Neo4j, which availability and incident correlation then see; repeated,
racing, unmapped, unauthorised and hostile notifications."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import GraphQLClient, bearer, operation
from tests.conftest import counts, make_token
from tests.e2e.conftest import serve_asgi

HOOK = "/hooks/alertmanager"
FP_DB, FP_APP, FP_GHOST = "3fa1c02e9b7d4e55", "a0b1c2d3e4f50617", "ffff0000ffff0000"
DB_INCIDENT = f"INC-AM-{FP_DB}-20261201T100000Z"
APP_INCIDENT = f"INC-AM-{FP_APP}-20261201T100500Z"
EKS_NODE = "CI-AWS-EKS-NODE-01"

ESTATE: dict[str, Any] = {
    "format": "graphsvc-cmdb/1",
    "services": [{"id": "SVC-SHOP", "name": "Shop", "tier": "BUSINESS", "criticality": 1}],
    "configurationItems": [
        {"id": "APP", "name": "shop-app", "type": "APPLICATION", "attributes": {"hostname": "app-01.shop.internal"}},
        {"id": "DB-1", "name": "db-1", "type": "DATABASE", "attributes": {"hostname": "db-1", "port": 5432}},
        {"id": "OLD-APP", "name": "old", "type": "SERVER", "status": "RETIRED", "attributes": {"hostname": "app-01"}},
        {"id": "TWIN-1", "name": "twin-1", "type": "SERVER", "attributes": {"hostname": "twin"}},
        {"id": "TWIN-2", "name": "twin-2", "type": "SERVER", "attributes": {"hostname": "TWIN"}},
    ],
    "dependencies": [{"from": "SVC-SHOP", "to": "APP"}, {"from": "APP", "to": "DB-1"}],
}


def alert(status: str, fingerprint: str, labels: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "status": status,
        "labels": labels,
        "annotations": extra.pop("annotations", {}),
        "startsAt": extra.pop("startsAt", "2026-12-01T10:00:00.123456789Z"),
        "endsAt": extra.pop("endsAt", "0001-01-01T00:00:00Z"),
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up+%3D%3D+0",
        "fingerprint": fingerprint,
    }


def notification(alerts: list[dict[str, Any]], status: str = "firing") -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}/{team="shop"}:{alertname="Down"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "graphsvc",
        "groupLabels": {"alertname": "Down"},
        "commonLabels": {"team": "shop"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }


DB_DOWN = alert(
    "firing",
    FP_DB,
    {"alertname": "PostgresDown", "cmdb_id": "DB-1", "severity": "critical", "team": "shop"},
    annotations={"summary": "db-1 is down\n(primary)", "runbook_url": "https://runbooks/pg"},
    startsAt="2026-12-01T10:00:00.123456789Z",
)
APP_DOWN = alert(
    "firing",
    FP_APP,
    # no such cmdb_id: the instance's host names the CI (ignoring case; the RETIRED CI of host app-01 is not it)
    {"alertname": "AppDown", "cmdb_id": "NOPE", "instance": "APP-01.shop.internal:9100", "severity": "error"},
    startsAt="2026-12-01T10:05:00+00:00",
)
GHOST = alert(
    "firing",
    FP_GHOST,
    {"alertname": "NodeDown", "instance": "ghost:9100", "severity": "warning"},
    startsAt="2026-12-01T10:06:00Z",
)


def resolved(a: dict[str, Any], ends_at: str) -> dict[str, Any]:
    out = copy.deepcopy(a)
    out.update(status="resolved", endsAt=ends_at)
    return out


class Hook:
    """The app served over the test Neo4j, with an admin's GraphQL client and a token of each role."""

    def __init__(self, base_url: str, tokens: dict[str, str], graphql: GraphQLClient, sync_driver: Any, db: str):
        self.base_url, self.tokens, self.graphql, self.driver, self.db = base_url, tokens, graphql, sync_driver, db

    def post(self, body: Any, role: str | None = "editor", **kwargs: Any) -> httpx.Response:
        headers = {
            "Content-Type": "application/json",
            **(bearer(self.tokens[role]) if role else {}),
            **kwargs.pop("headers", {}),
        }
        if "content" not in kwargs:
            kwargs["json"] = body
        return httpx.post(self.base_url + HOOK, headers=headers, timeout=60, **kwargs)

    def ok(self, body: Any) -> dict[str, Any]:
        response = self.post(body)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def written(self) -> tuple[tuple[int, int], int]:
        """The CMDB's (nodes, relationships) and the number of audit entries."""
        records, _, _ = self.driver.execute_query("MATCH (a:AuditEntry) RETURN count(a) AS n", database_=self.db)
        return counts(self.driver, self.db), int(records[0]["n"])

    def incident(self, incident_id: str) -> dict[str, Any] | None:
        query = """query($id: ID!) { incident(id: $id) { id title priority status effect openedAt resolvedAt
          affects { id } } }"""
        return self.graphql.data(query, {"id": incident_id})["incident"]  # type: ignore[no-any-return]


def _serve(connection: Connection, sync_driver: Any, document: dict[str, Any]) -> Iterator[Hook]:
    tokens = {r: make_token(sync_driver, connection.database, r, f"{r} token") for r in ("viewer", "analyst", "editor")}
    admin = make_token(sync_driver, connection.database, "admin")
    app = create_app(Settings(), connection=connection)
    with serve_asgi(app) as base_url, httpx.Client(base_url=base_url, timeout=120, headers=bearer(admin)) as client:
        graphql = GraphQLClient(client)
        graphql.data(operation("import.graphql", "ImportCmdb"), {"document": document}, "ImportCmdb")
        yield Hook(base_url, tokens, graphql, sync_driver, connection.database)


@pytest.fixture
def hook(empty_db: Connection, sync_driver: Any) -> Iterator[Hook]:
    yield from _serve(empty_db, sync_driver, ESTATE)


@pytest.fixture
def demo_hook(empty_db: Connection, sync_driver: Any, demo_document: Any) -> Iterator[Hook]:
    yield from _serve(empty_db, sync_driver, demo_document)


def test_the_readme_example_on_the_demo_cmdb(demo_hook: Hook) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("/hooks/alertmanager -d '") :]
    body = json.loads(example[example.index("'") + 1 : example.index("'\n")])
    node = alert("firing", "00000000000000cc", {"alertname": "NodeNotReady", "instance": "aws-eks-node-01:10250"})
    answer = demo_hook.ok({**body, "alerts": [*body["alerts"], node]})
    assert [(o["incident"], o["item"]) for o in answer["opened"]] == [
        ("INC-AM-3fa1c02e9b7d4e55-20261201T100000Z", "CI-DC1-DB-INVENTORY-01"),
        ("INC-AM-00000000000000cc-20261201T100000Z", EKS_NODE),
    ]


def test_a_group_opens_incidents_once_and_resolves_them_at_ends_at(hook: Hook) -> None:
    body = notification([DB_DOWN, APP_DOWN, GHOST])
    first = hook.ok(body)
    assert first["opened"] == [
        {"fingerprint": FP_DB, "incident": DB_INCIDENT, "item": "DB-1", "mappedBy": "cmdb_id"},
        {"fingerprint": FP_APP, "incident": APP_INCIDENT, "item": "APP", "mappedBy": "instance"},
    ]
    assert first["resolved"] == first["unchanged"] == []
    assert first["unmapped"] == [
        {
            "fingerprint": FP_GHOST,
            "alertname": "NodeDown",
            "labels": GHOST["labels"],
            "reason": "instance='ghost:9100': no CI has the hostname 'ghost'",
        }
    ]
    db = hook.incident(DB_INCIDENT)
    assert db == {
        "id": DB_INCIDENT,
        "title": "db-1 is down (primary)",
        "priority": "P1",
        "status": "OPEN",
        "effect": "OUTAGE",
        "openedAt": "2026-12-01T10:00:00.123456+00:00",
        "resolvedAt": None,
        "affects": [{"id": "DB-1"}],
    }
    app = hook.incident(APP_INCIDENT)
    assert app is not None and (app["title"], app["priority"], app["effect"]) == ("AppDown", "P2", "OUTAGE")
    assert hook.incident(f"INC-AM-{FP_GHOST}-20261201T100600Z") is None  # unmapped: stored nowhere

    # Alertmanager repeats the notification every group_interval: nothing changes, nothing is written
    before = hook.written()
    again = hook.ok(body)
    assert again["opened"] == again["resolved"] == []
    assert [(u["incident"], u["item"]) for u in again["unchanged"]] == [(DB_INCIDENT, "DB-1"), (APP_INCIDENT, "APP")]
    assert again["unchanged"][0]["reason"] == "already recorded (OPEN)"
    assert [u["fingerprint"] for u in again["unmapped"]] == [FP_GHOST]
    assert hook.written() == before

    # resolved: each incident at its alert's endsAt
    ends = resolved(DB_DOWN, "2026-12-01T10:30:00Z"), resolved(APP_DOWN, "2026-12-01T10:20:00.5Z")
    done = hook.ok(notification(list(ends), "resolved"))
    assert [(r["incident"], r["item"]) for r in done["resolved"]] == [(DB_INCIDENT, "DB-1"), (APP_INCIDENT, "APP")]
    assert done["opened"] == done["unchanged"] == done["unmapped"] == []
    db = hook.incident(DB_INCIDENT)
    assert db is not None and (db["status"], db["resolvedAt"]) == ("RESOLVED", "2026-12-01T10:30:00+00:00")
    app = hook.incident(APP_INCIDENT)
    assert app is not None and app["resolvedAt"] == "2026-12-01T10:20:00.500000+00:00"
    assert hook.ok(notification(list(ends), "resolved"))["unchanged"][0]["reason"] == "already RESOLVED"

    # the analyses see them: the shop needs APP, which needs DB-1, so it was down 10:00-10:30
    availability = hook.graphql.data(
        operation("incidents.graphql", "Availability"),
        {"serviceId": "SVC-SHOP", "from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z"},
        "Availability",
    )["availability"]
    assert availability["outageMinutes"] == pytest.approx(30, abs=0.01)
    clusters = hook.graphql.data(
        operation("incidents.graphql", "IncidentCorrelation"),
        {"since": "2026-12-01T00:00:00Z", "until": "2026-12-02T00:00:00Z"},
        "IncidentCorrelation",
    )["incidentCorrelation"]["clusters"]
    assert [(c["rootCause"]["id"], sorted(i["id"] for i in c["incidents"])) for c in clusters] == [
        ("DB-1", sorted([DB_INCIDENT, APP_INCIDENT]))
    ]

    # the audit trail: who opened and resolved it, under the hook's name
    history = hook.graphql.data(
        "query($id: ID!) { history(id: $id) { entries { actorName action before after } } }", {"id": DB_INCIDENT}
    )["history"]["entries"]
    assert [(e["actorName"], e["action"], e["after"]["status"]) for e in history] == [
        ("editor token", "alertmanager", "RESOLVED"),
        ("editor token", "alertmanager", "OPEN"),
    ]
    assert history[1]["before"] is None


def test_firing_again_after_resolution_is_a_new_incident_and_an_unseen_resolution_is_recorded_whole(
    hook: Hook,
) -> None:
    hook.ok(notification([DB_DOWN]))
    hook.ok(notification([resolved(DB_DOWN, "2026-12-01T10:30:00Z")], "resolved"))
    later = copy.deepcopy(DB_DOWN)
    later["startsAt"] = "2026-12-01T12:00:00Z"
    refired = hook.ok(notification([later]))
    assert [o["incident"] for o in refired["opened"]] == [f"INC-AM-{FP_DB}-20261201T120000Z"]
    # a resolution whose firing graphsvc never saw (it was down, or the receiver is new): opened and resolved
    unseen = resolved(
        alert("firing", "0123456789abcdef", {"alertname": "Slow", "service": "SVC-SHOP", "impact": "degraded"}),
        "2026-12-01T10:10:00Z",
    )
    both = hook.ok(notification([unseen], "resolved"))
    incident = "INC-AM-0123456789abcdef-20261201T100000Z"
    assert [o["incident"] for o in both["opened"]] == [o["incident"] for o in both["resolved"]] == [incident]
    stored = hook.incident(incident)
    assert stored is not None
    assert (stored["status"], stored["priority"], stored["effect"]) == ("RESOLVED", "P4", "DEGRADATION")
    assert (stored["affects"], stored["resolvedAt"]) == ([{"id": "SVC-SHOP"}], "2026-12-01T10:10:00+00:00")
    # a firing and its resolution in one notification; an ambiguous host; an id of a kind no incident affects
    quick = alert(
        "firing", "00000000000000aa", {"alertname": "Blip", "cmdb_id": "APP"}, startsAt="2026-12-02T00:00:00Z"
    )
    twin = alert("firing", "00000000000000bb", {"alertname": "T", "instance": "twin:22", "service": "INC-AM-x"})
    mixed = hook.ok(notification([quick, resolved(quick, "2026-12-02T00:01:00Z"), twin]))
    assert (
        [o["fingerprint"] for o in mixed["opened"]]
        == [o["fingerprint"] for o in mixed["resolved"]]
        == ["00000000000000aa"]
    )
    assert mixed["unmapped"][0]["reason"] == (
        "service='INC-AM-x' is no item's id; instance='twin:22': 2 CIs have the hostname 'twin' (TWIN-1, TWIN-2)"
    )


def test_racing_notifications_open_one_incident(hook: Hook) -> None:
    body = notification([DB_DOWN, APP_DOWN])
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = [r.json() for r in pool.map(lambda _: hook.post(body), range(4))]
    opened = sorted(o["incident"] for a in answers for o in a["opened"])
    assert opened == sorted([DB_INCIDENT, APP_INCIDENT])
    assert sum(len(a["unchanged"]) for a in answers) == 3 * 2


def test_only_editors_may_post(hook: Hook) -> None:
    body = notification([DB_DOWN])
    anonymous = hook.post(body, role=None)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    for role in ("viewer", "analyst"):
        refused = hook.post(body, role=role)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["message"].startswith("forbidden: /hooks/alertmanager needs the editor role")
    wrong = hook.post(body, role=None, headers={"Authorization": "Bearer gsvc_not-a-token"})
    assert wrong.status_code == 401
    assert hook.incident(DB_INCIDENT) is None
    assert hook.post(body).status_code == 200
    assert hook.incident(DB_INCIDENT) is not None


def _labels_not_strings() -> dict[str, Any]:
    bad = copy.deepcopy(DB_DOWN)
    bad["labels"]["severity"] = 1
    bad["labels"]["env"] = None
    return notification([APP_DOWN, bad])


HOSTILE: dict[str, tuple[Any, str]] = {
    "not JSON": (b"{version: 4", "the body is not valid JSON"),
    "not an object": ([1, 2], "the body must be a JSON object"),
    "wrong version": ({**notification([DB_DOWN]), "version": "3"}, 'version: must be "4"'),
    "no alerts": ({k: v for k, v in notification([]).items() if k != "alerts"}, "alerts: is missing"),
    "5,000 alerts": (notification([DB_DOWN] * 5000), "alerts: holds 5000 alerts; at most 1000"),
    "labels not strings": (_labels_not_strings(), "alerts[1].labels.severity: must be a string (got int)"),
    "missing fingerprint": (
        notification([{k: v for k, v in DB_DOWN.items() if k != "fingerprint"}]),
        "alerts[0].fingerprint: is missing",
    ),
    "bad time": (notification([{**DB_DOWN, "startsAt": "yesterday"}]), "alerts[0].startsAt: must be an RFC 3339"),
    "ends before it starts": (
        notification([resolved(DB_DOWN, "2026-12-01T09:00:00Z")]),
        "alerts[0].endsAt: 2026-12-01T09:00:00Z is before startsAt",
    ),
    "injected fingerprint": (
        notification([{**DB_DOWN, "fingerprint": "x' OR 1=1 //"}]),
        "alerts[0].fingerprint: must be 1 to 64 hex digits",
    ),
    "deep nesting": (b'{"version": "4", "alerts": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nests too deeply"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_bodies_are_refused_by_name_and_write_nothing(hook: Hook, case: str) -> None:
    body, message = HOSTILE[case]
    before = hook.written()
    response = hook.post(None, content=body) if isinstance(body, bytes) else hook.post(None, content=json.dumps(body))
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert message in error["message"], error["message"]
    assert hook.written() == before


def test_a_valid_alert_beside_a_bad_one_is_not_written(hook: Hook) -> None:
    response = hook.post(_labels_not_strings())
    assert response.status_code == 400
    problems = response.json()["errors"][0]["extensions"]["problems"]
    assert problems == [
        {"path": "alerts[1].labels.severity", "message": "must be a string (got int)"},
        {"path": "alerts[1].labels.env", "message": "must be a string (got NoneType)"},
    ]
    assert hook.incident(APP_INCIDENT) is None


def test_too_large_and_not_json_bodies(hook: Hook) -> None:
    before = hook.written()
    huge = b'{"version": "4", "alerts": [], "pad": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    too_large = hook.post(None, content=huge, headers={"Content-Type": "application/json"})
    assert too_large.status_code == 413
    assert too_large.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    text = hook.post(None, content=json.dumps(notification([DB_DOWN])), headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and "application/json" in text.json()["errors"][0]["message"]
    assert hook.written() == before


def test_an_empty_notification_writes_nothing(hook: Hook) -> None:
    before = hook.written()
    assert hook.ok(notification([])) == {"opened": [], "resolved": [], "unchanged": [], "unmapped": []}
    assert hook.written() == before
