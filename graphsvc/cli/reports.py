"""`graphsvc report ...`: the CAB, continuity, SLA, compliance, cost, health and capacity reports, as the web routes
render them."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, fail, settings_for, with_driver
from graphsvc.settings import Settings

T = TypeVar("T")

report_app = typer.Typer(
    help="Reports: CAB (change, cab), continuity, sla, compliance, costs, CMDB health and capacity.",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


Format = Annotated[ReportFormat, typer.Option("--format", help="HTML (a printable page), Markdown, or PDF (A4)")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="output file (default: stdout)")]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="the estate as of this past time (a date or RFC 3339), rebuilt from the audit trail"),
]


def _write_report(text: str | bytes, output: Path | None) -> None:
    if isinstance(text, bytes):
        if output is None and sys.stdout.isatty():
            fail("a PDF is not for a terminal: give -o FILE.pdf, or redirect the output to a file")
        if output is None:
            sys.stdout.buffer.write(text)
            return
        output.write_bytes(text)
    elif output is None:
        sys.stdout.write(text)
        return
    else:
        output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


def _page(fmt: str, html: str, markdown: str, title: str, generated_at: Any, as_of: Any = None) -> str | bytes:
    """The report in the format asked for: the page, Markdown, or the page as a PDF; one of the estate as of a past
    time says so at its top."""
    if as_of is not None:
        from graphsvc.reports.page import as_of_note

        html, markdown = as_of_note(html, markdown, as_of)
        title = f"{title} (as of {as_of:%Y-%m-%d %H:%M} UTC)"
    if fmt == "pdf":
        from graphsvc.reports.pdf import pdf

        return pdf(html, title, generated_at)
    return markdown if fmt == "md" else html


def _report(settings: Settings, make: Callable[[Any, Any], Awaitable[str | bytes]], as_of: Any = None) -> str | bytes:
    """`make(source, weights)`: the source is the database, or the estate as of `as_of` when given."""
    from graphsvc.db.items import ItemRepository
    from graphsvc.errors import RequestError
    from graphsvc.usecases.changes import weights_from
    from graphsvc.usecases.estate import estate_at

    async def work(driver: Any, database: str) -> str | bytes:
        source: Any = ItemRepository(driver, database, timeout=settings.tx_timeout_seconds)
        if as_of is not None:
            source = (await estate_at(source, as_of)).reads
        return await make(source, weights_from(settings.risk_weights_file))

    try:
        return with_driver(settings, work)
    except (RequestError, ValueError) as exc:
        fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits


def _as_of(value: str | None) -> Any:
    """--as-of as a time (None: now); a bad one is a clear error."""
    from graphsvc.errors import RequestError
    from graphsvc.usecases.reports import optional_time

    try:
        return optional_time("--as-of", value)
    except RequestError as exc:
        fail(str(exc))
        raise AssertionError from exc  # unreachable: fail exits


@report_app.command("change")
def report_change(
    change_id: Annotated[str, typer.Argument(help="the change's id, e.g. CHG-1002")],
    fmt: Format = ReportFormat.html,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """A change's CAB report: risk, impact, conflicts, policy violations, approvals and the blast radius."""
    from graphsvc.reports import cab
    from graphsvc.usecases.reports import change_report

    async def make(repo: Any, weights: Any) -> str | bytes:
        report = await change_report(repo, weights, change_id)
        title = f"Change {report.assessment.change.id}"
        return _page(fmt, cab.change_html(report), cab.change_markdown(report), title, report.generated_at)

    _write_report(_report(settings_for(data_dir, bolt_port), make), output)


@report_app.command("cab")
def report_cab(
    start: Annotated[
        str | None, typer.Option("--from", help="start of the period: a date or an RFC 3339 time (default: today)")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="end of the period, exclusive (default: 7 days on)")] = None,
    fmt: Format = ReportFormat.html,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """The CAB agenda: pending changes starting in [from, to), riskiest first, each with its assessment."""
    from datetime import UTC, datetime

    from graphsvc.reports import cab
    from graphsvc.usecases.reports import agenda_period, agenda_report, optional_time

    async def make(repo: Any, weights: Any) -> str | bytes:
        begin, finish = agenda_period(optional_time("--from", start), optional_time("--to", end), datetime.now(UTC))
        report = await agenda_report(repo, weights, begin, finish)
        return _page(fmt, cab.agenda_html(report), cab.agenda_markdown(report), "CAB agenda", report.generated_at)

    _write_report(_report(settings_for(data_dir, bolt_port), make), output)


@report_app.command("continuity")
def report_continuity(
    service: Annotated[str | None, typer.Option("--service", help="one service (default: the whole estate)")] = None,
    fmt: Format = ReportFormat.html,
    output: Output = None,
    as_of: AsOf = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Continuity: single points of failure, RTO/RPO gaps and recovery waves, most critical services first."""
    from datetime import UTC, datetime

    from graphsvc.reports import continuity as cont
    from graphsvc.usecases.continuity import continuity_reports
    from graphsvc.usecases.drift import recent_trend

    when = _as_of(as_of)

    async def make(repo: Any, weights: Any) -> str | bytes:
        reports, total = await continuity_reports(repo, service, None)
        now = datetime.now(UTC)
        trend = await recent_trend(repo, service, now)
        html = cont.continuity_html(reports, total, now, trend)
        md = cont.continuity_markdown(reports, total, now, trend)
        return _page(fmt, html, md, "Service continuity", now, when)

    _write_report(_report(settings_for(data_dir, bolt_port), make, when), output)


@report_app.command("sla")
def report_sla(
    start: Annotated[
        str | None,
        typer.Option("--from", help="start of the period: a date or an RFC 3339 time (default: last full month)"),
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="end of the period (exclusive)")] = None,
    fmt: Format = ReportFormat.html,
    output: Output = None,
    as_of: AsOf = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Every SLA against its service's measured availability over the period, breaches first."""
    from datetime import UTC, datetime

    from graphsvc.reports import continuity as cont
    from graphsvc.usecases.continuity import sla_report
    from graphsvc.usecases.reports import optional_time, sla_period

    when = _as_of(as_of)

    async def make(repo: Any, weights: Any) -> str | bytes:
        begin, finish = sla_period(optional_time("--from", start), optional_time("--to", end), datetime.now(UTC))
        figures = await sla_report(repo, begin, finish)
        now = datetime.now(UTC)
        html, md = cont.sla_html(figures, begin, finish, now), cont.sla_markdown(figures, begin, finish, now)
        return _page(fmt, html, md, "SLA report", now, when)

    _write_report(_report(settings_for(data_dir, bolt_port), make, when), output)


@report_app.command("compliance")
def report_compliance(
    fmt: Format = ReportFormat.html,
    per_policy: Annotated[
        int, typer.Option("--per-policy", min=0, help="violations listed per policy (0 = all)")
    ] = 100,
    output: Output = None,
    as_of: AsOf = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Policy compliance: every policy with a rule checked against what it governs, worst first; unmet requirements."""
    from datetime import UTC, datetime

    from graphsvc.reports import compliance as comp
    from graphsvc.usecases.compliance import compliance_report

    when = _as_of(as_of)

    async def make(repo: Any, weights: Any) -> str | bytes:
        report = await compliance_report(repo)
        now = datetime.now(UTC)
        html = comp.compliance_html(report, now, per_policy=per_policy)
        md = comp.compliance_markdown(report, now, per_policy=per_policy)
        return _page(fmt, html, md, "Policy compliance", now, when)

    _write_report(_report(settings_for(data_dir, bolt_port), make, when), output)


class CostFormat(StrEnum):
    csv = "csv"
    html = "html"
    pdf = "pdf"


@report_app.command("costs")
def report_costs(
    fmt: Annotated[
        CostFormat, typer.Option("--format", help="CSV (one tidy table), HTML (a printable page) or PDF (A4)")
    ] = CostFormat.csv,
    output: Output = None,
    as_of: AsOf = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """IT cost allocation: each business unit's statement by service, each service's own and total cost, the
    unallocated items."""
    from datetime import UTC, datetime

    from graphsvc.reports import cost as costs
    from graphsvc.usecases.cost import cost_allocation

    when = _as_of(as_of)

    async def make(repo: Any, weights: Any) -> str | bytes:
        report = await cost_allocation(repo)
        if fmt == "csv":
            return costs.cost_csv(report)
        now = datetime.now(UTC)
        return _page(fmt, costs.cost_html(report, now), "", "IT cost allocation", now, when)

    _write_report(_report(settings_for(data_dir, bolt_port), make, when), output)


class HealthFormat(StrEnum):
    html = "html"
    md = "md"
    csv = "csv"
    pdf = "pdf"


@report_app.command("health")
def report_health(
    fmt: Annotated[
        HealthFormat,
        typer.Option("--format", help="HTML (a page), Markdown, CSV (one row per finding) or PDF"),
    ] = HealthFormat.html,
    per_kind: Annotated[int, typer.Option("--per-kind", min=0, help="findings listed per kind (0 = all)")] = 200,
    output: Output = None,
    as_of: AsOf = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """CMDB health: completeness, correctness and compliance, with the findings behind them."""
    from datetime import UTC, datetime

    from graphsvc.reports import health as hl
    from graphsvc.usecases.health import health_of

    when = _as_of(as_of)

    async def make(repo: Any, weights: Any) -> str | bytes:
        report = await health_of(repo)
        now = datetime.now(UTC)
        if fmt == "csv":
            return hl.health_csv(report)
        html, md = hl.health_html(report, now, per_kind=per_kind), hl.health_markdown(report, now, per_kind=per_kind)
        return _page(fmt, html, md, "CMDB health", now, when)

    _write_report(_report(settings_for(data_dir, bolt_port), make, when), output)


@report_app.command("capacity")
def report_capacity(
    threshold: Annotated[
        float, typer.Option("--threshold", min=0, max=100, help="the utilization to forecast, in percent")
    ] = 85.0,
    window_days: Annotated[
        int, typer.Option("--window-days", min=1, max=365, help="the days of readings the line is fitted through")
    ] = 30,
    fmt: Format = ReportFormat.html,
    output: Output = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", hidden=True, help="refused: readings are not part of an estate")
    ] = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Capacity forecast: the services at risk, earliest first, and a chart per CI forecast to reach the threshold
    (its readings, the fitted line, the threshold and the forecast date)."""
    from graphsvc.reports import capacity as cap
    from graphsvc.usecases.capacity_report import MAX_CHARTS, capacity_report

    if as_of is not None:
        fail(
            "--as-of: the capacity forecast is of the readings as they are now (readings are not part of the "
            "estate the audit trail rebuilds); leave --as-of out"
        )

    async def make(repo: Any, weights: Any) -> str | bytes:
        charts = 0 if fmt == "md" else MAX_CHARTS  # Markdown draws none: no history to read
        report = await capacity_report(repo, None, threshold, window_days, charts=charts)
        html, md = cap.capacity_html(report), cap.capacity_markdown(report)
        return _page(fmt, html, md, "Capacity forecast", report.generated_at)

    _write_report(_report(settings_for(data_dir, bolt_port), make), output)


@app.command("status")
def status(
    as_of: AsOf = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """The service desk's board: every service DOWN or DEGRADED now from the open incidents, with the incidents
    behind each (the same board as /status and `serviceStatus`)."""
    from graphsvc.reports.status import status_text
    from graphsvc.usecases.status import status_board

    when = _as_of(as_of)

    async def make(repo: Any, weights: Any) -> str | bytes:
        return status_text(await status_board(repo, at=when))

    _write_report(_report(settings_for(data_dir, bolt_port), make, when), None)
