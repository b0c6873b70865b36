"""The compliance report's content: every checked policy with its violations (worst first), and requirement status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.analysis.change_rules import Violation
from graphsvc.domain.changes import RULE_TYPES, PolicyRule
from graphsvc.domain.vocabulary import Kind
from graphsvc.usecases import sources
from graphsvc.usecases.policies import policy_violations
from graphsvc.usecases.requirements import Compliance, requirement_compliance
from graphsvc.usecases.sources import Source

__all__ = ["ComplianceReport", "PolicyFindings", "compliance_report"]


@dataclass(frozen=True)
class PolicyFindings:
    policy: PolicyRule
    violations: list[Violation]  # by subject id

    @property
    def kind(self) -> str:
        return str(self.policy.props.get("kind") or "POLICY")

    @property
    def statement(self) -> str:
        return str(self.policy.props.get("statement") or "")


@dataclass(frozen=True)
class ComplianceReport:
    policies: list[PolicyFindings]  # most violations first, then by id; compliant policies last
    documents_only: int  # policies with no machine-checkable rule (filed, not checked)
    requirements: list[Compliance]  # by id

    @property
    def violations(self) -> int:
        return sum(len(p.violations) for p in self.policies)

    @property
    def violated(self) -> list[PolicyFindings]:
        return [p for p in self.policies if p.violations]

    @property
    def unmet(self) -> list[Compliance]:
        return [r for r in self.requirements if not r.met]


async def compliance_report(repo: Source, cache: Any = None) -> ComplianceReport:
    """Every policy with a rule, checked against what it governs, grouped and ranked; plus requirement status."""
    rules = await sources.policies(repo, RULE_TYPES)
    found = await policy_violations(repo, cache=cache, policies=rules)
    by_policy: dict[str, list[Violation]] = {p.id: [] for p in rules}
    for v in found:
        by_policy.setdefault(v.policy.id, []).append(v)
    findings = [PolicyFindings(p, sorted(by_policy[p.id], key=lambda v: (v.subject_id, v.message))) for p in rules]
    findings.sort(key=lambda f: (-len(f.violations), f.policy.id))
    everything = await repo.count(Kind.POLICY, props={})
    return ComplianceReport(findings, everything - len(rules), await requirement_compliance(repo))
