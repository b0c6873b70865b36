"""`graphsvc db ...` (the managed local Neo4j) and `graphsvc migrate`."""

from __future__ import annotations

from typing import Annotated, TypeVar

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, fail, settings_for, with_driver
from graphsvc.db.local_server import LocalNeo4jError

T = TypeVar("T")

db_app = typer.Typer(help="The managed local Neo4j server (used when NEO4J_URI is not set).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("start")
def db_start(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Start the managed Neo4j (a no-op if it runs) and print its Bolt URI."""
    from graphsvc.db.connection import local_server

    server = local_server(settings_for(data_dir, bolt_port))
    was_running = server.status().running
    try:
        uri = server.start()
    except LocalNeo4jError as exc:
        fail(str(exc))
    typer.echo(f"{'Neo4j already running' if was_running else 'Neo4j started'} at {uri} (data in {server.data_dir})")


@db_app.command("stop")
def db_stop(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Stop the managed Neo4j."""
    from graphsvc.db.connection import local_server

    stopped = local_server(settings_for(data_dir, bolt_port)).stop()
    typer.echo("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command("status")
def db_status(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Say whether the managed Neo4j runs, with its pid, URI and data directory."""
    from graphsvc.db.connection import local_server

    st = local_server(settings_for(data_dir, bolt_port)).status()
    state = f"running (pid {st.pid})" if st.running else "stopped"
    typer.echo(f"Neo4j {st.version}: {state}\nuri: {st.uri}\ndata: {st.data_dir}")
    raise typer.Exit(0 if st.running else 3)


@db_app.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", help="really delete everything")] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Stop the managed Neo4j and delete its data directory (the whole database)."""
    from graphsvc.db.connection import local_server

    server = local_server(settings_for(data_dir, bolt_port))
    if not yes:
        fail(f"this deletes {server.data_dir} and every item in it; pass --yes to confirm")
    server.reset()
    typer.echo(f"deleted {server.data_dir}")


# -- schema, import, export ------------------------------------------------------------------------------------
@app.command("migrate")
def migrate(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Apply the schema migrations (constraints, indexes, full-text index) not yet applied."""
    from graphsvc.db.migrate import apply_migrations, expected_version

    applied = with_driver(settings_for(data_dir, bolt_port), apply_migrations)
    for m in applied:
        typer.echo(f"applied {m.version:04d} {m.name}")
    typer.echo(f"schema at version {expected_version()}")
