"""The graph vocabulary: every node label and relationship type, declared once.

Labels and relationship types reach Cypher only from here (never from request text). Each relationship is declared
with its direction, the API names of both ends (forward and reverse) and a one-line doc.

Every item carries the shared label `Item` (unique `id` across all kinds, as the exchange format requires) and one
kind label.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DEPENDABLE", "RELATIONSHIPS", "Kind", "Rel", "RelationRead", "Relationship", "owned_fields", "relationship"]


class Kind(StrEnum):
    """The kinds of item, in screaming snake case as the API names them; `label` is the Neo4j label."""

    BUSINESS_UNIT = "BUSINESS_UNIT"
    TEAM = "TEAM"
    SITE = "SITE"
    REQUIREMENT = "REQUIREMENT"
    METRIC = "METRIC"
    SERVICE = "SERVICE"
    CONFIGURATION_ITEM = "CONFIGURATION_ITEM"
    REDUNDANCY_GROUP = "REDUNDANCY_GROUP"
    SLA = "SLA"
    POLICY = "POLICY"
    PROCESS = "PROCESS"
    INCIDENT = "INCIDENT"
    PROBLEM = "PROBLEM"
    CHANGE = "CHANGE"
    RELEASE = "RELEASE"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def collection(self) -> str:
        """The exchange document's list that holds items of this kind."""
        return _COLLECTIONS[self]


_LABELS = {
    Kind.BUSINESS_UNIT: "BusinessUnit",
    Kind.TEAM: "Team",
    Kind.SITE: "Site",
    Kind.REQUIREMENT: "Requirement",
    Kind.METRIC: "Metric",
    Kind.SERVICE: "Service",
    Kind.CONFIGURATION_ITEM: "ConfigurationItem",
    Kind.REDUNDANCY_GROUP: "RedundancyGroup",
    Kind.SLA: "SLA",
    Kind.POLICY: "Policy",
    Kind.PROCESS: "Process",
    Kind.INCIDENT: "Incident",
    Kind.PROBLEM: "Problem",
    Kind.CHANGE: "Change",
    Kind.RELEASE: "Release",
}

_COLLECTIONS = {
    Kind.BUSINESS_UNIT: "businessUnits",
    Kind.TEAM: "teams",
    Kind.SITE: "sites",
    Kind.REQUIREMENT: "requirements",
    Kind.METRIC: "metrics",
    Kind.SERVICE: "services",
    Kind.CONFIGURATION_ITEM: "configurationItems",
    Kind.REDUNDANCY_GROUP: "redundancyGroups",
    Kind.SLA: "slas",
    Kind.POLICY: "policies",
    Kind.PROCESS: "processes",
    Kind.INCIDENT: "incidents",
    Kind.PROBLEM: "problems",
    Kind.CHANGE: "changes",
    Kind.RELEASE: "releases",
}

DEPENDABLE = frozenset({Kind.SERVICE, Kind.CONFIGURATION_ITEM, Kind.REDUNDANCY_GROUP})


class Rel(StrEnum):
    """Relationship types in the graph."""

    DEPENDS_ON = "DEPENDS_ON"
    HAS_MEMBER = "HAS_MEMBER"
    REFINES = "REFINES"
    RAISED_BY = "RAISED_BY"
    MEASURES = "MEASURES"
    SATISFIES = "SATISFIES"
    OWNED_BY = "OWNED_BY"
    LOCATED_AT = "LOCATED_AT"
    CONSUMES = "CONSUMES"
    COVERS = "COVERS"
    AGREED_WITH = "AGREED_WITH"
    GOVERNS = "GOVERNS"
    INTERFACES_WITH = "INTERFACES_WITH"
    AFFECTS = "AFFECTS"
    ATTRIBUTED_TO = "ATTRIBUTED_TO"
    CAUSED_BY = "CAUSED_BY"
    MODIFIES = "MODIFIES"
    PART_OF = "PART_OF"
    RESOLVES = "RESOLVES"


@dataclass(frozen=True)
class RelationRead:
    """One list of related items read beside each item of a page (cypher/items/page_selected.cypher): `rel` out of
    the item (`outgoing`) or into it, each item with only the stored properties `fields` (None: all of them); with
    `edges`, each comes with the relationship's properties."""

    rel: Rel
    outgoing: bool
    fields: tuple[str, ...] | None
    edges: bool = False


@dataclass(frozen=True)
class Relationship:
    """One relationship type: `(source)-[type]->(target)`.

    `field` is the exchange field on the source that lists it (None for the top-level `dependencies` and
    `consumption` lists), `forward` / `reverse` the API field names at the source and target ends.
    """

    type: Rel
    source: frozenset[Kind]
    target: frozenset[Kind]
    field: str | None
    forward: str
    reverse: str
    many: bool
    doc: str


def _r(
    rel: Rel,
    source: set[Kind],
    target: set[Kind],
    field: str | None,
    forward: str,
    reverse: str,
    many: bool,
    doc: str,
) -> Relationship:
    return Relationship(rel, frozenset(source), frozenset(target), field, forward, reverse, many, doc)


_DEP = set(DEPENDABLE)
RELATIONSHIPS: tuple[Relationship, ...] = (
    _r(
        Rel.DEPENDS_ON,
        _DEP,
        _DEP,
        None,
        "dependsOn",
        "dependents",
        True,
        "the source needs the target: when the target fails the source is affected",
    ),
    _r(
        Rel.HAS_MEMBER,
        {Kind.REDUNDANCY_GROUP},
        {Kind.CONFIGURATION_ITEM, Kind.SERVICE},
        "members",
        "members",
        "memberOf",
        True,
        "a redundancy group serves while minHealthy of its members are up",
    ),
    _r(
        Rel.REFINES,
        {Kind.REQUIREMENT},
        {Kind.REQUIREMENT},
        "refines",
        "refines",
        "refinedBy",
        True,
        "a requirement refines its parent requirement",
    ),
    _r(
        Rel.RAISED_BY,
        {Kind.REQUIREMENT},
        {Kind.BUSINESS_UNIT},
        "raisedBy",
        "raisedBy",
        "requirements",
        True,
        "the business unit that raised the requirement",
    ),
    _r(
        Rel.MEASURES,
        {Kind.METRIC},
        {Kind.REQUIREMENT},
        "requirement",
        "requirement",
        "metrics",
        False,
        "a metric measures whether its requirement is met",
    ),
    _r(
        Rel.SATISFIES,
        {Kind.SERVICE},
        {Kind.REQUIREMENT},
        "satisfies",
        "satisfies",
        "satisfiedBy",
        True,
        "a service satisfies a requirement",
    ),
    _r(
        Rel.OWNED_BY,
        {Kind.SERVICE, Kind.CONFIGURATION_ITEM},
        {Kind.TEAM},
        "owner",
        "owner",
        "owns",
        False,
        "the team that owns the service or CI",
    ),
    _r(Rel.LOCATED_AT, {Kind.CONFIGURATION_ITEM}, {Kind.SITE}, "site", "site", "items", False, "the site a CI runs at"),
    _r(
        Rel.CONSUMES,
        {Kind.BUSINESS_UNIT},
        {Kind.SERVICE},
        None,
        "consumes",
        "consumers",
        True,
        "a business unit consumes a service, with a relative share",
    ),
    _r(Rel.COVERS, {Kind.SLA}, {Kind.SERVICE}, "service", "service", "slas", False, "the service an SLA is about"),
    _r(
        Rel.AGREED_WITH,
        {Kind.SLA},
        {Kind.BUSINESS_UNIT},
        "businessUnit",
        "businessUnit",
        "slas",
        False,
        "the business unit an SLA is agreed with",
    ),
    _r(
        Rel.GOVERNS,
        {Kind.POLICY},
        {Kind.SERVICE, Kind.CONFIGURATION_ITEM, Kind.PROCESS},
        "governs",
        "governs",
        "governedBy",
        True,
        "a policy applies to a service, CI or process",
    ),
    _r(
        Rel.INTERFACES_WITH,
        {Kind.PROCESS},
        {Kind.PROCESS},
        "interfacesWith",
        "interfacesWith",
        "interfacedBy",
        True,
        "an ITIL process hands work to another",
    ),
    _r(
        Rel.AFFECTS,
        {Kind.INCIDENT},
        {Kind.CONFIGURATION_ITEM, Kind.SERVICE},
        "affects",
        "affects",
        "incidents",
        True,
        "where an incident's symptom shows",
    ),
    _r(
        Rel.ATTRIBUTED_TO,
        {Kind.INCIDENT},
        {Kind.PROBLEM},
        "problem",
        "problem",
        "incidents",
        False,
        "the problem an incident is attributed to",
    ),
    _r(
        Rel.CAUSED_BY,
        {Kind.PROBLEM},
        {Kind.CONFIGURATION_ITEM, Kind.SERVICE, Kind.REDUNDANCY_GROUP},
        "causedBy",
        "causedBy",
        "problems",
        True,
        "the items a problem's root cause lies in",
    ),
    _r(
        Rel.MODIFIES,
        {Kind.CHANGE},
        set(Kind) - {Kind.CHANGE, Kind.INCIDENT},
        "modifies",
        "modifies",
        "changes",
        True,
        "the items a change modifies",
    ),
    _r(
        Rel.PART_OF,
        {Kind.CHANGE},
        {Kind.RELEASE},
        "release",
        "release",
        "changes",
        False,
        "the release a change ships in",
    ),
    _r(
        Rel.RESOLVES,
        {Kind.CHANGE},
        {Kind.PROBLEM},
        "resolves",
        "resolves",
        "resolvedBy",
        True,
        "the problems a change resolves",
    ),
)

_BY_FIELD = {(kind, r.field): r for r in RELATIONSHIPS if r.field for kind in r.source}


def relationship(kind: Kind, field: str) -> Relationship:
    """The relationship that the exchange field `field` of a `kind` item lists."""
    return _BY_FIELD[(kind, field)]


def owned_fields(kind: Kind) -> tuple[Relationship, ...]:
    """The relationships an item of `kind` lists itself (replaced when the item is updated)."""
    return _OWNED[kind]


_OWNED = {kind: tuple(r for r in RELATIONSHIPS if r.field and kind in r.source) for kind in Kind}
