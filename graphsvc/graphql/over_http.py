"""GraphQL over HTTP, the request side: a request's parameters checked (each named when it is wrong), and
strawberry's own refusals of a request turned into graphsvc's (`RequestRefused`, with a code from error_codes.py).

Every refusal here is answered as a GraphQL error body, never as plain text (web/graphql_http.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, OperationDefinitionNode, parse
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from graphsvc.graphql.error_codes import Code, RequestRefused

__all__ = ["NO_QUERY", "check_operation", "refusal_of", "request_data", "request_data_of_get"]

NO_QUERY = 'the request has no query: send {"query": "...", "variables": {...}}'
_OBJECT = 'the request body must be one JSON object: {"query": "...", "variables": {...}}'


def _bad(message: str) -> RequestRefused:
    return RequestRefused(message, Code.BAD_REQUEST)


def request_data(fields: object) -> GraphQLRequestData:
    """The parameters of a POST body (decoded JSON), each checked for its type."""
    if isinstance(fields, list):
        raise _bad(
            "the request body is a JSON array: batched operations are not supported; send each operation in a "
            "request of its own"
        )
    if not isinstance(fields, dict):
        raise _bad(_OBJECT)
    query = fields.get("query")
    if not isinstance(query, str | None):
        raise _bad(f"query must be a string (the GraphQL document), not {_kind(query)}")
    operation_name = fields.get("operationName")
    if not isinstance(operation_name, str | None):
        raise _bad(
            f"operationName must be a string (the name of an operation of the query), not {_kind(operation_name)}"
        )
    variables = fields.get("variables")
    if not isinstance(variables, dict | None):
        raise _bad(f'variables must be an object ({{"name": value}}), not {_kind(variables)}')
    extensions = fields.get("extensions")
    if not isinstance(extensions, dict | None):
        raise _bad(f"extensions must be an object, not {_kind(extensions)}")
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation_name, extensions=extensions, protocol="http"
    )


def request_data_of_get(params: Mapping[str, str], decode: Callable[[str], object]) -> GraphQLRequestData:
    """The parameters of a GET's query string; `variables` and `extensions` are JSON, decoded by `decode`."""
    fields: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName") or None}
    for name in ("variables", "extensions"):
        text = params.get(name)
        fields[name] = decode(text) if text else None
    return request_data(fields)


def _operations(query: str, max_tokens: int) -> tuple[str | None, ...] | None:
    """The names of the document's operations (None for an anonymous one); None when it does not parse. Clients
    repeat their documents, so the usual sizes are remembered; a long one (a big string literal is one token) is not
    kept, so a few requests cannot pin much memory."""
    return _remembered(query, max_tokens) if len(query) <= 20_000 else _operations_of(query, max_tokens)


def _operations_of(query: str, max_tokens: int) -> tuple[str | None, ...] | None:
    try:
        document = parse(query, max_tokens=max_tokens)
    except (GraphQLError, RecursionError):
        return None
    return tuple(
        d.name.value if d.name else None for d in document.definitions if isinstance(d, OperationDefinitionNode)
    )


_remembered = functools.lru_cache(maxsize=256)(_operations_of)


def check_operation(query: str | None, operation_name: str | None, max_tokens: int) -> None:
    """Refuse (OPERATION_NOT_FOUND) a request whose operationName names no operation of its query, or that names
    none while the query has several (strawberry would run the first; the GraphQL spec asks for a request error).
    A query that does not parse is left to strawberry, which says where it is wrong."""
    names = _operations(query, max_tokens) if query else None
    if names is None or (len(names) == 1 if operation_name is None else operation_name in names):
        return
    shown = ", ".join(repr(name) if name else "an anonymous one" for name in names[:10])
    shown += f" and {len(names) - 10} more" if len(names) > 10 else ""
    if operation_name is not None:
        message = f"the query has no operation named {operation_name!r} (operationName); it has {shown or 'none'}"
    elif names:
        message = f"the query has {len(names)} operations ({shown}): name the one to run in operationName"
    else:
        message = "the query has no operation, only fragments: add a query or a mutation"
    raise RequestRefused(message, Code.OPERATION_NOT_FOUND)


def _kind(value: object) -> str:
    match value:
        case bool():
            return "a boolean"
        case int() | float():
            return "a number"
        case str():
            return "a string"
        case list():
            return "an array"
        case dict():
            return "an object"
    return "null"


def refusal_of(exc: HTTPException) -> RequestRefused:
    """strawberry's refusal of a request, as graphsvc's: the code its cause calls for, a message naming the fix."""
    cause = exc.__cause__
    if isinstance(cause, InvalidOperationTypeError):
        kind = "a mutation" if cause.operation_type is OperationType.MUTATION else "a subscription"
        return RequestRefused(
            f"{kind} cannot be sent with GET (GET only reads): send it with POST",
            Code.METHOD_NOT_ALLOWED,
            headers={"Allow": "POST"},
        )
    if isinstance(cause, CannotGetOperationTypeError):
        if cause.operation_name is not None:
            message = f"the query has no operation named {cause.operation_name!r} (operationName)"
        else:
            message = "the query has more than one operation, or none: name the one to run in operationName"
        return RequestRefused(message, Code.OPERATION_NOT_FOUND)
    if isinstance(cause, MissingQueryError):
        return _bad(NO_QUERY)
    if exc.status_code == 405:
        return RequestRefused(
            "the GraphQL endpoint answers GET (queries) and POST",
            Code.METHOD_NOT_ALLOWED,
            headers={"Allow": "GET, POST"},
        )
    if exc.status_code == 415:
        return RequestRefused(exc.reason, Code.UNSUPPORTED_MEDIA_TYPE)
    return RequestRefused(exc.reason, Code.BAD_REQUEST, status=exc.status_code if exc.status_code >= 400 else 400)
