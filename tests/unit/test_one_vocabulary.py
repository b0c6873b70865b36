"""Each kind's enumerated fields are written in more than one place (the exchange schema and models, GraphQL's
enums, the domain's enums): these tests fail the moment two of them disagree, so adding a CI type or a change status
in one place and not the others is caught in CI, not by a client."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import pytest

from graphsvc.domain.changes import RULE_TYPES, ChangeStatus, ChangeType
from graphsvc.graphql import enums as e

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "graphsvc" / "cmdb-exchange.schema.json").read_text())
DEFS = SCHEMA["$defs"]

PAIRS: list[tuple[type[Enum], str, str]] = [
    (e.CIType, "ConfigurationItem", "type"),
    (e.CIEnvironment, "ConfigurationItem", "environment"),
    (e.CIStatus, "ConfigurationItem", "status"),
    (e.ServiceTier, "Service", "tier"),
    (e.ServiceStatus, "Service", "status"),
    (e.RequirementKind, "Requirement", "kind"),
    (e.Comparator, "Metric", "comparator"),
    (e.DependencyKind, "Dependency", "kind"),
    (e.DependencyStrength, "Dependency", "strength"),
    (e.PolicyKind, "Policy", "kind"),
    (e.ProcessArea, "Process", "area"),
    (e.IncidentPriority, "Incident", "priority"),
    (e.IncidentStatus, "Incident", "status"),
    (e.IncidentEffect, "Incident", "effect"),
    (e.ProblemStatus, "Problem", "status"),
    (ChangeType, "Change", "type"),
    (ChangeStatus, "Change", "status"),
]


@pytest.mark.parametrize(("enum", "definition", "field"), PAIRS, ids=[f"{d}.{f}" for _, d, f in PAIRS])
def test_the_enum_and_the_exchange_schema_list_the_same_values(enum: type[Enum], definition: str, field: str) -> None:
    assert [m.value for m in enum] == DEFS[definition]["properties"][field]["enum"]


def test_rule_types_agree_everywhere() -> None:
    in_schema = [branch["properties"]["type"]["const"] for branch in DEFS["Rule"]["oneOf"]]
    assert sorted(RULE_TYPES) == sorted(in_schema) == sorted(m.value for m in e.RuleType)


def test_health_finding_kinds_agree() -> None:
    from graphsvc.analysis.health import KINDS

    assert [m.value for m in e.HealthFindingKind] == list(KINDS)
