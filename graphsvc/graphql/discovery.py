"""`discoveryRuns`: each run of a discovery source with its counts and the first of what it reported
(docs/discovery.md)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.db.discovery import DiscoveryRun as Run
from graphsvc.db.discovery import discovery_runs
from graphsvc.errors import InvalidArgument
from graphsvc.graphql.context import Context

__all__ = ["DiscoveryRun", "resolve_discovery_runs"]

MAX_RUNS = 500


@strawberry.type(description="One discovery run: one audited write of everything one source saw (all or nothing).")
class DiscoveryRun:
    id: strawberry.ID = strawberry.field(description="the run's id")
    source: str = strawberry.field(description="the source, e.g. `kubernetes:shop`, `csv:assets.csv`")
    at: datetime = strawberry.field(description="when it was written (UTC)")
    actor: str = strawberry.field(description="who ran it (the token's or the CLI user's name)")
    created: int = strawberry.field(description="items it created")
    updated: int = strawberry.field(description="items whose fields changed (retirements not counted)")
    retired: int = strawberry.field(description="items this source made and no longer sees, now RETIRED")
    unchanged: int = strawberry.field(description="items it saw that were already as it says")
    kept: int = strawberry.field(description="fields left alone because a person or another source set them last")
    dependencies_added: int = strawberry.field(description="dependencies it created")
    dependencies_removed: int = strawberry.field(description="dependencies of its own it no longer sees, removed")
    unresolved: int = strawberry.field(description="references naming nothing the source knows (not errors)")
    skipped: int = strawberry.field(description="input the reader did not use (unknown kinds, duplicates)")
    details: JSON = strawberry.field(
        description="the first 200 unresolved references, skipped inputs, kept fields and identity merges"
    )


def _of(run: Run) -> DiscoveryRun:
    c = run.counts
    return DiscoveryRun(
        id=strawberry.ID(run.id),
        source=run.source,
        at=run.at,
        actor=run.actor,
        created=c.get("created", 0),
        updated=c.get("updated", 0),
        retired=c.get("retired", 0),
        unchanged=c.get("unchanged", 0),
        kept=c.get("kept", 0),
        dependencies_added=c.get("dependenciesAdded", 0),
        dependencies_removed=c.get("dependenciesRemoved", 0),
        unresolved=c.get("unresolved", 0),
        skipped=c.get("skipped", 0),
        details=run.details,  # type: ignore[arg-type]  # JSON: any JSON value
    )


async def resolve_discovery_runs(info: Info[Context, None], source: str | None, first: int) -> list[DiscoveryRun]:
    if not 1 <= first <= MAX_RUNS:
        raise InvalidArgument(f"first must be between 1 and {MAX_RUNS}, got {first}")
    return [_of(r) for r in await discovery_runs(info.context.repo, source, first)]
