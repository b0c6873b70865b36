"""The earliest window of a given length inside every maintenance window and outside every blocked period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from graphsvc.analysis.maintenance import next_allowed_start

__all__ = ["next_free_window"]


def next_free_window(
    length: timedelta,
    after: datetime,
    horizon: datetime,
    maintenance: Sequence[dict[str, Any]],
    blocked: Sequence[tuple[datetime, datetime]],
) -> tuple[datetime, datetime] | None:
    """The earliest [t, t + length) with t >= after and t < horizon that lies inside every rule's allowed hours
    and overlaps no blocked [start, end); None if there is none before the horizon.

    Each step moves t forward to the next start a rule allows or past a blocking period, so t only grows and the
    first t that nothing moves is the earliest answer.
    """
    t = after
    while t < horizon:
        moved = False
        for rule in maintenance:
            allowed = next_allowed_start(rule, t, length, horizon)
            if allowed is None:
                return None
            if allowed > t:
                t, moved = allowed, True
        ends = [b for a, b in blocked if a < t + length and t < b]
        if ends:
            t, moved = max(ends), True
        if not moved:
            return t, t + length
    return None
