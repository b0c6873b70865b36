"""The layers of docs/development.md, checked on the source: which third-party doors each package may open, which
packages of graphsvc it may import, and no import cycle between modules (module-level imports; those inside a
function or under TYPE_CHECKING are not part of the import graph)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "graphsvc"

# Third-party packages only one layer may import (module path prefixes, relative to graphsvc/).
DOORS = {
    "neo4j": ("db/",),
    "strawberry": ("graphql/", "web/graphql_view.py"),  # the view is where HTTP meets GraphQL
    "starlette": ("web/",),
    "uvicorn": ("web/", "cli/serve.py"),
    "typer": ("cli/",),
    "yaml": ("discovery/",),
    "prometheus_client": ("telemetry/",),
    "opentelemetry": ("telemetry/",),
}
# What each layer may import of graphsvc (besides itself): the one-way flow.
BASE = {
    "graphsvc.errors",
    "graphsvc.settings",
    "graphsvc.util",
    "graphsvc.resources",
    "graphsvc.domain",
    "graphsvc.telemetry",  # every layer records its metrics and spans there
}
ALLOWED = {
    "domain": {"graphsvc.errors", "graphsvc.domain"},
    "analysis": BASE,
    "discovery": BASE | {"graphsvc.discovery"},  # pure readers of what sources say, and the reconciliation's plan
    "db": BASE | {"graphsvc.db", "graphsvc.analysis", "graphsvc.discovery"},
    "usecases": BASE | {"graphsvc.db", "graphsvc.analysis", "graphsvc.usecases", "graphsvc.discovery"},
    "reports": BASE | {"graphsvc.analysis", "graphsvc.usecases", "graphsvc.reports"},
    "graphql": BASE | {"graphsvc.db", "graphsvc.analysis", "graphsvc.usecases", "graphsvc.graphql"},
    "web": BASE | {"graphsvc.db", "graphsvc.usecases", "graphsvc.graphql", "graphsvc.reports", "graphsvc.web"},
    "synth": BASE | {"graphsvc.synth"},
    "telemetry": {"graphsvc.telemetry"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def top_level_imports(path: Path) -> list[str]:
    """Modules imported at module level (not in functions, not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    names: list[str] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append(node.module)
                names.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If) and not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)

    visit(tree.body)
    return names


def all_imports(path: Path) -> list[str]:
    """Every module imported anywhere in the file."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_each_third_party_door_is_opened_by_its_layer_only() -> None:
    wrong = []
    for path in modules().values():
        where = str(path.relative_to(PACKAGE))
        for imported in all_imports(path):
            door = imported.split(".")[0]
            if door in DOORS and not where.startswith(DOORS[door]):
                wrong.append(f"{where} imports {imported}")
    assert wrong == []


def test_imports_run_one_way() -> None:
    wrong = []
    for name, path in modules().items():
        layer = name.split(".")[1] if name.count(".") >= 1 else ""
        if layer not in ALLOWED:
            continue
        allowed = ALLOWED[layer] | {f"graphsvc.{layer}"}
        for imported in all_imports(path):
            if imported.startswith("graphsvc") and not any(
                imported == a or imported.startswith(a + ".") for a in allowed
            ):
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_commands_reach_the_web_layer_only_to_serve_it() -> None:
    wrong = [
        name
        for name, path in modules().items()
        if name.startswith("graphsvc.cli.")
        and name != "graphsvc.cli.serve"
        and any(i.startswith("graphsvc.web") for i in all_imports(path))
    ]
    assert wrong == []


def test_only_db_runs_cypher() -> None:
    wrong = [
        name
        for name, path in modules().items()
        if not name.startswith("graphsvc.db") and "graphsvc.db.cypher" in all_imports(path)
    ]
    assert wrong == []


def test_no_import_cycle() -> None:
    known = modules()
    graph = {
        name: sorted({i for i in top_level_imports(path) if i in known and i != name}) for name, path in known.items()
    }
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            walk(start, [start])
    assert cycles == []
