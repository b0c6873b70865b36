"""The GraphQL-over-HTTP conformance audit (graphql-http's `serverAudits`, from npm: tests/audit/) against the real
app, served by uvicorn over the test Neo4j with auth on: no audit may fail (MUST) or warn (SHOULD).

The audit asks `__type(...)`, so the app it audits has introspection on (it is off by default: docs/security.md);
everything else is the default configuration. Node and the audit's packages (`npm ci` in tests/audit, done by `make
install`) are needed: without them the test is skipped, except in CI (GRAPHSVC_REQUIRE_BROWSER=1), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi

AUDIT = Path(__file__).resolve().parents[1] / "audit"


def _node() -> str:
    """The node binary, with the audit's packages installed; else a skip (a failure in CI) saying what to run."""
    node = shutil.which("node")
    if node is None:
        missing = "node is not installed: apt-get install nodejs npm, then make install"
    elif not (AUDIT / "node_modules" / "graphql-http").is_dir():
        missing = "the audit's packages are not installed: make install (npm ci in tests/audit)"
    else:
        return node
    if os.environ.get("GRAPHSVC_REQUIRE_BROWSER") == "1":  # CI: the audit must run
        pytest.fail(f"{missing} (GRAPHSVC_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(missing)


@pytest.fixture(scope="module")
def audit_results(migrated: Connection, sync_driver: Any) -> Iterator[list[dict[str, Any]]]:
    node = _node()
    token = make_token(sync_driver, migrated.database, "viewer", name="graphql-http audit")
    app = create_app(Settings(introspection=True), connection=migrated)
    with serve_asgi(app) as base_url:
        done = subprocess.run(
            [node, str(AUDIT / "audit.mjs"), f"{base_url}/graphql"],
            cwd=AUDIT,
            env={**os.environ, "GRAPHSVC_TOKEN": token},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    yield results


def _named(results: list[dict[str, Any]], status: str) -> list[str]:
    return [f"{r['id']} {r['name']}: {r['reason']}" for r in results if r["status"] == status]


def test_the_audit_ran_every_audit(audit_results: list[dict[str, Any]]) -> None:
    print("graphql-http audits by status:", dict(Counter(r["status"] for r in audit_results)))  # shown with -s
    assert len(audit_results) > 50, audit_results  # graphql-http 1.23.1 has 61; none silently dropped
    assert {r["status"] for r in audit_results} <= {"ok", "notice", "warn", "error"}


def test_no_audit_fails(audit_results: list[dict[str, Any]]) -> None:
    failed = _named(audit_results, "error")
    assert not failed, "MUST audits failed:\n" + "\n".join(failed)


def test_no_audit_warns(audit_results: list[dict[str, Any]]) -> None:
    warned = _named(audit_results, "warn")
    assert not warned, "SHOULD audits warned:\n" + "\n".join(warned)


def test_no_audit_notices(audit_results: list[dict[str, Any]]) -> None:
    """The MAY audits too: graphsvc does each of them (a 400 for a malformed body, GET for queries)."""
    noticed = _named(audit_results, "notice")
    assert not noticed, "MAY audits not met:\n" + "\n".join(noticed)
