"""Utilization readings and the capacity forecast (operations-now.graphql's CapacityForecast, SEMANTICS.md
"Utilization history and capacity forecast") over the real app and Neo4j: rising, flat and falling lines, a CI
already above the threshold, too few readings, readings outside the window; bad batches refused with each reading's
position and nothing written; a long history downsampled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import GraphQLClient, bearer, operation
from tests.conftest import REPO, load_json, make_token
from tests.e2e.conftest import serve_asgi

SMALL = load_json(REPO / "tests" / "fixtures" / "small.json")
RECORD = """
mutation($r: [UtilizationReadingInput!]!) {
  recordUtilization(readings: $r) {
    __typename
    ... on RecordUtilizationPayload { readings configurationItems days utilizationUpdated }
    ... on InvalidInput { message problems { field message } }
  }
}
"""
NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(days=20, hours=1)  # the first reading of the lines, well inside a 30-day window


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def line(ci: str, start: float, per_day: float, days: int = 21, first: datetime = T0) -> list[dict[str, Any]]:
    """One reading a day for `days` days from `first`, on a straight line."""
    return [{"ci": ci, "at": stamp(first + timedelta(days=k)), "percent": start + per_day * k} for k in range(days)]


def record(api: GraphQLClient, readings: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = api.data(RECORD, {"r": readings})["recordUtilization"]
    return result


def forecast(api: GraphQLClient, **variables: Any) -> list[dict[str, Any]]:
    document = operation("operations-now.graphql", "CapacityForecast")
    rows: list[dict[str, Any]] = api.data(document, variables, operation_name="CapacityForecast")["capacityForecast"]
    return rows


def stored(driver: Driver, database: str) -> tuple[int, int, list[Any]]:
    """(day buckets, readings in them, every CI's utilization) as Neo4j holds them."""
    records, _, _ = driver.execute_query(
        "CALL () { MATCH (d:UtilizationDay) RETURN count(d) AS days, sum(size(d.ms)) AS readings } "
        "CALL () { MATCH (c:ConfigurationItem) RETURN collect([c.id, c.utilization]) AS u } RETURN days, readings, u",
        database_=database,
    )
    r = records[0]
    return int(r["days"]), int(r["readings"] or 0), sorted(r["u"])


@pytest.fixture
def estate(api: GraphQLClient) -> GraphQLClient:
    """small.json with one line per CI: rising, flat, falling, above the threshold, too few, outside the window."""
    api.data("mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": SMALL})
    readings = (
        line("CI-APP-1", 40, 1)  # rising: 60 now, reaches 85 at T0 + 45 days
        + line("CI-DB-1", 50, 0)  # flat: never
        + line("CI-DB-2", 80, -1)  # falling: never
        + line("CI-SAN-1", 70, 10, days=3, first=NOW - timedelta(days=3))  # 90 now: already above
        + line("CI-DB-3", 10, 30, days=2)  # steep, but two readings are too few
        + line("CI-MON", 50, 1, days=10, first=NOW - timedelta(days=60))  # rising, but 51 to 60 days ago
    )
    done = record(api, readings)
    assert done["__typename"] == "RecordUtilizationPayload", done
    assert (done["readings"], done["configurationItems"], done["days"]) == (21 * 3 + 3 + 2 + 10, 6, 21 * 3 + 15)
    return api


def near(text: str, expected: datetime) -> bool:
    return abs(datetime.fromisoformat(text) - expected) < timedelta(seconds=1)


def test_the_forecast_lists_the_cis_that_reach_the_threshold(estate: GraphQLClient) -> None:
    rows = forecast(estate, threshold=85, windowDays=30)
    assert [r["configurationItem"]["id"] for r in rows] == ["CI-SAN-1", "CI-APP-1"]
    san, app = rows
    # already above: the forecast date is its latest reading's time
    assert (san["latest"], san["slopePerDay"]) == (90.0, pytest.approx(10.0))
    assert near(san["forecastAt"], NOW - timedelta(days=1))
    assert san["services"] == [{"id": "SVC-ORDERS"}, {"id": "SVC-SHOP"}]  # through the database cluster
    assert san["owner"] is None
    # rising a point a day from 40 at T0: 85 at T0 + 45 days
    assert (app["latest"], app["slopePerDay"]) == (60.0, pytest.approx(1.0))
    assert near(app["forecastAt"], T0 + timedelta(days=45))
    assert app["services"] == [{"id": "SVC-SHOP"}]
    assert app["owner"] == {"id": "T-WEB"}


def test_the_window_and_the_threshold_decide(estate: GraphQLClient) -> None:
    # a 90-day window takes in CI-MON's old line: 50 a point a day from 60 days ago, whose fitted line reached 85
    # 25 days ago (SEMANTICS.md takes the line as it is: its date is in the past, so it comes first)
    wide = forecast(estate, threshold=85, windowDays=90)
    assert [r["configurationItem"]["id"] for r in wide] == ["CI-MON", "CI-SAN-1", "CI-APP-1"]
    assert near(wide[0]["forecastAt"], NOW - timedelta(days=25))
    assert wide[0]["latest"] == 59.0
    # at 55 the rising and the falling CI (60 now) are already above; the flat one at 50 never gets there
    low = forecast(estate, threshold=55, windowDays=30)
    assert [r["configurationItem"]["id"] for r in low] == ["CI-SAN-1", "CI-APP-1", "CI-DB-2"]
    assert near(low[1]["forecastAt"], T0 + timedelta(days=20))
    assert low[2]["slopePerDay"] == pytest.approx(-1.0)
    # the defaults are 85 and 30 days
    assert [r["configurationItem"]["id"] for r in forecast(estate)] == ["CI-SAN-1", "CI-APP-1"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"threshold": 101}, "thresholdPercent must be between 0 and 100"),
        ({"threshold": -1}, "thresholdPercent must be between 0 and 100"),
        ({"windowDays": 0}, "windowDays must be between 1 and 365"),
        ({"windowDays": 366}, "windowDays must be between 1 and 365"),
    ],
)
def test_bad_arguments_are_refused(api: GraphQLClient, variables: dict[str, Any], message: str) -> None:
    answer = api.post(operation("operations-now.graphql", "CapacityForecast"), variables, "CapacityForecast")
    assert answer["data"] == {"capacityForecast": None}
    assert message in answer["errors"][0]["message"]


def test_a_ci_utilization_is_its_latest_reading(estate: GraphQLClient) -> None:
    query = '{ configurationItem(id: "CI-APP-1") { utilization } }'
    assert estate.data(query)["configurationItem"]["utilization"] == 60.0
    # an older reading is kept in the history but does not move `utilization`
    older = record(estate, [{"ci": "CI-APP-1", "at": stamp(T0 - timedelta(days=1)), "percent": 5}])
    assert older["utilizationUpdated"] == []
    assert estate.data(query)["configurationItem"]["utilization"] == 60.0
    # a newer one does; and a reading at a time already held replaces it
    newer = record(estate, [{"ci": "CI-APP-1", "at": stamp(NOW), "percent": 61.5}])
    assert newer["utilizationUpdated"] == ["CI-APP-1"]
    assert estate.data(query)["configurationItem"]["utilization"] == 61.5
    record(estate, [{"ci": "CI-APP-1", "at": stamp(NOW), "percent": 62}])
    history = estate.data(
        'query($f: DateTime!) { configurationItem(id: "CI-APP-1") { utilizationHistory(from: $f) '
        "{ resolution points { at percent } } } }",
        {"f": stamp(T0 - timedelta(days=1))},
    )["configurationItem"]["utilizationHistory"]
    assert history["resolution"] == "RAW"
    points = history["points"]
    assert [p["percent"] for p in points] == [5.0, *(40.0 + k for k in range(21)), 62.0]
    assert points[0]["at"] == (T0 - timedelta(days=1)).isoformat()
    # the history is [from, to): `to` itself is left out
    window = estate.data(
        'query($f: DateTime!, $t: DateTime!) { configurationItem(id: "CI-APP-1") { utilizationHistory(from: $f, '
        "to: $t) { points { percent } } } }",
        {"f": stamp(T0), "t": stamp(T0 + timedelta(days=2))},
    )["configurationItem"]["utilizationHistory"]["points"]
    assert window == [{"percent": 40.0}, {"percent": 41.0}]


def test_bad_readings_are_refused_with_their_position_and_nothing_is_written(
    estate: GraphQLClient, sync_driver: Driver, migrated: Connection
) -> None:
    before = stored(sync_driver, migrated.database)
    batch = [
        {"ci": "CI-DB-1", "at": stamp(NOW), "percent": 55},
        {"ci": "CI-DB-1", "at": stamp(NOW - timedelta(hours=1)), "percent": 56},
        {"ci": "CI-DB-2", "at": stamp(NOW), "percent": 57},
        {"ci": "CI-DB-2", "at": stamp(NOW - timedelta(hours=2)), "percent": 104},
        {"ci": "CI-NOPE", "at": stamp(NOW), "percent": 10},
        {"ci": "CI-DB-3", "at": stamp(NOW + timedelta(hours=1)), "percent": 10},
        {"ci": "SVC-SHOP", "at": stamp(NOW), "percent": 10},
        {"ci": "CI-DB-3", "at": stamp(NOW), "percent": -0.5},
    ]
    refused = record(estate, batch)
    assert refused["__typename"] == "InvalidInput"
    fields = [(p["field"], p["message"]) for p in refused["problems"]]
    assert [f for f, _ in fields] == [
        "readings[3].percent",
        "readings[4].ci",
        "readings[5].at",
        "readings[6].ci",
        "readings[7].percent",
    ]
    assert fields[0][1] == "104 is outside 0..100"
    assert "readings[3].percent: 104 is outside 0..100" in refused["message"]
    assert fields[1][1] == "unknown id 'CI-NOPE'"
    assert "is in the future" in fields[2][1]
    assert fields[3][1] == "'SVC-SHOP' is a SERVICE, not a CONFIGURATION_ITEM"
    assert stored(sync_driver, migrated.database) == before
    # a few minutes ahead of the clock is skew, not the future
    skewed = record(estate, [{"ci": "CI-DB-3", "at": stamp(datetime.now(UTC) + timedelta(minutes=2)), "percent": 1}])
    assert skewed["__typename"] == "RecordUtilizationPayload", skewed


def test_a_batch_is_audited_once(estate: GraphQLClient) -> None:
    log = estate.data(
        "query($s: DateTime!) { auditLog(since: $s, first: 100) { entries { action itemId after } } }",
        {"s": stamp(NOW - timedelta(hours=1))},
    )["auditLog"]["entries"]
    batches = [e for e in log if e["action"] == "recordUtilization"]
    assert len(batches) == 1
    assert batches[0]["after"]["readings"] == 21 * 3 + 15 and batches[0]["after"]["cis"] == 6


def test_a_long_history_comes_as_hourly_means(api: GraphQLClient) -> None:
    api.data("mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": SMALL})
    start = (NOW - timedelta(days=3)).replace(minute=0, second=0)
    # 2,100 readings a minute apart (35 hours): more than the 2,000 a history shows raw
    minutes = [{"ci": "CI-DB-1", "at": stamp(start + timedelta(minutes=i)), "percent": i % 60} for i in range(2100)]
    assert record(api, minutes)["readings"] == 2100
    history = api.data(
        'query($f: DateTime!) { configurationItem(id: "CI-DB-1") { utilizationHistory(from: $f) '
        "{ resolution points { at percent } } } }",
        {"f": stamp(start)},
    )["configurationItem"]["utilizationHistory"]
    assert history["resolution"] == "HOURLY"
    assert len(history["points"]) == 35
    assert {p["percent"] for p in history["points"]} == {29.5}  # the mean of 0..59
    assert history["points"][1]["at"] == (start + timedelta(hours=1)).isoformat()


@pytest.fixture
def small_batches(migrated: Connection, sync_driver: Driver) -> Iterator[GraphQLClient]:
    """The app with at most 5 readings a batch."""
    from tests.conftest import wipe

    wipe(sync_driver, migrated.database)
    token = make_token(sync_driver, migrated.database, "admin")
    app = create_app(Settings(max_utilization_batch=5), connection=migrated)
    with serve_asgi(app) as base_url, httpx.Client(base_url=base_url, timeout=60, headers=bearer(token)) as client:
        yield GraphQLClient(client)


def test_a_batch_too_large_is_refused(small_batches: GraphQLClient, sync_driver: Driver, migrated: Connection) -> None:
    small_batches.data("mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": SMALL})
    refused = record(small_batches, line("CI-DB-1", 50, 0, days=6))
    assert refused["__typename"] == "InvalidInput"
    assert "6 readings in one batch; at most 5" in refused["message"]
    assert stored(sync_driver, migrated.database)[:2] == (0, 0)
    assert record(small_batches, line("CI-DB-1", 50, 0, days=5))["readings"] == 5


def test_a_deleted_ci_takes_its_readings(estate: GraphQLClient, sync_driver: Driver, migrated: Connection) -> None:
    days, readings, _ = stored(sync_driver, migrated.database)
    done = estate.data('mutation { deleteItem(id: "CI-DB-2", detach: true) { __typename } }')
    assert done["deleteItem"]["__typename"] == "Deleted", done
    assert stored(sync_driver, migrated.database)[:2] == (days - 21, readings - 21)
    assert [r["configurationItem"]["id"] for r in forecast(estate, threshold=55)] == ["CI-SAN-1", "CI-APP-1"]


def test_the_window_cuts_its_first_day_at_its_start(estate: GraphQLClient) -> None:
    ids = "{ capacityForecast { configurationItem { id } readings } }"
    # CI-DB-3 has two readings: too few. One just before the window (on its first day, most hours of the day) stays
    # out; one just inside makes three, a rising line
    before = record(estate, [{"ci": "CI-DB-3", "at": stamp(NOW - timedelta(days=30, minutes=30)), "percent": 0}])
    assert before["__typename"] == "RecordUtilizationPayload"
    assert "CI-DB-3" not in [r["configurationItem"]["id"] for r in estate.data(ids)["capacityForecast"]]
    inside = record(estate, [{"ci": "CI-DB-3", "at": stamp(NOW - timedelta(days=29, hours=23)), "percent": 0}])
    assert inside["__typename"] == "RecordUtilizationPayload"
    listed = {r["configurationItem"]["id"]: r["readings"] for r in estate.data(ids)["capacityForecast"]}
    assert listed["CI-DB-3"] == 3
