"""operations-now.graphql on the demo, as `graphsvc seed demo` loads it (its readings brought forward to now): the
board shows the open gift-card outage and the degradations, and the capacity forecast tells the demo's story (five
CIs over the headroom already, an ESXi host and the orders database reaching it within about two weeks, the
catalogue database in months; falling, flat and two-reading CIs have no date)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graphsvc.synth.demo import demo_document
from tests.api.conftest import GraphQLClient, operation


def test_the_demo_answers_operations_now_as_written(api: GraphQLClient) -> None:
    now = datetime.now(UTC)
    api.data(operation("import.graphql", "ImportCmdb"), {"document": demo_document(now)}, "ImportCmdb")

    board = api.data(operation("operations-now.graphql", "ServiceStatus"), operation_name="ServiceStatus")
    rows = {
        r["service"]["id"]: (r["status"], [i["id"] for i in r["incidents"]]) for r in board["serviceStatus"]["services"]
    }
    assert rows["SVC-GIFT-CARDS"] == ("DOWN", ["INC-5042", "INC-5041"])  # it needs payments, degraded
    assert {s for s, (status, _) in rows.items() if status == "DOWN"} == {"SVC-GIFT-CARDS"}
    assert rows["SVC-PAYMENTS"][0] == "DEGRADED" and "INC-5041" in rows["SVC-PAYMENTS"][1]

    forecast = api.data(
        operation("operations-now.graphql", "CapacityForecast"),
        {"threshold": None, "windowDays": None},
        "CapacityForecast",
    )["capacityForecast"]
    order = [f["configurationItem"]["id"] for f in forecast]
    over = ["CI-AWS-CACHE-CART", "CI-DC1-DB-HANA-01", "CI-DC1-ESX-03", "CI-DC1-SAN-01", "CI-PG-INVENTORY-01"]
    assert order == [*over, "CI-DC1-ESX-01", "CI-PG-ORDERS-01", "CI-AWS-RDS-CATALOG"]
    dates = {f["configurationItem"]["id"]: datetime.fromisoformat(f["forecastAt"]) for f in forecast}
    latest = dates["CI-DC1-SAN-01"]  # over already: the latest reading's time, within the hour before now
    assert now - timedelta(hours=1) <= latest <= now and all(dates[c] == latest for c in over)
    assert timedelta(days=10) < dates["CI-DC1-ESX-01"] - latest < timedelta(days=17)
    assert timedelta(days=12) < dates["CI-PG-ORDERS-01"] - latest < timedelta(days=19)
    assert dates["CI-AWS-RDS-CATALOG"] - latest > timedelta(days=60)
    orders = next(f for f in forecast if f["configurationItem"]["id"] == "CI-PG-ORDERS-01")
    assert orders["latest"] == 74.0 and 0.6 < orders["slopePerDay"] < 0.9
    assert "SVC-ORDERS" in {s["id"] for s in orders["services"]} and orders["owner"] == {"id": "TEAM-DBA"}
