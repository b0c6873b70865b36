"""Incidents and problems as the continuity and correlation analyses read them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["DEGRADATION", "OUTAGE", "IncidentRecord", "ProblemRecord", "effect_of"]

OUTAGE = "OUTAGE"  # what the incident affects does not work
DEGRADATION = "DEGRADATION"  # it works, badly


def effect_of(priority: str | None, effect: str | None) -> str:
    """An incident's effect: as recorded, else OUTAGE at P1 and P2 and DEGRADATION at P3 and P4 (SEMANTICS.md,
    "Availability")."""
    if effect in (OUTAGE, DEGRADATION):
        return effect
    return OUTAGE if priority in ("P1", "P2") else DEGRADATION


@dataclass(frozen=True)
class IncidentRecord:
    id: str
    title: str
    opened_at: datetime
    resolved_at: datetime | None
    affects: tuple[str, ...]
    props: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    effect: str = OUTAGE  # OUTAGE or DEGRADATION, as effect_of gives it

    @property
    def outage(self) -> bool:
        return self.effect == OUTAGE


@dataclass(frozen=True)
class ProblemRecord:
    id: str
    title: str
    status: str
    caused_by: tuple[str, ...]
    props: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
