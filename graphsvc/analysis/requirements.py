"""Requirement compliance (SEMANTICS.md, "Requirements"): MET or UNMET with reasons, children before parents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["MetricFacts", "RequirementFacts", "compliance"]

REASONS = ("NO_SERVICE", "METRIC_MISSED", "METRIC_UNKNOWN", "CHILD_UNMET")


@dataclass(frozen=True)
class MetricFacts:
    id: str
    target: float
    comparator: str  # GTE or LTE
    current: float | None


@dataclass(frozen=True)
class RequirementFacts:
    id: str
    metrics: Sequence[MetricFacts] = ()
    active_services: Sequence[str] = ()  # ACTIVE services that satisfy it
    children: Sequence[str] = ()  # requirements that refine it
    props: dict[str, object] = field(default_factory=dict, compare=False)


def compliance(requirements: Mapping[str, RequirementFacts]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """(MET?, reasons) for every requirement. MET: every metric has a current value meeting its target, and an
    ACTIVE service satisfies it or it is refined by requirements that are all MET. A cycle of refinements (which
    validation should prevent) counts as CHILD_UNMET rather than looping."""
    result: dict[str, tuple[bool, tuple[str, ...]]] = {}
    visiting: set[str] = set()

    def judge(rid: str) -> bool:
        if rid in result:
            return result[rid][0]
        if rid in visiting or rid not in requirements:
            return False
        visiting.add(rid)
        req = requirements[rid]
        reasons = []
        for m in req.metrics:
            if m.current is None:
                reasons.append("METRIC_UNKNOWN")
            elif not (m.current >= m.target if m.comparator == "GTE" else m.current <= m.target):
                reasons.append("METRIC_MISSED")
        children_met = [judge(c) for c in req.children]
        if not req.active_services:
            if not req.children:
                reasons.append("NO_SERVICE")
            elif not all(children_met):
                reasons.append("CHILD_UNMET")
        visiting.discard(rid)
        ordered = tuple(r for r in REASONS if r in reasons)
        result[rid] = (not ordered, ordered)
        return not ordered

    for rid in sorted(requirements):
        judge(rid)
    return result
