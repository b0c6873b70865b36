"""/auth/session: sign in a browser with a token (an HttpOnly, SameSite=Strict cookie), see who it is, sign out.

The GraphiQL page uses it, so a person pastes a token once (or follows the link `graphsvc serve --admin-link`
prints) and the page, and the reports it links to, then work without handling headers. The cookie holds a browser
session of its own (db/tokens.py), never the token signed in with: signing out deletes the session server-side, so
a copy of the cookie is worthless afterwards, while the API token (a tool's, another browser's) goes on working.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphsvc.db.tokens import SESSION_HOURS, TokenRejected, TokenStore
from graphsvc.domain.tokens import Principal
from graphsvc.errors import DatabaseUnavailable, QueryTimeout
from graphsvc.graphql.error_codes import Code
from graphsvc.web.middleware import COOKIE
from graphsvc.web.throttle import FailedSignIns

__all__ = ["session_routes"]

MAX_BODY = 4096


def _who(p: Principal) -> dict[str, str]:
    return {"tokenId": p.token_id, "name": p.name, "role": p.role.value}


def _error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def session_routes(
    store: Callable[[], TokenStore | None], *, auth: bool, failures: FailedSignIns | None = None
) -> list[Route]:
    """The /auth/session route; `failures` is the app's failed-authentication limiter, shared with the API's."""
    limiter = failures or FailedSignIns()

    async def session(request: Request) -> Response:
        if request.method == "GET":
            principal: Principal | None = getattr(request.state, "principal", None)
            if principal is None:
                return _error(401, "not signed in", Code.UNAUTHENTICATED)
            return JSONResponse({**_who(principal), "auth": auth})
        if request.method == "DELETE":
            cookie = request.cookies.get(COOKIE)
            tokens = store()
            if cookie and tokens is not None:
                try:
                    await tokens.end_session(cookie)
                except (DatabaseUnavailable, QueryTimeout) as exc:  # the cookie is kept, so signing out can be retried
                    return _error(503, f"not signed out: the session could not be ended ({exc}); try again", exc.code)
            elif cookie:
                return _error(503, "not signed out: the database is unavailable; try again", Code.DATABASE_UNAVAILABLE)
            response = JSONResponse({"signedOut": True})
            response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
            return response
        if not request.headers.get("content-type", "").startswith("application/json"):
            return _error(415, 'send JSON: {"token": "gsvc_..."} with Content-Type: application/json', Code.BAD_REQUEST)
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                return _error(413, f"a sign-in body is at most {MAX_BODY} bytes", Code.REQUEST_TOO_LARGE)
        try:
            body = json.loads(raw)
            token = body["token"] if isinstance(body, dict) else None
        except (ValueError, KeyError, RecursionError):
            token = None
        if not isinstance(token, str) or not token:
            return _error(400, 'the body must be {"token": "gsvc_..."}', Code.BAD_USER_INPUT)
        tokens = store()
        if tokens is None:
            return _error(503, "the database is unavailable right now; try again shortly", Code.DATABASE_UNAVAILABLE)
        try:
            address = request.client.host if request.client else "unknown"
            wait = limiter.blocked_for(address)
            if wait > 0:
                return _error(
                    429,
                    limiter.refusal(wait),
                    Code.TOO_MANY_REQUESTS,
                )
            principal = await tokens.authenticate(token.strip(), allow_session=False)
        except TokenRejected as exc:
            limiter.failed(request.client.host if request.client else "unknown")
            return _error(401, f"sign-in failed: {exc}", Code.UNAUTHENTICATED)
        except (DatabaseUnavailable, QueryTimeout) as exc:
            return _error(503, str(exc), Code.DATABASE_UNAVAILABLE)
        try:
            session_token = await tokens.start_session(principal)
        except TokenRejected as exc:
            return _error(401, f"sign-in failed: {exc}", Code.UNAUTHENTICATED)
        except (DatabaseUnavailable, QueryTimeout) as exc:
            return _error(503, str(exc), Code.DATABASE_UNAVAILABLE)
        response = JSONResponse(_who(principal))
        response.set_cookie(
            COOKIE,
            session_token,
            max_age=SESSION_HOURS * 3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    return [Route("/auth/session", session, methods=["GET", "POST", "DELETE"])]
