"""Webhooks that feed the CMDB: POST /hooks/alertmanager takes Prometheus Alertmanager's notifications (version 4)
and opens and resolves incidents (usecases/alerts.py). It needs a token of role editor (middleware.route_role);
the body limit, throttles and concurrency limit in front of every route apply as to /graphql.

Answers are JSON: 200 with what each alert did; 400 naming every field at fault (nothing written); 415 for a body
that is not sent as JSON; 409 when an incident id it would write is another item's; 503 when Neo4j is unavailable
(Alertmanager retries).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graphsvc.db.audit import Audit
from graphsvc.db.connection import WRITE_TIMEOUT, Database
from graphsvc.domain.tokens import Principal
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout, Refused, RequestError
from graphsvc.graphql.error_codes import Code
from graphsvc.settings import Settings
from graphsvc.usecases.alerts import receive_alertmanager

__all__ = ["ACTION", "hook_routes"]

ACTION = "alertmanager"  # the audit trail's name for what the hook wrote
SHOWN_PROBLEMS = 50


def _error(status: int, message: str, code: str, **extensions: Any) -> JSONResponse:
    headers = {"Retry-After": "5"} if status == 503 else None
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def hook_routes(state: dict[str, Any], settings: Settings) -> list[Route]:
    async def alertmanager(request: Request) -> Response:
        media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media != "application/json":
            return _error(
                415,
                f"send the notification as JSON (Content-Type: application/json), not {media or 'no type'}",
                Code.UNSUPPORTED_MEDIA_TYPE,
            )
        body = await request.body()  # BodyLimit has bounded it (GRAPHSVC_MAX_REQUEST_BYTES)
        driver = state.get("driver")
        if driver is None:
            return _error(503, "the database is unavailable right now; try again shortly", Code.DATABASE_UNAVAILABLE)
        principal: Principal | None = request.scope.get("state", {}).get("principal")
        audit = (
            Audit(principal.token_id, principal.name, ACTION) if principal else Audit("anonymous", "anonymous", ACTION)
        )
        WRITE_TIMEOUT.set(settings.tx_timeout_seconds)
        try:
            report = await receive_alertmanager(Database(driver, state["database"]), body, audit=audit)
        except DocumentInvalid as exc:
            problems = [{"path": p.path, "message": p.message} for p in exc.problems[:SHOWN_PROBLEMS]]
            first = str(exc.problems[0]) if exc.problems else "the notification is invalid"
            more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
            return _error(
                400,
                f"the notification is invalid; nothing was written: {first}{more}",
                Code.BAD_REQUEST,
                problems=problems,
            )
        except Refused as exc:
            return _error(409, f"nothing was written: {exc}", exc.code)
        except RequestError as exc:
            return _error(400, f"nothing was written: {exc}", exc.code)
        except (DatabaseUnavailable, QueryTimeout) as exc:
            return _error(503, f"nothing was written: {exc}", exc.code)
        except DatabaseError as exc:
            return _error(500, f"nothing was written: {exc}", Code.DATABASE_ERROR)
        return JSONResponse(report)

    return [Route("/hooks/alertmanager", alertmanager, methods=["POST"])]
