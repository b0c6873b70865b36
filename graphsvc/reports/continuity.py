"""Continuity and SLA reports, as printable offline HTML (with a recovery-wave diagram) or Markdown."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from graphsvc.reports.cab import md_table, md_text
from graphsvc.reports.diagram import Box, render_columns
from graphsvc.reports.page import e, explore_link, explore_links, explore_open, page, table, ts
from graphsvc.usecases.continuity import ContinuityReport, SlaFigure
from graphsvc.usecases.drift import SpofPoint

__all__ = ["continuity_html", "continuity_markdown", "sla_html", "sla_markdown", "waves_svg"]

PER_WAVE = 14


def _name(report: ContinuityReport, item: str) -> str:
    props = report.items.get(item, {})
    return str(props.get("name") or props.get("title") or item)


def _wave_nodes(report: ContinuityReport, ids: tuple[str, ...]) -> list[tuple[str, str, bool, int]]:
    """(label, detail, is a SPOF, count) per box: SPOFs and services alone, the rest collapsed by type."""
    spofs = set(report.result.single_points_of_failure)
    boxes: list[tuple[str, str, bool, int]] = []
    by_type: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        props = report.items.get(i, {})
        if i in spofs or props.get("itemKind") == "SERVICE":
            boxes.append((i, _name(report, i), i in spofs, 1))
        else:
            by_type[str(props.get("type") or props.get("itemKind") or "ITEM")].append(i)
    for kind, members in sorted(by_type.items()):
        if len(members) >= 4:
            boxes.append(
                (
                    f"{len(members)} x {kind}",
                    ", ".join(members[:6]) + (" …" if len(members) > 6 else ""),
                    False,
                    len(members),
                )
            )
        else:
            boxes.extend((i, _name(report, i), False, 1) for i in members)
    if len(boxes) > PER_WAVE:
        rest = sum(b[3] for b in boxes[PER_WAVE - 1 :])
        boxes = [*boxes[: PER_WAVE - 1], (f"+{rest} more", "see the wave list", False, rest)]
    return boxes


def waves_svg(report: ContinuityReport) -> str:
    """Recovery waves left to right (wrapped onto further bands to fit a printed page), an arrow from each wave to
    the next (what must be back first); single points of failure in red."""
    columns: list[tuple[str, list[Box]]] = []
    for w, ids in enumerate(report.result.waves):
        boxes = []
        for r, (label, detail, spof, _) in enumerate(_wave_nodes(report, ids)):
            stroke, fill = ("#b3261e", "#fdecea") if spof else ("#5f6b7a", "#f1f3f5")
            boxes.append(
                Box(
                    f"wave:{w}:{r}",
                    label + ": " + detail,
                    label,
                    ("SPOF · " if spof else "") + detail,
                    stroke,
                    fill,
                    2.5 if spof else 1.2,
                    "node spof" if spof else "node",
                )
            )
        columns.append((f"wave {w}", boxes))
    title = f"Recovery waves of {report.result.service}"
    return render_columns(columns, [], css="waves", title=title, column_edges=True, heading_css="wave")


WAVES_LEGEND = (
    '<p class="legend"><span><i style="background:#fdecea;border:1px solid #b3261e"></i>single point of failure</span>'
    "<span>arrow: recover this wave first, then the next.</span></p>"
)


def _section(report: ContinuityReport, level: int) -> str:
    r, s = report.result, report.service
    h, h2 = f"h{level}", f"h{level + 1}"

    def minutes(v: object) -> str:
        return "—" if v is None else f"{v} min"

    gaps = [
        (
            e(kind),
            explore_link(g.item),
            e(_name(report, g.item)),
            e(minutes(g.item_minutes)),
            e(minutes(g.service_minutes)),
        )
        for kind, found in (("RTO", r.rto_violations), ("RPO", r.rpo_violations))
        for g in found
    ]
    unknown = [(e("RTO"), explore_link(i), e(_name(report, i))) for i in r.unknown_rto] + [
        (e("RPO"), explore_link(i), e(_name(report, i))) for i in r.unknown_rpo
    ]
    out = [
        f'<{h} id="{e(s["id"])}">{explore_link(s["id"])}: {e(s.get("name", ""))}</{h}>',
        f'<p class="meta">criticality {e(s.get("criticality", "—"))} · {e(s.get("tier", ""))} · RTO '
        f"{e(minutes(s.get('rtoMinutes')))} · RPO {e(minutes(s.get('rpoMinutes')))} · "
        f"{len(r.closure)} items it depends on · {len(r.single_points_of_failure)} single point(s) of failure · "
        f"{explore_open('open its continuity in the explorer', overlay='continuity', service=s['id'])}</p>",
        f"<{h2}>Single points of failure</{h2}>",
        table(
            ["Item", "Name", "Kind", "RTO", "RPO"],
            [
                (
                    explore_link(i),
                    e(_name(report, i)),
                    e(report.items.get(i, {}).get("itemKind", "")),
                    e(minutes(report.items.get(i, {}).get("rtoMinutes"))),
                    e(minutes(report.items.get(i, {}).get("rpoMinutes"))),
                )
                for i in r.single_points_of_failure
            ],
            empty="none: every dependency has redundancy that survives its loss",
        ),
        f"<{h2}>Recovery objective gaps</{h2}>",
        table(["Objective", "Item", "Name", "Item can", "Service needs"], gaps, empty="no violation"),
        table(["Objective", "Item with no value", "Name"], unknown, empty="no unknown value"),
        f"<{h2}>Recovery waves</{h2}>",
        table(
            ["Wave", "Items"],
            [(e(w), explore_links(ids)) for w, ids in enumerate(r.waves)],
            empty="nothing to recover",
        ),
        WAVES_LEGEND,
        f'<div class="diagram">{waves_svg(report)}</div>',
    ]
    return "".join(out)


def _trend_rows(trend: Sequence[SpofPoint]) -> list[tuple[str, str, str, str]]:
    """(week, SPOFs, added since the point before, gone since) for each point of the trend."""
    rows = []
    before: set[str] | None = None
    for p in trend:
        now = set(p.single_points_of_failure)
        if not p.exists:
            rows.append((ts(p.at), "the service did not exist", "", ""))
            before = None
            continue
        added = ", ".join(sorted(now - before)) if before is not None else ""
        gone = ", ".join(sorted(before - now)) if before is not None else ""
        rows.append((ts(p.at), str(len(now)), added, gone))
        before = now
    return rows


TREND_HEADERS = ["As of", "Single points of failure", "New since the week before", "Gone since the week before"]


def _trend_html(trend: Sequence[SpofPoint]) -> str:
    if not trend:
        return ""
    rows = [tuple(e(c) for c in row) for row in _trend_rows(trend)]
    return "<h2>Week by week</h2>" + table(TREND_HEADERS, rows, empty="no history")


def continuity_html(
    reports: list[ContinuityReport], total: int, generated_at: datetime, trend: Sequence[SpofPoint] = ()
) -> str:
    """The continuity page; one service's shows `trend`, its single points of failure over time, if given."""
    if len(reports) == 1 and total == 1:
        r = reports[0]
        return page(f"Continuity of {r.service['id']}", _section(r, 1) + _trend_html(trend), generated_at)
    rows = [
        (
            f'<a href="#{e(r.service["id"])}">{e(r.service["id"])}</a>',
            e(r.service.get("name", "")),
            e(r.service.get("criticality", "")),
            e(len(r.result.single_points_of_failure)),
            e(len(r.result.rto_violations) + len(r.result.rpo_violations)),
            e(len(r.result.unknown_rto) + len(r.result.unknown_rpo)),
            e(len(r.result.waves)),
        )
        for r in reports
    ]
    shown = f"the {len(reports)} most critical of {total}" if total > len(reports) else f"all {total}"
    body = [
        "<h1>Service continuity of the estate</h1>",
        f'<p class="meta">{e(shown)} live services, most critical first.</p>',
        table(
            ["Service", "Name", "Criticality", "SPOFs", "RTO/RPO violations", "Unknown values", "Waves"],
            rows,
            empty="no live service",
            numeric=[2, 3, 4, 5, 6],
        ),
        *(_section(r, 2) for r in reports),
    ]
    return page("Service continuity", "".join(body), generated_at)


def continuity_markdown(
    reports: list[ContinuityReport], total: int, generated_at: datetime, trend: Sequence[SpofPoint] = ()
) -> str:
    out = ["# Service continuity", ""]
    for r in reports:
        res = r.result
        out += [
            f"## {r.service['id']}: {md_text(r.service.get('name', ''))}",
            "",
            f"RTO {r.service.get('rtoMinutes', '—')} min, RPO {r.service.get('rpoMinutes', '—')} min, "
            f"{len(res.closure)} dependencies.",
            "",
            "### Single points of failure",
            "",
            *md_table(["Item", "Name"], [(i, _name(r, i)) for i in res.single_points_of_failure], "none"),
            "### Recovery objective gaps",
            "",
            *md_table(
                ["Objective", "Item", "Item can", "Service needs"],
                [("RTO", g.item, g.item_minutes, g.service_minutes) for g in res.rto_violations]
                + [("RPO", g.item, g.item_minutes, g.service_minutes) for g in res.rpo_violations]
                + [("RTO", i, "unknown", r.service.get("rtoMinutes")) for i in res.unknown_rto]
                + [("RPO", i, "unknown", r.service.get("rpoMinutes")) for i in res.unknown_rpo],
                "none",
            ),
            "### Recovery waves",
            "",
            *md_table(["Wave", "Items"], [(w, ", ".join(ids)) for w, ids in enumerate(res.waves)], "none"),
        ]
    if trend:
        out += ["### Week by week", "", *md_table(TREND_HEADERS, _trend_rows(trend), "none")]
    if total > len(reports):
        out += [f"_{total - len(reports)} less critical services are not shown._", ""]
    out += [f"_Generated by graphsvc at {ts(generated_at)}._", ""]
    return "\n".join(out)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.4f}%"


def _why(f: SlaFigure) -> list[tuple[str, str, str, str]]:
    """A breached SLA's incidents: id, effect, outage and degraded minutes (most outage first)."""
    if f.result is None:
        return []
    return [
        (s.incident, s.effect, f"{s.outage_minutes:.0f}", f"{s.degraded_minutes:.0f}")
        for s in f.result.shares
        if s.outage_minutes > 0 or s.degraded_minutes > 0
    ]


def _breach_summary(f: SlaFigure, start: datetime, end: datetime) -> str:
    assert f.result is not None and f.target is not None
    allowed = (100 - f.target) / 100 * (end - start).total_seconds() / 60
    return (
        f"{f.service['id'] if f.service else '—'} was DOWN for {f.result.outage_minutes:.0f} min "
        f"(the target of {f.target:g}% allows {allowed:.0f} min over this period) and DEGRADED for "
        f"{f.result.degraded_minutes:.0f} min, which does not count against availability."
    )


def sla_html(figures: list[SlaFigure], start: datetime, end: datetime, generated_at: datetime) -> str:
    title = f"SLA report {ts(start)} to {ts(end)}"
    rows = [
        (
            e(f.sla["id"]),
            e(f.sla.get("name", "")),
            explore_link(f.service["id"]) if f.service else e("—"),
            explore_link(f.unit["id"]) if f.unit else e("—"),
            e(_pct(f.result.percent if f.result else None)),
            e(_pct(f.target)),
            '<span class="status DOWN">BREACHED</span>' if f.breached else e("met" if f.breached is False else "—"),
            e(f"{f.result.outage_minutes:.0f}" if f.result else "—"),
            e(f"{f.result.degraded_minutes:.0f}" if f.result else "—"),
        )
        for f in figures
    ]
    breaches = sum(1 for f in figures if f.breached)
    body = [
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{len(figures)} SLAs, {breaches} breached; breaches first, then the thinnest margin. '
        "Availability counts the time each service was DOWN, from the incident record with failures combined; "
        "time DEGRADED (an incident whose effect is a degradation, or a redundant component lost) is shown but "
        "does not count against it.</p>",
        table(
            ["SLA", "Name", "Service", "Business unit", "Availability", "Target", "Status", "Outage (min)",
             "Degraded (min)"],
            rows,
            empty="no SLA",
            numeric=[4, 5, 7, 8],
        ),
    ]  # fmt: skip
    breached = [f for f in figures if f.breached and f.result is not None and f.target is not None]
    if breached:
        body.append("<h2>Why each breach</h2>")
    for f in breached:
        body.append(f'<section class="breach"><h3>{e(f.sla["id"])} {e(f.sla.get("name", ""))}</h3>')
        body.append(f"<p>{e(_breach_summary(f, start, end))}</p>")
        body.append(
            table(
                ["Incident", "Effect", "Outage (min)", "Degraded (min)"],
                [(explore_link(i, key="from"), *(e(c) for c in rest)) for i, *rest in _why(f)],
                empty="—",
                numeric=[2, 3],
            )
        )
        body.append("</section>")
    return page(title, "".join(body), generated_at)


def sla_markdown(figures: list[SlaFigure], start: datetime, end: datetime, generated_at: datetime) -> str:
    out = [f"# SLA report {ts(start)} to {ts(end)}", ""]
    out += md_table(
        ["SLA", "Service", "Availability", "Target", "Status"],
        [
            (
                f.sla["id"],
                f.service["id"] if f.service else "—",
                _pct(f.result.percent if f.result else None),
                _pct(f.target),
                "BREACHED" if f.breached else ("met" if f.breached is False else "—"),
            )
            for f in figures
        ],
        "no SLA",
    )
    for f in figures:
        if not (f.breached and f.result is not None and f.target is not None):
            continue
        out += [f"## Why {f.sla['id']} is breached", "", md_text(_breach_summary(f, start, end)), ""]
        out += md_table(["Incident", "Effect", "Outage (min)", "Degraded (min)"], _why(f), "—")
    out += [f"_Generated by graphsvc at {ts(generated_at)}._", ""]
    return "\n".join(out)
