"""GraphQL over HTTP, the answer side: which media type a client gets, and the status that goes with it.

- `application/graphql-response+json` when the client's Accept prefers it to `application/json` (q-values, then
  the order listed; `*/*` and `application/*` count for `application/json`, the default when there is no Accept).
  Under it a request that fails before any field runs (parse, validation, variables, limits, the role) is answered
  without `data` and with its code's status (error_codes.STATUS: 400, 403, ...), as the GraphQL-over-HTTP spec asks.
- `application/json` otherwise: every GraphQL answer is 200, errors or not, with `data` (null when nothing ran).
- Requests refused before GraphQL runs (a malformed body, a mutation over GET) get a GraphQL error body under
  either media type, with their status (and `Allow` for a 405).

An answer's JSON is `util.json_bytes`' (orjson): UTF-8, without spaces.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError
from starlette.responses import Response
from starlette.types import Scope

from graphsvc.graphql.error_codes import STATUS, RequestRefused, code_of, error_body

__all__ = [
    "GRAPHQL_RESPONSE",
    "JSON",
    "answer_media",
    "answered",
    "content_type",
    "preferred_media",
    "refusal",
    "shape_answer",
]

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
_MEDIA = "graphsvc.answer_media"  # request scope keys: the media type negotiated, and the status a result calls for
_STATUS = "graphsvc.answer_status"
_FOR_JSON = frozenset({JSON, "application/*", "*/*"})


def preferred_media(accept: str | None) -> str:
    """application/graphql-response+json if `accept` prefers it to application/json, else application/json."""
    best: dict[str, tuple[float, int]] = {}
    for index, part in enumerate((accept or "").split(",")):
        media, *parameters = (p.strip() for p in part.split(";"))
        media = media.lower()
        kind = GRAPHQL_RESPONSE if media == GRAPHQL_RESPONSE else JSON if media in _FOR_JSON else None
        if kind is None:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            best[kind] = max(best.get(kind, (0.0, 0)), (quality, -index))
    preferred = GRAPHQL_RESPONSE in best and best[GRAPHQL_RESPONSE] > best.get(JSON, (0.0, 0))
    return GRAPHQL_RESPONSE if preferred else JSON


def answer_media(scope: Scope, accept: str | None) -> str:
    """The media type this request is answered with (kept on the request for `shape_answer` and `answered`)."""
    chosen = scope[_MEDIA] = preferred_media(accept)
    return chosen


def content_type(media: str) -> str:
    """The Content-Type header of an answer in `media`."""
    return media if media == JSON else f"{media}; charset=utf-8"


def shape_answer(scope: Scope, answer: dict[str, Any], errors: list[GraphQLError] | None) -> None:
    """Under application/graphql-response+json, an answer of a request that failed before any field ran loses its
    `data` and is given its first error's status (applied by `answered`)."""
    if scope.get(_MEDIA) != GRAPHQL_RESPONSE or not errors or answer.get("data") is not None:
        return
    if any(error.path for error in errors):
        return  # a field failed, and nulls ran up to the root: the operation ran, so data: null and 200
    del answer["data"]
    scope[_STATUS] = STATUS[code_of(errors[0])]


def answered(scope: Scope, response: Response) -> Response:
    """A GraphQL answer with the negotiated media type, and the status `shape_answer` chose."""
    if scope.get(_MEDIA) != GRAPHQL_RESPONSE or response.media_type != JSON:
        return response
    response.headers["content-type"] = content_type(GRAPHQL_RESPONSE)
    status = scope.get(_STATUS)
    if status is not None:
        response.status_code = status
    return response


def refusal(scope: Scope, refused: RequestRefused) -> Response:
    """A request refused before GraphQL ran, as a GraphQL error body with its status."""
    media = scope.get(_MEDIA, JSON)
    answer = error_body(refused.message, refused.code)
    if media == JSON:
        answer = {"data": None, **answer}  # as the middleware's refusals have always been (middleware.reply)
    body = json.dumps(answer, separators=(",", ":"))
    return Response(body, status_code=refused.status, headers=refused.headers, media_type=content_type(media))
