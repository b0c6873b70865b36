"""Facts about services and items that the analyses read besides the dependency graph.

Each carries the stored properties of the items it names (`Props`), so the API can show them without another read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ExposureFacts", "Props", "ServiceFacts", "SlaFacts", "display_name"]

Props = dict[str, Any]


@dataclass(frozen=True)
class SlaFacts:
    sla: Props
    units: list[Props] = field(default_factory=list)  # the business units it is agreed with


@dataclass(frozen=True)
class ServiceFacts:
    """Who consumes a service, its SLAs, its owner and the requirements it serves (with their ancestors)."""

    consumers: list[Props] = field(default_factory=list)
    slas: list[SlaFacts] = field(default_factory=list)
    owners: list[Props] = field(default_factory=list)
    requirements: list[Props] = field(default_factory=list)


@dataclass(frozen=True)
class ExposureFacts:
    """What an impact exposes, for every service and CI of the estate at once: kept in memory beside the dependency
    graph so an impact's requirements, business units, SLAs and teams need no read (usecases/graph_cache.py)."""

    services: dict[str, ServiceFacts]  # by service id (services with none are absent)
    teams: dict[str, Props]  # by team id
    owned_by: dict[str, tuple[str, ...]]  # service or CI id -> the ids of the teams owning it

    def service_facts(self, ids: Iterable[str]) -> dict[str, ServiceFacts]:
        """The facts of these services, as db/graph.py's service_facts reads them."""
        return {i: self.services[i] for i in ids if i in self.services}

    def owners(self, ids: Iterable[str]) -> list[tuple[Props, list[str]]]:
        """The teams owning any of `ids`, each with the ids it owns among them, in team id order."""
        owns: dict[str, list[str]] = {}
        for item_id in ids:
            for team in self.owned_by.get(item_id, ()):
                owns.setdefault(team, []).append(item_id)
        return [(self.teams[t], sorted(owns[t])) for t in sorted(owns)]


def display_name(props: Props) -> str:
    """What an item is shown as: its name, a record's title, else its id."""
    return str(props.get("name") or props.get("title") or props["id"])
