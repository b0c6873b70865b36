"""`graphsvc serve`: the API under uvicorn, with one process or several on one socket."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Annotated, Any, Literal, TypeVar

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, fail, settings_for
from graphsvc.cli.tokens import create_token
from graphsvc.db.local_server import LocalNeo4jError
from graphsvc.settings import Settings

T = TypeVar("T")


@app.command("schema")
def schema(
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="write to this file (default: standard output)")
    ] = None,
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            help="instead, compare with this schema file (an older release's, a deployed server's): print the "
            "breaking and dangerous changes; exit 1 if any change breaks clients",
        ),
    ] = None,
) -> None:
    """The API's schema in SDL: what code generators and gateways read (schema.graphql in the repository is this,
    checked by the tests)."""
    from pathlib import Path

    from graphsvc.graphql.schema import build_schema

    text = build_schema().as_str() + "\n"
    if against is not None:
        from graphsvc.graphql.schema_changes import compare

        try:
            old = Path(against).read_text(encoding="utf-8")
        except OSError as exc:
            typer.echo(f"cannot read {against}: {exc.strerror}", err=True)
            raise typer.Exit(2) from exc
        changes = compare(old, text)
        typer.echo(changes.report())
        raise typer.Exit(1 if changes.breaking else 0)
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address [env GRAPHSVC_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="port [env GRAPHSVC_PORT]")] = None,
    admin_link: Annotated[
        bool, typer.Option("--admin-link", help="create a 12-hour admin token and print a sign-in link (make run)")
    ] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="server processes; they map one copy of a large graph [env GRAPHSVC_WORKERS]"),
    ] = None,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql)."""
    import uvicorn

    from graphsvc.web.app import create_app
    from graphsvc.web.logs import log_config

    settings = settings_for(data_dir, bolt_port)
    settings.host = host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    try:
        application = create_app(settings)
    except ValueError as exc:
        fail(str(exc))
    if workers > 1:
        # uvicorn starts each worker from an import string, and each reads its settings from the environment: pass
        # this command's own choices on. The managed Neo4j is started here, once, rather than raced for by workers.
        from graphsvc.db.connection import resolve_connection

        os.environ.update(
            {
                "GRAPHSVC_HOST": host,
                "GRAPHSVC_DATA_DIR": str(settings.data_dir),
                "GRAPHSVC_BOLT_PORT": str(settings.bolt_port),
            }
        )
        try:
            resolve_connection(settings)
        except LocalNeo4jError as exc:
            fail(str(exc))
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/graphql"
    if admin_link and settings.auth:
        _, secret = create_token(settings, "admin link (graphsvc serve)", "admin", "12h")
        _show_admin_link(settings, url, secret)
    elif not settings.auth:
        typer.echo("auth is off (GRAPHSVC_AUTH=false): anyone on this machine can read and change the CMDB")
    typer.echo(f"graphsvc serving {url}" + (f" with {workers} processes" if workers > 1 else ""))
    if workers > 1:
        # Each worker keeps its metrics in files there, and /metrics sums them (telemetry/metrics.py): prometheus_client
        # reads the variable when a worker imports it. A fresh folder each start, removed at the end.
        metrics_dir = tempfile.mkdtemp(prefix="graphsvc-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        # And they share one file of the in-memory graph, mapped by each (usecases/graph_share.py).
        if settings.graph_share_dir is not None:
            settings.graph_share_dir.mkdir(parents=True, exist_ok=True)
        graph_dir = tempfile.mkdtemp(prefix="graphsvc-graph-", dir=settings.graph_share_dir)
        os.environ.update({"GRAPHSVC_GRAPH_SHARE_DIR": graph_dir, "GRAPHSVC_GRAPH_SHARE_RUN": "true"})
        try:
            _serve_workers(workers, host, port, settings.log_format)
        finally:
            shutil.rmtree(metrics_dir, ignore_errors=True)
            shutil.rmtree(graph_dir, ignore_errors=True)
    else:
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_level="info",
            log_config=log_config(log_format=settings.log_format),
            http="graphsvc.web.protocol:HeaderTimeoutProtocol",
        )


def _show_admin_link(settings: Settings, url: str, secret: str) -> None:
    """The admin sign-in link, where only its owner reads it: on a terminal, or else (a service manager, a container,
    anything that collects stdout into logs) in a file only this user can read."""
    link = f"{url}#token={secret}"
    if sys.stdout.isatty():
        typer.echo(f"admin token for the next 12 hours (a new one each start): {secret}")
        typer.echo(f"open {link} to sign in to GraphiQL with it")
        return
    path = settings.data_dir / "admin-link"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        os.fchmod(out.fileno(), 0o600)  # an older file may have other bits
        out.write(f"{link}\n")
    typer.echo(f"admin sign-in link for the next 12 hours written to {path} (mode 0600): stdout is not a terminal")


def _serve_workers(workers: int, host: str, port: int, log_format: Literal["text", "json"]) -> None:
    """What `uvicorn.run(..., workers=N)` does, with the listening socket made as a TCP socket.

    uvicorn before 0.55 made it with protocol 0, and asyncio sets TCP_NODELAY only on accepted sockets whose protocol
    is TCP: without it, Nagle's algorithm and delayed ACKs added about 40 ms to every answer (docs/benchmarks.md,
    "Load"). tcp_listener checks the socket it is given, so either behaviour of uvicorn is served."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    from graphsvc.web.logs import log_config

    config = Config(
        "graphsvc.web.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        log_config=log_config(log_format=log_format),
        http="graphsvc.web.protocol:HeaderTimeoutProtocol",
    )
    Multiprocess(config, sockets=[tcp_listener(config)]).run()


def tcp_listener(config: Any) -> Any:
    """uvicorn's listening socket for `config`, with protocol IPPROTO_TCP (see _serve_workers).

    A socket uvicorn already made as TCP is returned as it is; one made with protocol 0 is remade around the same
    file descriptor."""
    import socket

    bound = config.bind_socket()
    if bound.family not in (socket.AF_INET, socket.AF_INET6) or bound.proto == socket.IPPROTO_TCP:
        return bound
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    sock.set_inheritable(True)
    return sock
