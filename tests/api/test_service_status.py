"""`serviceStatus`, the service desk's board (operations-now.graphql's ServiceStatus, SEMANTICS.md "Service status
now"), over the real app and Neo4j: open incidents combine, a resolved one leaves the board, an estate answers for its
time."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import GraphQLClient
from tests.conftest import REPO, load_json

# operations-now.graphql's ServiceStatus, as written in the contract
SERVICE_STATUS = """
query ServiceStatus {
  serviceStatus {
    services { service { id name criticality } status since incidents { id title priority } }
  }
}
"""


def board(api: GraphQLClient) -> list[tuple[str, str, str, list[str]]]:
    rows = api.data(SERVICE_STATUS, operation_name="ServiceStatus")["serviceStatus"]["services"]
    return [(r["service"]["id"], r["status"], r["since"], [i["id"] for i in r["incidents"]]) for r in rows]


def open_incident(api: GraphQLClient, iid: str, item: str, at: str, priority: str = "P1") -> None:
    done = api.data(
        "mutation($i: IncidentInput!) { openIncident(input: $i) { __typename } }",
        {"i": {"id": iid, "title": f"{item} failed", "priority": priority, "affects": [item], "openedAt": at}},
    )
    assert done["openIncident"]["__typename"] == "IncidentPayload", done


def test_the_board_follows_the_open_incidents(api: GraphQLClient) -> None:
    document: dict[str, Any] = load_json(REPO / "tests" / "fixtures" / "small.json")
    api.data("mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": document})
    # INC-2 (P3: a degradation) has one of the order database's three nodes: the cluster holds, degraded, and so
    # are the services that need it
    assert board(api) == [
        ("SVC-SHOP", "DEGRADED", "2026-11-20T08:10:00+00:00", ["INC-2"]),
        ("SVC-ORDERS", "DEGRADED", "2026-11-20T08:10:00+00:00", ["INC-2"]),
    ]
    # the SAN two of the nodes store their data in fails outright: the cluster is below its quorum
    open_incident(api, "INC-SAN", "CI-SAN-1", "2026-12-01T10:00:00Z")
    assert board(api) == [
        ("SVC-SHOP", "DOWN", "2026-11-20T08:10:00+00:00", ["INC-2", "INC-SAN"]),
        ("SVC-ORDERS", "DOWN", "2026-11-20T08:10:00+00:00", ["INC-2", "INC-SAN"]),
    ]
    full = api.data("{ serviceStatus { at openIncidents services { incidents { title priority } } } }")
    assert full["serviceStatus"]["openIncidents"] == 2
    assert full["serviceStatus"]["services"][0]["incidents"][1] == {"title": "CI-SAN-1 failed", "priority": "P1"}

    resolved = api.data('mutation { resolveIncident(id: "INC-SAN") { __typename } }')
    assert resolved["resolveIncident"]["__typename"] == "IncidentPayload", resolved
    assert [row[:2] for row in board(api)] == [("SVC-SHOP", "DEGRADED"), ("SVC-ORDERS", "DEGRADED")]

    # as the estate stood before INC-2 opened, everything was OK
    before = api.data('{ estate(asOf: "2026-11-20T08:00:00Z") { serviceStatus { at services { status } } } }')
    assert before["estate"]["serviceStatus"] == {"at": "2026-11-20T08:00:00+00:00", "services": []}
