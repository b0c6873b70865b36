"""The capacity report (/reports/capacity and `graphsvc report capacity`) over the real app and Neo4j: small.json
with rising, flat and falling readings, a CI already above the threshold, one with too few readings; the services
at risk earliest first, a chart per forecast CI, the empty state, and bad parameters refused by name."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from tests.api.conftest import GraphQLClient, bearer
from tests.api.test_capacity_forecast import NOW, SMALL, T0, line, record
from tests.conftest import make_token
from tests.integration.test_cli import env

runner = CliRunner()
# a service at risk: its id, linked to the explorer focused on it
AT_RISK = r'<tr class="at-risk"><td><a class="explore" href="/explore\?focus=([^"]+)">([^<]+)</a></td>'


def rows_of(markdown: str, section: str) -> list[list[str]]:
    """The cells of the table under `## section`."""
    part = markdown.split(f"## {section}\n")[1].split("\n## ")[0]
    return [
        [c.strip() for c in ln.strip("|").split(" | ")]
        for ln in part.splitlines()
        if ln.startswith("| ") and not ln.startswith("| ---")
    ][1:]


@pytest.fixture
def estate(api: GraphQLClient) -> GraphQLClient:
    """small.json: CI-APP-1 already above 85, CI-SAN-1 rising to 85 in a few days, CI-MON rising to it in months,
    CI-DB-1 flat, CI-DB-2 falling, CI-DB-3 with two readings only."""
    api.data("mutation($d: JSON!) { importCmdb(document: $d) { created } }", {"d": SMALL})
    readings = (
        line("CI-APP-1", 70, 10, days=3, first=NOW - timedelta(days=3))  # 90 a day ago: above
        + line("CI-SAN-1", 50, 1.5)  # 80 now, 85 at T0 + 23 1/3 days
        + line("CI-MON", 20, 0.5)  # 30 now, 85 at T0 + 130 days
        + line("CI-DB-1", 50, 0)  # flat
        + line("CI-DB-2", 80, -1)  # falling
        + line("CI-DB-3", 10, 30, days=2)  # too few
    )
    done = record(api, readings)
    assert done["__typename"] == "RecordUtilizationPayload", done
    return api


def test_the_report_lists_the_services_at_risk_earliest_first(estate: GraphQLClient) -> None:
    md = estate.http.get("/reports/capacity", params={"format": "md"})
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    text = md.text
    assert text.startswith("# Capacity forecast\n")
    assert "- 3 CIs forecast to reach 85 %, 1 of them already at or above it" in text
    assert "- 2 services at risk" in text
    assert "- 1 CI had too few readings in the window (fewer than 3) to forecast: CI-DB-3" in text
    services = rows_of(text, "Services at risk")
    # SVC-SHOP first (CI-APP-1 is above now), then SVC-ORDERS (CI-SAN-1, in three days): not in id order
    assert [r[0] for r in services] == ["SVC-SHOP", "SVC-ORDERS"]
    assert services[0][1] == "Web Shop" and services[1][1] == "Order Database Service"
    san = (T0 + timedelta(days=35 / 1.5)).strftime("%Y-%m-%d")
    mon = (T0 + timedelta(days=130)).strftime("%Y-%m-%d")
    above = (NOW - timedelta(days=1)).strftime("%Y-%m-%d")
    assert services[0][3] == f"CI-APP-1 {above} (already above); CI-SAN-1 {san}; CI-MON {mon}"
    assert services[1][3] == f"CI-SAN-1 {san}"
    cis = rows_of(text, "CIs forecast to reach 85 %")
    assert [(r[0], r[2], r[3]) for r in cis] == [
        ("CI-APP-1", "90.0 %", "+10.00"),
        ("CI-SAN-1", "80.0 %", "+1.50"),
        ("CI-MON", "30.0 %", "+0.50"),
    ]
    assert cis[0][4].endswith("(already above)") and cis[0][6] == "T-WEB"
    assert cis[1][5] == "SVC-ORDERS, SVC-SHOP"

    page = estate.http.get("/reports/capacity")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert re.findall(AT_RISK, html) == [("SVC-SHOP", "SVC-SHOP"), ("SVC-ORDERS", "SVC-ORDERS")]
    cards = re.findall(r'<section class="ci-card( above)?" id="ci-([^"]+)">', html)
    assert cards == [(" above", "CI-APP-1"), ("", "CI-SAN-1"), ("", "CI-MON")]
    charts = html.split('<section class="ci-card')[1:]
    assert all(c.count('<svg xmlns="http://www.w3.org/2000/svg" class="capacity-chart"') == 1 for c in charts)
    # CI-SAN-1: its 21 readings, the line, the threshold and a marker at its date; CI-MON's date is off the chart
    assert charts[1].split('class="readings" points="')[1].split('"')[0].count(",") == 21
    assert 'class="fit"' in charts[1] and 'class="threshold"' in charts[1]
    assert 'class="forecast"' in charts[1] and f">{san}</text>" in charts[1]
    assert 'class="forecast"' not in charts[2] and f"&#8594; {mon}</text>" in charts[2]
    assert "CI-DB-1" not in html and "CI-DB-2" not in html  # flat and falling: never


def test_the_threshold_and_the_window_are_parameters(estate: GraphQLClient) -> None:
    # at 75 CI-SAN-1 (80 now) is above too; CI-DB-2, falling from 80, was above at first but is at 60 now
    md = estate.http.get("/reports/capacity", params={"format": "md", "threshold": "75", "windowDays": "30"}).text
    assert [r[0] for r in rows_of(md, "CIs forecast to reach 75 %")] == ["CI-APP-1", "CI-SAN-1", "CI-MON"]
    assert [r[4].endswith("(already above)") for r in rows_of(md, "CIs forecast to reach 75 %")] == [
        True,
        True,
        False,
    ]
    # over the last 2 days every line has two readings at most (CI-APP-1 one): too few, so nothing is at risk
    short = estate.http.get("/reports/capacity", params={"format": "md", "windowDays": "2"}).text
    assert "_No CI is forecast to reach 85 % (lines fitted over the last 2 days)._" in short
    assert "- 5 CIs had too few readings in the window (fewer than 3) to forecast:" in short
    html = estate.http.get("/reports/capacity", params={"windowDays": "2"}).text
    assert '<p class="none empty">No CI is forecast to reach 85 % (lines fitted over the last 2 days).</p>' in html
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"threshold": "high"}, "threshold: 'high' is not a number"),
        ({"threshold": "nan"}, "threshold: 'nan' is not a number"),
        ({"threshold": "101"}, "threshold: 101 is not between 0 and 100 (percent)"),
        ({"windowDays": "0"}, "windowDays: '0' is not a whole number of days from 1 to 365"),
        ({"windowDays": "2.5"}, "windowDays: '2.5' is not a whole number of days from 1 to 365"),
        ({"windowDays": "366"}, "windowDays: '366' is not a whole number of days from 1 to 365"),
        ({"format": "csv"}, "format: 'csv' is not one of html, md, pdf"),
    ],
)
def test_bad_parameters_are_refused_by_name(api: GraphQLClient, params: dict[str, str], message: str) -> None:
    answer = api.http.get("/reports/capacity", params=params)
    assert answer.status_code == 400 and answer.text == message


def test_the_cli_writes_the_report(estate: GraphQLClient, empty_db: Connection, tmp_path: Path) -> None:
    out = tmp_path / "capacity.html"
    done = runner.invoke(app, ["report", "capacity", "-o", str(out)], env=env(empty_db))
    assert done.exit_code == 0, done.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count('class="capacity-chart"') == 3
    assert re.findall(AT_RISK, page) == [("SVC-SHOP", "SVC-SHOP"), ("SVC-ORDERS", "SVC-ORDERS")]
    md = runner.invoke(
        app, ["report", "capacity", "--threshold", "75", "--window-days", "30", "--format", "md"], env=env(empty_db)
    )
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# Capacity forecast\n") and "## CIs forecast to reach 75 %" in md.stdout
    pdf = tmp_path / "capacity.pdf"
    printed = runner.invoke(app, ["report", "capacity", "--format", "pdf", "-o", str(pdf)], env=env(empty_db))
    assert printed.exit_code == 0, printed.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    as_of = runner.invoke(app, ["report", "capacity", "--as-of", "2026-11-01"], env=env(empty_db))
    assert as_of.exit_code == 1 and "--as-of: the capacity forecast is of the readings as they are now" in as_of.output
    bad = runner.invoke(app, ["report", "capacity", "--threshold", "120"], env=env(empty_db))
    assert bad.exit_code == 2 and "--threshold" in bad.output


def test_the_report_needs_the_analyst_role(api: GraphQLClient, sync_driver: Driver, empty_db: Connection) -> None:
    url = f"{api.http.base_url}/reports/capacity"
    assert httpx.get(url, timeout=30).status_code == 401
    viewer = httpx.get(url, headers=bearer(make_token(sync_driver, empty_db.database, "viewer")), timeout=30)
    assert viewer.status_code == 403 and "/reports/capacity needs the analyst role" in viewer.text
    analyst = httpx.get(url, headers=bearer(make_token(sync_driver, empty_db.database, "analyst")), timeout=30)
    assert analyst.status_code == 200 and "No CI is forecast to reach 85 %" in analyst.text
