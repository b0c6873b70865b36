"""`graphsvc db ...` (the managed local Neo4j) and `graphsvc migrate`."""

from __future__ import annotations

from pathlib import Path
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
    if server.upgraded_from is not None:
        typer.echo(f"the store was upgraded from Neo4j {server.upgraded_from} to {server.version}")


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


# -- backup and restore ------------------------------------------------------------------------------------------
def _managed_only(what: str) -> None:
    from graphsvc.settings import Neo4jSettings

    if Neo4jSettings().uri:
        fail(
            f"{what} works on the managed Neo4j; NEO4J_URI is set: back up your own Neo4j with its tools "
            "(neo4j-admin database dump or backup), or take a logical copy with `graphsvc export`"
        )


@app.command("backup")
def backup_command(
    to: Annotated[Path, typer.Option("--to", help="the folder the backup file is written to")] = Path("backups"),
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Back up the managed database into one file (Neo4j's dump and a manifest); the server pauses for the dump."""
    import asyncio
    import time

    from graphsvc import __version__
    from graphsvc.db.backup import BackupError, backup
    from graphsvc.db.connection import Connection, local_server, open_async_driver
    from graphsvc.db.migrate import schema_version
    from graphsvc.db.stored import item_count

    _managed_only("backup")
    server = local_server(settings_for(data_dir, bolt_port))

    def counts() -> tuple[int, int, int]:
        conn = Connection(server.uri, server.user, server.password(), "neo4j", managed=True)

        async def read() -> tuple[int, int, int]:
            driver = open_async_driver(conn)
            try:
                entries, _, _ = await driver.execute_query(AUDIT_COUNT, database_=conn.database)
                return (
                    await schema_version(driver, conn.database),
                    await item_count(driver, conn.database),
                    int(entries[0]["n"]),
                )
            finally:
                await driver.close()

        return asyncio.run(read())

    started = time.monotonic()
    try:
        file, manifest = backup(server, to, counts, graphsvc_version=__version__, say=lambda m: typer.echo(m, err=True))
    except (BackupError, LocalNeo4jError) as exc:
        fail(str(exc))
    size = file.stat().st_size / 1e6
    typer.echo(
        f"wrote {file} ({size:.1f} MB: {manifest.items} items, {manifest.audit_entries} audit entries, schema "
        f"{manifest.schema_version}) in {time.monotonic() - started:.1f} s"
    )


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="a file `graphsvc backup` wrote")],
    replace: Annotated[
        bool, typer.Option("--replace", help="replace the database the data directory holds already")
    ] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Restore a backup into the managed database's data directory (its server stopped); `graphsvc db start` after."""
    import time

    from graphsvc import __version__
    from graphsvc.db.backup import BackupError, restore
    from graphsvc.db.connection import local_server
    from graphsvc.db.migrate import expected_version

    _managed_only("restore")
    server = local_server(settings_for(data_dir, bolt_port))
    started = time.monotonic()
    try:
        manifest = restore(server, file, known_schema=expected_version(), graphsvc_version=__version__, replace=replace)
    except (BackupError, LocalNeo4jError) as exc:
        fail(str(exc))
    typer.echo(
        f"restored {file} (taken {manifest.taken_at}: {manifest.items} items, {manifest.audit_entries} audit entries) "
        f"into {server.data_dir} in {time.monotonic() - started:.1f} s; start it with `graphsvc db start`"
    )


AUDIT_COUNT = "MATCH (a:AuditEntry) RETURN count(a) AS n"
