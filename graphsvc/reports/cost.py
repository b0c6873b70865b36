"""The cost report for finance: a statement per business unit, each service's own and total cost, the unallocated.

HTML is a printable offline page with a bar chart of the units; CSV is one tidy table (a `section` column says
what each row is) that opens in any spreadsheet.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from html import escape

from graphsvc.reports.page import csv_cell, e, explore_link, explore_open, page, table
from graphsvc.usecases.cost import CostReport

__all__ = ["CSV_COLUMNS", "cost_csv", "cost_html", "money"]

CSV_COLUMNS = ("section", "id", "name", "service_id", "service_name", "own_cost", "amount")
BAR_W, BAR_H, LABEL_W, PAD = 420, 22, 220, 8


def money(amount: Decimal) -> str:
    """12345.6 -> "12,345.60" (the CMDB's monthly costs carry no currency, so none is shown)."""
    return f"{amount:,.2f}"


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100):.1f}%" if whole else "—"


def _bars(report: CostReport) -> str:
    """Business units by monthly amount, largest first, as horizontal bars."""
    units = sorted(report.business_units, key=lambda u: (-u.amount, u.id))
    if not units:
        return ""
    top = max(u.amount for u in units) or Decimal(1)
    width = LABEL_W + BAR_W + 120
    height = PAD * 2 + len(units) * (BAR_H + 6)
    title = "Monthly IT cost by business unit"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}" font-family="system-ui, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for k, u in enumerate(units):
        y = PAD + k * (BAR_H + 6)
        w = max(1.0, float(u.amount / top) * BAR_W) if u.amount else 0.0
        label = u.name if len(u.name) <= 30 else u.name[:29] + "…"
        parts += [
            f'<text x="{LABEL_W - 8}" y="{y + 15}" font-size="12" text-anchor="end">{escape(label)}</text>',
            f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H}" rx="3" fill="#0b57d0">'
            f"<title>{escape(u.id)}: {money(u.amount)}</title></rect>",
            f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 15}" font-size="12">{money(u.amount)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def cost_html(report: CostReport, generated_at: datetime) -> str:
    names = {s.id: s.name for s in report.services}
    allocated = report.total - report.unallocated_total
    facts = [
        f"Total monthly cost: {money(report.total)}",
        f"Allocated to {len(report.business_units)} business units: {money(allocated)} "
        f"({_pct(allocated, report.total)})",
        f"Unallocated: {money(report.unallocated_total)} ({_pct(report.unallocated_total, report.total)}) "
        f"on {len(report.unallocated)} items",
    ]
    body = [
        "<h1>IT cost allocation</h1>",
        '<p class="meta">Monthly cost carried through the dependency graph to the business units that consume it: '
        "each item's cost is shared by what depends on it, then each service's by its consumers. Amounts are "
        "rounded to cents so that every statement adds up.</p>",
        '<ul class="facts">' + "".join(f"<li>{e(f)}</li>" for f in facts) + "</ul>",
        "<h2>By business unit</h2>",
        f'<div class="bars">{_bars(report)}</div>',
        table(
            ["Business unit", "Name", "Monthly cost", "Share of total"],
            [
                (f'<a href="#{e(u.id)}">{e(u.id)}</a>', e(u.name), money(u.amount), _pct(u.amount, report.total))
                for u in report.business_units
            ],
            empty="no business unit",
            numeric=[2, 3],
        ),
    ]
    for u in report.business_units:
        body += [
            f'<section class="statement-unit" id="{e(u.id)}"><h2>Statement: {explore_link(u.id)} {e(u.name)}</h2>',
            '<p class="meta">'
            + explore_open("where its cost comes from, in the explorer", overlay="cost", unit=u.id)
            + "</p>",
            table(
                ["Service", "Name", "Amount", "Share of unit"],
                [(explore_link(s), e(names.get(s, s)), money(a), _pct(a, u.amount)) for s, a in u.by_service]
                + [("<strong>Total</strong>", "", f"<strong>{money(u.amount)}</strong>", "")],
                empty="consumes no service",
                numeric=[2, 3],
            )
            if u.by_service
            else '<p class="none">consumes no service</p>',
            "</section>",
        ]
    body += [
        "<h2>Services: own cost and total</h2>",
        '<p class="meta">Total = own cost plus everything that flows in from what the service depends on '
        "(members of a cycle each show the cycle's pooled total).</p>",
        table(
            ["Service", "Name", "Own cost", "Total"],
            [(explore_link(s.id), e(s.name), money(s.own_cost), money(s.total)) for s in report.services],
            empty="no service",
            numeric=[2, 3],
        ),
        "<h2>Unallocated</h2>",
        '<p class="meta">Cost that reaches no business unit: a service nobody consumes, a CI nothing needs.</p>',
        table(
            ["Item", "Name", "Amount"],
            [(explore_link(i), e(n), money(a)) for i, n, a in report.unallocated],
            empty="everything is allocated",
            numeric=[2],
        ),
    ]
    return page("IT cost allocation", "".join(body), generated_at)


def cost_csv(report: CostReport) -> str:
    """One row per statement line: sections total, business_unit, business_unit_service, service, unallocated."""
    names = {s.id: s.name for s in report.services}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    w.writerow(csv_cell(c) for c in ("total", "", "", "", "", "", report.total))
    w.writerow(csv_cell(c) for c in ("unallocated_total", "", "", "", "", "", report.unallocated_total))
    for u in report.business_units:
        w.writerow(csv_cell(c) for c in ("business_unit", u.id, u.name, "", "", "", u.amount))
        for s, a in u.by_service:
            w.writerow(csv_cell(c) for c in ("business_unit_service", u.id, u.name, s, names.get(s, s), "", a))
    for sc in report.services:
        w.writerow(csv_cell(c) for c in ("service", sc.id, sc.name, "", "", sc.own_cost, sc.total))
    for i, n, a in report.unallocated:
        w.writerow(csv_cell(c) for c in ("unallocated", i, n, "", "", "", a))
    return out.getvalue()
