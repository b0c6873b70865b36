"""What an impact exposes: services, requirements, business units, SLAs and teams (SEMANTICS.md, "Impact")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graphsvc.analysis.impact import Impact
from graphsvc.domain.facts import Props, ServiceFacts
from graphsvc.domain.graph import Status
from graphsvc.domain.vocabulary import Kind

__all__ = ["Exposure", "ImpactedService", "exposure", "impacted_services", "owned_ids"]


@dataclass(frozen=True)
class ImpactedService:
    id: str
    name: str
    status: Status
    criticality: int
    depth: int
    tier: str | None


def impacted_services(impact: Impact) -> tuple[ImpactedService, ...]:
    """The DOWN or DEGRADED services, worst first: DOWN before DEGRADED, then most critical, then id.

    Made once for an impact and kept with it (`Impact.memo`): an answer reads them for its services, for their facts
    and for its exposure, three times a request."""
    found: tuple[ImpactedService, ...] | None = impact.memo.get("services")
    if found is None:
        found = impact.memo["services"] = _services(impact)
    return found


def _services(impact: Impact) -> tuple[ImpactedService, ...]:
    found = []
    nodes = impact.graph.nodes
    for node_id, status, depth in impact.of_kind(Kind.SERVICE):
        node = nodes[node_id]
        found.append(ImpactedService(node_id, node.name, status, node.criticality or 4, depth, node.tier))
    return tuple(sorted(found, key=lambda s: (-s.status, s.criticality, s.id)))


def owned_ids(impact: Impact) -> list[str]:
    """The impacted services and CIs: the items whose owners must hear about it."""
    return sorted(i for i, _, _ in impact.of_kind(Kind.SERVICE, Kind.CONFIGURATION_ITEM))


@dataclass(frozen=True)
class Exposure:
    services: tuple[ImpactedService, ...]
    requirements: list[tuple[Props, Status]]  # each with the worst status of the impacted services reaching it
    business_units: list[Props]
    slas: list[Props]
    teams: list[Props]


def exposure(
    impact: Impact, facts: Mapping[str, ServiceFacts], teams: Sequence[tuple[Props, list[str]]] = ()
) -> Exposure:
    """Requirements, business units and SLAs of the impacted services; `teams` are the owners of impacted items."""
    services = impacted_services(impact)
    requirements: dict[str, tuple[Props, Status]] = {}
    units: dict[str, Props] = {}
    slas: dict[str, Props] = {}
    for svc in services:
        f = facts.get(svc.id, ServiceFacts())
        for req in f.requirements:
            before = requirements.get(req["id"])
            if before is None or svc.status > before[1]:
                requirements[req["id"]] = (req, svc.status)
        for unit in f.consumers:
            units[unit["id"]] = unit
        for sla in f.slas:
            slas[sla.sla["id"]] = sla.sla
            for unit in sla.units:
                units[unit["id"]] = unit
    return Exposure(
        services=services,
        requirements=[requirements[k] for k in sorted(requirements)],
        business_units=[units[k] for k in sorted(units)],
        slas=[slas[k] for k in sorted(slas)],
        teams=[team for team, _ in sorted(teams, key=lambda t: t[0]["id"])],
    )
