"""The Starlette application: one AsyncDriver per process (opened in the lifespan), /graphql with offline
GraphiQL, /healthz and /readyz, and the vendored static assets."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from neo4j import AsyncDriver
from neo4j.exceptions import Neo4jError, ServiceUnavailable
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from graphsvc.db.connection import Connection, open_async_driver, resolve_connection
from graphsvc.db.items import ItemRepository
from graphsvc.db.migrate import expected_version, schema_version
from graphsvc.errors import DatabaseUnavailable, RequestError
from graphsvc.graphql.context import Context
from graphsvc.graphql.ide import render_graphiql
from graphsvc.graphql.schema import build_schema
from graphsvc.report_routes import report_routes
from graphsvc.settings import Settings, get_settings
from graphsvc.usecases.changes import weights_from
from graphsvc.usecases.graph_cache import GraphCache

__all__ = ["EXAMPLE_QUERY", "create_app"]

log = logging.getLogger("graphsvc")

EXAMPLE_QUERY = """# Welcome to graphsvc: press run (Ctrl-Enter).
# The databases in the CMDB: where they run,
# who owns them and what depends on them.
# The schema's docs: the book icon, top left.
query BrowseConfigurationItems($after: String) {
  configurationItems(first: 10, after: $after, filter: {type: DATABASE}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id name type status criticality monthlyCost
        site { id name }
        owner { id name }
        dependents { id name }
      }
    }
  }
}
"""


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with graphsvc's context and a GraphiQL page that needs no internet."""

    def __init__(self, state: dict[str, Any], settings: Settings) -> None:
        super().__init__(build_schema(), graphql_ide="graphiql", allow_queries_via_get=True)
        self.state = state
        self.settings = settings

    async def get_context(self, request: Any, response: Any) -> Context:
        driver: AsyncDriver = self.state["driver"]
        return Context.create(
            driver,
            self.state["database"],
            self.settings,
            request=request,
            response=response,
            graph_cache=self.state.get("graph_cache"),
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(render_graphiql(example_query=EXAMPLE_QUERY))

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Errors a client can act on carry a code in `extensions`."""
        for error in result.errors or []:
            if isinstance(error.original_error, DatabaseUnavailable | RequestError):
                error.extensions = {**(error.extensions or {}), "code": error.original_error.code}
        return await super().process_result(request, result)


def create_app(settings: Settings | None = None, connection: Connection | None = None) -> Starlette:
    """The ASGI app. Without `connection`, the one settings describe is used (the managed server by default)."""
    settings = settings or get_settings()
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        weights_from(settings.risk_weights_file)  # a bad risk weights file stops the start with its reason
        conn = connection or resolve_connection(settings)
        state["connection"] = conn
        state["database"] = conn.database
        state["driver"] = open_async_driver(conn)
        log.info("graphsvc connected to %s (database %s)", conn.uri, conn.database)
        repo = ItemRepository(state["driver"], conn.database, timeout=settings.tx_timeout_seconds)
        cache = state["graph_cache"] = GraphCache(
            repo, max_items=settings.graph_cache_max_items, keep_graph=settings.graph_cache
        )
        try:
            await cache.view()  # starts loading the graph in the background; Neo4j answers meanwhile
        except (ServiceUnavailable, Neo4jError, DatabaseUnavailable, OSError) as exc:
            log.warning("dependency graph not loaded at startup (%s); it loads on first use", exc)
        try:
            yield
        finally:
            await cache.close()
            await state["driver"].close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        driver: AsyncDriver | None = state.get("driver")
        if driver is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            version = await schema_version(driver, state["database"])
        except (ServiceUnavailable, Neo4jError, OSError) as exc:
            return JSONResponse(
                {"status": "unavailable", "neo4j": f"unreachable: {type(exc).__name__}"}, status_code=503
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
        else:
            graph = "loaded" if cache.graph is not None else "loading"
        return JSONResponse({"status": "ready", "schemaVersion": version, "dependencyGraph": graph})

    async def index(request: Request) -> Response:
        return RedirectResponse("/graphql")

    graphql_app = GraphQLApp(state, settings)
    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql_app, methods=["GET", "POST"]),
        *report_routes(state, settings),
        Mount("/static", StaticFiles(packages=[("graphsvc", "static")]), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
