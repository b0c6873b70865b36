"""CMDB health as GraphQL (health.graphql): the three measures and their findings, a page at a time."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from graphsvc.analysis.health import Health
from graphsvc.errors import InvalidArgument
from graphsvc.graphql.arguments import Offset
from graphsvc.graphql.context import Context
from graphsvc.graphql.enums import HealthFindingKind
from graphsvc.usecases.health import health_of

__all__ = ["CmdbHealth", "resolve_health"]


Kind = Annotated[
    HealthFindingKind | None, strawberry.argument(description="only findings of this kind; null: every kind")
]


@strawberry.type(description="One thing that makes the CMDB less complete or less correct.")
class HealthFinding:
    kind: HealthFindingKind = strawberry.field(description="what the finding is about")
    subject_id: strawberry.ID = strawberry.field(description="the item the finding is about")
    message: str = strawberry.field(description="the finding in words, naming the item (and field) concerned")


@strawberry.type(
    description="How far the CMDB can be trusted: each measure a percentage (two decimals) over the live "
    "services, CIs and groups; 100 when there is nothing to measure."
)
class CmdbHealth:
    health: strawberry.Private[Health]

    @strawberry.field(description="expected fields filled: services' owner, criticality, rtoMinutes; CIs' owner, "
                      "site, monthlyCost")  # fmt: skip
    def completeness(self) -> float:
        return self.health.completeness

    @strawberry.field(description="items that are the subject of no correctness finding")
    def correctness(self) -> float:
        return self.health.correctness

    @strawberry.field(description="policies with a rule that have no violation")
    def compliance(self) -> float:
        return self.health.compliance

    @strawberry.field(description="how many findings there are (of `kind`, if given)")
    def findings_total(self, kind: Kind = None) -> int:
        return len(self._of(kind))

    @strawberry.field(description="the findings, by kind, then subject id, then message")
    def findings(
        self,
        first: Annotated[int, strawberry.argument(description="how many findings to return (>= 0)")] = 100,
        offset: Offset = 0,
        kind: Kind = None,
    ) -> list[HealthFinding]:
        if first < 0 or offset < 0:
            raise InvalidArgument("first and offset: must not be negative")
        return [
            HealthFinding(kind=HealthFindingKind(f.kind), subject_id=strawberry.ID(f.subject), message=f.message)
            for f in self._of(kind)[offset : offset + first]
        ]

    def _of(self, kind: Enum | None) -> tuple:  # type: ignore[type-arg]
        found = self.health.findings
        return found if kind is None else tuple(f for f in found if f.kind == kind.value)


async def resolve_health(info: Info[Context, None]) -> CmdbHealth:
    view = info.context.view(info)
    return CmdbHealth(health=await health_of(view.repo, view.cache))
