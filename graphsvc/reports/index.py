"""/reports: every report the server prints, with what it answers and its formats, linked with sensible periods."""

from __future__ import annotations

from datetime import datetime

from graphsvc.reports.page import EXPLORE, e, page
from graphsvc.usecases.reports import agenda_period, last_full_month

__all__ = ["report_index"]


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def report_index(now: datetime) -> str:
    week = agenda_period(None, None, now)
    month = last_full_month(now)
    agenda = f"/reports/cab?from={_day(week[0])}&to={_day(week[1])}"
    sla = f"/reports/sla?from={_day(month[0])}&to={_day(month[1])}"
    reports = [
        (
            "CAB agenda",
            agenda,
            f"The changes starting {_day(week[0])} to {_day(week[1])} (the next 7 days; ?from= and ?to= for "
            "others): blocked ones first, each with its decision, risk, impact, conflicts and approvals.",
            ["md"],
        ),
        (
            "One change",
            "",
            "A change's CAB report with its blast-radius diagram:",
            [],
        ),
        (
            "SLA report",
            sla,
            f"Every SLA against its service's availability in {month[0]:%B %Y} (the last full month), breaches "
            "first, each breach explained by its incidents.",
            ["md"],
        ),
        (
            "Continuity",
            "/reports/continuity",
            "Single points of failure, RTO and RPO gaps and recovery waves, most critical services first "
            "(?service= for one).",
            ["md"],
        ),
        (
            "Policy compliance",
            "/reports/compliance",
            "Every policy with a rule checked against what it governs, worst first; unmet requirements.",
            ["md"],
        ),
        ("Cost allocation", "/reports/costs", "IT cost carried to the business units, by service.", ["csv"]),
        (
            "CMDB health",
            "/reports/health",
            "Completeness, correctness and compliance of the CMDB, with what to fix.",
            ["md", "csv"],
        ),
        (
            "Capacity forecast",
            "/reports/capacity",
            "The CIs whose utilization is forecast to reach 85 % (a line fitted over the last 30 days; ?threshold= "
            "and ?windowDays= for others), each charted, and the services at risk, earliest first.",
            ["md"],
        ),
    ]
    items = []
    for title, href, about, formats in reports:
        if not href:
            items.append(
                f'<li><span class="report">{e(title)}</span><p class="meta">{e(about)}</p>'
                '<form class="change" action="/reports/changes" method="get"><input name="id" required '
                'placeholder="change id, e.g. CHG-1002" aria-label="change id"> <button>Open</button></form></li>'
            )
            continue
        joiner = "&" if "?" in href else "?"
        other = " · ".join(f'<a href="{e(href + joiner + "format=" + f)}">{f.upper()}</a>' for f in formats)
        items.append(
            f'<li><a class="report" href="{e(href)}">{e(title)}</a> <span class="formats">HTML · {other}</span>'
            f'<p class="meta">{e(about)}</p></li>'
        )
    body = (
        "<h1>Reports</h1>"
        '<p class="meta">Printable pages for change boards, service reviews, finance and the CMDB\'s owner; '
        'each is also a command (<code>graphsvc report</code>). <a href="/graphql">Back to GraphiQL</a>.</p>'
        f'<p class="explore-line"><a class="explore" href="{EXPLORE}">Explorer</a>: the dependency graph drawn '
        "interactively, an item with its neighbours or the impact of a change; every item id in these reports "
        "opens it there.</p>"
        "<style>ul.reports{list-style:none;padding:0}ul.reports li{margin:0 0 14px}a.report{font-size:17px;"
        "font-weight:600}span.report{font-size:17px;font-weight:600}.formats{font-size:12px;color:#555;margin-left:8px}</style>"
        f'<ul class="reports">{"".join(items)}</ul>'
    )
    return page("Reports", body, now)
