"""Change risk (SEMANTICS.md, "Changes"): a sum of named factors, capped to 0-100, and its level.

The weights are configuration (`RiskWeights`; see docs/risk.md for the defaults and how to override them). The
score is a pure function of the change, its assessment and the weights: the same input always scores the same.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from graphsvc.analysis.conflicts import Conflict
from graphsvc.analysis.exposure import ImpactedService
from graphsvc.domain.changes import ChangeRecord, ChangeType, ConflictReason, History, RiskLevel
from graphsvc.domain.graph import Status

__all__ = ["Factor", "Risk", "RiskInputs", "RiskWeights", "level_of", "load_weights", "score"]


class RiskWeights(BaseModel):
    """Points per factor. Every field has a default; a weights file overrides any of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    down_by_criticality: dict[int, int] = Field(
        default={1: 45, 2: 35, 3: 25, 4: 15}, description="the worst-hit service is DOWN, by its criticality"
    )
    degraded_by_criticality: dict[int, int] = Field(
        default={1: 12, 2: 9, 3: 6, 4: 3}, description="the worst-hit service is only DEGRADED"
    )
    per_business_unit: int = 2
    max_business_units: int = 8
    per_sla: int = 2
    max_slas: int = 8
    per_failed_change: int = 5
    max_failed_changes: int = 15
    failed_change_days: int = Field(default=90, ge=0, description="how far back failed changes count")
    per_incident: int = 2
    max_incidents: int = 10
    incident_days: int = Field(default=30, ge=0, description="how far back incidents count")
    per_conflict: dict[ConflictReason, int] = Field(
        default={
            ConflictReason.SAME_ITEM: 10,
            ConflictReason.DEPENDENT_ITEM: 8,
            ConflictReason.COMPOUNDED: 25,
            ConflictReason.SHARED_IMPACT: 3,
        }
    )
    max_conflicts: int = 30
    per_policy_violation: int = 25
    max_policy_violations: int = 40
    change_type: dict[ChangeType, int] = Field(
        default={ChangeType.EMERGENCY: 15, ChangeType.NORMAL: 0, ChangeType.STANDARD: -15}
    )

    @field_validator("down_by_criticality", "degraded_by_criticality", "per_conflict", "change_type", mode="after")
    @classmethod
    def _complete(cls, value: dict[Any, int], info: ValidationInfo) -> dict[Any, int]:
        """A file that sets some keys of a table keeps the defaults for the others."""
        default = cls.model_fields[info.field_name].default  # type: ignore[index]
        return {**default, **value}


def load_weights(path: Path | None) -> RiskWeights:
    """The defaults, overridden by a JSON or TOML file if one is given; a bad file is a clear error."""
    if path is None:
        return RiskWeights()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise ValueError(f"risk weights file {path}: {exc}") from exc
    return RiskWeights.model_validate(data)


@dataclass(frozen=True)
class Factor:
    name: str
    contribution: int
    detail: str


@dataclass(frozen=True)
class Risk:
    score: int
    level: RiskLevel
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class RiskInputs:
    change: ChangeRecord
    services: Sequence[ImpactedService]  # worst first
    business_units: int
    slas: int
    history: History
    conflicts: Sequence[Conflict]
    violations: int


def level_of(score: int) -> RiskLevel:
    if score < 25:
        return RiskLevel.LOW
    if score < 50:
        return RiskLevel.MEDIUM
    if score < 75:
        return RiskLevel.HIGH
    return RiskLevel.CRITICAL


def _capped(count: int, each: int, cap: int) -> int:
    return min(count * each, cap)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def score(inputs: RiskInputs, weights: RiskWeights) -> Risk:
    """Every factor with its contribution and a detail, the capped sum and its level."""
    w = weights
    factors: list[Factor] = []

    def hit(s: ImpactedService) -> int:
        table = w.down_by_criticality if s.status is Status.DOWN else w.degraded_by_criticality
        return table.get(s.criticality, 0)

    # the service whose hit weighs most (first in worst-first order on a tie)
    worst = max(inputs.services, key=hit, default=None)
    if worst is None:
        factors.append(Factor("service_impact", 0, "no service is impacted"))
    else:
        factors.append(
            Factor(
                "service_impact",
                hit(worst),
                f"{worst.id} ({worst.name}, criticality {worst.criticality}) is {worst.status.name}"
                f"; {_plural(len(inputs.services), 'service')} impacted",
            )
        )
    factors.append(
        Factor(
            "business_units",
            _capped(inputs.business_units, w.per_business_unit, w.max_business_units),
            f"{_plural(inputs.business_units, 'business unit')} exposed",
        )
    )
    factors.append(
        Factor("slas", _capped(inputs.slas, w.per_sla, w.max_slas), f"{_plural(inputs.slas, 'SLA')} at risk")
    )
    failed = inputs.history.failed_changes
    factors.append(
        Factor(
            "failed_changes",
            _capped(len(failed), w.per_failed_change, w.max_failed_changes),
            f"{_plural(len(failed), 'failed change')} on the modified items in the last {w.failed_change_days} days"
            + (f": {', '.join(failed[:5])}" if failed else ""),
        )
    )
    incidents = inputs.history.incidents
    factors.append(
        Factor(
            "incidents",
            _capped(len(incidents), w.per_incident, w.max_incidents),
            f"{_plural(len(incidents), 'incident')} on the modified items in the last {w.incident_days} days"
            + (f": {', '.join(incidents[:5])}" if incidents else ""),
        )
    )
    conflict_points = sum(w.per_conflict.get(c.reason, 0) for c in inputs.conflicts)
    factors.append(
        Factor(
            "conflicts",
            min(conflict_points, w.max_conflicts),
            f"{_plural(len(inputs.conflicts), 'conflict')}"
            + (
                ": " + ", ".join(f"{c.reason.value} with {c.other.id}" for c in inputs.conflicts[:5])
                if inputs.conflicts
                else ""
            ),
        )
    )
    factors.append(
        Factor(
            "policy_violations",
            _capped(inputs.violations, w.per_policy_violation, w.max_policy_violations),
            f"{_plural(inputs.violations, 'policy violation')}",
        )
    )
    kind = inputs.change.type
    factors.append(Factor("change_type", w.change_type.get(kind, 0), f"{kind.value} change"))
    total = max(0, min(100, sum(f.contribution for f in factors)))
    return Risk(total, level_of(total), tuple(factors))
