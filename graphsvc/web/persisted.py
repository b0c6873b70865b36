"""Persisted queries: Apollo's automatic persisted queries (APQ), or an allow-list of the documents that may run.

The wire format is Apollo's: `extensions: {"persistedQuery": {"version": 1, "sha256Hash": "<64 hex>"}}` in the JSON
body of a POST, or as the JSON of the `extensions` parameter of a GET. The hash is the SHA-256 of the document's
exact text (UTF-8).

`GRAPHSVC_PERSISTED_QUERIES` picks the mode:

- `apq` (the default): a request with the hash alone runs the document registered under it; an unknown hash is
  answered (status 200) with the error `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), on which an APQ
  client sends the document with its hash, which registers it once the hash is checked (a wrong one: 400,
  `PERSISTED_QUERY_HASH_MISMATCH`). The store is per process, in memory, least recently used first out within
  `GRAPHSVC_PERSISTED_QUERIES_KB`; a client whose hash was let go (or landed on another worker) sends the document
  again. Requests without the extension run as they always have.
- `allowlist`: only the documents in `GRAPHSVC_PERSISTED_QUERIES_DIR` (each .graphql file one document, and the
  operations of Apollo persisted-query manifests, .json; loaded at start) run, asked for by hash or sent as text;
  any other is refused (400, `PERSISTED_QUERY_NOT_ALLOWED`) and nothing is registered. A document that asks only
  about the schema (`__schema`, `__type`, `__typename` at its root: GraphiQL's introspection) is let through to the
  schema's own rule (`GRAPHSVC_INTROSPECTION`).
- `off`: a hash alone is answered `PersistedQueryNotSupported` (code `PERSISTED_QUERY_NOT_SUPPORTED`), on which an
  APQ client stops sending hashes; a document sent with its hash runs, the hash ignored.

A refusal carries `Cache-Control: no-store`, so no cache keeps a "not found" for a hash that is registered a moment
later. This sits behind the token check (web/middleware.py): a hash runs with the asking token's rights.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

from graphql import FieldNode, GraphQLError, OperationType, get_operation_ast, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.domain import safe_json
from graphsvc.settings import Settings
from graphsvc.web.middleware import reply

__all__ = ["PersistedQueries", "PersistedQueryStore", "Refusal", "load_allowlist", "sha256_of"]

Mode = Literal["off", "apq", "allowlist"]
_HASH = re.compile(r"[0-9a-fA-F]{64}")
MANIFEST_FORMAT = "apollo-persisted-query-manifest"
ENTRY_OVERHEAD = 200  # bytes of bookkeeping per registered document (its key, the dict slot), roughly
_NO_STORE = [(b"cache-control", b"no-store")]


def sha256_of(document: str) -> str:
    """The hash an APQ client sends for `document`: SHA-256 of its UTF-8 text, lower-case hex."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def load_allowlist(directory: Path) -> dict[str, str]:
    """hash -> document for every .graphql file under `directory` (its whole text) and every operation of the
    Apollo persisted-query manifests (.json) there; ValueError naming what is wrong if there is none or a manifest is
    not one."""
    if not directory.is_dir():
        raise ValueError(
            "GRAPHSVC_PERSISTED_QUERIES=allowlist needs GRAPHSVC_PERSISTED_QUERIES_DIR, a directory of .graphql "
            f"files: {directory} is not a directory"
        )
    documents = {}
    for file in sorted(directory.rglob("*.graphql")):
        text = file.read_text(encoding="utf-8")
        documents[sha256_of(text)] = text
    for file in sorted(directory.rglob("*.json")):
        documents.update(_manifest(file))
    if not documents:
        raise ValueError(f"GRAPHSVC_PERSISTED_QUERIES_DIR {directory} holds no .graphql file: nothing could run")
    return documents


def _manifest(file: Path) -> dict[str, str]:
    """The operations of an Apollo persisted-query manifest (`generate-persisted-query-manifest`), by id."""
    try:
        manifest = safe_json.loads(file.read_bytes(), what=str(file))
    except safe_json.JsonRefused as exc:
        raise ValueError(str(exc)) from None
    operations = manifest.get("operations") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT or not isinstance(operations, list):
        raise ValueError(f"{file} is not an Apollo persisted-query manifest (format {MANIFEST_FORMAT!r}, operations)")
    found = {}
    for n, operation in enumerate(operations):
        body = operation.get("body") if isinstance(operation, dict) else None
        if not isinstance(body, str) or sha256_of(body) != operation.get("id"):
            raise ValueError(f"{file}: operations[{n}] needs a body and, as its id, the body's SHA-256")
        found[operation["id"]] = body
    return found


class PersistedQueryStore:
    """Documents by hash: the allow-list's (fixed) and those registered by APQ clients (least recently used first
    out within `max_bytes`; a document over a quarter of it is run but not kept)."""

    def __init__(self, *, max_bytes: int, allowed: Mapping[str, str] | None = None) -> None:
        self.max_bytes = max_bytes
        self.allowed = dict(allowed or {})
        self.registered: OrderedDict[str, str] = OrderedDict()
        self.size = 0

    def get(self, sha256: str) -> str | None:
        found = self.allowed.get(sha256)
        if found is None:
            found = self.registered.get(sha256)
            if found is not None:
                self.registered.move_to_end(sha256)
        return found

    def register(self, sha256: str, document: str) -> None:
        size = len(document.encode("utf-8")) + ENTRY_OVERHEAD
        if sha256 in self.registered or sha256 in self.allowed or size > self.max_bytes // 4:
            return
        self.registered[sha256] = document
        self.size += size
        while self.size > self.max_bytes:
            _, dropped = self.registered.popitem(last=False)
            self.size -= len(dropped.encode("utf-8")) + ENTRY_OVERHEAD


class Refusal(Exception):
    """A persisted-query request answered with a GraphQL error rather than run."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _only_introspection(document: str, operation_name: Any, max_tokens: int) -> bool:
    """Whether the operation asks only about the schema (its root fields all `__schema`, `__type`, `__typename`)."""
    try:
        operation = get_operation_ast(
            parse(document, max_tokens=max_tokens), operation_name if isinstance(operation_name, str) else None
        )
    except (GraphQLError, RecursionError):
        return False
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    selections = operation.selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value.startswith("__") for s in selections)


class PersistedQueries:
    """The GraphQL route's persisted-query step (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, mode: Mode, store: PersistedQueryStore, max_tokens: int = 2000) -> None:
        self.app = app
        self.mode = mode
        self.store = store
        self.max_tokens = max_tokens

    @classmethod
    def from_settings(cls, app: ASGIApp, settings: Settings) -> PersistedQueries:
        """The step as settings describe it; ValueError naming the problem if the allow-list cannot be loaded."""
        allowed: dict[str, str] = {}
        if settings.persisted_queries == "allowlist":
            if settings.persisted_queries_dir is None:
                raise ValueError(
                    "GRAPHSVC_PERSISTED_QUERIES=allowlist needs GRAPHSVC_PERSISTED_QUERIES_DIR: the directory of the "
                    ".graphql documents that may run"
                )
            allowed = load_allowlist(settings.persisted_queries_dir)
        store = PersistedQueryStore(max_bytes=settings.persisted_queries_kb * 1024, allowed=allowed)
        return cls(app, mode=settings.persisted_queries, store=store, max_tokens=settings.max_query_tokens)

    def document_for(self, query: Any, extensions: Any, operation_name: Any = None) -> str | None:
        """The document the request runs if it is not the one it sent (None: as sent); Refusal if it may not run."""
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        if persisted is not None and self.mode == "off":
            if query is None:
                raise Refusal(200, "PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
        elif persisted is not None:
            sha256 = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
            if not isinstance(persisted, dict) or persisted.get("version") != 1:
                raise Refusal(
                    400,
                    "Unsupported persisted query version: send extensions.persistedQuery "
                    '{"version": 1, "sha256Hash": "<SHA-256 of the document, 64 hex digits>"}',
                    "BAD_REQUEST",
                )
            if not isinstance(sha256, str) or not _HASH.fullmatch(sha256):
                raise Refusal(
                    400,
                    "extensions.persistedQuery.sha256Hash must be the document's SHA-256 as 64 hex digits",
                    "BAD_REQUEST",
                )
            sha256 = sha256.lower()
            if query is None:
                found = self.store.get(sha256)
                if found is None:
                    raise Refusal(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
                return found
            if isinstance(query, str) and sha256_of(query) != sha256:
                raise Refusal(
                    400,
                    "provided sha does not match query: extensions.persistedQuery.sha256Hash must "
                    "be the SHA-256 of the query's UTF-8 text",
                    "PERSISTED_QUERY_HASH_MISMATCH",
                )
            if isinstance(query, str) and self.mode == "apq":
                self.store.register(sha256, query)
        if self.mode == "allowlist" and isinstance(query, str):
            if self.store.get(sha256_of(query)) is None and not _only_introspection(
                query, operation_name, self.max_tokens
            ):
                raise Refusal(
                    400,
                    "this server runs only its registered documents (GRAPHSVC_PERSISTED_QUERIES="
                    "allowlist), and this one is not among them: send one of them, or its SHA-256 in "
                    "extensions.persistedQuery",
                    "PERSISTED_QUERY_NOT_ALLOWED",
                )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        try:
            if scope["method"] == "GET":
                await self._get(scope, receive, send)
            else:
                await self._post(scope, receive, send)
        except Refusal as refusal:
            await reply(send, refusal.status, refusal.message, refusal.code, json_body=True, extra=_NO_STORE)

    async def _get(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(params)
        if "query" not in given and "extensions" not in given:
            await self.app(scope, receive, send)  # the GraphiQL page
            return
        try:
            extensions = safe_json.loads(given["extensions"], what="extensions") if given.get("extensions") else None
        except safe_json.JsonRefused:
            extensions = None  # strawberry says what is wrong with it
        document = self.document_for(given.get("query"), extensions, given.get("operationName"))
        if document is not None:
            params = [(k, v) for k, v in params if k != "query"] + [("query", document)]
            scope = {**scope, "query_string": urlencode(params).encode("latin-1")}
        await self.app(scope, receive, send)

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        if self.mode != "allowlist" and b"persistedQuery" not in body:
            await self.app(scope, _replay(body, receive), send)
            return
        try:
            data = safe_json.loads(body, what="the request body")
        except safe_json.JsonRefused:
            data = None  # strawberry says what is wrong with it
        if isinstance(data, list):  # a batch (strawberry refuses them): none of its documents escapes the allow-list
            for item in data:
                if isinstance(item, dict):
                    self.document_for(item.get("query"), item.get("extensions"), item.get("operationName"))
        elif isinstance(data, dict):
            document = self.document_for(data.get("query"), data.get("extensions"), data.get("operationName"))
            if document is not None:
                body = safe_json.dumps({**data, "query": document}).encode()
                headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
                scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives `body` once, then whatever comes next (the client's disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
