"""The Starlette application: one AsyncDriver per process (opened in the lifespan), /graphql with offline
GraphiQL (and subscriptions over WebSocket), /healthz and /readyz, the reports, the explorer (/explore), the
Alertmanager hook (/hooks/alertmanager), /auth/session, and the vendored static assets; behind the concurrency,
body-size and token middleware (web/middleware.py)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import shutil
import sys
import tempfile
import warnings
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute

from graphsvc.db import graph as g
from graphsvc.db.audit_feed import AuditFeed
from graphsvc.db.connection import Connection, ServerDriver, open_async_driver, resolve_connection
from graphsvc.db.items import ItemRepository
from graphsvc.db.migrate import expected_version, schema_version
from graphsvc.db.tokens import TokenStore
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout
from graphsvc.settings import Settings, get_settings
from graphsvc.telemetry import tracing
from graphsvc.telemetry.metrics import AppCollector, process_ended
from graphsvc.usecases.changes import weights_from
from graphsvc.usecases.events import EventFeed
from graphsvc.usecases.freshness import CheckedRead
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.graph_share import GraphShare
from graphsvc.web.assets import StaticAssets
from graphsvc.web.compression import Compress
from graphsvc.web.conditional import ConditionalGet
from graphsvc.web.explore import explore_routes
from graphsvc.web.graphql_view import GraphQLApp
from graphsvc.web.headers import RequestShape, SecurityHeaders, TrustedHosts
from graphsvc.web.hooks import hook_routes
from graphsvc.web.middleware import Authenticate, BodyLimit, ConcurrencyLimit
from graphsvc.web.observe import Observe, metrics_route
from graphsvc.web.persisted import PersistedQueries
from graphsvc.web.reports import report_routes
from graphsvc.web.session import MAX_BODY as SIGN_IN_BODY
from graphsvc.web.session import session_routes
from graphsvc.web.socket_auth import SocketAuth
from graphsvc.web.throttle import FailedSignIns, ReadBodyFirst

__all__ = ["create_app", "is_loopback"]

log = logging.getLogger("graphsvc")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# What a GraphQL client in a browser sends and may read: its token (credentials), JSON, Apollo's client headers.
CORS: dict[str, Any] = {
    "allow_methods": ["GET", "POST"],
    "allow_headers": [
        "authorization",
        "content-type",
        "accept",
        "apollographql-client-name",
        "apollographql-client-version",
        "apollo-require-preflight",
    ],
    "allow_credentials": True,
    "expose_headers": ["retry-after"],
    "max_age": 600,
}


def origins(listed: str) -> frozenset[str]:
    """A comma-separated list of origins, as a set."""
    return frozenset(o.strip().rstrip("/") for o in listed.split(",") if o.strip())


# The coroutines graphql-core's executor (and strawberry's wrapper of each async resolver) makes for a request's fields
# and has not awaited yet when the request is cancelled (its deadline, a client gone): Python warns of each when it is
# collected. That is graphql-core's way (its issue #269), harmless, and under load it filled stderr with RuntimeWarnings
# no one could act on. Only these are silenced; any other coroutine never awaited is still warned of. pyproject.toml's
# pytest filterwarnings has the same line, where warnings are errors.
ABANDONED_EXECUTION = r"coroutine '(Executor|GraphQLCoreConverter)\.[\w.<>]+' was never awaited"


def quiet_abandoned_execution() -> None:
    """Silence the warnings of a cancelled request's un-awaited execution coroutines (ABANDONED_EXECUTION)."""
    warnings.filterwarnings("ignore", message=ABANDONED_EXECUTION, category=RuntimeWarning)


def create_app(settings: Settings | None = None, connection: Connection | None = None) -> Starlette:
    """The ASGI app. Without `connection`, the one settings describe is used (the managed server by default)."""
    settings = settings or get_settings()
    quiet_abandoned_execution()
    if not settings.auth and not is_loopback(settings.host):
        raise ValueError(
            f"GRAPHSVC_AUTH=off is only for a server bound to loopback (127.0.0.1, ::1), not {settings.host!r}: "
            "anyone who can reach it could read and change the whole CMDB. Create a token instead: "
            "graphsvc token create --name NAME --role ROLE"
        )
    metrics_token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if metrics_token is not None and len(metrics_token) < 16:
        raise ValueError("GRAPHSVC_METRICS_TOKEN must be 16 characters or more (openssl rand -hex 32 makes one)")
    if settings.otel:
        tracing.enable()  # raises TracingUnavailable, with what to install, when the otel extra is missing
    state: dict[str, Any] = {}

    def tokens() -> TokenStore | None:
        """The app's one token store (so concurrent requests with the same token share its lookup)."""
        driver = state.get("driver")
        if driver is None:
            return None
        store: TokenStore | None = state.get("token_store")
        if store is None or store.driver is not driver:
            store = state["token_store"] = TokenStore(driver, state["database"], timeout=settings.tx_timeout_seconds)
        return store

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        weights_from(settings.risk_weights_file)  # a bad risk weights file stops the start with its reason
        conn = connection or resolve_connection(settings)
        state["connection"] = conn
        state["database"] = conn.database
        state["driver"] = open_async_driver(conn)
        log.info("graphsvc connected to %s (database %s)", conn.uri, conn.database)
        repo = ItemRepository(state["driver"], conn.database, timeout=settings.tx_timeout_seconds)
        # kept browse answers are checked against one read shared by the requests that arrive while it runs
        # (and trusted again while nothing may have moved: usecases/freshness.py)
        state["data_fingerprint"] = CheckedRead(partial(g.data_fingerprint, repo), settings.recheck_seconds)
        share, own_folder = _graph_share(settings, conn)
        cache = state["graph_cache"] = GraphCache(
            repo,
            max_items=settings.graph_cache_max_items,
            keep_graph=settings.graph_cache,
            recheck_seconds=settings.recheck_seconds,
            share=share,
            share_from=settings.graph_process_from,
        )
        # subscriptions' one poller of the audit trail (runs only while anyone is subscribed)
        state["event_feed"] = EventFeed(
            AuditFeed(ItemRepository(state["driver"], conn.database, timeout=settings.tx_timeout_seconds)),
            interval=settings.subscription_poll_seconds,
            queue=settings.subscription_queue,
            per_token=settings.max_subscriptions_per_token,
        )
        try:
            await cache.view()  # starts loading the graph in the background; Neo4j answers meanwhile
        except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError) as exc:
            log.warning("dependency graph not loaded at startup (%s); it loads on first use", exc)
        try:
            yield
        finally:
            await state["event_feed"].close()
            await cache.close()
            if own_folder is not None:
                shutil.rmtree(own_folder, ignore_errors=True)
            await state["driver"].close()
            process_ended(settings.prometheus_multiproc_dir)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        driver: ServerDriver | None = state.get("driver")
        if driver is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            version = await schema_version(driver, state["database"])
        except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError) as exc:
            return JSONResponse(
                {"status": "unavailable", "neo4j": f"unreachable: {type(exc.__cause__ or exc).__name__}"},
                status_code=503,
            )
        want = expected_version()
        if version < want:
            return JSONResponse(
                {"status": "unavailable", "schemaVersion": version, "expected": want, "hint": "run `graphsvc migrate`"},
                status_code=503,
            )
        cache: GraphCache | None = state.get("graph_cache")
        if cache is None or not cache.keep_graph:
            graph = "off"
        elif cache.too_large:  # answers walk Neo4j; "loading" would never end
            graph = "tooLarge"
        else:
            graph = "loaded" if cache.graph is not None else "loading"
        body: dict[str, Any] = {"status": "ready", "schemaVersion": version, "dependencyGraph": graph}
        if graph == "loaded":  # what impacts expose (teams, units, SLAs, requirements) loads after the graph
            body["impactExposure"] = "loaded" if cache is not None and cache.exposure is not None else "loading"
        progress = cache.load_progress if cache is not None and graph == "loading" else None
        if progress is not None:  # the first load, under way: how far (impacts walk Neo4j until it ends)
            body["graphLoad"] = {"nodesRead": progress[0], "seconds": round(progress[1], 1)}
        return JSONResponse(body)

    async def index(request: Request) -> Response:
        return RedirectResponse("/graphql")

    failures = FailedSignIns()  # failed authentications, by the API and the sign-in route alike
    cors = origins(settings.cors_origins)
    trusted = origins(settings.trusted_origins) | cors  # an app allowed to call the API may also write through it
    graphql_app = GraphQLApp(
        state,
        settings,
        socket_auth=SocketAuth(enabled=settings.auth, store=tokens, failures=failures),
        allowed_origins=sorted(trusted),
    )
    graphql_route = ConditionalGet(PersistedQueries.from_settings(graphql_app, settings))  # a bad allow-list stops here
    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql_route),  # any method: the view answers 405 for others, as a GraphQL error body
        WebSocketRoute("/graphql", graphql_app),  # subscriptions
        *report_routes(state, settings),
        *explore_routes(),
        *hook_routes(state, settings),
        *session_routes(tokens, auth=settings.auth, failures=failures),
        metrics_route(AppCollector(state), metrics_token, settings.prometheus_multiproc_dir),
        Mount("/static", StaticAssets(), name="static"),  # hashes its files now, once
    ]
    middleware = [  # outermost first
        Middleware(Compress),
        Middleware(SecurityHeaders),
        # A browser app's preflight (OPTIONS, no token) is answered here, before the token check would refuse it.
        *([Middleware(CORSMiddleware, **CORS, allow_origins=sorted(cors))] if cors else []),
        Middleware(RequestShape, allowed_origins=trusted),
        Middleware(BodyLimit, max_bytes=settings.max_request_bytes),
        # Anonymous requests are answered (401) before they can hold a slot; public routes are not counted.
        Middleware(Authenticate, enabled=settings.auth, store=tokens, failures=failures),
        # A slot is taken only once the whole body is in: a client trickling its body holds none.
        Middleware(
            ReadBodyFirst, min_rate=settings.body_min_bytes_per_second, path_limits={"/auth/session": SIGN_IN_BODY}
        ),
        Middleware(
            ConcurrencyLimit, limit=settings.max_concurrent_requests, per_client=settings.max_concurrent_per_client
        ),
    ]
    if not settings.auth:
        # Auth off is loopback only; a Host check stops a web page from reaching it by DNS rebinding.
        hosts = ["localhost", "127.0.0.1", "[::1]", "::1", settings.host]
        middleware.insert(0, Middleware(TrustedHosts, allowed_hosts=hosts))
    # Outermost: every answer, refusals included, is counted, logged and carries its request id.
    middleware.insert(0, Middleware(Observe, routes=routes))
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.graphsvc = state  # what the lifespan opened (the driver, the event feed): for tests and debugging
    return app


def _graph_share(settings: Settings, conn: Connection) -> tuple[GraphShare | None, Path | None]:
    """Where this server's processes share the graph's file (usecases/graph_share.py), and the folder to remove at
    the end when it is this process's own; no share where there is no `flock` (not POSIX) or no graph is kept."""
    if sys.platform == "win32" or not settings.graph_cache:
        return None, None
    if settings.graph_share_run and settings.graph_share_dir is not None:  # `serve --workers N`'s, for this run
        return GraphShare(settings.graph_share_dir, conn, settings.tx_timeout_seconds), None
    # a fresh folder each run: a file never outlives the server that loaded it (a restart reads the graph again)
    if settings.graph_share_dir is not None:
        settings.graph_share_dir.mkdir(parents=True, exist_ok=True)
    own = Path(tempfile.mkdtemp(prefix="graphsvc-graph-", dir=settings.graph_share_dir))
    return GraphShare(own, conn, settings.tx_timeout_seconds), own
