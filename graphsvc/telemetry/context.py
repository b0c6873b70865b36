"""The request being served, as log lines, metrics and spans see it: its id, its GraphQL operation's name, whether
a mutation answered with a user error.

The web layer puts one RequestInfo in CURRENT per request; code below it fills in what it learns. The object is
shared, not the variable: tasks started for the request (the deadline's, strawberry's) see the same one."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["CURRENT", "RequestInfo", "new_request_id", "note_operation", "note_user_error", "sane_request_id"]


@dataclass
class RequestInfo:
    id: str
    operation: str | None = None  # the GraphQL operation's name, once known ("" for an unnamed one)
    user_error: bool = False  # a mutation answered with an expected failure (graphql/user_errors.py)


CURRENT: ContextVar[RequestInfo | None] = ContextVar("graphsvc_request", default=None)

# A client's or proxy's id is kept only if it is a short token: it goes into every log line of the request.
_SANE = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")


def sane_request_id(value: str | None) -> str | None:
    """`value` if it may serve as a request id (1 to 128 characters of letters, digits and ._:@/+=-), else None."""
    if value is None or not _SANE.fullmatch(value):
        return None
    return value


def new_request_id() -> str:
    """A fresh request id: 32 hex digits."""
    return secrets.token_hex(16)


def note_operation(name: str | None) -> None:
    """The current request runs the GraphQL operation `name` (None or "": unnamed)."""
    info = CURRENT.get()
    if info is not None:
        info.operation = name or ""


def note_user_error() -> None:
    """The current request's mutation answered with a user error (nothing written)."""
    info = CURRENT.get()
    if info is not None:
        info.user_error = True
