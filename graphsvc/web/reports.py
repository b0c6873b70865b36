"""The reports over HTTP: /reports/changes/{id}, /reports/cab, /reports/continuity, /reports/sla and
/reports/compliance (HTML, or Markdown with `?format=md`), /reports/costs (HTML, or CSV with `?format=csv`),
/reports/health (HTML, Markdown or CSV) and /reports/capacity (HTML or Markdown); every report also as a PDF
(`?format=pdf`), and /reports lists them; /status, the service desk's board for a wall screen."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from graphsvc.db.items import ItemRepository
from graphsvc.errors import DatabaseUnavailable, InvalidArgument, NotFound, QueryTimeout, RequestError
from graphsvc.reports import cab
from graphsvc.reports import capacity as cap
from graphsvc.reports import compliance as comp
from graphsvc.reports import continuity as cont
from graphsvc.reports import cost as costs
from graphsvc.reports import health as hl
from graphsvc.reports.index import report_index
from graphsvc.reports.pdf import pdf
from graphsvc.reports.status import status_html
from graphsvc.settings import Settings
from graphsvc.usecases.capacity_report import MAX_CHARTS, capacity_report
from graphsvc.usecases.changes import weights_from
from graphsvc.usecases.compliance import compliance_report
from graphsvc.usecases.continuity import continuity_reports, sla_report
from graphsvc.usecases.cost import cost_allocation
from graphsvc.usecases.drift import recent_trend
from graphsvc.usecases.health import health_of
from graphsvc.usecases.reports import (
    agenda_period,
    agenda_report,
    change_report,
    optional_time,
    parse_time,
    sla_period,
)
from graphsvc.usecases.status import status_board

__all__ = ["continuity_reports", "parse_time", "report_routes"]


def markdown(text: str) -> Response:
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


def _format(request: Request, allowed: tuple[str, ...] = ("html", "md")) -> str:
    fmt = request.query_params.get("format", "html")
    if fmt not in allowed:
        raise InvalidArgument(f"format: {fmt!r} is not one of {', '.join(allowed)}")
    return fmt


async def printed(html: str, title: str, name: str, generated_at: datetime) -> Response:
    """The report as a PDF (laid out off the event loop: a long agenda takes a second or two)."""
    document = await asyncio.to_thread(pdf, html, title, generated_at)
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="graphsvc-{name}-{generated_at:%Y-%m-%d}.pdf"'},
    )


def download(text: str, name: str, generated_at: datetime) -> Response:
    """A CSV report as a file to save (one tidy table a spreadsheet opens)."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="graphsvc-{name}-{generated_at:%Y-%m-%d}.csv"'},
    )


PAGES = ("html", "md", "pdf")


def _count(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise InvalidArgument(f"{name}: {raw!r} is not a whole number (0 lists everything)")
    return int(raw)


def _number(request: Request, name: str, default: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidArgument(f"{name}: {raw!r} is not a number")
    return value


def report_routes(state: dict[str, Any], settings: Settings) -> list[Route]:
    def repo() -> ItemRepository:
        return ItemRepository(state["driver"], state["database"], timeout=settings.tx_timeout_seconds)

    def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound as exc:
                return PlainTextResponse(str(exc), status_code=404)
            except RequestError as exc:
                return PlainTextResponse(str(exc), status_code=400)
            except (DatabaseUnavailable, QueryTimeout) as exc:
                return PlainTextResponse(str(exc), status_code=503, headers={"Retry-After": "5"})

        return run

    async def change(request: Request) -> Response:
        fmt = _format(request, PAGES)
        report = await change_report(
            repo(), weights_from(settings.risk_weights_file), request.path_params["id"], state.get("graph_cache")
        )
        if fmt == "md":
            return markdown(cab.change_markdown(report))
        if fmt == "pdf":
            change_id = report.assessment.change.id
            return await printed(cab.change_html(report), f"Change {change_id}", change_id, report.generated_at)
        return HTMLResponse(cab.change_html(report))

    async def agenda(request: Request) -> Response:
        fmt = _format(request, PAGES)
        start, end = agenda_period(
            optional_time("from", request.query_params.get("from")),
            optional_time("to", request.query_params.get("to")),
            datetime.now(UTC),
        )
        report = await agenda_report(
            repo(), weights_from(settings.risk_weights_file), start, end, state.get("graph_cache")
        )
        if fmt == "md":
            return markdown(cab.agenda_markdown(report))
        if fmt == "pdf":
            return await printed(cab.agenda_html(report), "CAB agenda", "cab-agenda", report.generated_at)
        return HTMLResponse(cab.agenda_html(report))

    async def continuity(request: Request) -> Response:
        fmt = _format(request, PAGES)
        service = request.query_params.get("service")
        reports, total = await continuity_reports(repo(), service, state.get("graph_cache"))
        now = datetime.now(UTC)
        trend = await recent_trend(repo(), service, now)
        if fmt == "md":
            return markdown(cont.continuity_markdown(reports, total, now, trend))
        html = cont.continuity_html(reports, total, now, trend)
        if fmt == "pdf":
            return await printed(html, "Service continuity", "continuity", now)
        return HTMLResponse(html)

    async def sla(request: Request) -> Response:
        fmt = _format(request, PAGES)
        start, end = sla_period(
            optional_time("from", request.query_params.get("from")),
            optional_time("to", request.query_params.get("to")),
            datetime.now(UTC),
        )
        figures = await sla_report(repo(), start, end, state.get("graph_cache"))
        now = datetime.now(UTC)
        if fmt == "md":
            return markdown(cont.sla_markdown(figures, start, end, now))
        if fmt == "pdf":
            return await printed(cont.sla_html(figures, start, end, now), "SLA report", "sla", now)
        return HTMLResponse(cont.sla_html(figures, start, end, now))

    async def compliance(request: Request) -> Response:
        fmt = _format(request, PAGES)
        per_policy = _count(request, "perPolicy", 100)
        report = await compliance_report(repo(), state.get("graph_cache"))
        now = datetime.now(UTC)
        if fmt == "md":
            return markdown(comp.compliance_markdown(report, now, per_policy=per_policy))
        html = comp.compliance_html(report, now, per_policy=per_policy)
        return await printed(html, "Policy compliance", "compliance", now) if fmt == "pdf" else HTMLResponse(html)

    async def cost(request: Request) -> Response:
        fmt = _format(request, ("html", "csv", "pdf"))
        report = await cost_allocation(repo(), state.get("graph_cache"))
        now = datetime.now(UTC)
        if fmt == "csv":
            return download(costs.cost_csv(report), "costs", now)
        if fmt == "pdf":
            return await printed(costs.cost_html(report, now), "IT cost allocation", "costs", now)
        return HTMLResponse(costs.cost_html(report, now))

    async def health(request: Request) -> Response:
        fmt = _format(request, ("html", "md", "csv", "pdf"))
        per_kind = _count(request, "perKind", 200)
        report = await health_of(repo(), state.get("graph_cache"))
        now = datetime.now(UTC)
        if fmt == "csv":
            return download(hl.health_csv(report), "health", now)
        if fmt == "md":
            return markdown(hl.health_markdown(report, now, per_kind=per_kind))
        html = hl.health_html(report, now, per_kind=per_kind)
        return await printed(html, "CMDB health", "health", now) if fmt == "pdf" else HTMLResponse(html)

    async def capacity(request: Request) -> Response:
        fmt = _format(request, PAGES)
        threshold = _number(request, "threshold", 85.0)
        if not 0 <= threshold <= 100:
            raise InvalidArgument(f"threshold: {threshold:g} is not between 0 and 100 (percent)")
        window = request.query_params.get("windowDays", "30")
        if not window.isdigit() or not 1 <= int(window) <= 365:
            raise InvalidArgument(f"windowDays: {window!r} is not a whole number of days from 1 to 365")
        charts = 0 if fmt == "md" else MAX_CHARTS  # Markdown draws none: no history to read
        report = await capacity_report(repo(), state.get("graph_cache"), threshold, int(window), charts=charts)
        if fmt == "md":
            return markdown(cap.capacity_markdown(report))
        html = cap.capacity_html(report)
        if fmt == "pdf":
            return await printed(html, "Capacity forecast", "capacity", report.generated_at)
        return HTMLResponse(html)

    async def status(request: Request) -> Response:
        refresh = _count(request, "refresh", 30)
        if not 5 <= refresh <= 3600:
            raise InvalidArgument(f"refresh: {refresh} is not between 5 and 3600 seconds")
        board = await status_board(repo(), state.get("graph_cache"))
        return HTMLResponse(status_html(board, refresh), headers={"Cache-Control": "no-store"})

    async def index(request: Request) -> Response:
        return HTMLResponse(report_index(datetime.now(UTC)))

    async def change_by_query(request: Request) -> Response:
        """The index's form asks /reports/changes?id=...: the report lives at /reports/changes/{id}."""
        change_id = (request.query_params.get("id") or "").strip()
        if not change_id:
            raise InvalidArgument("id: give a change's id, e.g. /reports/changes?id=CHG-1002")
        return RedirectResponse(f"/reports/changes/{quote(change_id, safe='')}", status_code=303)

    return [
        Route("/reports", guarded(index)),
        Route("/reports/changes", guarded(change_by_query)),
        Route("/reports/changes/{id}", guarded(change)),
        Route("/reports/cab", guarded(agenda)),
        Route("/reports/continuity", guarded(continuity)),
        Route("/reports/sla", guarded(sla)),
        Route("/reports/compliance", guarded(compliance)),
        Route("/reports/costs", guarded(cost)),
        Route("/reports/health", guarded(health)),
        Route("/reports/capacity", guarded(capacity)),
        Route("/status", guarded(status)),
    ]
