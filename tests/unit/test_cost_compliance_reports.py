"""The cost and compliance report renderers on hand-built reports: escaping, spreadsheet safety, empty estates."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from graphsvc.analysis.change_rules import Violation
from graphsvc.domain.changes import PolicyRule
from graphsvc.reports.compliance import compliance_html, compliance_markdown
from graphsvc.reports.cost import cost_csv, cost_html, money
from graphsvc.usecases.compliance import ComplianceReport, PolicyFindings
from graphsvc.usecases.cost import CostReport, ServiceCost, UnitAmount
from graphsvc.usecases.requirements import Compliance

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
D = Decimal


def cost_report() -> CostReport:
    return CostReport(
        total=D("1234.56"),
        unallocated_total=D("34.56"),
        business_units=[UnitAmount("BU-1", '=HYPERLINK("http://x")', D("1200.00"), [("SVC-1", D("1200.00"))])],
        services=[ServiceCost("SVC-1", "<b>Shop</b>", D("200.00"), D("1200.00"))],
        unallocated=[("CI-9", "-orphan", D("34.56"))],
    )


def test_csv_is_one_tidy_table_a_spreadsheet_cannot_run() -> None:
    rows = list(csv.DictReader(io.StringIO(cost_csv(cost_report()))))
    assert [r["section"] for r in rows] == [
        "total",
        "unallocated_total",
        "business_unit",
        "business_unit_service",
        "service",
        "unallocated",
    ]
    unit = rows[2]
    assert unit["name"] == '\'=HYPERLINK("http://x")' and unit["amount"] == "1200.00"
    assert rows[3]["service_name"] == "<b>Shop</b>" and rows[4]["own_cost"] == "200.00"
    assert rows[5]["name"] == "'-orphan"  # a leading minus is a formula too


def test_html_escapes_names_and_shows_money_with_separators() -> None:
    html = cost_html(cost_report(), NOW)
    assert "<b>Shop</b>" not in html and "&lt;b&gt;Shop&lt;/b&gt;" in html
    assert "1,234.56" in html and "97.2%" in html
    assert money(D("1234567.5")) == "1,234,567.50"


def test_an_empty_estate_renders_without_dividing_by_zero() -> None:
    empty = CostReport(D("0.00"), D("0.00"), [], [], [])
    html = cost_html(empty, NOW)
    assert "everything is allocated" in html and "no business unit" in html and "(—)" in html
    assert cost_csv(empty).splitlines()[1:] == ["total,,,,,,0.00", "unallocated_total,,,,,,0.00"]


def compliance() -> ComplianceReport:
    owners = PolicyRule("POL-O", "Owners | all", "OWNER_REQUIRED", {}, props={"kind": "RULE", "statement": "<i>x</i>"})
    cab = PolicyRule("POL-C", "CAB", "CAB_APPROVAL", {}, governs=frozenset({"SVC-1"}))
    violations = [Violation(owners, "OWNER_REQUIRED", f"CI-{k}", f"CI-{k} has no owner") for k in range(3)]
    requirement = Compliance({"id": "REQ-1", "name": "fast", "kind": "SERVICE"}, False, ("METRIC_MISSED",))
    return ComplianceReport([PolicyFindings(owners, violations), PolicyFindings(cab, [])], 2, [requirement])


def test_compliance_html_caps_each_policy_and_escapes() -> None:
    html = compliance_html(compliance(), NOW, per_policy=2)
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert html.count("has no owner") == 2 and "1 more not shown" in html
    assert "governs 1 item ·" in html and "governs the whole CMDB" in html
    assert compliance_html(compliance(), NOW, per_policy=0).count("has no owner") == 3


def test_compliance_markdown_keeps_tables_whole() -> None:
    md = compliance_markdown(compliance(), NOW, per_policy=0)
    assert "| POL-O | Owners \\| all | RULE | OWNER_REQUIRED | 3 |" in md
    assert "| POL-C | CAB | POLICY | CAB_APPROVAL | 0 |" in md
    assert "## POL-C" not in md  # a compliant policy is only in the index
    assert "| REQ-1 | fast | SERVICE | METRIC_MISSED |" in md
    assert "3 violations in all" in md and "2 further policies have no rule" in md


def test_markdown_text_from_the_cmdb_cannot_link_embed_or_escape_the_terminal() -> None:
    from graphsvc.reports.cab import md_text

    shown = md_text("see [the fix](http://evil.example/x) ![x](https://t.example/p.png) <img src=x> a|b \x1b[2J `c`")
    assert "](" not in shown.replace("\\](", "")  # no link or image syntax left unescaped
    assert "\\[the fix\\]" in shown and "\\!\\[x\\]" in shown
    assert "http&#58;//evil.example" in shown and "://" not in shown
    assert "<img" not in shown and "&lt;img src=x&gt;" in shown
    assert "a\\|b" in shown and "\\`c\\`" in shown
    assert "\x1b" not in shown and "\\\\x1b" in shown
    assert md_text("OWNER_REQUIRED www.example.com") == "OWNER_REQUIRED www&#46;example.com"
