"""The breaking-change gate: a change that breaks clients built on the last release's schema
(api-baseline/schema.graphql) fails here unless api-baseline/deliberate.toml accepts it with a reason, and an accepted
change that no longer happens fails too (so the list stays true). `graphsvc schema --against` prints the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.graphql.schema import build_schema
from graphsvc.graphql.schema_changes import compare, deliberate_changes
from tests.conftest import REPO

BASELINE = REPO / "api-baseline" / "schema.graphql"
DELIBERATE = REPO / "api-baseline" / "deliberate.toml"


def test_no_breaking_change_against_the_last_release_unless_deliberate() -> None:
    changes = compare(BASELINE.read_text(encoding="utf-8"), build_schema().as_str())
    accepted = deliberate_changes(DELIBERATE)
    undeclared = [c for c in changes.breaking if c not in accepted]
    stale = [c for c in accepted if c not in changes.breaking]
    assert not undeclared, (
        "breaking changes against api-baseline/schema.graphql (the last release); clients built on it break. "
        "Undo them, or list them in api-baseline/deliberate.toml with the reason:\n  " + "\n  ".join(undeclared)
    )
    assert not stale, "api-baseline/deliberate.toml lists changes that no longer happen:\n  " + "\n  ".join(stale)


def test_compare_names_breaking_and_dangerous_changes() -> None:
    old = "type Query { a(x: Int): Int!  b: String  c: Colour }  enum Colour { RED }"
    new = "type Query { a(x: Int!): Int  c: Colour }  enum Colour { RED GREEN }"
    changes = compare(old, new)
    # graphql-core words them; what graphsvc promises is one line per change, sorted, each naming its element
    assert len(changes.breaking) == 3 and list(changes.breaking) == sorted(changes.breaking)
    assert [c for c in changes.breaking if "Query.b" in c and "removed" in c]
    assert [c for c in changes.breaking if "Query.a(x:)" in c and "Int!" in c]
    assert len(changes.dangerous) == 1 and "GREEN" in changes.dangerous[0]
    assert "BREAKING  " in changes.report() and "dangerous " in changes.report()
    assert compare(old, old).report() == "no breaking or dangerous change"


def test_a_deliberate_change_needs_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "deliberate.toml"
    bad.write_text('[[change]]\nreason = " "\ndescriptions = ["Field Query.b was removed."]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"number 1 needs a non-empty `reason`"):
        deliberate_changes(bad)


def test_graphsvc_schema_against_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    same = runner.invoke(app, ["schema", "--against", str(REPO / "schema.graphql")])
    assert same.exit_code == 0 and "no breaking or dangerous change" in same.output
    older = runner.invoke(app, ["schema", "--against", str(BASELINE)])
    assert older.exit_code == 1
    assert "BREAKING  Field Query.impact changed type from ImpactResult! to ImpactResult." in older.output
    missing = runner.invoke(app, ["schema", "--against", str(tmp_path / "nope.graphql")])
    assert missing.exit_code == 2 and "nope.graphql" in missing.output
