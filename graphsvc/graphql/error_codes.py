"""The one list of `extensions.code` values graphsvc answers with, what each means and its HTTP status, and the
mapping that gives every error of a GraphQL response one of them (docs/api.md, "Errors and codes", is this list for
clients; a test holds the two equal).

The codes are stable: a client may branch on them. Messages are for people and may be reworded. A code is never
removed or renamed; a new one is added here, in docs/api.md, and in the test of the request that produces it.
graphsvc.errors' classes carry their code as a string (errors.py imports nothing of the API); each is one of these.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from graphql.validation import ASTValidationRule, ValidationContext

from graphsvc.errors import GraphsvcError

__all__ = ["MEANING", "STATUS", "Code", "RequestRefused", "code_of", "coded", "coded_rule", "error_body", "with_codes"]


class Code(StrEnum):
    # The document or the request is wrong: nothing ran.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
    OPERATION_NOT_FOUND = "OPERATION_NOT_FOUND"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    BAD_REQUEST = "BAD_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    # Who is asking.
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    FORBIDDEN_ORIGIN = "FORBIDDEN_ORIGIN"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    # What was asked for.
    NOT_FOUND = "NOT_FOUND"
    LIST_TOO_LONG = "LIST_TOO_LONG"
    INVALID_DOCUMENT = "INVALID_DOCUMENT"
    REFUSED = "REFUSED"
    DUPLICATE_ID = "DUPLICATE_ID"
    STALE_VERSION = "STALE_VERSION"
    STILL_REFERENCED = "STILL_REFERENCED"
    INVALID_STATE = "INVALID_STATE"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    BLOCKED = "BLOCKED"
    # The server.
    DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
    TIMEOUT = "TIMEOUT"
    CLIENT_CLOSED = "CLIENT_CLOSED"
    SERVER_BUSY = "SERVER_BUSY"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    DATABASE_ERROR = "DATABASE_ERROR"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


MEANING: dict[Code, str] = {
    Code.GRAPHQL_PARSE_FAILED: "the query is not GraphQL (a syntax error, at the line and column given)",
    Code.GRAPHQL_VALIDATION_FAILED: "the document does not fit the schema: an unknown field or argument, a missing "
    "selection, a fragment on the wrong type, introspection while it is off",
    Code.BAD_USER_INPUT: "a value is wrong: a variable does not fit its type, or an argument is out of range or not "
    "one of ours (a cursor, a negative offset); `argument` names it when there is one",
    Code.QUERY_TOO_COMPLEX: "the document is over a size limit: tokens, depth, aliases, fields once fragments are "
    "expanded, directives, or __schema more than once (GRAPHSVC_MAX_QUERY_*; docs/security.md)",
    Code.QUERY_TOO_COSTLY: "answering would cost more than GRAPHSVC_MAX_QUERY_COST; `cost` and `budget` say by how "
    "much: ask smaller pages or fewer nested lists",
    Code.OPERATION_NOT_FOUND: "operationName names no operation of the document, or the document has several and "
    "none is named",
    Code.PERSISTED_QUERY_NOT_FOUND: "a persisted query's hash is not known to the server: send the query with it "
    "(an APQ client does so by itself)",
    Code.PERSISTED_QUERY_NOT_SUPPORTED: "a hash alone was sent while persisted queries are off "
    "(GRAPHSVC_PERSISTED_QUERIES=off): send the query",
    Code.PERSISTED_QUERY_HASH_MISMATCH: "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent",
    Code.PERSISTED_QUERY_NOT_ALLOWED: "the server runs only its registered documents "
    "(GRAPHSVC_PERSISTED_QUERIES=allowlist) and this one is not among them",
    Code.BAD_REQUEST: "the request is malformed: a body that is not JSON or not one JSON object (a batch, an "
    "array, is not supported), no query, a parameter of the wrong type, two Authorization headers",
    Code.METHOD_NOT_ALLOWED: "a mutation sent with GET, or a method other than GET and POST: the `Allow` header "
    "says which to use",
    Code.UNSUPPORTED_MEDIA_TYPE: "a POST whose body is not `application/json`",
    Code.REQUEST_TOO_LARGE: "the body is over GRAPHSVC_MAX_REQUEST_BYTES (import large documents with "
    "`graphsvc import`)",
    Code.REQUEST_TIMEOUT: "the body arrived slower than GRAPHSVC_BODY_MIN_BYTES_PER_SECOND",
    Code.UNAUTHENTICATED: "no token, or one that is unknown, revoked or expired",
    Code.FORBIDDEN: "the token's role may not use a field of the operation (or the route); `requiredRole` says "
    "which it needs. Nothing ran",
    Code.FORBIDDEN_ORIGIN: "a write sent by a page of another origin that is not listed in GRAPHSVC_CORS_ORIGINS",
    Code.TOO_MANY_REQUESTS: "too many failed sign-ins from this address, or too many requests of this client at "
    "once: wait (`Retry-After`)",
    Code.NOT_FOUND: "an id names nothing (of the kind asked for)",
    Code.LIST_TOO_LONG: "a list without paging holds more than an answer may carry",
    Code.INVALID_DOCUMENT: "an imported document breaks the exchange format; `problems` lists each, with its path",
    Code.REFUSED: "a write that cannot be done as asked; nothing was written",
    Code.DUPLICATE_ID: "the id is already used (ids are unique across kinds)",
    Code.STALE_VERSION: "the item changed since it was read: re-read it and retry",
    Code.STILL_REFERENCED: "other items still refer to the item being deleted",
    Code.INVALID_STATE: "an incident's or problem's status does not allow the step",
    Code.ILLEGAL_TRANSITION: "a change's status does not allow the lifecycle action",
    Code.BLOCKED: "a change breaks a freeze or maintenance window with no exception granted",
    Code.DEADLINE_EXCEEDED: "the request ran past GRAPHSVC_REQUEST_DEADLINE_SECONDS and was stopped",
    Code.TIMEOUT: "a database transaction ran past GRAPHSVC_TX_TIMEOUT_SECONDS; nothing was changed",
    Code.CLIENT_CLOSED: "the client went away before its answer was ready (no one reads this one)",
    Code.SERVER_BUSY: "the server is serving its limit of requests at once: retry after `Retry-After`",
    Code.DATABASE_UNAVAILABLE: "Neo4j cannot be reached right now; nothing was changed: retry shortly",
    Code.DATABASE_ERROR: "Neo4j refused a statement of a webhook's write; nothing was written",
    Code.INTERNAL_SERVER_ERROR: "an unexpected failure; the message is masked and the server logged the details",
}

# The HTTP status of an answer refused as a whole with this code: always for a refusal before GraphQL runs (a bad
# body, a token), and for an answer without data under `application/graphql-response+json`. Under
# `application/json` a GraphQL answer, with data or errors, is 200 (docs/api.md, "Errors and codes").
STATUS: dict[Code, int] = {
    Code.GRAPHQL_PARSE_FAILED: 400,
    Code.GRAPHQL_VALIDATION_FAILED: 400,
    Code.BAD_USER_INPUT: 400,
    Code.QUERY_TOO_COMPLEX: 400,
    Code.QUERY_TOO_COSTLY: 400,
    Code.OPERATION_NOT_FOUND: 400,
    # Apollo's APQ clients expect these two with 200, to send the query next (or to stop sending hashes)
    Code.PERSISTED_QUERY_NOT_FOUND: 200,
    Code.PERSISTED_QUERY_NOT_SUPPORTED: 200,
    Code.PERSISTED_QUERY_HASH_MISMATCH: 400,
    Code.PERSISTED_QUERY_NOT_ALLOWED: 400,
    Code.BAD_REQUEST: 400,
    Code.METHOD_NOT_ALLOWED: 405,
    Code.UNSUPPORTED_MEDIA_TYPE: 415,
    Code.REQUEST_TOO_LARGE: 413,
    Code.REQUEST_TIMEOUT: 408,
    Code.UNAUTHENTICATED: 401,
    Code.FORBIDDEN: 403,
    Code.FORBIDDEN_ORIGIN: 403,
    Code.TOO_MANY_REQUESTS: 429,
    Code.NOT_FOUND: 404,
    Code.LIST_TOO_LONG: 400,
    Code.INVALID_DOCUMENT: 400,
    Code.REFUSED: 409,
    Code.DUPLICATE_ID: 409,
    Code.STALE_VERSION: 409,
    Code.STILL_REFERENCED: 409,
    Code.INVALID_STATE: 409,
    Code.ILLEGAL_TRANSITION: 409,
    Code.BLOCKED: 409,
    Code.DEADLINE_EXCEEDED: 504,
    Code.TIMEOUT: 504,
    Code.CLIENT_CLOSED: 499,
    Code.SERVER_BUSY: 503,
    Code.DATABASE_UNAVAILABLE: 503,
    Code.DATABASE_ERROR: 500,
    Code.INTERNAL_SERVER_ERROR: 500,
}


class RequestRefused(Exception):
    """A request answered with an error before (or instead of) GraphQL execution: its status, code and headers."""

    def __init__(self, message: str, code: Code, *, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status or STATUS[code]
        self.headers = headers or {}


def error_body(message: str, code: Code, **extensions: Any) -> dict[str, Any]:
    """A GraphQL response carrying one error and no data."""
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def coded(message: str, code: Code, **extensions: Any) -> GraphQLError:
    """A GraphQL error with its code (and any further extensions)."""
    return GraphQLError(message, extensions={"code": code, **extensions})


def code_of(error: GraphQLError) -> Code:
    """The code of an error of a GraphQL response: the one it carries, else the one its kind has."""
    given = (error.extensions or {}).get("code")
    if given is not None:
        return Code(given)
    if isinstance(error, GraphQLSyntaxError):
        # graphql-core's own limits (GRAPHSVC_MAX_QUERY_TOKENS, nesting) stop the parser with this ending
        return Code.QUERY_TOO_COMPLEX if error.message.endswith("Parsing aborted.") else Code.GRAPHQL_PARSE_FAILED
    code = getattr(error.original_error, "code", None)
    if isinstance(error.original_error, GraphsvcError) and code is not None:
        return Code(code)
    if _argument_refused(error.original_error) or _argument_refused(error):  # a field's argument; a directive's
        return Code.BAD_USER_INPUT
    # Left: masked unexpected failures, and graphql-core's complaints about what a resolver returned (a null for a
    # non-null field, a value its type cannot serialise): the server's fault either way.
    return Code.INTERNAL_SERVER_ERROR


def _argument_refused(error: BaseException | None) -> bool:
    """graphql-core's refusal of an argument as the operation runs: a null sent for a variable with a default, where
    the argument may not be null ("Argument 'first' of non-null type 'Int!' must not be null.", or a directive's
    "Argument 'if' has invalid value: ..."). The request's fault, not the server's; the other errors graphql-core
    raises while executing are about what a resolver returned, and start otherwise (validation errors carry their
    code already)."""
    return (
        isinstance(error, GraphQLError)
        and error.original_error is None
        and error.message.startswith("Argument '")
        and "invalid default value" not in error.message  # the schema's fault, not the request's
    )


def with_codes(errors: Iterable[GraphQLError]) -> None:
    """Give each error its code in `extensions.code` (kept when it has one)."""
    for error in errors:
        code = code_of(error)
        if (error.extensions or {}).get("code") != code:
            error.extensions = {**(error.extensions or {}), "code": code}


class _Reporting:
    """A rule's view of the validation context whose reported errors carry `code`."""

    def __init__(self, context: ValidationContext, code: Code) -> None:
        self._context = context
        self._code = code

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code}
        self._context.report_error(error)


def coded_rule(rule: type[ASTValidationRule], code: Code) -> type[ASTValidationRule]:
    """`rule`, its errors carrying `code` (validation errors otherwise get GRAPHQL_VALIDATION_FAILED). Rules report
    through their context (strawberry's limiters do so in `__init__`), so the rule is given one that adds it."""

    class Coded(rule):  # type: ignore[valid-type,misc]
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(_Reporting(context, code))

    Coded.__name__ = Coded.__qualname__ = rule.__name__
    return Coded
