"""Errors that cross layers.

GraphsvcError
├── DatabaseUnavailable   Neo4j cannot be reached right now (the request may be retried)
├── RequestError          the request itself is wrong; `code` says how (the API shows it in `extensions.code`)
│   ├── NotFound          an id names nothing (of the kind asked for)
│   └── InvalidArgument   an argument is out of range or of the wrong kind
└── (db.writes.WriteError and domain.validation.DocumentInvalid live next to the code that raises them)
"""

from __future__ import annotations

__all__ = ["DatabaseUnavailable", "GraphsvcError", "InvalidArgument", "NotFound", "RequestError"]


class GraphsvcError(Exception):
    """Base of graphsvc's own errors."""


class DatabaseUnavailable(GraphsvcError):
    """Neo4j did not answer; nothing was changed by this request."""

    code = "DATABASE_UNAVAILABLE"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the database is unavailable right now; try again shortly" + (f" ({detail})" if detail else "")
        )


class RequestError(GraphsvcError):
    """Something the caller asked for cannot be answered as asked; the message names the argument or id."""

    code = "BAD_REQUEST"


class NotFound(RequestError):
    code = "NOT_FOUND"


class InvalidArgument(RequestError):
    code = "BAD_USER_INPUT"
