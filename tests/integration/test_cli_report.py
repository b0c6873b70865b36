"""`graphsvc report change|cab` against a real Neo4j holding the demo CMDB."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from tests.integration.test_cli import env

runner = CliRunner()


def test_change_and_agenda_reports(empty_db: Connection, tmp_path: Path) -> None:
    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0

    md = runner.invoke(app, ["report", "change", "CHG-1002", "--format", "md"], env=env(empty_db))
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# Change CHG-1002: Patch PostgreSQL on pg-orders-02")
    assert (
        "| CHG-1003 | Patch PostgreSQL on pg-orders-03 | COMPOUNDED | SVC-CHECKOUT, SVC-CUSTOMER-SERVICE, SVC-ORDERS |"
        in md.stdout
    )

    out = tmp_path / "chg.html"
    html = runner.invoke(app, ["report", "change", "CHG-1001", "-o", str(out)], env=env(empty_db))
    assert html.exit_code == 0, html.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page and "x VIRTUAL_MACHINE" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing loaded from elsewhere

    cab = runner.invoke(
        app, ["report", "cab", "--from", "2026-11-20", "--to", "2026-11-29", "--format", "md"], env=env(empty_db)
    )
    assert cab.exit_code == 0, cab.output
    assert cab.stdout.startswith("# CAB agenda 2026-11-20 00:00 UTC to 2026-11-29 00:00 UTC")
    assert cab.stdout.count("\n## Change CHG-") == 9


def test_report_errors_are_clear(empty_db: Connection) -> None:
    missing = runner.invoke(app, ["report", "change", "CHG-NOPE"], env=env(empty_db))
    assert missing.exit_code == 1 and "unknown change id 'CHG-NOPE'" in missing.output
    fmt = runner.invoke(app, ["report", "change", "CHG-1", "--format", "docx"], env=env(empty_db))
    assert fmt.exit_code == 2 and "'docx' is not one of" in fmt.output and "'pdf'" in fmt.output
    period = runner.invoke(app, ["report", "cab", "--from", "soon", "--to", "2026-11-29"], env=env(empty_db))
    assert period.exit_code == 1 and "--from: 'soon' is not a date" in period.output


def test_continuity_and_sla_reports(empty_db: Connection, tmp_path: Path) -> None:
    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0
    md = runner.invoke(app, ["report", "continuity", "--service", "SVC-ERP", "--format", "md"], env=env(empty_db))
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# Service continuity\n\n## SVC-ERP: ERP &amp; Finance")
    assert "| RTO | CI-HANA-ERP-01 | 480 | 240 |" in md.stdout
    out = tmp_path / "estate.html"
    estate = runner.invoke(app, ["report", "continuity", "-o", str(out)], env=env(empty_db))
    assert estate.exit_code == 0, estate.output
    assert "<h1>Service continuity of the estate</h1>" in out.read_text(encoding="utf-8")
    sla = runner.invoke(
        app, ["report", "sla", "--from", "2026-11-10", "--to", "2026-11-11", "--format", "md"], env=env(empty_db)
    )
    assert sla.exit_code == 0, sla.output
    assert "| SLA-ONLINE-ORDERS | SVC-ORDERS | 97.7083% | 99.9000% | BREACHED |" in sla.stdout
    missing = runner.invoke(app, ["report", "continuity", "--service", "SVC-NOPE"], env=env(empty_db))
    assert missing.exit_code == 1 and "serviceId: unknown id 'SVC-NOPE'" in missing.output


def test_compliance_report(empty_db: Connection) -> None:
    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0
    md = runner.invoke(app, ["report", "compliance", "--format", "md", "--per-policy", "2"], env=env(empty_db))
    assert md.exit_code == 0, md.output
    text = md.stdout
    assert text.startswith("# Policy compliance\n")
    index = text.split("## Policies, worst first")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in index.splitlines() if line.startswith("| POL-")]
    counts = [int(r[-1].rstrip(" |")) for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert {r[0].lstrip("| ") for r in rows} >= {"POL-OWNERS", "POL-CAB", "POL-NO-SPOF"}
    owners = text.split("## POL-OWNERS:")[1].split("\n## ")[0]
    assert "OWNER_REQUIRED" in owners and "_2 more not shown._" in owners  # 4 violations, 2 listed
    assert "| REQ-B-01 |" in text.split("## Unmet requirements")[1]


def test_cost_report_csv_and_html(empty_db: Connection, tmp_path: Path) -> None:
    import csv
    from decimal import Decimal

    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0
    out = tmp_path / "costs.csv"
    done = runner.invoke(app, ["report", "costs", "-o", str(out)], env=env(empty_db))
    assert done.exit_code == 0, done.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    by_section: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_section.setdefault(r["section"], []).append(r)
    [total] = by_section["total"]
    [unallocated_total] = by_section["unallocated_total"]
    units = {r["id"]: Decimal(r["amount"]) for r in by_section["business_unit"]}
    assert sum(units.values()) + Decimal(unallocated_total["amount"]) == Decimal(total["amount"])
    for unit, amount in units.items():
        lines = [Decimal(r["amount"]) for r in by_section["business_unit_service"] if r["id"] == unit]
        assert sum(lines, Decimal(0)) == amount, unit
    assert "SVC-GIFT-CARDS" in {r["id"] for r in by_section["unallocated"]}
    assert all(r["own_cost"] for r in by_section["service"])
    html = runner.invoke(app, ["report", "costs", "--format", "html"], env=env(empty_db))
    assert html.exit_code == 0 and "<h1>IT cost allocation</h1>" in html.stdout
    bad = runner.invoke(app, ["report", "costs", "--format", "md"], env=env(empty_db))
    assert bad.exit_code == 2 and "'md' is not one of 'csv', 'html'" in bad.output


def test_reports_as_pdf_files(empty_db: Connection, tmp_path: Path) -> None:
    from pypdf import PdfReader

    assert runner.invoke(app, ["seed", "demo"], env=env(empty_db)).exit_code == 0
    for args, name in ((["change", "CHG-1002"], "chg.pdf"), (["health"], "health.pdf"), (["costs"], "costs.pdf")):
        out = tmp_path / name
        result = runner.invoke(app, ["report", *args, "--format", "pdf", "-o", str(out)], env=env(empty_db))
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(b"%PDF-")
        first = PdfReader(out).pages[0].extract_text()
        assert "generated by graphsvc at" in " ".join(first.split()) and "page 1 of" in first
