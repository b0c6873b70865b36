"""The CAB reports: one change's assessment, and the agenda of a period, as HTML (printable) or Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence

from graphsvc.analysis.change_rules import when
from graphsvc.domain.graph import Status
from graphsvc.domain.text import printable
from graphsvc.reports.diagram import blast_diagram, render_svg
from graphsvc.reports.page import badge, e, explore_link, explore_links, explore_open, page, table, ts
from graphsvc.usecases.reports import AgendaReport, ChangeReport

__all__ = ["agenda_html", "agenda_markdown", "change_html", "change_markdown", "md_table", "md_text"]

MAX_ROWS = 200


def _counts(report: ChangeReport) -> tuple[int, int]:
    services = report.exposure.services
    return sum(s.status is Status.DOWN for s in services), sum(s.status is Status.DEGRADED for s in services)


def _facts(report: ChangeReport) -> list[str]:
    a, x = report.assessment, report.exposure
    down, degraded = _counts(report)
    approvers = ", ".join(p.approver for p in a.approvals) or "none beyond the usual"
    decided = {
        "BLOCKED": "BLOCKED by " + ", ".join(sorted({v.policy.id for v in a.blocking})) + ": grant a policy "
        "exception with a reason, or move the change",
        "CAB": "the CAB decides",
        "OWNERS": "the owners of the impacted business services approve",
    }[a.decision.value]
    return [
        f"Decision: {decided}",
        f"Takes {down} service{'s' if down != 1 else ''} DOWN and leaves {degraded} DEGRADED "
        f"({len(a.analysis.impact.status)} items impacted in all)",
        f"{len(x.business_units)} business unit(s) and {len(x.slas)} SLA(s) exposed",
        f"{len(a.conflicts)} conflict(s) with other pending changes",
        f"{len(a.violations)} policy violation(s)",
        f"Approvals needed: {approvers}",
    ]


def _status(status: Status) -> str:
    return f'<span class="status {status.name}">{status.name}</span>'


def _section(report: ChangeReport, *, level: int = 1, diagram: bool = True) -> str:
    a, x = report.assessment, report.exposure
    c, impact = a.change, a.analysis.impact
    h, h2 = f"h{level}", f"h{level + 1}"
    out = [
        f'<{h} id="{e(c.id)}">Change {explore_link(c.id, key="from")}: {e(c.title)}</{h}>',
        f'<p class="meta">{e(c.type.value)} · {e(c.status.value)} · {e(when(c))} · modifies '
        f"{explore_links(c.modifies)}{' · release ' + e(c.release) if c.release else ''} · "
        f"{explore_open('open its impact in the explorer', from_=c.id)}</p>",
        '<div class="summary">'
        f'<div class="risk {a.risk.level.value}"><div class="level">{a.risk.level.value}</div>'
        f'<div class="score">risk score {a.risk.score} / 100</div></div>'
        '<ul class="facts">' + "".join(f"<li>{e(f)}</li>" for f in _facts(report)) + "</ul></div>",
        f"<{h2}>Risk factors</{h2}>",
        table(
            ["Factor", "Points", "Detail"],
            [(e(f.name.replace("_", " ")), e(f"{f.contribution:+d}"), e(f.detail)) for f in a.risk.factors],
            empty="no factors",
            numeric=[1],
        ),
        f"<{h2}>Impacted services</{h2}>",
        table(
            ["Service", "Name", "Criticality", "Status", "Tier", "Why"],
            [
                (
                    explore_link(s.id),
                    e(s.name),
                    e(s.criticality),
                    _status(s.status),
                    e(s.tier or ""),
                    e(impact.explanation(s.id)),
                )
                for s in x.services[:MAX_ROWS]
            ],
            empty="no service is impacted",
            numeric=[2],
        ),
    ]
    if len(x.services) > MAX_ROWS:
        out.append(f'<p class="none">and {len(x.services) - MAX_ROWS} more services (ask the API for all)</p>')
    out += [
        f"<{h2}>Business units</{h2}>",
        table(
            ["Unit", "Name"],
            [(explore_link(b["id"]), e(b.get("name", ""))) for b in x.business_units],
            empty="none exposed",
        ),
        f"<{h2}>SLAs at risk</{h2}>",
        table(
            ["SLA", "Name", "Availability target"],
            [(e(s["id"]), e(s.get("name", "")), e(f"{s.get('availabilityTarget', '')}%")) for s in x.slas],
            empty="no SLA at risk",
            numeric=[2],
        ),
        f"<{h2}>Conflicts</{h2}>",
        table(
            ["Change", "Title", "Window", "Reason", "Items"],
            [
                (
                    explore_link(k.other.id, key="from"),
                    e(k.other.title),
                    e(when(k.other)),
                    e(k.reason.value),
                    explore_links(k.items),
                )
                for k in a.conflicts
            ],
            empty="no conflict with another pending change",
        ),
        f"<{h2}>Policy violations</{h2}>",
        table(
            ["Policy", "Rule", "Message"],
            [(e(v.policy.id), e(v.rule_type), e(v.message)) for v in a.violations],
            empty="no policy violation",
        ),
        f"<{h2}>Approvals needed</{h2}>",
        table(
            ["Approver", "Why"],
            [(e(p.approver), e(p.reason)) for p in a.approvals],
            empty="no approval beyond the change's normal process",
        ),
    ]
    out += _approved_html(report, h2)
    if diagram:
        blast = blast_diagram(impact)
        hidden = f" {blast.hidden} more items are not drawn." if blast.hidden else ""
        out += [
            f"<{h2}>Blast radius</{h2}>",
            '<p class="legend"><span><i style="background:#fdecea;border:1px solid #b3261e"></i>DOWN</span>'
            '<span><i style="background:#fff3d6;border:1px solid #8a5a00"></i>DEGRADED</span>'
            "<span>thick border: modified by the change.</span>"
            f"<span>arrow: from an item to what it impacts (its dependents).</span>{e(hidden)}</p>",
            f'<div class="diagram">{render_svg(blast, f"Blast radius of {c.id}")}</div>',
        ]
    return "".join(out)


def _approved_lines(report: ChangeReport) -> tuple[str, list[str]]:
    """The "as approved" section's first sentence and its list of what moved since (empty: nothing did)."""
    kept = report.approved
    assert kept is not None
    said = (
        f"Approved {ts(kept.at)} by {kept.approved_by}: decision {kept.decision}, risk {kept.risk_level} "
        f"{kept.risk_score}/100, {len(kept.services)} services impacted, {len(kept.conflicts)} conflicts, "
        f"{len(kept.violations)} policy violations."
    )
    return said, list(report.since_approval)


def _approved_html(report: ChangeReport, h2: str) -> list[str]:
    if report.approved is None:
        return []
    said, since = _approved_lines(report)
    moved = (
        '<ul class="since">' + "".join(f"<li>{e(s)}</li>" for s in since) + "</ul>"
        if since
        else '<p class="none">Nothing the board decided on has changed since.</p>'
    )
    title = "As approved, and what has changed since" if since else "As approved"
    return [f"<{h2}>{title}</{h2}>", f"<p>{e(said)}</p>", moved]


def change_html(report: ChangeReport) -> str:
    c = report.assessment.change
    return page(f"{c.id}: {c.title} — CAB report", _section(report), report.generated_at)


DECIDES = {"BLOCKED": "blocked", "CAB": "CAB", "OWNERS": "owners only"}
AGENDA_COLUMNS = [
    "Change", "Decision", "Title", "Type", "Status", "Window", "Risk", "Services DOWN / DEGRADED", "Violations",
    "Conflicts", "Approvers",
]  # fmt: skip


def _violated(report: ChangeReport) -> str:
    """The policies the change violates, by name (an excepted one says so)."""
    excepted = {x.policy for x in report.assessment.exceptions}
    names = {v.policy.id: v.policy.name for v in report.assessment.violations}
    return ", ".join(f"{n} (exception granted)" if p in excepted else n for p, n in sorted(names.items())) or "—"


def _agenda_cells(r: ChangeReport) -> tuple[str, ...]:
    a = r.assessment
    down, degraded = _counts(r)
    return (
        a.change.id,
        DECIDES[a.decision.value],
        a.change.title,
        a.change.type.value,
        a.change.status.value,
        when(a.change),
        f"{a.risk.level.value} {a.risk.score}",
        f"{down} / {degraded}",
        _violated(r),
        ", ".join(f"{k.reason.value} {k.other.id}" for k in a.conflicts) or "—",
        ", ".join(p.approver for p in a.approvals) or "—",
    )


def agenda_html(agenda: AgendaReport) -> str:
    title = f"CAB agenda {ts(agenda.start)} to {ts(agenda.end)}"
    rows = []
    for r in agenda.entries:
        a, cells = r.assessment, [e(c) for c in _agenda_cells(r)]
        cells[0] = f'<a href="#{e(a.change.id)}">{e(a.change.id)}</a>'
        cells[1] = f'<span class="decision {e(a.decision.value)}">{cells[1]}</span>'
        cells[6] = f'<span class="risk-cell">{badge(a.risk.level.value)} {a.risk.score}</span>'
        rows.append(tuple(cells))
    blocked = sum(1 for r in agenda.entries if r.assessment.decision.value == "BLOCKED")
    body = [
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{len(agenda.entries)} submitted, approved or scheduled change(s) starting in the period; '
        f"{blocked} blocked by a freeze or maintenance window. Blocked changes first, then those the CAB decides, "
        "then those the owners approve; riskiest first within each.</p>",
        '<div class="agenda">'
        + table(AGENDA_COLUMNS, rows, empty="no change starts in this period", numeric=[7])
        + "</div>",
    ]
    # printed, each change starts a page of its own
    body += [f'<section class="change-page">{_section(r, level=2, diagram=False)}</section>' for r in agenda.entries]
    return page(title, "".join(body), agenda.generated_at)


_MD_ACTIVE = re.compile(r"([\\`\[\]!|])")


def md_text(value: object) -> str:
    """Text from the CMDB made inert in Markdown: one line, controls shown escaped, no raw HTML, no table breaks,
    and no link, image or code span it did not ask for (brackets, `!` and backticks escaped; bare URLs broken so
    that no renderer links them)."""
    text = " ".join(printable(str(value)).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_ACTIVE.sub(r"\\\1", text)
    return text.replace("://", "&#58;//").replace("www.", "www&#46;")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str) -> list[str]:
    if not rows:
        return [f"_{empty}_", ""]
    cell = md_text

    return [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(" --- " for _ in headers) + "|",
        *("| " + " | ".join(cell(v) for v in r) + " |" for r in rows),
        "",
    ]


def _md_section(report: ChangeReport, level: int = 1) -> list[str]:
    a, x = report.assessment, report.exposure
    c, impact = a.change, a.analysis.impact
    h, h2 = "#" * level, "#" * (level + 1)
    out = [
        f"{h} Change {c.id}: {md_text(c.title)}",
        "",
        f"{c.type.value} · {c.status.value} · {when(c)} · modifies {', '.join(c.modifies)}"
        + (f" · release {c.release}" if c.release else ""),
        "",
        f"**Risk: {a.risk.level.value} ({a.risk.score}/100)**",
        "",
        *(f"- {f}" for f in _facts(report)),
        "",
        f"{h2} Risk factors",
        "",
        *md_table(
            ["Factor", "Points", "Detail"], [(f.name, f"{f.contribution:+d}", f.detail) for f in a.risk.factors], "none"
        ),
        f"{h2} Impacted services",
        "",
        *md_table(
            ["Service", "Name", "Criticality", "Status", "Why"],
            [(s.id, s.name, s.criticality, s.status.name, impact.explanation(s.id)) for s in x.services[:MAX_ROWS]],
            "no service is impacted",
        ),
        f"{h2} Business units",
        "",
        *md_table(["Unit", "Name"], [(b["id"], b.get("name", "")) for b in x.business_units], "none exposed"),
        f"{h2} SLAs at risk",
        "",
        *md_table(["SLA", "Name"], [(s["id"], s.get("name", "")) for s in x.slas], "no SLA at risk"),
        f"{h2} Conflicts",
        "",
        *md_table(
            ["Change", "Title", "Reason", "Items"],
            [(k.other.id, k.other.title, k.reason.value, ", ".join(k.items)) for k in a.conflicts],
            "no conflict with another pending change",
        ),
        f"{h2} Policy violations",
        "",
        *md_table(["Policy", "Rule", "Message"], [(v.policy.id, v.rule_type, v.message) for v in a.violations], "none"),
        f"{h2} Approvals needed",
        "",
        *md_table(["Approver", "Why"], [(p.approver, p.reason) for p in a.approvals], "none"),
    ]
    if report.approved is not None:
        said, since = _approved_lines(report)
        title = "As approved, and what has changed since" if since else "As approved"
        out += [f"{h2} {title}", "", md_text(said), ""]
        out += [f"- {md_text(s)}" for s in since] or ["Nothing the board decided on has changed since."]
        out.append("")
    return out


def change_markdown(report: ChangeReport) -> str:
    return "\n".join([*_md_section(report), f"_Generated by graphsvc at {ts(report.generated_at)}._", ""])


def agenda_markdown(agenda: AgendaReport) -> str:
    out = [
        f"# CAB agenda {ts(agenda.start)} to {ts(agenda.end)}",
        "",
        *md_table(AGENDA_COLUMNS, [_agenda_cells(r) for r in agenda.entries], "no change starts in this period"),
    ]
    for r in agenda.entries:
        out += _md_section(r, level=2)
    out += [f"_Generated by graphsvc at {ts(agenda.generated_at)}._", ""]
    return "\n".join(out)
