"""Reading a Prometheus range query's answer as utilization readings: series mapped by cmdb_id or instance host,
fractions scaled, every bad value named by its place, unmapped series reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from graphsvc.discovery.documents import DiscoveryInputError
from graphsvc.discovery.prometheus import map_series, read_range_query
from tests.conftest import REPO

RANGE = REPO / "tests" / "fixtures" / "prometheus" / "range.json"
NOW = datetime(2026, 12, 4, tzinfo=UTC)


def answer(*series: dict[str, object], kind: str = "matrix") -> bytes:
    return json.dumps({"status": "success", "data": {"resultType": kind, "result": list(series)}}).encode()


def test_a_range_query_maps_by_cmdb_id_then_instance_host() -> None:
    series = read_range_query("range.json", RANGE.read_bytes(), fractions=False, now=NOW)
    assert [s.where for s in series] == [f"data.result[{i}]" for i in range(4)]
    assert series[1].host == "lon-app-01" and series[0].host is None
    found = map_series(series, {"CI-DB-1"}, {"lon-app-01": ["CI-APP-1"]})
    assert found.mapped == {"data.result[0]": "CI-DB-1", "data.result[1]": "CI-APP-1"}
    assert len(found.readings) == 12
    first = found.readings[0]
    assert (first.ci, first.at, first.percent) == ("CI-DB-1", datetime(2025, 11, 24, 16, tzinfo=UTC), 60.0)
    reasons = [why for _, why in found.unmapped]
    assert reasons == [
        "no CI has the hostname 'build-agent-7'",
        "cmdb_id 'CI-GONE' is no configuration item in the CMDB",
    ]
    two = map_series(series[1:2], set(), {"lon-app-01": ["CI-A", "CI-B"]})
    assert two.readings == [] and "2 CIs have the hostname 'lon-app-01'" in two.unmapped[0][1]


def test_fractions_bare_data_vectors_and_ipv6_instances() -> None:
    bare = json.dumps(
        {"resultType": "vector", "result": [{"metric": {"instance": "[::1]:9100"}, "value": [1764000000, "0.42"]}]}
    ).encode()
    [s] = read_range_query("v.json", bare, fractions=True, now=NOW)
    assert s.where == "result[0]" and s.host == "::1" and s.points[0][1] == pytest.approx(42.0)


def test_every_bad_value_is_named_and_nothing_is_read() -> None:
    data = answer(
        {"metric": {"cmdb_id": "A"}, "values": [[1764000000, "NaN"], [1764000060, "140"], [1764000120, "50"]]},
        {"metric": {"cmdb_id": "B"}, "values": [[1900000000, "50"], ["soon", "1"]]},
        {"metric": "cpu", "values": []},
    )
    with pytest.raises(DiscoveryInputError) as caught:
        read_range_query("bad.json", data, fractions=False, now=NOW)
    text = str(caught.value)
    assert "bad.json: 5 bad value(s); nothing was written" in text
    assert "data.result[0].values[0]: 'NaN' is not a finite number" in text
    assert "data.result[0].values[1]: 140 is outside 0..100 percent (values from 0 to 1? give --fractions)" in text
    assert "data.result[1].values[0]: 2030-03-17T17:46:40+00:00 is in the future" in text
    assert "data.result[1].values[1]: not a [unix time" in text
    assert "data.result[2].metric: not an object of string labels" in text
    for broken, says in [
        (b"[]", "not a Prometheus query answer"),
        (b"{", "not JSON"),
        (b'{"status": "error", "error": "bad_data: parse error"}', "Prometheus answered an error: bad_data"),
        (answer(kind="scalar"), "resultType must be matrix"),
    ]:
        with pytest.raises(DiscoveryInputError, match=says):
            read_range_query("x.json", broken, fractions=False, now=NOW)
