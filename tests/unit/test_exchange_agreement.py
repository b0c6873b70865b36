"""The pydantic exchange models and the JSON Schema agree: both run on the same documents and give the same verdict.

The schema is the contract. Three corpora: hand-written invalid documents (each a small mutation of
tests/fixtures/small.json), hand-written valid variants, and random documents generated from the schema's own shapes.

The schema is checked as JSON Schema 2020-12 specifies it, with two test-side adjustments to the Python `jsonschema`
library: `date-time` is asserted as RFC 3339 (the library's own check needs a package that is not installed), and
`pattern` uses ECMA-262 anchors (Python's `$` also matches before a trailing newline, so the library would let
"SVC-1\\n" through as an id; ECMA-262, which JSON Schema names for patterns, does not).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from graphsvc.domain.validation import DocumentInvalid, Problem, validate_structure
from tests.unit.test_demo_seed import ts  # the colleague's RFC 3339 parse (its date-time check is local to a test)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "graphsvc" / "cmdb-exchange.schema.json"
SMALL_PATH = ROOT / "tests" / "fixtures" / "small.json"
DEMO_PATH = ROOT / "seeds" / "demo.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
DEFS: dict[str, Any] = SCHEMA["$defs"]
FORMAT = "graphsvc-cmdb/1"

# Same approach as tests/unit/test_demo_seed.py (a pattern, then a real parse), with ASCII digits, hours and minutes
# of the offset in range, and no trailing newline.
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if isinstance(value, str):
        if not _RFC3339.fullmatch(value):
            raise ValueError(f"not RFC 3339 with an offset: {value!r}")
        ts(value)  # impossible dates and times (Feb 30, 24:00) raise ValueError
    return True


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    python = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    if not re.search(python, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


SchemaValidator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})
VALIDATOR = SchemaValidator(SCHEMA, format_checker=FORMATS)


def schema_errors(doc: Any) -> list[ValidationError]:
    return list(VALIDATOR.iter_errors(doc))


def model_problems(doc: Any) -> list[Problem]:
    """The problems validate_structure reports ([] when it accepts the document)."""
    try:
        validate_structure(doc)
    except DocumentInvalid as exc:
        assert exc.problems, "DocumentInvalid without problems"
        return exc.problems
    return []


def json_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@cache
def _small() -> str:
    return SMALL_PATH.read_text(encoding="utf-8")


def small() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_small())
    return data


# ---------------------------------------------------------------------------------------------------------------------
# Invalid documents: one mutation of small.json each.

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_DELETE = object()


def _parts(path: str) -> list[str | int]:
    out: list[str | int] = []
    for name, index in _PART.findall(path):
        out.append(int(index) if index else name)
    assert json_path(out) == path, path
    return out


def mutate(doc: dict[str, Any], path: str, value: Any, rename: str | None = None) -> dict[str, Any]:
    """A copy of `doc` with the field at `path` set to `value`, deleted (_DELETE) or renamed to `rename`."""
    return mutate_at(doc, tuple(_parts(path)), value, rename)


def mutate_at(doc: Any, parts: tuple[str | int, ...], value: Any, rename: str | None = None) -> Any:
    out = copy.deepcopy(doc)
    *head, last = parts
    node: Any = out
    for part in head:
        node = node[part]
    if rename is not None:
        node[rename] = node.pop(last)
    elif value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return out


def bad(case_id: str, path: str, value: Any = _DELETE, *, where: str | None = None, rename: str | None = None) -> Any:
    """An invalid mutation; `where` is the path a problem must name (default: the mutated path)."""
    return pytest.param(path, value, rename, path if where is None else where, id=case_id)


_TOO_LONG_ID = "A" * 129
INVALID = [
    # wrong types
    bad("money-as-number", "services[0].monthlyCost", 1200.5),
    bad("money-as-integer", "configurationItems[0].monthlyCost", 100),
    bad("money-5-decimals", "services[0].monthlyCost", "1200.12345"),
    bad("money-negative", "services[1].monthlyCost", "-1"),
    bad("money-exponent", "services[1].monthlyCost", "1e3"),
    bad("money-16-digits", "services[1].monthlyCost", "1" * 16),
    bad("money-trailing-dot", "services[1].monthlyCost", "300."),
    bad("minutes-as-string", "services[0].rtoMinutes", "60"),
    bad("minutes-negative", "services[0].rpoMinutes", -1),
    bad("minutes-float", "configurationItems[1].rtoMinutes", 1.5),
    bad("minutes-bool", "slas[0].responseMinutes", True),
    bad("minutes-negative-sla", "slas[0].resolutionMinutes", -240),
    bad("criticality-0", "services[0].criticality", 0),
    bad("criticality-5", "services[0].criticality", 5),
    bad("criticality-bool", "services[1].criticality", True),
    bad("criticality-string", "configurationItems[1].criticality", "1"),
    bad("priority-float", "requirements[0].priority", 2.5),
    bad("percent-101", "services[0].availabilityTarget", 101),
    bad("percent-negative", "configurationItems[0].utilization", -0.5),
    bad("percent-bool", "configurationItems[4].utilization", True),
    bad("percent-string", "slas[0].availabilityTarget", "99.9"),
    bad("number-as-string", "metrics[0].target", "99.9"),
    bad("number-bool", "metrics[0].target", False),
    bad("current-as-string", "metrics[0].current", "99.95"),
    bad("string-as-number", "teams[0].email", 5),
    bad("string-as-bool", "configurationItems[4].vendor", True),
    bad("version-as-number", "releases[0].version", 2026.11),
    bad("name-empty", "services[0].name", ""),
    bad("title-empty", "incidents[0].title", ""),
    bad("refs-as-string", "requirements[0].raisedBy", "BU-SALES"),
    bad("collection-as-object", "services", {}),
    bad("item-not-object", "teams[0]", "T-WEB"),
    # ids
    bad("id-space", "services[0].id", "SVC SHOP"),
    bad("id-leading-dash", "services[0].id", "-SVC"),
    bad("id-leading-dot", "teams[0].id", ".T"),
    bad("id-129-chars", "services[0].id", _TOO_LONG_ID),
    bad("id-empty", "sites[0].id", ""),
    bad("id-non-ascii", "sites[0].id", "S-LÖN"),
    bad("id-slash", "services[0].owner", "T/WEB"),
    bad("id-trailing-newline", "releases[0].id", "REL-1\n"),
    bad("id-number", "businessUnits[0].id", 7),
    bad("id-in-list", "requirements[0].raisedBy[0]", "BU SALES"),
    bad("id-dependency-from", "dependencies[0].from", "SVC#SHOP"),
    bad("id-consumption", "consumption[0].service", "SVC SHOP"),
    # missing required fields, for each kind
    bad("missing-format", "format"),
    bad("business-unit-no-name", "businessUnits[0].name"),
    bad("business-unit-no-id", "businessUnits[1].id"),
    bad("team-no-id", "teams[0].id"),
    bad("site-no-name", "sites[0].name"),
    bad("requirement-no-kind", "requirements[0].kind"),
    bad("metric-no-requirement", "metrics[0].requirement"),
    bad("metric-no-target", "metrics[0].target"),
    bad("metric-no-comparator", "metrics[1].comparator"),
    bad("service-no-tier", "services[0].tier"),
    bad("service-no-criticality", "services[2].criticality"),
    bad("ci-no-type", "configurationItems[0].type"),
    bad("ci-no-name", "configurationItems[5].name"),
    bad("group-no-min-healthy", "redundancyGroups[0].minHealthy"),
    bad("group-no-members", "redundancyGroups[0].members"),
    bad("dependency-no-from", "dependencies[0].from"),
    bad("dependency-no-to", "dependencies[1].to"),
    bad("consumption-no-service", "consumption[0].service"),
    bad("consumption-no-business-unit", "consumption[1].businessUnit"),
    bad("sla-no-availability", "slas[0].availabilityTarget"),
    bad("sla-no-business-unit", "slas[0].businessUnit"),
    bad("policy-no-kind", "policies[0].kind"),
    bad("process-no-area", "processes[0].area"),
    bad("incident-no-opened-at", "incidents[0].openedAt"),
    bad("incident-no-affects", "incidents[1].affects"),
    bad("incident-no-priority", "incidents[0].priority"),
    bad("problem-no-status", "problems[0].status"),
    bad("change-no-modifies", "changes[0].modifies"),
    bad("change-no-type", "changes[1].type"),
    bad("release-no-name", "releases[0].name"),
    # extra properties
    bad("extra-top-level", "owner", "T-WEB"),
    bad("extra-in-service", "services[0].costCentre", "CC-1"),
    bad("extra-in-ci", "configurationItems[0].hostname", "lon-app-01"),
    bad("extra-in-dependency", "dependencies[0].note", "x"),
    bad("extra-in-consumption", "consumption[0].weight", 1),
    bad("alias-name-from_", "dependencies[0].from", rename="from_", where="dependencies[0]"),
    bad("extra-in-freeze-rule", "policies[0].rule.reason", "peak"),
    bad("extra-in-owner-rule", "policies[2].rule.maxCriticality", 2),
    bad("extra-in-maintenance-rule", "policies[1].rule.from", "2026-11-23T00:00:00Z"),
    bad("alias-name-in-rule", "policies[0].rule.from", rename="from_", where="policies[0].rule"),
    # rules: each type's required fields and ranges
    bad("freeze-no-from", "policies[0].rule.from"),
    bad("freeze-no-to", "policies[0].rule.to"),
    bad("freeze-allow-emergency-string", "policies[0].rule.allowEmergency", "yes"),
    bad("window-no-weekdays", "policies[1].rule.weekdays"),
    bad("window-no-start", "policies[1].rule.startHour"),
    bad("window-no-end", "policies[1].rule.endHour"),
    bad("window-start-24", "policies[1].rule.startHour", 24),
    bad("window-end-0", "policies[1].rule.endHour", 0),
    bad("window-end-25", "policies[1].rule.endHour", 25),
    bad("window-timezone-number", "policies[1].rule.timezone", 1),
    bad("cab-no-risk-level", "policies[2].rule", {"type": "CAB_APPROVAL"}),
    bad("no-spof-criticality-0", "policies[2].rule", {"type": "NO_SINGLE_POINT_OF_FAILURE", "maxCriticality": 0}),
    bad("recovery-extra", "policies[2].rule", {"type": "RECOVERY_OBJECTIVES_MET", "maxPercent": 5}),
    bad("headroom-no-max", "policies[2].rule", {"type": "CAPACITY_HEADROOM"}),
    bad("headroom-150", "policies[2].rule", {"type": "CAPACITY_HEADROOM", "maxPercent": 150}),
    bad("rule-unknown-type", "policies[2].rule.type", "FOUR_EYES", where="policies[2].rule"),
    bad("rule-no-type", "policies[0].rule.type", where="policies[0].rule"),
    bad("rule-type-of-other-branch", "policies[0].rule.type", "MAINTENANCE_WINDOW", where="policies[0].rule"),
    bad("rule-as-string", "policies[2].rule", "OWNER_REQUIRED"),
    bad("rule-empty", "policies[2].rule", {}),
    # enums, every one
    bad("enum-format", "format", "graphsvc-cmdb/2"),
    bad("enum-requirement-kind", "requirements[0].kind", "STRATEGIC"),
    bad("enum-comparator", "metrics[0].comparator", "GT"),
    bad("enum-service-tier-lowercase", "services[0].tier", "business"),
    bad("enum-service-status", "services[0].status", "MAINTENANCE"),
    bad("enum-ci-type", "configurationItems[0].type", "MAINFRAME"),
    bad("enum-ci-environment", "configurationItems[0].environment", "PROD"),
    bad("enum-ci-status", "configurationItems[0].status", "DOWN"),
    bad("enum-dependency-kind", "dependencies[0].kind", "NEEDS"),
    bad("enum-dependency-strength", "dependencies[0].strength", "WEAK"),
    bad("enum-weekday", "policies[1].rule.weekdays[0]", "SATURDAY"),
    bad("enum-risk-level", "policies[2].rule", {"type": "CAB_APPROVAL", "minRiskLevel": "URGENT"}),
    bad("enum-policy-kind", "policies[0].kind", "LAW"),
    bad("enum-process-area", "processes[0].area", "SERVICE_OPERATION"),
    bad("enum-incident-priority", "incidents[0].priority", "P0"),
    bad("enum-incident-status", "incidents[0].status", "IN_PROGRESS"),
    bad("enum-problem-status", "problems[0].status", "CLOSED"),
    bad("enum-change-type", "changes[0].type", "URGENT"),
    bad("enum-change-status", "changes[0].status", "DONE"),
    bad("enum-number-for-string", "services[0].tier", 1),
    # minItems, minHealthy, exclusiveMinimum
    bad("members-empty", "redundancyGroups[0].members", []),
    bad("affects-empty", "incidents[0].affects", []),
    bad("modifies-empty", "changes[0].modifies", []),
    bad("min-healthy-0", "redundancyGroups[0].minHealthy", 0),
    bad("min-healthy-string", "redundancyGroups[0].minHealthy", "2"),
    bad("min-healthy-float", "redundancyGroups[0].minHealthy", 1.5),
    bad("weight-0", "dependencies[0].weight", 0),
    bad("weight-negative", "dependencies[1].weight", -2),
    bad("weight-string", "dependencies[1].weight", "2"),
    bad("share-0", "consumption[0].share", 0),
    bad("share-negative", "consumption[0].share", -0.5),
    # timestamps
    bad("timestamp-no-offset", "incidents[0].openedAt", "2026-11-20T10:00:00"),
    bad("timestamp-no-offset-change", "changes[0].plannedStart", "2026-11-28T01:00:00"),
    bad("timestamp-no-offset-rule", "policies[0].rule.from", "2026-11-23T00:00:00"),
    bad("timestamp-space", "incidents[0].openedAt", "2026-11-20 10:00:00Z"),
    bad("timestamp-no-seconds", "incidents[0].openedAt", "2026-11-20T10:00Z"),
    bad("timestamp-offset-no-colon", "incidents[0].openedAt", "2026-11-20T10:00:00+0200"),
    bad("timestamp-offset-hours-only", "incidents[0].openedAt", "2026-11-20T10:00:00+02"),
    bad("timestamp-lowercase", "changes[0].plannedEnd", "2026-11-28t03:00:00z"),
    bad("timestamp-comma-fraction", "changes[0].plannedEnd", "2026-11-28T03:00:00,5Z"),
    bad("timestamp-february-30", "changes[0].plannedEnd", "2026-02-30T03:00:00Z"),
    bad("timestamp-hour-24", "incidents[0].resolvedAt", "2026-11-20T24:00:00Z"),
    bad("timestamp-offset-minute-60", "incidents[0].resolvedAt", "2026-11-20T09:30:00+01:60"),
    bad("timestamp-date-only", "incidents[0].openedAt", "2026-11-20"),
    bad("timestamp-epoch-number", "incidents[0].openedAt", 1763632800),
    bad("timestamp-empty-resolved", "incidents[0].resolvedAt", ""),
    # null where the schema does not allow it
    bad("null-owner", "services[0].owner", None),
    bad("null-money", "services[0].monthlyCost", None),
    bad("null-optional-string", "businessUnits[0].costCenter", None),
    bad("null-priority", "requirements[0].priority", None),
    bad("null-rule", "policies[0].rule", None),
    bad("null-attributes", "configurationItems[0].attributes", None),
    bad("null-planned-start", "changes[0].plannedStart", None),
    bad("null-problem-ref", "incidents[0].problem", None),
    bad("null-ref-list", "requirements[1].refines", None),
    bad("null-status-default", "services[0].status", None),
    bad("null-weight", "dependencies[1].weight", None),
    bad("null-target", "metrics[0].target", None),
    bad("null-name", "services[0].name", None),
    bad("null-collection", "services", None),
    bad("null-rule-field", "policies[0].rule.allowEmergency", None),
    # attributes
    bad("attributes-nested-object", "configurationItems[0].attributes.hostname", {"short": "lon-app-01"}),
    bad("attributes-list-value", "configurationItems[0].attributes.ports", [8443, 8080]),
    bad("attributes-not-object", "configurationItems[0].attributes", "hostname=lon-app-01"),
    # values other tools cannot read back, and text that disguises itself (hardening)
    bad("attribute-integer-beyond-2^53", "configurationItems[0].attributes.serial", 2**53 + 1),
    bad("attribute-integer-2^63", "configurationItems[0].attributes.serial", 2**63),
    bad("attribute-float-beyond-2^53", "configurationItems[0].attributes.ratio", 1e300),
    bad("weight-beyond-2^53", "dependencies[1].weight", 1e20),
    bad("min-healthy-2^63", "redundancyGroups[0].minHealthy", 2**63),
    bad("rto-beyond-2^53", "services[0].rtoMinutes", 2**60),
    bad("name-bidi-override", "services[0].name", "Payments\u202eevil"),
    bad("name-escape-sequence", "configurationItems[0].name", "db\x1b[2J"),
    bad("title-carriage-return", "incidents[0].title", "ok\rFAKE"),
    bad("label-control", "sites[0].region", "eu\x07"),
    bad("attribute-key-control", "configurationItems[0].attributes", {"host\x1bname": "a"}),
]
assert len(INVALID) >= 40


@pytest.mark.parametrize(("path", "value", "rename", "where"), INVALID)
def test_both_reject_the_mutation(path: str, value: Any, rename: str | None, where: str) -> None:
    doc = mutate(small(), path, value, rename)
    errors = schema_errors(doc)
    assert errors, f"the JSON Schema accepts {path} = {value!r}"
    problems = model_problems(doc)
    assert problems, f"validate_structure accepts {path} = {value!r}"

    def names(p: str) -> bool:
        return p == where or p.startswith((f"{where}.", f"{where}["))

    assert any(names(p.path) for p in problems), [str(p) for p in problems]
    assert all(p.message for p in problems)
    # the schema's errors are at the mutated place or at an object above it
    assert any(names(json_path(e.absolute_path)) or where.startswith(json_path(e.absolute_path)) for e in errors)


def test_the_base_document_and_the_schema_are_sound() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert schema_errors(small()) == []
    assert model_problems(small()) == []


def test_the_test_side_adjustments_to_jsonschema() -> None:
    plain = Draft202012Validator(SCHEMA)  # no format assertion, Python anchors
    newline = mutate(small(), "releases[0].id", "REL-1\n")
    spaced = mutate(small(), "incidents[0].openedAt", "2026-11-20 10:00:00Z")
    assert plain.is_valid(newline)
    assert plain.is_valid(spaced)
    assert not VALIDATOR.is_valid(newline)
    assert not VALIDATOR.is_valid(spaced)


@pytest.mark.parametrize("doc", [[], "graphsvc-cmdb/1", None, 1], ids=repr)
def test_both_reject_a_document_that_is_not_an_object(doc: Any) -> None:
    assert schema_errors(doc)
    assert [p.path for p in model_problems(doc)] == [""]


# ---------------------------------------------------------------------------------------------------------------------
# Valid variants.

FULL: dict[str, Any] = {
    "format": FORMAT,
    "businessUnits": [{"id": "BU-1", "name": "Sales", "costCenter": ""}],
    "teams": [{"id": "T-1", "name": "Platform", "email": "platform@example.com"}],
    "sites": [{"id": "S-1", "name": "London", "region": "eu-west-2"}],
    "requirements": [
        {
            "id": "R-1",
            "name": "Sell online",
            "kind": "BUSINESS",
            "priority": 4,
            "description": "24x7",
            "refines": [],
            "raisedBy": ["BU-1"],
        },
        {"id": "R-2", "name": "Checkout up", "kind": "SERVICE", "priority": 1, "refines": ["R-1"], "raisedBy": []},
    ],
    "metrics": [
        {
            "id": "M-1",
            "name": "Uptime",
            "requirement": "R-2",
            "unit": "%",
            "target": 99.9,
            "comparator": "GTE",
            "current": 99.95,
        },
        {
            "id": "M-2",
            "name": "Latency",
            "requirement": "R-2",
            "unit": "ms",
            "target": 300,
            "comparator": "LTE",
            "current": None,
        },
    ],
    "services": [
        {
            "id": "SVC-1",
            "name": "Shop",
            "tier": "BUSINESS",
            "criticality": 1,
            "status": "PLANNED",
            "rtoMinutes": 0,
            "rpoMinutes": 15,
            "availabilityTarget": 100,
            "monthlyCost": "0.0001",
            "owner": "T-1",
            "satisfies": ["R-2"],
        },
    ],
    "configurationItems": [
        {
            "id": "CI-1",
            "name": "app-01",
            "type": "VIRTUAL_MACHINE",
            "environment": "DR",
            "status": "MAINTENANCE",
            "criticality": 4,
            "monthlyCost": "999999999999999.9999",
            "rtoMinutes": 60,
            "rpoMinutes": 5,
            "utilization": 0,
            "site": "S-1",
            "owner": "T-1",
            "vendor": "VMware",
            "attributes": {"zeta": "z", "alpha": 1, "ratio": 0.5, "tls": False, "retired": None},
        },
        {"id": "CI-2", "name": "app-02", "type": "CLOUD_RESOURCE", "attributes": {}},
    ],
    "redundancyGroups": [{"id": "RG-1", "name": "Pair", "minHealthy": 1, "members": ["CI-1", "CI-2"]}],
    "dependencies": [
        {"from": "SVC-1", "to": "RG-1", "kind": "RUNS_ON", "strength": "HARD", "weight": 0.25},
        {"from": "CI-1", "to": "CI-2", "kind": "AUTHENTICATES_WITH", "strength": "SOFT", "weight": 3},
    ],
    "consumption": [{"businessUnit": "BU-1", "service": "SVC-1", "share": 0.5}],
    "slas": [
        {
            "id": "SLA-1",
            "name": "Shop for Sales",
            "service": "SVC-1",
            "businessUnit": "BU-1",
            "availabilityTarget": 0,
            "responseMinutes": 15,
            "resolutionMinutes": 240,
        },
    ],
    "policies": [
        {
            "id": "POL-1",
            "name": "Freeze",
            "kind": "POLICY",
            "statement": "none in peak",
            "governs": ["SVC-1"],
            "rule": {
                "type": "CHANGE_FREEZE",
                "from": "2026-11-23T00:00:00.5-05:30",
                "to": "2027-01-04T00:00:00Z",
                "allowEmergency": False,
            },
        },
        {
            "id": "POL-2",
            "name": "Window",
            "kind": "STANDARD",
            "governs": [],
            "rule": {
                "type": "MAINTENANCE_WINDOW",
                "weekdays": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"],
                "startHour": 0,
                "endHour": 24,
                "timezone": "Europe/London",
            },
        },
        {"id": "POL-3", "name": "CAB", "kind": "PROCEDURE", "rule": {"type": "CAB_APPROVAL", "minRiskLevel": "LOW"}},
        {
            "id": "POL-4",
            "name": "SPOF",
            "kind": "GUIDELINE",
            "rule": {"type": "NO_SINGLE_POINT_OF_FAILURE", "maxCriticality": 2},
        },
        {"id": "POL-5", "name": "RTO", "kind": "PRACTICE", "rule": {"type": "RECOVERY_OBJECTIVES_MET"}},
        {"id": "POL-6", "name": "Owner", "kind": "RULE", "rule": {"type": "OWNER_REQUIRED"}},
        {
            "id": "POL-7",
            "name": "Headroom",
            "kind": "CONVENTION",
            "rule": {"type": "CAPACITY_HEADROOM", "maxPercent": 85.5},
        },
    ],
    "processes": [
        {"id": "PROC-1", "name": "Change", "area": "SERVICE_DELIVERY", "purpose": "control", "interfacesWith": []},
        {"id": "PROC-2", "name": "Planning", "area": "REQUIREMENTS_DEFINITION", "interfacesWith": ["PROC-1"]},
    ],
    "incidents": [
        {
            "id": "INC-1",
            "title": "Slow",
            "priority": "P4",
            "status": "CLOSED",
            "openedAt": "2026-11-20T10:00:00+02:00",
            "resolvedAt": "2026-11-20T09:30:00.123456Z",
            "affects": ["SVC-1", "CI-1"],
            "problem": "PRB-1",
        },
    ],
    "problems": [
        {
            "id": "PRB-1",
            "title": "Disk",
            "status": "RESOLVED",
            "rootCause": "firmware",
            "workaround": "reboot",
            "causedBy": ["CI-2"],
        },
    ],
    "changes": [
        {
            "id": "CHG-1",
            "title": "Patch",
            "type": "EMERGENCY",
            "status": "IMPLEMENTED",
            "plannedStart": "2026-11-28T01:00:00Z",
            "plannedEnd": "2026-11-28T03:00:00Z",
            "implementedAt": "2026-11-28T02:59:59.999Z",
            "modifies": ["CI-1", "POL-1"],
            "release": "REL-1",
            "resolves": ["PRB-1"],
        },
    ],
    "releases": [{"id": "REL-1", "name": "November", "version": "2026.11"}],
}

_RULES = [p["rule"] for p in FULL["policies"]]


def _with(path: str, value: Any) -> dict[str, Any]:
    return mutate(small(), path, value)


def _policy_with(rule: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "policies": [{"id": "POL", "name": "p", "kind": "RULE", "rule": rule}]}


VALID = [
    pytest.param({"format": FORMAT}, id="minimal"),
    pytest.param(small(), id="small.json"),
    pytest.param(FULL, id="every-optional-field"),
    pytest.param({"format": FORMAT, **{k: [] for k in SCHEMA["properties"] if k != "format"}}, id="empty-lists"),
    *(pytest.param(_policy_with(rule), id=f"rule-{rule['type']}") for rule in _RULES),
    pytest.param(
        _policy_with({"type": "MAINTENANCE_WINDOW", "weekdays": [], "startHour": 23, "endHour": 1}),
        id="rule-window-minimal",
    ),
    pytest.param(
        _policy_with({"type": "CHANGE_FREEZE", "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}),
        id="rule-freeze-minimal",
    ),
    pytest.param(_policy_with({"type": "NO_SINGLE_POINT_OF_FAILURE"}), id="rule-no-spof-minimal"),
    pytest.param(_with("incidents[0].resolvedAt", None), id="resolved-at-null"),
    pytest.param(_with("metrics[0].current", None), id="metric-current-null"),
    pytest.param(
        _with("configurationItems[0].attributes", {"a": None, "b": 1, "c": -2.5, "d": True, "e": ""}),
        id="attribute-values",
    ),
    pytest.param(_with("metrics[0].target", 100), id="integer-for-number"),
    pytest.param(_with("services[0].availabilityTarget", 99), id="integer-for-percent"),
    pytest.param(_with("dependencies[0].weight", 1e-9), id="tiny-weight"),
    pytest.param(_with("services[0].monthlyCost", "1234.5678"), id="money-4-decimals"),
    pytest.param(_with("services[0].monthlyCost", "0"), id="money-zero"),
    pytest.param(_with("services[0].monthlyCost", "123456789012345"), id="money-15-digits"),
    pytest.param(_with("services[0].criticality", 2.0), id="integral-float-for-integer"),
    pytest.param(_with("services[0].rtoMinutes", 60.0), id="integral-float-for-minutes"),
    pytest.param(_with("redundancyGroups[0].minHealthy", 3.0), id="integral-float-for-min-healthy"),
    pytest.param(_with("services[0].id", "A" * 128), id="id-128-chars"),
    pytest.param(_with("services[0].id", "9a._:-Z"), id="id-every-character-class"),
    pytest.param(_with("services[0].name", "Boutique en ligne, été 🛒"), id="unicode-name"),
    pytest.param(_with("incidents[1].openedAt", "2026-11-20T08:10:00.123456789-00:00"), id="timestamp-long-fraction"),
    pytest.param(_with("incidents[1].openedAt", "2024-02-29T23:59:59+23:59"), id="timestamp-leap-day-max-offset"),
    pytest.param(_with("businessUnits[0].costCenter", ""), id="empty-optional-string"),
]
assert len(VALID) >= 10


@pytest.mark.parametrize("doc", VALID)
def test_both_accept(doc: dict[str, Any]) -> None:
    assert [f"{json_path(e.absolute_path)}: {e.message}" for e in schema_errors(doc)] == []
    assert [str(p) for p in model_problems(doc)] == []


def test_both_accept_the_demo() -> None:
    demo = json.loads(DEMO_PATH.read_text(encoding="utf-8"))
    assert schema_errors(demo) == []
    assert model_problems(demo) == []


def test_the_models_normalise_what_they_accept() -> None:
    doc = validate_structure(_with("services[0].criticality", 2.0))
    assert doc.services[0].criticality == 2
    assert type(doc.services[0].criticality) is int
    incident = validate_structure(small()).incidents[0]
    assert incident.openedAt.isoformat() == "2026-11-20T08:00:00+00:00"


# ---------------------------------------------------------------------------------------------------------------------
# Random documents over the schema's shapes: same verdict on both sides.

_JUNK: list[Any] = [None, True, False, 0, -1, 1.5, 2.0, "", "x", "A B", [], {}, ["x"], {"x": 1}]
_ID_VALID = ["A", "SVC-1", "a.b_c:d-e", "9", "Z" * 128]
_ID_INVALID = ["", " A", "-A", "A B", "A/B", "A" * 129, "É", "A\n", "\nA", 5, None]
_TS_VALID = [
    "2026-11-20T10:00:00Z",
    "2026-11-20T10:00:00.123+02:00",
    "2026-01-01T00:00:00-05:30",
    "2024-02-29T23:59:59.1234567+23:59",
    "2026-11-20T10:00:00-00:00",
]
_TS_INVALID = [
    "2026-11-20T10:00:00",
    "2026-11-20 10:00:00Z",
    "2026-11-20t10:00:00z",
    "2026-11-20T10:00Z",
    "2026-11-20T10:00:00+0200",
    "2026-11-20T10:00:00+02",
    "2026-11-20T10:00:00+24:00",
    "2026-11-20T10:00:00+02:60",
    "2026-11-20T24:00:00Z",
    "2026-11-20T10:00:60Z",
    "2026-12-31T23:59:60Z",
    "2026-02-30T00:00:00Z",
    "2026-11-20T10:00:00,5Z",
    "2026-11-20T10:00:00.Z",
    "2026-11-20",
    "2026-11-20T10:00:00Z\n",
    "",
    1763632800,
    1763632800.5,
    None,
]
LEAF_POOLS: dict[str, tuple[list[Any], list[Any]]] = {
    "Id": (_ID_VALID, _ID_INVALID),
    "Money": (
        ["0", "300", "1200.50", "0.0001", "999999999999999.9999"],
        ["", "-1", "1.23456", "1e3", "1,5", "1.", ".5", " 1", "1 ", "1" * 16, "1\n", 12, 12.5, None],
    ),
    "Minutes": ([0, 60, 10**12, 5.0, -0.0, 2**53], [-1, 1.5, "60", True, False, None, -1.0, 2**53 + 1]),
    "Criticality": ([1, 2, 4, 3.0], [0, 5, 1.5, "1", True, None, 4.5]),
    "Percent": ([0, 100, 99.95, 50, 100.0], [-0.01, 100.5, 101, "50", True, None]),
    "Timestamp": (_TS_VALID, _TS_INVALID),
    # Names and labels: no C0/C1 control characters, no bidirectional embeddings, overrides or isolates.
    "Name": (
        ["x", "Web Shop", "é 🛒", "a\u200fb"],
        ["", "a\x00b", "tab\there", "line\nbreak", "esc\x1b[2J", "c1\x85", "rtl\u202eevil", "iso\u2067x", 5, None],
    ),
    "Label": (["", "x", "eu-west", "ops@example.com"], ["a\x07", "b\u202d", "c\r", 5, None, False]),
}
_RULE_TYPES = [branch["properties"]["type"]["const"] for branch in DEFS["Rule"]["oneOf"]]


def _ref(sub: dict[str, Any]) -> str | None:
    ref = sub.get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def leaf_pools(sub: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Valid and invalid values for a leaf sub-schema (valid ones are valid, the others are meant not to be)."""
    name = _ref(sub)
    if name:
        return LEAF_POOLS[name]
    if "enum" in sub:
        first = sub["enum"][0]
        return list(sub["enum"]), [first.lower(), f" {first}", "NOT_IN_ENUM", 1, None]
    if "const" in sub:
        return [sub["const"]], ["graphsvc-cmdb/2", "", None, 1, *(t for t in _RULE_TYPES if t != sub["const"])]
    kind = sub.get("type")
    if kind == "string":
        invalid: list[Any] = [5, None, False, ["x"]]
        return (["x", "Web Shop", "é 🛒"], ["", *invalid]) if sub.get("minLength") else (["", "x"], invalid)
    if kind == "boolean":
        return [True, False], [0, 1, "true", None]
    if kind == "null":
        return [None], [0, "", False, "null"]
    if kind == ["number", "null"]:
        return [None, 0, 1, -2.5, 2**53], ["1", True, [], {}, 2**53 + 1, 10**20]
    if kind == "number":
        if "exclusiveMinimum" in sub:
            return [1e-9, 1, 2.5, 1000], [0, -1, -0.5, "1", True, None]
        return [0, -3, 1.5, 2**53, -(2**53), 99.9], ["1", True, None, [1], 10**20, -(10**20)]
    if kind == "integer":
        low = sub.get("minimum", 0)
        high = sub.get("maximum", low + 1000)
        return [low, high, float(high), (low + high) // 2], [low - 1, high + 1, low + 0.5, str(low), True, None]
    raise AssertionError(f"no pool for {sub}")


@st.composite
def flips(draw: st.DrawFn, rate: int) -> bool:
    """True with probability rate %: go wrong here."""
    return rate > 0 and draw(st.integers(0, 99)) < rate


@st.composite
def values(draw: st.DrawFn, sub: dict[str, Any], rate: int) -> Any:
    """A value for the sub-schema `sub`: valid, except where it goes wrong (rate %) somewhere inside."""
    name = _ref(sub)
    target = DEFS[name] if name and name not in LEAF_POOLS else sub
    if draw(flips(rate)) and draw(flips(30)):
        return draw(st.sampled_from(_JUNK))
    if "oneOf" in target:
        branch = draw(st.sampled_from(target["oneOf"]))
        return draw(values(branch, rate))
    if "anyOf" in target:
        branch = draw(st.sampled_from(target["anyOf"]))
        return draw(values(branch, rate))
    if target.get("type") == "object" and "properties" in target:
        return draw(objects(target, rate))
    if target.get("type") == "object":  # attributes: free-form scalars
        keys = st.sampled_from(["hostname", "ip", "port", "tls", "version", "", "a b"])
        scalars = st.sampled_from(["h", "", 1, -2, 0.5, 10**20, True, False, None])
        attrs = draw(st.dictionaries(keys, scalars, max_size=4))
        if draw(flips(rate)):
            attrs[draw(keys)] = draw(st.sampled_from([{}, {"a": 1}, [], [1], ["x"]]))
        return attrs
    if target.get("type") == "array":
        low = target.get("minItems", 0)
        size = draw(st.integers(0, 3) if draw(flips(rate)) else st.integers(low, 3))
        return [draw(values(target["items"], rate)) for _ in range(size)]
    good, wrong = leaf_pools(target)
    return draw(st.sampled_from(wrong if draw(flips(rate)) else good))


@st.composite
def objects(draw: st.DrawFn, sub: dict[str, Any], rate: int) -> dict[str, Any]:
    required = set(sub.get("required", ()))
    out: dict[str, Any] = {}
    for key, prop in sub["properties"].items():
        include = not draw(flips(rate)) if key in required else draw(st.booleans())
        if include:
            out[key] = draw(values(prop, rate))
    if draw(flips(rate)):
        out[draw(st.sampled_from(["extra", "from_", "Id", "nme", "type"]))] = draw(st.sampled_from(_JUNK))
    return out


Path = tuple[str | int, ...]


def _target(sub: dict[str, Any]) -> dict[str, Any]:
    name = _ref(sub)
    return DEFS[name] if name and name not in LEAF_POOLS else sub


def _group(sub: dict[str, Any]) -> str:
    """What kind of place a sub-schema is (mutations pick a kind first, so rare kinds such as timestamps get hit)."""
    target = _target(sub)
    if _ref(sub):
        return str(_ref(sub))
    for keyword in ("enum", "const", "oneOf", "anyOf"):
        if keyword in target:
            return keyword
    return str(target.get("type"))


def places(value: Any, sub: dict[str, Any], path: Path = ()) -> Iterator[tuple[str, str, Path, dict[str, Any]]]:
    """Every place of a (valid) document to change: (kind of place, operation, path, sub-schema there)."""
    target = _target(sub)
    if path:
        yield _group(sub), "set", path, sub
    if "oneOf" in target or "anyOf" in target:
        for branch in target.get("oneOf", target.get("anyOf")):
            tag = branch.get("properties", {}).get("type", {}).get("const")
            if (isinstance(value, dict) and value.get("type") == tag) or (isinstance(value, str) and _ref(branch)):
                yield from places(value, branch, path)
    elif isinstance(value, dict) and "properties" in target:
        for key, prop in target["properties"].items():
            if key in value:
                yield from places(value[key], prop, (*path, key))
                yield "delete", "delete", (*path, key), prop
                yield "rename", "rename", (*path, key), prop
            else:
                yield _group(prop), "set", (*path, key), prop
        yield "extra", "set", (*path, "extra"), {}
    elif isinstance(value, dict):  # attributes
        for key in value:
            yield "attribute", "set", (*path, key), {}
    elif isinstance(value, list) and "items" in target:
        for i, item in enumerate(value):
            yield from places(item, target["items"], (*path, i))


_ATTRIBUTE_VALUES: list[Any] = [{}, {"a": 1}, [], [1], None, 0, 2.0, -1.5, "", True, 10**20]


def replacements(group: str, sub: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values to put at a place: mostly ones meant to be wrong, some right ones."""
    if group == "attribute":
        return st.sampled_from(_ATTRIBUTE_VALUES)
    if group == "extra":
        return st.sampled_from(_JUNK)
    target = _target(sub)
    if {"properties", "oneOf", "anyOf"} & target.keys() or target.get("type") in ("array", "object"):
        return st.one_of(st.sampled_from(_JUNK), values(sub, 30), values(sub, 0))
    good, wrong = leaf_pools(target)
    return st.one_of(st.sampled_from(wrong), st.sampled_from(wrong), st.sampled_from(good), st.sampled_from(_JUNK))


def places_by_group(doc: Any) -> dict[str, list[tuple[str, Path, dict[str, Any]]]]:
    """The places of `doc` by kind of place, plus a "null" kind: any place set to null."""
    out: dict[str, list[tuple[str, Path, dict[str, Any]]]] = {}
    for group, op, path, sub in places(doc, SCHEMA):
        out.setdefault(group, []).append((op, path, sub))
        if op == "set":
            out.setdefault("null", []).append((op, path, sub))
    return out


@st.composite
def one_change(draw: st.DrawFn, doc: dict[str, Any]) -> Any:
    """`doc` with one place changed: set to another value or null, deleted, renamed, or an extra property added."""
    found = _SMALL_PLACES if doc is _SMALL else places_by_group(doc)
    group = draw(st.sampled_from(sorted(found)))
    op, path, sub = draw(st.sampled_from(found[group]))
    if op == "delete":
        return mutate_at(doc, path, _DELETE)
    if group == "null":
        return mutate_at(doc, path, None)
    if op == "rename":
        key = str(path[-1])
        return mutate_at(doc, path, None, rename=draw(st.sampled_from([f"{key}_", key.upper(), key.capitalize()])))
    return mutate_at(doc, path, draw(replacements(group, sub)))


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """Valid documents, valid documents with one change, and documents wrong in many places."""
    mode = draw(st.sampled_from(["valid", "one change", "one change", "one change", "one change", "many"]))
    rate = draw(st.sampled_from([3, 10, 30])) if mode == "many" else 0
    if draw(flips(rate)) and draw(flips(10)):
        return draw(st.sampled_from(_JUNK))
    doc: dict[str, Any] = {}
    props = SCHEMA["properties"]
    if not draw(flips(rate)):
        doc["format"] = draw(values(props["format"], rate))
    for key in draw(st.lists(st.sampled_from([k for k in props if k != "format"]), max_size=5, unique=True)):
        sub = props[key]
        if draw(flips(rate)) and draw(flips(30)):
            doc[key] = draw(st.sampled_from(_JUNK))
        else:
            doc[key] = [draw(values(sub["items"], rate)) for _ in range(draw(st.integers(0, 3)))]
    if draw(flips(rate)):
        doc[draw(st.sampled_from(["extra", "Format", "service"]))] = draw(st.sampled_from(_JUNK))
    event(f"mode: {mode}")
    return draw(one_change(doc)) if mode == "one change" else doc


def same_verdict(doc: Any) -> None:
    schema_accepts = VALIDATOR.is_valid(doc)
    problems = model_problems(doc)
    event("verdict: valid" if schema_accepts else "verdict: invalid")
    assert schema_accepts == (not problems), (
        f"schema: {[f'{json_path(e.absolute_path)}: {e.message}' for e in schema_errors(doc)]}\n"
        f"models: {[str(p) for p in problems]}"
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=documents())
def test_random_documents_get_the_same_verdict(doc: Any) -> None:
    same_verdict(doc)


_SMALL = small()
_SMALL_PLACES = places_by_group(_SMALL)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=one_change(_SMALL))
def test_one_random_change_to_small_json_gets_the_same_verdict(doc: Any) -> None:
    same_verdict(doc)
