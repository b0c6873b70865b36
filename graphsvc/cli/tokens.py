"""`graphsvc token ...`: create (shown once), list and revoke API tokens."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, cli_audit, fail, settings_for, with_driver
from graphsvc.errors import InvalidArgument, NotFound
from graphsvc.settings import Settings

T = TypeVar("T")

token_app = typer.Typer(
    help="API tokens: create (shown once), list, revoke. Roles: viewer, analyst, editor, admin.", no_args_is_help=True
)
app.add_typer(token_app, name="token")


class RoleName(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    editor = "editor"
    admin = "admin"


def _token_store(driver: Any, database: str, settings: Settings) -> Any:
    from graphsvc.db.tokens import TokenStore

    return TokenStore(driver, database, timeout=settings.tx_timeout_seconds)


def create_token(settings: Settings, name: str, role: str, expires: str | None) -> tuple[Any, str]:
    from graphsvc.domain.tokens import Role, parse_expiry

    if expires is None and settings.token_expiry_days > 0:
        expires = f"{settings.token_expiry_days}d"
    try:
        when = parse_expiry(expires) if expires and expires != "never" else None
    except ValueError as exc:
        fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits

    async def work(driver: Any, database: str) -> tuple[Any, str]:
        return await _token_store(driver, database, settings).create(  # type: ignore[no-any-return]
            name, Role(role), expires_at=when, created_by="cli", audit=cli_audit("token create")
        )

    try:
        return with_driver(settings, work)
    except InvalidArgument as exc:
        fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Option("--name", help="who or what uses it, e.g. 'cab-bot' or 'j.smith'")],
    role: Annotated[RoleName, typer.Option("--role", help="viewer, analyst, editor or admin")],
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires",
            help="a duration (90m, 12h, 30d, 2w), a date, or never; default: GRAPHSVC_TOKEN_EXPIRY_DAYS (90 days)",
        ),
    ] = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Create a token and print it once: only its hash is stored, so it cannot be shown again."""
    record, secret = create_token(settings_for(data_dir, bolt_port), name, role.value, expires)
    until = f", expires {record.expires_at:%Y-%m-%d %H:%M} UTC" if record.expires_at else ""
    typer.echo(f"created {record.id} ({record.name}, role {record.role.value}{until})", err=True)
    typer.echo("store it now; it is not shown again:", err=True)
    typer.echo(secret)


@token_app.command("list")
def token_list(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Every token, newest first: id, name, role, state (active, expired, revoked), created and expiry times."""
    from datetime import UTC, datetime

    settings = settings_for(data_dir, bolt_port)

    async def work(driver: Any, database: str) -> list[Any]:
        return await _token_store(driver, database, settings).list()  # type: ignore[no-any-return]

    from graphsvc.domain.text import printable

    records = with_driver(settings, work)
    now = datetime.now(UTC)
    rows = [("ID", "NAME", "ROLE", "STATE", "CREATED", "EXPIRES")]
    for r in records:
        rows.append(
            (
                r.id,
                printable(r.name),  # a name written before names refused control characters
                r.role.value,
                r.state(now),
                f"{r.created_at:%Y-%m-%d %H:%M}" if r.created_at else "-",
                f"{r.expires_at:%Y-%m-%d %H:%M}" if r.expires_at else "never",
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    if not records:
        typer.echo("no tokens yet: graphsvc token create --name NAME --role ROLE", err=True)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="the token's id (tok-...), as token list shows it")],
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Revoke a token: requests with it are refused from now on."""
    settings = settings_for(data_dir, bolt_port)

    async def work(driver: Any, database: str) -> Any:
        return await _token_store(driver, database, settings).revoke(token_id, audit=cli_audit("token revoke"))

    try:
        record = with_driver(settings, work)
    except NotFound as exc:
        fail(str(exc))
    from graphsvc.domain.text import printable

    typer.echo(f"revoked {record.id} ({printable(record.name)}, role {record.role.value})")
