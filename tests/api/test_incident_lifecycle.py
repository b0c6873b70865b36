"""Closing the loop through GraphQL: incidents opened on two cluster members correlate, become a problem, get a
workaround; wrong links and steps are refused and change nothing."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient, operation
from tests.api.test_change_lifecycle import load

INCIDENT = """... on IncidentPayload { incident { id status resolvedAt version problem { id } } }"""
PROBLEM = """... on ProblemPayload { problem { id status workaround rootCause causedBy { id } incidents { id } } }"""
ERRORS = """... on UserError { __typename message } ... on InvalidState { status }"""


def act(api: GraphQLClient, mutation: str, args: str) -> dict[str, Any]:
    payload = PROBLEM if mutation in ("createProblemFromCluster", "recordKnownError") else INCIDENT
    return api.data(f"mutation {{ r: {mutation}({args}) {{ __typename {payload} {ERRORS} }} }}")["r"]  # type: ignore[no-any-return]


def open_incident(api: GraphQLClient, iid: str, item: str, at: str) -> dict[str, Any]:
    return act(
        api,
        "openIncident",
        f'input: {{id: "{iid}", title: "{iid}", priority: P2, affects: ["{item}"], openedAt: "2026-12-01T{at}:00Z"}}',
    )


def test_failures_combine_correlate_and_become_a_known_error(api: GraphQLClient) -> None:
    load(api)
    # two members of the quorum-2 cluster fail 20 minutes apart: no common cause below them, but together they
    # take the shop out; later the shop and its application fail together: one cause, the application
    assert open_incident(api, "I-1", "DB-1", "10:00")["incident"]["status"] == "OPEN"
    open_incident(api, "I-2", "DB-2", "10:20")
    open_incident(api, "I-3", "SVC-SHOP", "14:00")
    open_incident(api, "I-4", "APP", "14:10")
    act(api, "resolveIncident", 'id: "I-1", at: "2026-12-01T10:40:00Z"')
    act(api, "resolveIncident", 'id: "I-2", at: "2026-12-01T11:00:00Z"')
    for iid in ("I-3", "I-4"):
        act(api, "resolveIncident", f'id: "{iid}", at: "2026-12-01T14:30:00Z"')
    availability = api.data(
        operation("incidents.graphql", "Availability"),
        {"serviceId": "SVC-SHOP", "from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z"},
        "Availability",
    )["availability"]
    assert availability["outageMinutes"] == 20 + 30  # 10:20-10:40 both members, 14:00-14:30 the shop itself
    assert availability["degradedMinutes"] == 20 + 20  # one member down: 10:00-10:20 and 10:40-11:00
    assert availability["breached"] is None  # SVC-SHOP has no target of its own
    assert [s["breached"] for s in availability["slas"]] == [True]  # 99.9% is 1.4 minutes a day
    clusters = api.data(
        operation("incidents.graphql", "IncidentCorrelation"),
        {"since": "2026-12-01T00:00:00Z", "until": "2026-12-02T00:00:00Z"},
        "IncidentCorrelation",
    )["incidentCorrelation"]["clusters"]
    assert [(c["rootCause"]["id"], [i["id"] for i in c["incidents"]]) for c in clusters] == [("APP", ["I-3", "I-4"])]
    made = act(
        api,
        "createProblemFromCluster",
        'input: {id: "P-1", title: "shop app", rootCause: "APP", '
        'incidents: ["I-3", "I-4"], rootCauseText: "thread pool exhaustion"}',
    )
    problem = made["problem"]
    assert problem["status"] == "OPEN" and problem["causedBy"] == [{"id": "APP"}]
    assert problem["rootCause"] == "thread pool exhaustion"
    assert sorted(i["id"] for i in problem["incidents"]) == ["I-3", "I-4"]
    known = act(api, "recordKnownError", 'problemId: "P-1", workaround: "restart the pool"')
    assert known["problem"]["status"] == "KNOWN_ERROR" and known["problem"]["workaround"] == "restart the pool"
    # the suggested problem of the cluster is now P-1
    again = api.data(
        operation("incidents.graphql", "IncidentCorrelation"),
        {"since": "2026-12-01T00:00:00Z", "until": "2026-12-02T00:00:00Z"},
        "IncidentCorrelation",
    )["incidentCorrelation"]["clusters"]
    assert again[0]["suggestedProblem"] == {"id": "P-1", "title": "shop app"}
    twice = act(api, "resolveIncident", 'id: "I-3"')
    assert twice["__typename"] == "InvalidState" and twice["message"].startswith("I-3 is RESOLVED: resolve needs")
    linked = act(api, "linkIncidentToProblem", 'incidentId: "I-1", problemId: "P-1"')
    assert linked["incident"]["problem"] == {"id": "P-1"}


def test_wrong_links_and_steps_change_nothing(api: GraphQLClient) -> None:
    load(api)
    act(
        api,
        "openIncident",
        'input: {id: "I-1", title: "x", priority: P2, affects: ["APP"], openedAt: "2026-12-01T10:00:00Z"}',
    )
    before = api.data('{ incident(id: "I-1") { version problem { id } } problems(first: 10) { totalCount } }')
    early = act(api, "resolveIncident", 'id: "I-1", at: "2026-12-01T09:00:00Z"')
    assert early["__typename"] == "InvalidState" and "before I-1 opened" in early["message"]
    not_incident = act(
        api, "createProblemFromCluster", 'input: {id: "P-9", title: "x", rootCause: "APP", incidents: ["I-1", "DB-1"]}'
    )
    assert not_incident["__typename"] == "InvalidState" and "'DB-1' is a CONFIGURATION_ITEM" in not_incident["message"]
    unknown_root = act(
        api, "createProblemFromCluster", 'input: {id: "P-9", title: "x", rootCause: "NOPE", incidents: ["I-1"]}'
    )
    assert unknown_root["__typename"] == "UnknownReference"
    dup = act(api, "createProblemFromCluster", 'input: {id: "APP", title: "x", rootCause: "APP", incidents: ["I-1"]}')
    assert dup["__typename"] == "DuplicateId"
    missing = act(api, "linkIncidentToProblem", 'incidentId: "I-1", problemId: "P-404"')
    assert missing["__typename"] == "NotFound"
    naive = act(
        api,
        "openIncident",
        'input: {id: "I-2", title: "x", priority: P2, affects: ["APP"], openedAt: "2026-12-01T10:00:00"}',
    )
    assert naive["__typename"] == "InvalidInput"
    after = api.data('{ incident(id: "I-1") { version problem { id } } problems(first: 10) { totalCount } }')
    assert after == before
    assert api.data('{ incident(id: "I-2") { id } }') == {"incident": None}


def test_degradations_and_outages_combine_and_the_sla_report_says_why(api: GraphQLClient) -> None:
    load(api)
    opened = api.data(
        'mutation { a: openIncident(input: {id: "D-1", title: "db-1 slow", priority: P2, effect: DEGRADATION, '
        'affects: ["DB-1"], openedAt: "2026-12-01T10:00:00Z"}) { ... on IncidentPayload { incident { effect } } } '
        'b: openIncident(input: {id: "D-2", title: "db-2 down", priority: P4, effect: OUTAGE, '
        'affects: ["DB-2"], openedAt: "2026-12-01T10:30:00Z"}) { ... on IncidentPayload { incident { effect } } } '
        'c: openIncident(input: {id: "D-3", title: "app slow", priority: P3, '
        'affects: ["APP"], openedAt: "2026-12-01T12:00:00Z"}) { ... on IncidentPayload { incident { effect } } } }'
    )
    # as given, whatever the priority; absent: by priority (P3: a degradation)
    assert [opened[k]["incident"]["effect"] for k in "abc"] == ["DEGRADATION", "OUTAGE", "DEGRADATION"]
    for iid, at in (("D-1", "11:00"), ("D-2", "11:30"), ("D-3", "12:45")):
        act(api, "resolveIncident", f'id: "{iid}", at: "2026-12-01T{at}:00Z"')
    period = {"from": "2026-12-01T00:00:00Z", "to": "2026-12-02T00:00:00Z"}
    availability = api.data(
        """query($from: DateTime!, $to: DateTime!) { availability(serviceId: "SVC-SHOP", from: $from, to: $to) {
        outageMinutes degradedMinutes incidents { incidentId effect outageMinutes degradedMinutes } } }""",
        period,
    )["availability"]
    # DB-1 degraded and DB-2 down leave 2 of 3 members up (quorum 2): the shop is only ever DEGRADED
    assert availability["outageMinutes"] == 0
    assert availability["degradedMinutes"] == 90 + 45  # 10:00-11:30, then the app 12:00-12:45
    assert availability["incidents"] == [
        {"incidentId": "D-1", "effect": "DEGRADATION", "outageMinutes": 0, "degradedMinutes": 60},
        {"incidentId": "D-2", "effect": "OUTAGE", "outageMinutes": 0, "degradedMinutes": 60},
        {"incidentId": "D-3", "effect": "DEGRADATION", "outageMinutes": 0, "degradedMinutes": 45},
    ]
    # the same DB-1 incident as an outage would have taken two members: the shop DOWN from 10:30 to 11:00
    api.data(
        'mutation { openIncident(input: {id: "D-4", title: "db-3 down", priority: P1, affects: ["DB-3"], '
        'openedAt: "2026-12-01T10:40:00Z"}) { __typename } }'
    )
    act(api, "resolveIncident", 'id: "D-4", at: "2026-12-01T10:50:00Z"')
    report = api.data(
        """query($from: DateTime!, $to: DateTime!) { slaReport(from: $from, to: $to) { sla { id } breached
        outageMinutes incidents { incidentId effect outageMinutes } } }""",
        period,
    )["slaReport"]
    assert report[0]["sla"]["id"] == "SLA-1" and report[0]["breached"] is True
    assert report[0]["outageMinutes"] == 10  # DB-2 and DB-3 down together, 10:40-10:50
    assert [(i["incidentId"], i["outageMinutes"]) for i in report[0]["incidents"]][:2] == [("D-2", 10), ("D-4", 10)]
    page = api.http.get("/reports/sla", params=period | {"format": "md"})
    assert page.status_code == 200
    assert "## Why SLA-1 is breached" in page.text and "| D-4 | OUTAGE | 10 | 0 |" in page.text
