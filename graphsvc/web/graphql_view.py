"""The GraphQL view: strawberry's ASGI app with graphsvc's context, its kept answers (the response cache), one
computation per question, the request deadline and cancellation on disconnect, the GraphiQL page, and subscriptions
over WebSocket (graphql-transport-ws: authenticated at connection_init by web/socket_auth.py, origins checked at the
upgrade). The one module outside graphql/ that imports strawberry: it is where HTTP meets GraphQL."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from cross_web import HTTPException
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from graphsvc.db.connection import WRITE_TIMEOUT, ServerDriver
from graphsvc.db.graph import DataFingerprint
from graphsvc.domain import safe_json
from graphsvc.domain.tokens import Principal
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout
from graphsvc.graphql.context import Context
from graphsvc.graphql.error_codes import Code, RequestRefused, with_codes
from graphsvc.graphql.lane import STATS as lane_stats
from graphsvc.graphql.lane import Lanes
from graphsvc.graphql.observe import operation_name
from graphsvc.graphql.over_http import check_operation, refusal_of, request_data, request_data_of_get
from graphsvc.graphql.response_cache import ResponseCache
from graphsvc.graphql.schema import Schema, build_schema
from graphsvc.settings import Settings
from graphsvc.telemetry.context import note_operation
from graphsvc.usecases.freshness import CheckedRead
from graphsvc.util import json_bytes
from graphsvc.web.graphiql import render_graphiql
from graphsvc.web.graphql_http import answer_media, answered, refusal, shape_answer
from graphsvc.web.headers import NONCE, Nonce
from graphsvc.web.middleware import headers_of
from graphsvc.web.socket_auth import SocketAuth, SocketRefused

__all__ = ["EXAMPLE_QUERY", "GraphQLApp"]

WATCH_AFTER_SECONDS = 0.02  # a request's client is watched for a disconnect once its work has taken this long

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


_T = TypeVar("_T")
_DEADLINE = "graphsvc.deadline"  # request scope key: when its work is stopped (the event loop's time; _bounded)
_LANE_CONTEXT = "graphsvc.lane_context"  # request scope key: the context of a request the view's lane left (_laned)
_MISSED_UNDER = "graphsvc.kept_answer_missed_under"  # request scope key: the fingerprint a POST's lookup missed under
_UNREADABLE = object()  # ... or this, when the fingerprint could not be read
# Bodies longer than this are never looked up before strawberry (for a kept answer or a lane): longer than any key
# (response_cache.py's limits on the query and variables, with room for JSON escapes).
MAX_KEPT_BODY = 128 * 1024


class _Socket(ASGIWebSocketAdapter):
    """strawberry's socket adapter; a socket graphsvc closed already (with its own code and reason) stays closed, and
    messages go as text frames (graphql-transport-ws speaks only text), though answers over HTTP are bytes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(json_bytes(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            await self.ws.close(code=code, reason=reason)


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with graphsvc's context and a GraphiQL page that needs no internet."""

    websocket_adapter_class = _Socket

    def __init__(
        self,
        state: dict[str, Any],
        settings: Settings,
        *,
        socket_auth: SocketAuth | None = None,
        allowed_origins: Sequence[str] = (),
    ) -> None:
        schema = build_schema(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=10),
            # the per-token limit (usecases/events.py) says more, so it is the one a client meets
            max_subscriptions_per_connection=settings.max_subscriptions_per_token + 1,
            # A browser page of another origin may not open a socket with the user's cookie (WebSocket hijacking):
            # the same origins as may write (web/headers.py's RequestShape).
            allowed_origins=allowed_origins,
        )
        self.state = state
        self.settings = settings
        self.socket_auth = socket_auth
        self.responses: ResponseCache | None = None
        # (key, fingerprint) -> the answer being computed for it (None if it fails): see execute_single
        self._in_flight: dict[tuple[Any, DataFingerprint], asyncio.Future[dict[str, Any] | None]] = {}
        self._introspection: dict[tuple[str, str | None, str], dict[str, Any]] = {}  # see _introspection_key
        if settings.response_cache_seconds > 0:
            self.responses = state["response_cache"] = ResponseCache(
                schema._schema,
                max_age=settings.response_cache_seconds,
                max_bytes=settings.response_cache_mb * 1024 * 1024,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A kept browse answer goes out as the text it was kept as, without GraphQL execution; everything else is
        strawberry's (which finds the body already read). Either is answered in the media type the client prefers,
        and a refused request as a GraphQL error body (graphql_http.py)."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        answer_media(scope, _header(scope, b"accept"))
        kept = await self._kept_answer(request) if scope["method"] == "POST" else None
        if kept is not None:
            response: Response = Response(kept, media_type="application/json", headers={"x-graphsvc-cache": "kept"})
        else:
            try:
                laned = await self._laned(request) if scope["method"] == "POST" else None
                response = laned if laned is not None else await self.run(request)
            except HTTPException as exc:
                response = refusal(scope, refusal_of(exc))
            except RequestRefused as exc:
                response = refusal(scope, exc)
        await answered(scope, response)(scope, receive, send)

    async def _laned(self, request: Request) -> Response | None:
        """The answer of a POST whose document has a lane (graphql/lane.py), given by the lane without strawberry's
        view around it; None leaves the request to `run`, which finds the body read and, when the lane was tried and
        left it, this request's context with what the lane found (so nothing is read twice).

        What `run` does for such a request, done here: the body checked as `parse_http_body` checks it (a body it
        would refuse goes to `run`, which refuses it); no batch, no stream, no GraphiQL page (a POST of a JSON body);
        a document that passed `check_operation` and the token limit when its lane was made (the text gives the same
        verdict again); the deadline and the client's disconnect (`_bounded`); the answer shaped by `process_result`
        and made by `create_response`. A document the response cache keeps answers for goes to `run`, which keeps
        them: `_kept_answer`, asked first, marked it (`_MISSED_UNDER`) when it found no current answer."""
        lanes = self.schema.lanes if isinstance(self.schema, Schema) and self.settings.compiled_reads else None
        if lanes is None or _MISSED_UNDER in request.scope or not _json_body(request.scope):
            return None
        body = await request.body()
        if len(body) > MAX_KEPT_BODY:
            return None  # not parsed twice (an import's document, say); a lane's text still meets it in the view
        try:
            data = request_data(self.decode_json(body))
        except RequestRefused:
            return None  # `run` refuses it, in its words
        if data.query is None or not lanes.knows(data.query, data.operation_name):
            return None
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, response=sub_response)
        result = await self._bounded(request, self._lane_result(lanes, data, context))
        if result is None:
            request.scope[_LANE_CONTEXT] = context  # `run` goes on with it (get_context)
            return None
        return self.create_response(await self.process_result(request, result), sub_response)

    @staticmethod
    async def _lane_result(lanes: Lanes, data: GraphQLRequestData, context: Context) -> ExecutionResult | None:
        answer = await lanes.answer(data.query, data.operation_name, context, data.variables)
        if answer is None:
            return None
        lane_stats.by_view += 1
        return ExecutionResult(data=answer, errors=None, extensions={})

    async def _kept_answer(self, request: Request) -> bytes | None:
        """The whole response body of a kept answer to this request, if there is a current one."""
        cache = self.responses
        if cache is None:
            return None
        if not _json_body(request.scope):
            return None
        body = await request.body()
        if len(body) > MAX_KEPT_BODY:
            return None  # no key is that long: not parsed twice (an import's document, say)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None  # strawberry says what is wrong with it
        if not (
            isinstance(data, dict)
            and isinstance(data.get("variables"), dict | None)
            and isinstance(data.get("extensions"), dict | None)
        ):
            return None  # strawberry answers malformed requests as it always has
        principal: Principal | None = request.scope.get("state", {}).get("principal")
        role = principal.role if principal else None
        key = cache.key(data.get("query"), data.get("operationName"), data.get("variables"), role=role)
        if key is None:
            return None
        fingerprint = await self._data_fingerprint()
        if fingerprint is None:
            request.scope[_MISSED_UNDER] = _UNREADABLE  # execute_single need not try again
            return None
        text = cache.get_text(key, fingerprint)
        if text is None:
            request.scope[_MISSED_UNDER] = fingerprint  # execute_single keeps the answer under it
            return None
        note_operation(operation_name(key[0], key[1]))  # for the access line: a kept answer is not executed
        return b'{"data":' + text.encode() + b"}"

    async def _data_fingerprint(self) -> DataFingerprint | None:
        """The data fingerprint, by the read shared with concurrent requests; None when it cannot be read (the
        query itself then says what is wrong)."""
        shared: CheckedRead[DataFingerprint] | None = self.state.get("data_fingerprint")
        if shared is None:
            return None
        try:
            return await shared()
        except (DatabaseUnavailable, QueryTimeout, DatabaseError, OSError):
            return None

    async def get_context(self, request: Any, response: Any) -> Context:
        tried: Context | None = request.scope.pop(_LANE_CONTEXT, None)
        if tried is not None:  # the view's lane left this request to the general path (_laned)
            tried.response = response
            return tried
        driver: ServerDriver = self.state["driver"]
        WRITE_TIMEOUT.set(self.settings.tx_timeout_seconds)  # this request's writes, like its reads, are bounded
        return Context.create(
            driver,
            self.state["database"],
            self.settings,
            request=request,
            response=response,
            graph_cache=self.state.get("graph_cache"),
            principal=request.scope.get("state", {}).get("principal"),
            events=self.state.get("event_feed") if isinstance(request, WebSocket) else None,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType:
        """connection_init: who is connecting (web/socket_auth.py); refused with its close code and reason."""
        socket: WebSocket = context.request
        payload = getattr(context, "connection_params", None) or {}
        address = (socket.client.host if socket.client else None) or "unknown"
        try:
            if self.socket_auth is None:
                raise SocketRefused(4403, "Forbidden: this server takes no subscriptions")
            context.principal = await self.socket_auth.principal(payload, headers_of(socket.scope), address)
        except SocketRefused as refused:
            log.info("WebSocket from %s refused: %s", address, refused.reason)
            await socket.close(code=refused.code, reason=refused.reason)
            raise ConnectionRejectionError from None
        unset: UnsetType = UNSET
        return unset

    def encode_json(self, data: object) -> bytes:
        return json_bytes(data)

    def decode_json(self, data: str | bytes) -> object:
        """JSON graphsvc accepts (safe_json: no NaN, Infinity, integers beyond 2^53, deep nesting, bad UTF-8), else
        the request is refused with 400 (not a 500)."""
        try:
            return safe_json.loads(data, what="the request body")
        except safe_json.JsonRefused as exc:
            raise RequestRefused(str(exc), Code.BAD_REQUEST) from None

    async def parse_http_body(self, request_adapter: Any) -> GraphQLRequestData:
        """The request's parameters, each checked (over_http.py): one operation per request, no batches."""
        if request_adapter.method == "GET":
            return request_data_of_get(request_adapter.query_params, self.decode_json)
        return request_data(self.decode_json(await request_adapter.get_body()))

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Browse queries are answered from the response cache while the data has not changed (response_cache.py)."""
        check_operation(request_data.query, request_data.operation_name, self.settings.max_query_tokens)
        args = (request, request_adapter, sub_response, context, root_value, request_data)
        if _writes(request_data):
            # A write is not cut off from here: it commits or rolls back whole within its Neo4j transaction timeout.
            return await self._execute_single(*args)
        return await self._bounded(request, self._execute_single(*args))

    async def _bounded(self, request: Request, work: Coroutine[Any, Any, _T]) -> _T | ExecutionResult:
        """`work` run until it is done, the client disconnects, or the request deadline passes; then it is cancelled:
        its Neo4j reads are abandoned (their transactions rolled back) and its slot is freed. An analysis already
        running in its thread finishes there, and its answer is dropped.

        The work runs in the request's own task under `asyncio.timeout_at`; the client is watched (a task reading
        `receive` for the disconnect) only once the work has taken WATCH_AFTER_SECONDS: most answers take less, and
        a task and a wait on two per request cost a tenth of a small answer's time. The deadline is the request's,
        set by its first bounded work: a request the view's lane left (`_laned`) goes on under the same one."""
        current = asyncio.current_task()
        assert current is not None, "a request is served in a task"
        loop = asyncio.get_running_loop()
        watching: list[asyncio.Task[None]] = []
        gone = False

        async def watch() -> None:
            nonlocal gone
            if await _client_gone(request.receive):
                gone = True
                current.cancel()

        timer = loop.call_later(WATCH_AFTER_SECONDS, lambda: watching.append(loop.create_task(watch())))
        deadline = self.settings.request_deadline_seconds
        bound = asyncio.timeout_at(request.scope.setdefault(_DEADLINE, loop.time() + deadline))
        try:
            async with bound:
                return await work
        except TimeoutError:
            if not bound.expired():
                raise  # the work's own timeout, not the deadline: its error, as before
            return ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"the request ran past its {deadline:g} s deadline (GRAPHSVC_REQUEST_DEADLINE_SECONDS) and "
                        "was stopped: ask for less (smaller pages, fewer analyses in one document)",
                        extensions={"code": Code.DEADLINE_EXCEEDED},
                    )
                ],
            )
        except asyncio.CancelledError:
            if not gone:
                raise  # the server's own cancellation (a shutdown) goes on
            current.uncancel()
            log.info("the client of %s went away: its work was stopped", request.url.path)
            return ExecutionResult(
                data=None, errors=[GraphQLError("the client disconnected", extensions={"code": Code.CLIENT_CLOSED})]
            )
        finally:
            timer.cancel()
            for task in watching:
                task.cancel()

    async def _execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        args = (request, request_adapter, sub_response, context, root_value, request_data)
        introspection = _introspection_key(request_data)
        if introspection is not None:
            known = self._introspection.get(introspection)
            if known is not None:
                return ExecutionResult(data=known, errors=None)
            result = await super().execute_single(*args)
            if not result.errors and result.data is not None and len(self._introspection) < 32:
                self._introspection[introspection] = result.data  # the schema never changes while the process runs
            return result
        cache = self.responses
        if cache is None:
            return await super().execute_single(*args)
        role = context.principal.role if context.principal else None  # a kept answer only for a role that may ask
        key = cache.key(request_data.query, request_data.operation_name, request_data.variables, role=role)
        if key is None:
            return await super().execute_single(*args)
        # A POST was looked up before strawberry (__call__) and missed: its fingerprint is kept on the request.
        fingerprint = request.scope.get(_MISSED_UNDER)
        if fingerprint is _UNREADABLE:
            return await super().execute_single(*args)  # the query itself will say what is wrong
        if fingerprint is None:
            fingerprint = await self._data_fingerprint()
            if fingerprint is None:
                return await super().execute_single(*args)
            kept = cache.get(key, fingerprint)
            if kept is not None:
                return ExecutionResult(data=kept, errors=None)
        # The same question asked again while its answer is being computed (a page everyone opens, just let go for
        # its age or after a write) waits for that answer rather than computing it again beside it: under the same
        # fingerprint, read after this request arrived, it is the answer this request would compute.
        flight = (key, fingerprint)
        first = self._in_flight.get(flight)
        if first is not None:
            cache.shared += 1
            data = await asyncio.shield(first)
            if data is not None:
                return ExecutionResult(data=data, errors=None)
            return await super().execute_single(*args)  # the first one failed: this one says why for itself
        computing: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self._in_flight[flight] = computing
        answer = None
        try:
            result = await super().execute_single(*args)
            if not result.errors and result.data is not None:
                answer = result.data
                cache.put(key, fingerprint, answer)
            return result
        finally:
            del self._in_flight[flight]
            computing.set_result(answer)

    async def render_graphql_ide(self, request: Request) -> Response:
        """The page, its inline scripts carrying this response's CSP nonce (web/headers.py). Values rendered into a
        script are JSON with `<` escaped, so the page's own `<script>` tags are the only ones there are."""
        page = render_graphiql(example_query=EXAMPLE_QUERY)
        nonce: Nonce | None = request.scope.get("state", {}).get(NONCE)
        if nonce is not None:
            page = page.replace("<script>", f'<script nonce="{nonce.value}">')
        return HTMLResponse(page, headers={"cache-control": "no-cache"})  # its assets are kept a year (assets.py)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        """Every error carries a code in `extensions` (error_codes.py); the answer is shaped for its media type."""
        with_codes(result.errors or [])
        answer = await super().process_result(request, result)
        shape_answer(request.scope, answer, result.errors)  # type: ignore[arg-type]
        return answer


def _header(scope: Scope, name: bytes) -> str | None:
    """The request's first header called `name` (lower case, as ASGI gives names), as Starlette's `headers.get`
    reads it, without making the request's Headers (on every request: they cost as much as the rest of the view's
    own work for a small answer)."""
    key: bytes
    value: bytes
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _json_body(scope: Scope) -> bool:
    """Whether the request says its body is JSON (`application/json`, with any parameters)."""
    return (_header(scope, b"content-type") or "").split(";")[0].strip() == "application/json"


async def _client_gone(receive: Receive) -> bool:
    """True once the client disconnects (the request's body has been read by then: uvicorn's receive waits)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return True


def _writes(request_data: GraphQLRequestData) -> bool:
    """Whether the request runs a mutation (anything it cannot parse is left for strawberry to refuse)."""
    query = request_data.query
    if not query or "mutation" not in query:
        return False
    try:
        operation = _parsed(query, request_data.operation_name)[0]
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.MUTATION


@functools.lru_cache(maxsize=256)
def _parsed(query: str, operation_name: str | None) -> tuple[OperationDefinitionNode | None, DocumentNode]:
    """The operation a request runs (None if the name picks none, or several are there and none is named), and its
    document; parsed once for the checks here (strawberry parses it again, with its own cache)."""
    document = parse(query)
    return get_operation_ast(document, operation_name), document


def _introspection_key(request_data: GraphQLRequestData) -> tuple[str, str | None, str] | None:
    """A key for a document that asks only about the schema (GraphiQL's introspection query, a codegen tool's):
    its answer is the same until the process restarts, so it is computed once, not on every page load."""
    query = request_data.query
    if not query or ("__schema" not in query and "__type" not in query) or len(query) > 20_000:
        return None
    try:
        roots = _root_fields(query, request_data.operation_name)
    except GraphQLError:
        return None  # strawberry says what is wrong with it
    if not roots or not all(name.startswith("__") for name in roots):
        return None
    try:
        variables = json.dumps(request_data.variables or {}, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return query, request_data.operation_name, variables


@functools.lru_cache(maxsize=64)
def _root_fields(query: str, operation_name: str | None) -> tuple[str, ...]:
    """The root fields an operation selects, fragments included (spreads of unknown fragments count as not ours)."""
    operation, document = _parsed(query, operation_name)
    if operation is None or operation.operation != OperationType.QUERY:
        return ()
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: list[str] = []

    def collect(selections: Any, seen: frozenset[str]) -> None:
        for sel in selections:
            if isinstance(sel, FieldNode):
                names.append(sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                collect(sel.selection_set.selections, seen)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = fragments.get(sel.name.value)
                if fragment is None or sel.name.value in seen:
                    names.append("not-introspection")
                else:
                    collect(fragment.selection_set.selections, seen | {sel.name.value})

    collect(operation.selection_set.selections, frozenset())
    return tuple(names)
