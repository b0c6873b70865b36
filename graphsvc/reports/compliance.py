"""The compliance report: policies checked against what they govern, worst first; then requirement status."""

from __future__ import annotations

from datetime import datetime

from graphsvc.reports.cab import md_table, md_text
from graphsvc.reports.page import e, explore_link, page, table, ts
from graphsvc.usecases.compliance import ComplianceReport, PolicyFindings

__all__ = ["compliance_html", "compliance_markdown"]

CHANGE_RULES = frozenset({"CHANGE_FREEZE", "MAINTENANCE_WINDOW"})


def _scope(f: PolicyFindings) -> str:
    n = len(f.policy.governs)
    return "the whole CMDB" if not n else f"{n} item{'s' if n != 1 else ''}"


def _summary(report: ComplianceReport) -> list[str]:
    unmet = len(report.unmet)
    return [
        f"{len(report.policies)} policies with a machine-checkable rule checked, {len(report.violated)} violated, "
        f"{report.violations} violations in all.",
        f"{len(report.requirements)} requirements: {len(report.requirements) - unmet} met, {unmet} unmet.",
        f"{report.documents_only} further policies have no rule: they are filed, not checked.",
    ]


def _key(rule_type: str) -> str:
    """A change's rules are broken by a change (its impact opens the explorer); the others by an item."""
    return "from" if rule_type in CHANGE_RULES else "focus"


def _policy_html(f: PolicyFindings, limit: int) -> str:
    p = f.policy
    shown = f.violations if limit <= 0 else f.violations[:limit]
    count = len(f.violations)
    state = (
        f'<span class="status DOWN">{count} violation{"s" if count != 1 else ""}</span>'
        if count
        else '<span class="ok">compliant</span>'
    )
    parts = [
        f'<section class="policy" id="{e(p.id)}">',
        f"<h2>{e(p.id)}: {e(p.name)}</h2>",
        f'<p class="meta">{e(f.kind)} · rule {e(p.rule_type)} · governs {e(_scope(f))} · {state}</p>',
    ]
    if f.statement:
        parts.append(f'<p class="statement">{e(f.statement)}</p>')
    if count:
        parts.append(
            table(
                ["Subject", "Finding"],
                [(explore_link(v.subject_id, key=_key(v.rule_type)), e(v.message)) for v in shown],
                empty="no violation",
            )
        )
        if len(shown) < count:
            parts.append(
                f'<p class="none">{count - len(shown)} more not shown: '
                f"policyViolations(policyId: &quot;{e(p.id)}&quot;) lists them all.</p>"
            )
    parts.append("</section>")
    return "".join(parts)


def compliance_html(report: ComplianceReport, generated_at: datetime, *, per_policy: int = 100) -> str:
    """The whole report as one printable page; at most `per_policy` violations listed per policy (0 = all)."""
    index = [
        (
            f'<a href="#{e(f.policy.id)}">{e(f.policy.id)}</a>',
            e(f.policy.name),
            e(f.kind),
            e(f.policy.rule_type),
            e(len(f.violations)) if f.violations else '<span class="ok">0</span>',
        )
        for f in report.policies
    ]
    unmet = [
        (
            e(r.requirement["id"]),
            e(r.requirement.get("name", "")),
            e(r.requirement.get("kind", "")),
            e(", ".join(r.reasons)),
        )
        for r in report.unmet
    ]
    body = [
        "<h1>Policy compliance</h1>",
        '<ul class="facts">' + "".join(f"<li>{e(line)}</li>" for line in _summary(report)) + "</ul>",
        "<h2>Policies, worst first</h2>",
        table(["Policy", "Name", "Kind", "Rule", "Violations"], index, empty="no policy has a rule", numeric=[4]),
        *(_policy_html(f, per_policy) for f in report.policies),
        "<h2>Unmet requirements</h2>",
        table(["Requirement", "Name", "Kind", "Reasons"], unmet, empty="every requirement is met"),
    ]
    return page("Policy compliance", "".join(body), generated_at)


def compliance_markdown(report: ComplianceReport, generated_at: datetime, *, per_policy: int = 100) -> str:
    out = ["# Policy compliance", "", *(f"- {line}" for line in _summary(report)), ""]
    out += ["## Policies, worst first", ""]
    out += md_table(
        ["Policy", "Name", "Kind", "Rule", "Violations"],
        [(f.policy.id, f.policy.name, f.kind, f.policy.rule_type, len(f.violations)) for f in report.policies],
        "no policy has a rule",
    )
    for f in report.violated:
        shown = f.violations if per_policy <= 0 else f.violations[:per_policy]
        out += [f"## {f.policy.id}: {md_text(f.policy.name)}", ""]
        out += [f"{f.kind}, rule {f.policy.rule_type}, governs {_scope(f)}.", ""]
        if f.statement:
            out += [f"> {md_text(f.statement)}", ""]
        out += md_table(["Subject", "Finding"], [(v.subject_id, v.message) for v in shown], "no violation")
        if len(shown) < len(f.violations):
            out += [f"_{len(f.violations) - len(shown)} more not shown._", ""]
    out += ["## Unmet requirements", ""]
    out += md_table(
        ["Requirement", "Name", "Kind", "Reasons"],
        [
            (r.requirement["id"], r.requirement.get("name", ""), r.requirement.get("kind", ""), ", ".join(r.reasons))
            for r in report.unmet
        ],
        "every requirement is met",
    )
    out += [f"_Generated by graphsvc at {ts(generated_at)}._", ""]
    return "\n".join(out)
