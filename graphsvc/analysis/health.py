"""CMDB health (SEMANTICS.md, "CMDB health"): how far the data can be trusted, as completeness, correctness and
compliance, with the findings behind the first two.

Pure: usecases/health.py reads the facts (db/analysis_inputs.health_facts) and the policy violations, and hands
them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CiFacts",
    "Finding",
    "GroupFacts",
    "Health",
    "ServiceFacts",
    "cmdb_health",
]

# The kinds of finding, in the order findings are listed.
MISSING_FIELD = "MISSING_FIELD"
UNDER_PROVISIONED_GROUP = "UNDER_PROVISIONED_GROUP"
EMPTY_GROUP = "EMPTY_GROUP"
RETIRED_DEPENDENCY = "RETIRED_DEPENDENCY"
ORPHAN_CI = "ORPHAN_CI"
KINDS = (EMPTY_GROUP, MISSING_FIELD, ORPHAN_CI, RETIRED_DEPENDENCY, UNDER_PROVISIONED_GROUP)  # sorted


@dataclass(frozen=True)
class ServiceFacts:
    """A live service and which of its expected fields are filled."""

    id: str
    owner: bool
    criticality: bool
    rto_minutes: bool


@dataclass(frozen=True)
class CiFacts:
    """A live CI, which of its expected fields are filled, and whether anything links it to the estate."""

    id: str
    owner: bool
    site: bool
    monthly_cost: bool
    linked: bool  # a dependency to or from a live item, or a group's membership


@dataclass(frozen=True)
class GroupFacts:
    id: str
    min_healthy: int
    live_members: int


@dataclass(frozen=True, order=True)
class Finding:
    kind: str
    subject: str
    message: str


@dataclass(frozen=True)
class Health:
    completeness: float  # percent, two decimals
    correctness: float
    compliance: float
    findings: tuple[Finding, ...]  # by kind, then subject, then message


def _percent(part: float, whole: float) -> float:
    """100 * part / whole to two decimals; 100 when there is nothing to measure."""
    return 100.0 if whole == 0 else round(100.0 * part / whole, 2)


def cmdb_health(
    services: Sequence[ServiceFacts],
    cis: Sequence[CiFacts],
    groups: Sequence[GroupFacts],
    retired_dependencies: Iterable[tuple[str, str]],
    policies: int,
    policies_violated: int,
) -> Health:
    """The three measures and their findings. `retired_dependencies` are (live item, RETIRED item) edges;
    `policies` counts the policies with a rule and `policies_violated` those with at least one violation."""
    findings: list[Finding] = []
    expected = filled = 0
    expected_fields = [
        *(("service", s.id, (("owner", s.owner), ("criticality", s.criticality), ("rtoMinutes", s.rto_minutes)))
          for s in services),
        *(("CI", c.id, (("owner", c.owner), ("site", c.site), ("monthlyCost", c.monthly_cost))) for c in cis),
    ]  # fmt: skip
    for what, item, fields in expected_fields:
        for field, present in fields:
            expected += 1
            filled += present
            if not present:
                findings.append(Finding(MISSING_FIELD, item, f"{what} {item} has no {field}"))
    wrong: list[Finding] = []
    for g in groups:
        if g.live_members == 0:
            wrong.append(Finding(EMPTY_GROUP, g.id, f"group {g.id} has no live member"))
        if g.min_healthy > g.live_members:
            wrong.append(
                Finding(
                    UNDER_PROVISIONED_GROUP,
                    g.id,
                    f"group {g.id} needs {g.min_healthy} healthy members but has {g.live_members} live: the "
                    f"analyses use a quorum of {g.live_members}",
                )
            )
    for source, target in retired_dependencies:
        wrong.append(
            Finding(RETIRED_DEPENDENCY, source, f"{source} depends on {target}, which is RETIRED (analyses drop it)")
        )
    for c in cis:
        if not c.linked:
            wrong.append(
                Finding(ORPHAN_CI, c.id, f"CI {c.id} has no dependency to or from a live item and is in no group")
            )
    items = len(services) + len(cis) + len(groups)
    return Health(
        completeness=_percent(filled, expected),
        correctness=_percent(items - len({f.subject for f in wrong}), items),
        compliance=_percent(policies - policies_violated, policies),
        findings=tuple(sorted(findings + wrong)),
    )
