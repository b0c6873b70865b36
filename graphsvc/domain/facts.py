"""Facts about services and items that the analyses read besides the dependency graph.

Each carries the stored properties of the items it names (`Props`), so the API can show them without another read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Props", "ServiceFacts", "SlaFacts", "display_name"]

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


def display_name(props: Props) -> str:
    """What an item is shown as: its name, a record's title, else its id."""
    return str(props.get("name") or props.get("title") or props["id"])
