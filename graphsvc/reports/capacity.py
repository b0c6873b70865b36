"""The capacity report for capacity management: the services at risk, earliest first, then a small chart per CI
forecast to reach the threshold (SEMANTICS.md, "Utilization history and capacity forecast").

HTML is a printable offline page (inline SVG, no script); Markdown the same without the charts, for a ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from graphsvc.reports.cab import md_table, md_text
from graphsvc.reports.chart import FittedLine, capacity_chart
from graphsvc.reports.page import e, explore_link, explore_links, page, table, ts
from graphsvc.usecases.capacity_report import CapacityReport
from graphsvc.usecases.utilization import CapacityForecastEntry

__all__ = ["capacity_html", "capacity_markdown", "fitted_line"]

TITLE = "Capacity forecast"
LISTED = 20  # CIs with too few readings named (the rest counted)

CSS = """<style>
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 14px 20px; }
.ci-card { border: 1px solid #e3e5e8; border-radius: 8px; padding: 10px 12px; break-inside: avoid; }
.ci-card.above { border-color: #b3261e; border-left-width: 4px; }
.at-risk td:first-child, .at-risk td:nth-child(3) { white-space: nowrap; }
.ci-card h3 { font-size: 14px; margin: 0 0 2px; } .ci-card .ci-name { font-weight: 400; color: #444; }
.ci-card .figures { margin: 0 0 6px; font-size: 12px; color: #444; }
.capacity-chart { display: block; width: 100%; height: auto; }
.badge.ABOVE { background: #b3261e; } .when.above { color: #b3261e; font-weight: 600; }
.chart-legend { font-size: 12px; color: #444; } .chart-legend i { display: inline-block; width: 16px; height: 0;
  vertical-align: 3px; margin: 0 4px 0 10px; border-top: 2px solid; }
@media print { .charts { display: block; }
  .ci-card { display: flex; gap: 12px; align-items: flex-start; margin: 0 0 8px; padding: 6px 10px; }
  .ci-card .about { flex: 1; } .capacity-chart { flex: none; width: 360px; }
  .ci-card, .badge.ABOVE { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>"""


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pct(value: float) -> str:
    return f"{value:g} %"


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d")


def _above(entry: CapacityForecastEntry, threshold: float) -> bool:
    return entry.forecast.latest.percent >= threshold


def fitted_line(entry: CapacityForecastEntry, points: Sequence[tuple[datetime, float]], threshold: float) -> FittedLine:
    """The forecast's line: through the threshold at the forecast date when the CI is still below it; for one already
    above, through the readings' centroid (a least-squares line passes through it) with the forecast's slope."""
    f = entry.forecast
    if f.latest.percent < threshold:
        return FittedLine(f.forecast_at, threshold, f.slope_per_day)
    if not points:
        return FittedLine(f.latest.at, f.latest.percent, f.slope_per_day)
    origin = points[0][0]
    mean_s = sum((at - origin).total_seconds() for at, _ in points) / len(points)
    mean_y = sum(p for _, p in points) / len(points)
    return FittedLine(origin + timedelta(seconds=mean_s), mean_y, f.slope_per_day)


def _when(entry: CapacityForecastEntry, threshold: float) -> str:
    """The forecast date as the page shows it, marked when the CI is already above."""
    if _above(entry, threshold):
        return (
            f'<span class="when above">{e(ts(entry.forecast.forecast_at))}</span> '
            f'<span class="badge ABOVE">already above</span>'
        )
    return f'<span class="when">{e(ts(entry.forecast.forecast_at))}</span>'


def _ci_link(report: CapacityReport, entry: CapacityForecastEntry) -> str:
    """The CI's id, linked to its chart when it has one."""
    ci = e(entry.ci["id"])
    return f'<a href="#ci-{ci}">{ci}</a>' if entry.ci["id"] in report.histories else ci


def _facts(report: CapacityReport) -> list[str]:
    t = _pct(report.threshold)
    above = sum(_above(x, report.threshold) for x in report.entries)
    facts = [
        f"{_n(len(report.entries), 'CI')} forecast to reach {t}, {above} of them already at or above it",
        f"{_n(len(report.services), 'service')} at risk",
    ]
    few = report.too_few
    if few:
        named = ", ".join(few[:LISTED]) + (f" and {len(few) - LISTED} more" if len(few) > LISTED else "")
        facts.append(f"{_n(len(few), 'CI')} had too few readings in the window (fewer than 3) to forecast: {named}")
    else:
        facts.append("no CI with readings in the window had too few of them (fewer than 3) to forecast")
    return facts


def _intro(report: CapacityReport) -> str:
    return (
        f"CIs whose least-squares line through their utilization readings of the last {report.window_days} days "
        f"({_day(report.start)} to {_day(report.generated_at)}) reaches {_pct(report.threshold)}, and the services "
        "that depend on them. A CI whose latest reading is already at or above the threshold is forecast at that "
        "reading's time."
    )


def _empty(report: CapacityReport) -> str:
    return (
        f"No CI is forecast to reach {_pct(report.threshold)} (lines fitted over the last {report.window_days} days)."
    )


def _ci_card(report: CapacityReport, entry: CapacityForecastEntry) -> str:
    ci, f, t = entry.ci, entry.forecast, report.threshold
    above = _above(entry, t)
    points = report.histories[ci["id"]].points
    name = str(ci.get("name") or "")
    chart = capacity_chart(
        points,
        start=report.start,
        end=report.generated_at,
        threshold=t,
        line=fitted_line(entry, points, t),
        forecast_at=f.forecast_at,
        title=f"{ci['id']} {name}: utilization, fitted line and the {_pct(t)} threshold",
    )
    owner = entry.owner["id"] if entry.owner else "no owner"
    services = explore_links(entry.services) or e("no service")
    badge = ' <span class="badge ABOVE">already above</span>' if above else ""
    return (
        f'<section class="ci-card{" above" if above else ""}" id="ci-{e(ci["id"])}">'
        f'<div class="about"><h3>{explore_link(ci["id"])} <span class="ci-name">{e(name)}</span>{badge}</h3>'
        f'<p class="figures">latest {f.latest.percent:.1f} % &middot; {f.slope_per_day:+.2f} points a day &middot; '
        f"{'at or above it at' if above else 'reaches it'} {e(ts(f.forecast_at))}<br>"
        f"services: {services} &middot; owner: {e(owner)}</p></div>{chart}</section>"
    )


def capacity_html(report: CapacityReport) -> str:
    t = _pct(report.threshold)
    body = [
        CSS,
        f"<h1>{TITLE}</h1>",
        f'<p class="meta">{e(_intro(report))}</p>',
        '<ul class="facts">' + "".join(f"<li>{e(x)}</li>" for x in _facts(report)) + "</ul>",
        "<h2>Services at risk</h2>",
    ]
    if not report.entries:
        body.append(f'<p class="none empty">{e(_empty(report))}</p>')
        return page(TITLE, "".join(body), report.generated_at)
    body.append(
        '<div class="at-risk">'
        + table(
            ["Service", "Name", "Earliest", "CIs behind it"],
            [
                (
                    explore_link(s.service["id"]),
                    e(s.service.get("name") or ""),
                    e(ts(s.earliest)),
                    "<br>".join(f"{_ci_link(report, x)} {_when(x, report.threshold)}" for x in s.cis),
                )
                for s in report.services
            ],
            empty="no service depends on these CIs",
        ).replace("<tr><td>", '<tr class="at-risk"><td>')
        + "</div>"
    )
    drawn = [x for x in report.entries if x.ci["id"] in report.histories]
    body += [
        f"<h2>CIs forecast to reach {e(t)}</h2>",
        '<p class="chart-legend">Earliest first. <i style="border-color:#0b57d0"></i>readings'
        '<i style="border-color:#e8710a"></i>fitted line<i style="border-color:#b3261e;border-top-style:dashed"></i>'
        f"threshold ({e(t)}) &middot; the circle, and the red date on the axis: the forecast date</p>",
        '<div class="charts">' + "".join(_ci_card(report, x) for x in drawn) + "</div>",
    ]
    rest = report.entries[len(drawn) :]
    if rest:
        body += [
            f'<p class="meta">and {_n(len(rest), "more CI")}, without a chart:</p>',
            table(
                ["CI", "Name", "Latest", "Slope a day", "Forecast", "Services"],
                [
                    (
                        explore_link(x.ci["id"]),
                        e(x.ci.get("name") or ""),
                        f"{x.forecast.latest.percent:.1f} %",
                        f"{x.forecast.slope_per_day:+.2f}",
                        _when(x, report.threshold),
                        explore_links(x.services),
                    )
                    for x in rest
                ],
                empty="none",
                numeric=[2, 3],
            ),
        ]
    return page(TITLE, "".join(body), report.generated_at)


def capacity_markdown(report: CapacityReport) -> str:
    t = report.threshold
    out = [f"# {TITLE}", "", md_text(_intro(report)), ""]
    out += [f"- {md_text(x)}" for x in _facts(report)] + [""]
    out += ["## Services at risk", ""]
    if not report.entries:
        out += [f"_{md_text(_empty(report))}_", "", f"_Generated by graphsvc at {ts(report.generated_at)}._", ""]
        return "\n".join(out)

    def when(x: CapacityForecastEntry) -> str:
        return f"{x.ci['id']} {_day(x.forecast.forecast_at)}" + (" (already above)" if _above(x, t) else "")

    out += md_table(
        ["Service", "Name", "Earliest", "CIs behind it"],
        [
            (s.service["id"], s.service.get("name") or "", ts(s.earliest), "; ".join(when(x) for x in s.cis))
            for s in report.services
        ],
        "no service depends on these CIs",
    )
    out += [f"## CIs forecast to reach {_pct(t)}", ""]
    out += md_table(
        ["CI", "Name", "Latest", "Slope a day", "Forecast", "Services", "Owner"],
        [
            (
                x.ci["id"],
                x.ci.get("name") or "",
                f"{x.forecast.latest.percent:.1f} %",
                f"{x.forecast.slope_per_day:+.2f}",
                ts(x.forecast.forecast_at) + (" (already above)" if _above(x, t) else ""),
                ", ".join(x.services),
                x.owner["id"] if x.owner else "",
            )
            for x in report.entries
        ],
        "none",
    )
    out += [f"_Generated by graphsvc at {ts(report.generated_at)}._", ""]
    return "\n".join(out)
