"""Each request measured and logged, and GET /metrics.

`Observe` is the outermost middleware: it gives the request an id (the client's `X-Request-ID` when that is a sane
short token, else a new one), returns it in the `X-Request-ID` header of every answer, counts the answer by route
and status (telemetry/metrics.py), and logs one access line on the `graphsvc.access` logger with the request id,
method, path (never the query string: it may hold a token), status, duration and GraphQL operation.

`/metrics` is public to the token check and guarded here instead: with `GRAPHSVC_METRICS_TOKEN` set, only a request
bearing that token is answered; without it, only one from loopback that no proxy forwarded (no Forwarded,
X-Forwarded-For or X-Real-IP header). Everything else gets 404, as if there were no such route.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.db.discovery import run_totals
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout
from graphsvc.telemetry import metrics
from graphsvc.telemetry.context import CURRENT, RequestInfo, new_request_id, sane_request_id

__all__ = ["METHODS", "PROXY_HEADERS", "RECORDED_WITHIN", "Observe", "metrics_route"]

access_log = logging.getLogger("graphsvc.access")

PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")
RECORDED_WITHIN = 2.0  # seconds a scrape waits for what the database records (discovery runs)
# A client may send any token as its method: only these are label values of their own (bounded cardinality).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Observe:
    KEPT_PATHS = 1024

    def __init__(self, app: ASGIApp, *, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        self._route_by_path: dict[str, str] = {}

    def route_of(self, scope: Scope) -> str:
        """The route's path template ("/reports/changes/{id}"), the mount's path, or OTHER (kept for up to
        KEPT_PATHS paths: a client chooses them, so past that they are matched each time)."""
        path = scope["path"]
        known = self._route_by_path.get(path)
        if known is not None:
            return known
        found = self._route_of(scope)
        if len(self._route_by_path) < self.KEPT_PATHS:
            self._route_by_path[path] = found
        return found

    def _route_of(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                return str(getattr(route, "path", metrics.OTHER)) or metrics.OTHER
        return metrics.OTHER

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k.lower() == b"x-request-id"), None)
        info = RequestInfo(sane_request_id(given) or new_request_id())
        token = CURRENT.set(info)
        started = time.perf_counter()
        status = 500  # if the app fails before it answers, the server answers 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", info.id.encode("latin-1"))]}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = self.route_of(scope)
            method = scope["method"] if scope["method"] in METHODS else metrics.OTHER
            metrics.labelled(metrics.HTTP_REQUESTS, route, method, str(status)).inc()
            metrics.labelled(metrics.HTTP_SECONDS, route).observe(seconds)
            access_log.info(
                "%s %s %d %.1f ms",
                scope["method"],
                scope["path"],
                status,
                seconds * 1000,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "operation": info.operation,
                },
            )
            CURRENT.reset(token)


def _allowed(request: Request, token: str | None) -> bool:
    if token:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())
    client = request.client.host if request.client else ""
    from graphsvc.web.app import is_loopback

    return is_loopback(client) and not any(h in request.headers for h in PROXY_HEADERS)


async def _recorded(collector: metrics.AppCollector) -> list[metrics.Metric]:
    """What the database says for this scrape: the discovery runs recorded (nothing when it cannot be read: the
    other metrics still answer)."""
    graph = collector.state.get("graph_cache")
    if graph is None:
        return []
    try:
        # bounded well inside Prometheus' default 10 s scrape timeout: a scrape must answer while Neo4j does not
        return metrics.discovery_recorded(await asyncio.wait_for(run_totals(graph.repo), RECORDED_WITHIN))
    except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError, TimeoutError):
        return []


def metrics_route(collector: metrics.AppCollector, token: str | None, multiprocess_dir: Path | None) -> Route:
    """GET /metrics: the process's (or all workers') and this app's metrics, to whom the module's docstring says."""

    async def serve(request: Request) -> Response:
        if not _allowed(request, token):
            return PlainTextResponse("Not Found", status_code=404)
        also = await _recorded(collector)
        body = metrics.render(collector, multiprocess_dir=multiprocess_dir, also=also)
        return Response(body, media_type=metrics.CONTENT_TYPE)

    return Route("/metrics", serve, methods=["GET"])
