"""Change assessment, the CAB agenda, release impact and the next conflict-free window.

A `ChangeBoard` loads once what assessing a set of changes needs: the pending changes whose windows overlap the
period, the part of the dependency graph all of their modified items reach, and the change-rule policies. Every
impact (of one change, or of two together for COMPOUNDED) is then computed in memory over that graph.

The items are read from a `Source` (usecases/sources.py: the database, or an estate as of a time or with what-if
edits); the policy exceptions granted are not items, so they are read from the database as they stood at the
estate's time (`Granted`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from graphsvc.analysis import change_rules as rules
from graphsvc.analysis.conflicts import Conflict, conflicts, reason_between
from graphsvc.analysis.exposure import impacted_services
from graphsvc.analysis.impact import Impact, compute_impact
from graphsvc.analysis.risk import Risk, RiskInputs, RiskWeights, load_weights, score
from graphsvc.analysis.windows import next_free_window
from graphsvc.db import changes as db
from graphsvc.db.items import ItemRepository
from graphsvc.domain.changes import (
    BLOCKING_RULES,
    PENDING,
    ApprovedAssessment,
    ChangeRecord,
    ChangeType,
    Decision,
    PolicyException,
    PolicyRule,
)
from graphsvc.domain.facts import Props
from graphsvc.domain.graph import DependencyGraph
from graphsvc.errors import InvalidArgument, NotFound
from graphsvc.usecases import sources
from graphsvc.usecases.estate_reads import EstateReads
from graphsvc.usecases.graph_cache import GraphCache
from graphsvc.usecases.impact import ImpactAnalysis, graph_for
from graphsvc.usecases.sources import Source

__all__ = [
    "Approval",
    "Assessment",
    "ChangeBoard",
    "Granted",
    "agenda_order",
    "assess",
    "cab_agenda",
    "get_change",
    "next_window",
    "release_impact",
    "weights_from",
]

HORIZON = timedelta(days=366)
MAX_DURATION = timedelta(days=14)


@cache
def weights_from(path: Path | None) -> RiskWeights:
    """The risk weights (defaults, or the configured file), read once per path."""
    return load_weights(path)


@dataclass(frozen=True)
class Granted:
    """Where the policy exceptions granted to changes are read: they are not items, so no estate holds them. The
    database's, as they stood at `until` (None: now), whichever CMDB the items themselves are read from."""

    repo: ItemRepository
    until: datetime | None = None

    async def exceptions(self, change_ids: Sequence[str]) -> list[PolicyException]:
        """The exceptions granted to these changes, by change, then policy."""
        if self.until is None:
            return await db.policy_exceptions(self.repo, change_ids)
        return await db.policy_exceptions_until(self.repo, change_ids, self.until)


def _granted(source: Source, granted: Granted | None) -> Granted:
    if granted is not None:
        return granted
    if isinstance(source, EstateReads):
        raise TypeError("a change on an estate needs its exceptions' Granted (the database, as of the estate's time)")
    return Granted(source)


@dataclass(frozen=True)
class Approval:
    approver: str  # "CAB" or a team id
    reason: str
    team: Props | None = None


@dataclass(frozen=True)
class Assessment:
    change: ChangeRecord
    analysis: ImpactAnalysis
    risk: Risk
    conflicts: list[Conflict]
    violations: list[rules.Violation]
    approvals: list[Approval]
    exceptions: list[PolicyException] = field(default_factory=list)

    @property
    def blocking(self) -> list[rules.Violation]:
        """The freeze and maintenance-window violations no exception covers: they block the change."""
        excepted = {x.policy for x in self.exceptions}
        return [v for v in self.violations if v.rule_type in BLOCKING_RULES and v.policy.id not in excepted]

    @property
    def decision(self) -> Decision:
        """BLOCKED while a blocking violation stands; else CAB when the CAB must approve; else OWNERS."""
        if self.blocking:
            return Decision.BLOCKED
        return Decision.CAB if any(a.approver == "CAB" for a in self.approvals) else Decision.OWNERS


async def assess(
    source: Source,
    weights: RiskWeights,
    change_id: str,
    cache: GraphCache | None = None,
    granted: Granted | None = None,
) -> Assessment:
    """One change's assessment against the pending changes its window overlaps."""
    change = await get_change(source, change_id)
    board = await ChangeBoard.load(source, weights, [change], cache=cache, granted=granted)
    return await board.assess(change)


async def get_change(source: Source, change_id: str) -> ChangeRecord:
    found = await sources.changes_by_ids(source, [change_id])
    if change_id not in found:
        raise NotFound(f"unknown change id {change_id!r}")
    return found[change_id]


class ChangeBoard:
    """The pending changes of a period, the graph they reach, the change rules and the exceptions granted to the
    changes in focus; impacts memoised."""

    def __init__(
        self,
        source: Source,
        weights: RiskWeights,
        graph: DependencyGraph,
        pending: list[ChangeRecord],
        policies: list[PolicyRule],
        exceptions: dict[str, list[PolicyException]] | None = None,
    ) -> None:
        self.source = source
        self.weights = weights
        self.graph = graph
        self.pending = pending
        self.policies = policies
        self.exceptions = exceptions or {}  # by change id
        self._impacts: dict[tuple[str, ...], Impact] = {}

    @classmethod
    async def load(
        cls,
        source: Source,
        weights: RiskWeights,
        focus: Sequence[ChangeRecord],
        period: tuple[datetime, datetime] | None = None,
        cache: GraphCache | None = None,
        granted: Granted | None = None,
    ) -> ChangeBoard:
        """Everything needed to assess `focus` against the pending changes of `period` (default: focus's windows);
        `granted` says where the exceptions are read (default: the database now, `source` being the database)."""
        granted = _granted(source, granted)
        if period is None:
            windows = [w for c in focus if (w := c.window)]
            period = (min(a for a, _ in windows), max(b for _, b in windows)) if windows else None
        pending = await sources.changes_overlapping(source, period[0], period[1], PENDING) if period else []
        ids = {i for c in (*focus, *pending) for i in c.modifies}
        graph = await graph_for(source, sorted(ids), cache)
        policies = await sources.policies(source, rules.CHANGE_RULES)
        exceptions: dict[str, list[PolicyException]] = {}
        for x in await granted.exceptions([c.id for c in focus]):  # one read for a whole agenda
            exceptions.setdefault(x.change, []).append(x)
        return cls(source, weights, graph, pending, policies, exceptions)

    def impact(self, origin: Sequence[str]) -> Impact:
        key = tuple(sorted(set(origin)))
        if key not in self._impacts:
            self._impacts[key] = compute_impact(self.graph, key)
        return self._impacts[key]

    async def assess(self, change: ChangeRecord) -> Assessment:
        # The impacts (the change's own and those its conflicts compare) are computed off the event loop.
        impact = await asyncio.to_thread(self.impact, change.modifies)
        analysis = ImpactAnalysis(self.source, impact)
        exposure = await analysis.exposure()

        def judged() -> tuple[list[Any], list[Any]]:
            found = conflicts(change, self.pending, self.impact)
            return found, rules.violations(change, impact, exposure.services, self.policies)

        found, violations = await asyncio.to_thread(judged)
        w = self.weights
        ref = change.planned_start or change.implemented_at
        history = await sources.history(
            self.source,
            impact.origin,
            incidents_since=ref - timedelta(days=w.incident_days) if ref else None,
            changes_since=ref - timedelta(days=w.failed_change_days) if ref else None,
            until=ref,
        )
        risk = score(
            RiskInputs(
                change=change,
                services=exposure.services,
                business_units=len(exposure.business_units),
                slas=len(exposure.slas),
                history=history,
                conflicts=found,
                violations=len(violations),
            ),
            w,
        )
        cab = rules.emergency_freeze_reasons(change, impact, self.policies)
        cab += rules.cab_reasons(change, impact, risk.level, risk.score, self.policies)
        approvals = [Approval("CAB", "; ".join(cab))] if cab else []
        approvals += _owner_approvals(analysis)
        exceptions = self.exceptions.get(change.id, [])
        return Assessment(change, analysis, risk, found, violations, approvals, exceptions)


def _owner_approvals(analysis: ImpactAnalysis) -> list[Approval]:
    """The owning team of each impacted BUSINESS service must approve, naming its services."""
    by_team: dict[str, tuple[Props, list[str]]] = {}
    services = analysis.exposure_services()
    for svc in services:
        if svc.tier != "BUSINESS":
            continue
        for team in analysis.facts[svc.id].owners if svc.id in analysis.facts else []:
            by_team.setdefault(team["id"], (team, []))[1].append(f"{svc.id} ({svc.status.name})")
    return [
        Approval(team_id, f"owns impacted business service{'s' if len(owned) > 1 else ''} {', '.join(owned)}", team)
        for team_id, (team, owned) in sorted(by_team.items())
    ]


async def cab_agenda(
    source: Source,
    weights: RiskWeights,
    start: datetime,
    end: datetime,
    cache: GraphCache | None = None,
    granted: Granted | None = None,
) -> list[Assessment]:
    """The SUBMITTED, APPROVED and SCHEDULED changes planned to start in [start, end), riskiest first."""
    if end <= start:
        raise InvalidArgument(f"to ({end.isoformat()}) must be after from ({start.isoformat()})")
    focus = await sources.changes_starting(source, start, end, PENDING)
    if not focus:
        return []
    board = await ChangeBoard.load(source, weights, focus, cache=cache, granted=granted)
    assessed = [await board.assess(c) for c in focus]
    return sorted(assessed, key=agenda_order)


_DECISIONS = list(Decision)


def agenda_order(a: Assessment) -> tuple[int, int, datetime | None, str]:
    """Blocked changes first (a board must act on them), then what the CAB decides, then the rest; riskiest first
    within each."""
    return (_DECISIONS.index(a.decision), -a.risk.score, a.change.planned_start, a.change.id)


async def release_impact(source: Source, release_id: str, cache: GraphCache | None = None) -> ImpactAnalysis:
    """The impact of the union of what a release's changes modify."""
    ids = await sources.release_changes(source, release_id)
    if ids is None:
        raise NotFound(f"unknown release id {release_id!r}")
    changes = await sources.changes_by_ids(source, ids)
    origin = sorted({i for c in changes.values() for i in c.modifies})
    graph = await graph_for(source, origin, cache)
    return ImpactAnalysis(source, await asyncio.to_thread(compute_impact, graph, origin))


async def next_window(
    source: Source,
    weights: RiskWeights,
    change: ChangeRecord,
    duration_minutes: int,
    after: datetime | None = None,
    cache: GraphCache | None = None,
    granted: Granted | None = None,
) -> tuple[datetime, datetime] | None:
    """The earliest window of that length after `after` (default now): inside the maintenance windows governing
    what the change touches, outside the freezes that govern it, overlapping no pending change it would conflict
    with. None if there is none within a year."""
    length = timedelta(minutes=duration_minutes)
    if not timedelta(minutes=1) <= length <= MAX_DURATION:
        raise InvalidArgument(f"durationMinutes must be between 1 and {int(MAX_DURATION.total_seconds() // 60)}")
    start = (after or datetime.now(UTC)).astimezone(UTC)
    if start > datetime(9000, 1, 1, tzinfo=UTC):
        raise InvalidArgument(f"after: {start.isoformat()} is too far in the future")
    horizon = start + HORIZON
    board = await ChangeBoard.load(source, weights, [change], (start, horizon + MAX_DURATION), cache, granted)
    impact = board.impact(change.modifies)
    touched = rules.touched(change, impact)
    frozen = rules.freeze_touched(change, impact)  # a freeze binds modified items and impacted services only
    maintenance = (
        [p.rule for p in board.policies if p.rule_type == "MAINTENANCE_WINDOW" and p.governs_any(touched)]
        if change.type in (ChangeType.NORMAL, ChangeType.STANDARD)
        else []
    )
    blocked = [
        (datetime.fromisoformat(p.rule["from"]), datetime.fromisoformat(p.rule["to"]))
        for p in board.policies
        if p.rule_type == "CHANGE_FREEZE" and p.governs_any(frozen) and not rules.freeze_allows(p, change)
    ]
    blocked += [
        window
        for other in board.pending
        if (window := other.window) and other.id != change.id and reason_between(change, other, board.impact)
    ]
    return next_free_window(length, start, horizon, maintenance, blocked)


def evidence_of(assessment: Assessment, at: datetime, approved_by: str) -> ApprovedAssessment:
    """The parts of an assessment a board decides on, as kept with an approval."""
    return ApprovedAssessment(
        at=at,
        approved_by=approved_by,
        decision=assessment.decision.value,
        risk_score=assessment.risk.score,
        risk_level=assessment.risk.level.value,
        factors=tuple((f.name, f.contribution, f.detail) for f in assessment.risk.factors),
        services=tuple((s.id, s.status.name) for s in impacted_services(assessment.analysis.impact)),
        conflicts=tuple((c.other.id, c.reason.value, tuple(c.items)) for c in assessment.conflicts),
        violations=tuple((v.policy.id, v.rule_type, v.subject_id, v.message) for v in assessment.violations),
        approvals=tuple((a.approver, a.reason) for a in assessment.approvals),
        exceptions=tuple(sorted(x.policy for x in assessment.exceptions)),
    )


async def approved_assessment(
    repo: ItemRepository, change_id: str, until: datetime | None = None
) -> ApprovedAssessment | None:
    """The assessment the change was last approved on (at or before `until`, if given), as kept then."""
    return (await db.approved_assessments(repo, [change_id], until)).get(change_id)


async def approved_assessments(repo: ItemRepository, change_ids: Sequence[str]) -> dict[str, ApprovedAssessment]:
    """The assessment each change was last approved on (one read for a whole agenda)."""
    return await db.approved_assessments(repo, change_ids)
