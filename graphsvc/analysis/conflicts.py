"""Conflicts between changes (SEMANTICS.md, "Changes"): the first reason that holds, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from graphsvc.analysis.impact import Impact
from graphsvc.domain.changes import PENDING, ChangeRecord, ConflictReason
from graphsvc.domain.graph import Status
from graphsvc.domain.vocabulary import Kind

__all__ = ["Conflict", "ImpactOf", "conflict_between", "conflicts", "reason_between"]

ImpactOf = Callable[[Sequence[str]], Impact]
"""The impact of an origin set, over a graph that holds everything the changes in question can reach."""

_ORDER = list(ConflictReason)


@dataclass(frozen=True)
class Conflict:
    other: ChangeRecord
    reason: ConflictReason
    items: tuple[str, ...]


def _services(impact: Impact, *, down_only: bool = False) -> set[str]:
    return {i for i, s, _ in impact.of_kind(Kind.SERVICE) if s is Status.DOWN or not down_only}


def reason_between(a: ChangeRecord, b: ChangeRecord, impact: ImpactOf) -> tuple[ConflictReason, list[str]] | None:
    """Why two changes would conflict if their windows overlapped, or None; RETIRED items count as absent."""
    ia, ib = impact(a.modifies), impact(b.modifies)
    mods_a, mods_b = set(ia.origin), set(ib.origin)
    # any common item counts (a site, a team, a process too), except a RETIRED one, which is absent
    if common := (set(a.modifies) & set(b.modifies)) - ia.graph.retired:
        return ConflictReason.SAME_ITEM, sorted(common)
    if reached := (mods_a & set(ib.status)) | (mods_b & set(ia.status)):
        return ConflictReason.DEPENDENT_ITEM, sorted(reached)
    together = _services(impact((*a.modifies, *b.modifies)), down_only=True)
    if compounded := together - _services(ia, down_only=True) - _services(ib, down_only=True):
        return ConflictReason.COMPOUNDED, sorted(compounded)
    if shared := _services(ia) & _services(ib):
        return ConflictReason.SHARED_IMPACT, sorted(shared)
    return None


def conflict_between(a: ChangeRecord, b: ChangeRecord, impact: ImpactOf) -> Conflict | None:
    """b's conflict with a: both pending (submitted, approved or scheduled), windows overlapping, a reason."""
    if a.id == b.id or a.status not in PENDING or b.status not in PENDING:
        return None
    if not (a.has_window and b.overlaps(a.planned_start, a.planned_end)):  # type: ignore[arg-type]
        return None
    found = reason_between(a, b, impact)
    return Conflict(b, found[0], tuple(found[1])) if found else None


def conflicts(change: ChangeRecord, others: Iterable[ChangeRecord], impact: ImpactOf) -> list[Conflict]:
    """Every conflict of `change`, by reason (SAME_ITEM first) and then the other change's id."""
    found = [c for other in others if (c := conflict_between(change, other, impact))]
    return sorted(found, key=lambda c: (_ORDER.index(c.reason), c.other.id))
