"""Errors that cross layers.

GraphsvcError
├── DatabaseUnavailable   Neo4j cannot be reached right now (the request may be retried)
└── (db.writes.WriteError and domain.validation.DocumentInvalid live next to the code that raises them)
"""

from __future__ import annotations

__all__ = ["DatabaseUnavailable", "GraphsvcError"]


class GraphsvcError(Exception):
    """Base of graphsvc's own errors."""


class DatabaseUnavailable(GraphsvcError):
    """Neo4j did not answer; nothing was changed by this request."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the database is unavailable right now; try again shortly" + (f" ({detail})" if detail else "")
        )
