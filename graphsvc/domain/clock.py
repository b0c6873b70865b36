"""Time in graphsvc is timezone-aware UTC; a time given without an offset is taken as UTC."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc"]


def as_utc(value: datetime) -> datetime:
    """`value` in UTC: converted if it has an offset, taken as UTC if it has none (OverflowError if it cannot be)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
