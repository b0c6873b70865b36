"""Incidents and problems as the continuity and correlation analyses read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["IncidentRecord", "ProblemRecord"]


@dataclass(frozen=True)
class IncidentRecord:
    id: str
    title: str
    opened_at: datetime
    resolved_at: datetime | None
    affects: tuple[str, ...]
    props: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ProblemRecord:
    id: str
    title: str
    status: str
    caused_by: tuple[str, ...]
    props: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
