"""Errors that cross layers.

GraphsvcError
├── DatabaseUnavailable   Neo4j cannot be reached right now (the request may be retried)
├── QueryTimeout          a transaction ran past GRAPHSVC_TX_TIMEOUT_SECONDS and was cut off (nothing written)
├── DatabaseError         Neo4j refused a statement for another reason (a bug of graphsvc's, or a server fault)
├── RequestError          the request itself is wrong; `code` says how (the API shows it in `extensions.code`)
│   ├── NotFound          an id names nothing (of the kind asked for)
│   └── InvalidArgument   an argument is out of range or of the wrong kind
└── (db.writes.WriteError and domain.validation.DocumentInvalid live next to the code that raises them)
"""

from __future__ import annotations

__all__ = [
    "DatabaseError",
    "DatabaseUnavailable",
    "GraphsvcError",
    "InvalidArgument",
    "NotFound",
    "QueryTimeout",
    "RequestError",
]


class GraphsvcError(Exception):
    """Base of graphsvc's own errors."""


class DatabaseError(GraphsvcError):
    """Neo4j refused a statement for a reason that is neither unavailability nor a timeout; `code` is Neo4j's."""

    def __init__(self, neo4j_code: str | None) -> None:
        super().__init__(f"the database refused the request ({neo4j_code or 'no code'})")
        self.neo4j_code = neo4j_code


class DatabaseUnavailable(GraphsvcError):
    """Neo4j did not answer; nothing was changed by this request."""

    code = "DATABASE_UNAVAILABLE"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the database is unavailable right now; try again shortly" + (f" ({detail})" if detail else "")
        )


class QueryTimeout(GraphsvcError):
    """Neo4j cut a transaction off at its timeout; a write is rolled back whole."""

    code = "TIMEOUT"

    def __init__(self, seconds: float | None = None) -> None:
        limit = f"its {seconds:g} s limit" if seconds else "its time limit"
        super().__init__(
            f"the request ran past {limit} (GRAPHSVC_TX_TIMEOUT_SECONDS) and was stopped; nothing was changed. "
            "Ask for less (a smaller page, fewer items) or try again when the item is not being changed"
        )


class RequestError(GraphsvcError):
    """Something the caller asked for cannot be answered as asked; the message names the argument or id."""

    code = "BAD_REQUEST"


class NotFound(RequestError):
    code = "NOT_FOUND"


class InvalidArgument(RequestError):
    code = "BAD_USER_INPUT"


class ListTooLong(RequestError):
    """A list without paging (a team's `owns`, a site's `items`) holds more than an answer may carry."""

    code = "LIST_TOO_LONG"
