"""Tokens expire by default (hardening, point 5): GRAPHSVC_TOKEN_EXPIRY_DAYS from their creation, unless created
with an expiry of their own or explicitly as never expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from neo4j import Driver
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.db.connection import Connection
from graphsvc.settings import Settings
from graphsvc.web.app import create_app
from tests.api.conftest import bearer
from tests.conftest import make_token
from tests.e2e.conftest import serve_asgi
from tests.integration.test_cli import env

runner = CliRunner()
CREATE = """mutation($name: String!, $at: DateTime, $never: Boolean! = false) {
  createApiToken(name: $name, role: VIEWER, expiresAt: $at, neverExpires: $never) { apiToken { expiresAt } }
}"""


def test_the_cli_gives_new_tokens_the_default_expiry(empty_db: Connection) -> None:
    made = runner.invoke(app, ["token", "create", "--name", "bot", "--role", "viewer"], env=env(empty_db))
    assert made.exit_code == 0, made.output
    in_90_days = datetime.now(UTC) + timedelta(days=90)
    assert (
        f"expires {in_90_days:%Y-%m-%d}" in made.output
        or f"expires {in_90_days - timedelta(minutes=1):%Y-%m-%d}" in made.output
    )
    never = runner.invoke(
        app, ["token", "create", "--name", "forever", "--role", "viewer", "--expires", "never"], env=env(empty_db)
    )
    assert never.exit_code == 0 and "expires" not in never.output.split("\n")[0]
    shorter = runner.invoke(
        app,
        ["token", "create", "--name", "short", "--role", "viewer"],
        env={**env(empty_db), "GRAPHSVC_TOKEN_EXPIRY_DAYS": "7"},
    )
    assert f"expires {datetime.now(UTC) + timedelta(days=7):%Y-%m-%d}" in shorter.output


def test_the_api_gives_new_tokens_the_default_expiry(empty_db: Connection, sync_driver: Driver) -> None:
    admin = make_token(sync_driver, empty_db.database, "admin")
    with serve_asgi(create_app(Settings(), connection=empty_db)) as url:

        def create(**variables: object) -> dict[str, object]:
            answer = httpx.post(
                f"{url}/graphql", json={"query": CREATE, "variables": variables}, headers=bearer(admin), timeout=60
            ).json()
            return answer  # type: ignore[no-any-return]

        default = create(name="a")["data"]["createApiToken"]["apiToken"]["expiresAt"]  # type: ignore[index]
        when = datetime.fromisoformat(str(default))
        assert timedelta(days=89) < when - datetime.now(UTC) <= timedelta(days=90)
        never = create(name="b", never=True)["data"]["createApiToken"]["apiToken"]["expiresAt"]  # type: ignore[index]
        assert never is None
        both = create(name="c", at="2030-01-01T00:00:00Z", never=True)
        assert both["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # type: ignore[index]
