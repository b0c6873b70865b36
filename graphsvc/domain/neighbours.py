"""One side of an item's neighbourhood, capped: how many neighbours in all, how many of each kind and CI type, and
the first few in the order a graph explorer draws them (services first, then the most critical, then by id).

The database (cypher/items/neighbours_*.cypher) and an estate in memory (usecases/estate_reads.py) both answer with a
`Neighbourhood`, ordered by the keys below, so the two agree item for item.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphsvc.domain.facts import Props
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "Neighbour",
    "Neighbourhood",
    "TypeCount",
    "ci_type_of",
    "count_order",
    "neighbour_order",
    "neighbourhood_of",
]


@dataclass(frozen=True)
class TypeCount:
    """How many neighbours of one kind (and, for CIs, one CI type; None for the other kinds)."""

    item_kind: str
    ci_type: str | None
    count: int


@dataclass(frozen=True)
class Neighbour:
    """A neighbour's stored properties and those of the relationship to it."""

    item: Props
    rel: Props


@dataclass(frozen=True)
class Neighbourhood:
    total: int
    by_type: list[TypeCount]  # over every neighbour, in count_order
    first: list[Neighbour]  # the first few, in neighbour_order


def ci_type_of(props: Props) -> str | None:
    """The CI type a neighbour is counted under: a CI's `type`, None for any other kind."""
    return props.get("type") if props.get("itemKind") == Kind.CONFIGURATION_ITEM.value else None


def neighbour_order(props: Props) -> tuple[bool, bool, Any, str]:
    """Services first, then criticality ascending (1 = most critical, none last), then id: Cypher's
    `ORDER BY b.itemKind <> 'SERVICE', b.criticality, b.id` (ascending puts nulls last)."""
    criticality = props.get("criticality")
    return props.get("itemKind") != Kind.SERVICE.value, criticality is None, criticality or 0, str(props["id"])


def count_order(count: TypeCount) -> tuple[int, str, str]:
    """The largest count first, then kind, then CI type (none before any)."""
    return -count.count, count.item_kind, count.ci_type or ""


def neighbourhood_of(ends: Iterable[tuple[Props, Props]], first: int) -> Neighbourhood:
    """The neighbourhood made of (neighbour, relationship) pairs: every pair counted, the first `first` kept."""
    ends = list(ends)
    counts = Counter((str(item["itemKind"]), ci_type_of(item)) for item, _ in ends)
    by_type = sorted((TypeCount(kind, ci_type, n) for (kind, ci_type), n in counts.items()), key=count_order)
    shown = heapq.nsmallest(first, ends, key=lambda end: neighbour_order(end[0]))
    return Neighbourhood(len(ends), by_type, [Neighbour(dict(item), dict(rel)) for item, rel in shown])
