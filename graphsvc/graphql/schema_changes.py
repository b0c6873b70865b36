"""What changed between two versions of the API's schema, as a client sees it (graphql-core's
find_breaking_changes / find_dangerous_changes), and the gate on breaking ones.

`api-baseline/schema.graphql` in the repository is the schema of the last release: what clients, code generators
and gateways were built against. A breaking change against it (a field removed, an argument made required, an output
field made nullable...) fails the tests unless `api-baseline/deliberate.toml` lists it with a reason; a listed change
that no longer happens fails too, so the list stays true. `graphsvc schema --against FILE` prints the same report
for any two schemas (a deployed server's, say)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from graphql import build_schema as from_sdl
from graphql import find_breaking_changes, find_dangerous_changes

__all__ = ["SchemaChanges", "compare", "deliberate_changes"]


@dataclass(frozen=True)
class SchemaChanges:
    """Each change as graphql-core describes it, e.g. "Query.impact changed type from ImpactResult! to
    ImpactResult."."""

    breaking: tuple[str, ...]
    dangerous: tuple[str, ...]

    def report(self) -> str:
        lines = [f"BREAKING  {c}" for c in self.breaking] + [f"dangerous {c}" for c in self.dangerous]
        return "\n".join(lines) if lines else "no breaking or dangerous change"


def compare(old_sdl: str, new_sdl: str) -> SchemaChanges:
    old, new = from_sdl(old_sdl), from_sdl(new_sdl)
    return SchemaChanges(
        breaking=tuple(sorted(c.description for c in find_breaking_changes(old, new))),
        dangerous=tuple(sorted(c.description for c in find_dangerous_changes(old, new))),
    )


def deliberate_changes(path: Path) -> dict[str, str]:
    """The breaking changes accepted since the baseline: description -> reason, from a TOML file of `[[change]]`
    tables, each with a non-empty `reason` and the `descriptions` (graphql-core's words) it accepts."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    accepted: dict[str, str] = {}
    for n, entry in enumerate(data.get("change", []), start=1):
        reason, descriptions = entry.get("reason"), entry.get("descriptions")
        if not isinstance(reason, str) or not reason.strip() or not isinstance(descriptions, list):
            raise ValueError(f"{path}: [[change]] number {n} needs a non-empty `reason` and a `descriptions` list")
        for description in descriptions:
            accepted[str(description)] = reason
    return accepted
