"""schema.graphql (the repository's copy of the API's schema, what code generators and gateways read) is exactly the
schema the server serves; when it is not, the failure lists the breaking and dangerous changes against it
(graphql-core's find_breaking_changes), so a change to the API is a reviewed change to that file."""

from __future__ import annotations

from graphql import build_schema as from_sdl
from graphql import find_breaking_changes, find_dangerous_changes
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.graphql.schema import build_schema
from tests.conftest import REPO

SNAPSHOT = REPO / "schema.graphql"


def test_the_committed_schema_is_the_served_schema() -> None:
    served = build_schema().as_str() + "\n"
    committed = SNAPSHOT.read_text(encoding="utf-8")
    if served == committed:
        return
    old, new = from_sdl(committed), from_sdl(served)
    breaking = [f"  BREAKING {c.type.name}: {c.description}" for c in find_breaking_changes(old, new)]
    dangerous = [f"  dangerous {c.type.name}: {c.description}" for c in find_dangerous_changes(old, new)]
    raise AssertionError(
        "the served schema differs from schema.graphql; review the changes and run `graphsvc schema -o "
        "schema.graphql`"
        + ("; clients built on the old one break:" if breaking else ":")
        + "\n"
        + "\n".join(breaking + dangerous or ["  (additions only)"])
    )


def test_graphsvc_schema_prints_it() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0 and result.stdout == SNAPSHOT.read_text(encoding="utf-8")
