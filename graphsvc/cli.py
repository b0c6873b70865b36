"""`graphsvc ...`: the managed database, schema, import/export, seeds, the synthetic generator and the server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from graphsvc.neo4j_local import LocalNeo4jError
from graphsvc.settings import Settings

__all__ = ["main"]

T = TypeVar("T")

app = typer.Typer(
    help="graphsvc: a CMDB kept as a graph in Neo4j, with impact analysis over GraphQL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The managed local Neo4j server (used when NEO4J_URI is not set).", no_args_is_help=True)
seed_app = typer.Typer(help="Load a shipped seed CMDB.", no_args_is_help=True)
app.add_typer(db_app, name="db")
report_app = typer.Typer(
    help="Reports: CAB (change, cab), continuity, sla, compliance and costs.", no_args_is_help=True
)
app.add_typer(seed_app, name="seed")
app.add_typer(report_app, name="report")
token_app = typer.Typer(
    help="API tokens: create (shown once), list, revoke. Roles: viewer, analyst, editor, admin.", no_args_is_help=True
)
app.add_typer(token_app, name="token")

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="managed Neo4j data directory [env GRAPHSVC_DATA_DIR; default .graphsvc]"),
]
BoltPort = Annotated[
    int | None,
    typer.Option("--bolt-port", help="Bolt port of the managed Neo4j [env GRAPHSVC_BOLT_PORT; default 7687]"),
]


def _settings(data_dir: Path | None = None, bolt_port: int | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if bolt_port is not None:
        overrides["bolt_port"] = bolt_port
    return Settings(**overrides)


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _with_driver(settings: Settings, work: Callable[[Any, str], Awaitable[T]]) -> T:
    """Run `work(driver, database)` against the configured Neo4j (starting the managed one if needed)."""
    from graphsvc.db.connection import open_async_driver, resolve_connection

    try:
        conn = resolve_connection(settings)
    except LocalNeo4jError as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits

    async def run() -> T:
        driver = open_async_driver(conn)
        try:
            return await work(driver, conn.database)
        finally:
            await driver.close()

    return asyncio.run(run())


# -- db ----------------------------------------------------------------------------------------------------------
@db_app.command("start")
def db_start(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Start the managed Neo4j (a no-op if it runs) and print its Bolt URI."""
    from graphsvc.db.connection import local_server

    server = local_server(_settings(data_dir, bolt_port))
    was_running = server.status().running
    try:
        uri = server.start()
    except LocalNeo4jError as exc:
        _fail(str(exc))
    typer.echo(f"{'Neo4j already running' if was_running else 'Neo4j started'} at {uri} (data in {server.data_dir})")


@db_app.command("stop")
def db_stop(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Stop the managed Neo4j."""
    from graphsvc.db.connection import local_server

    stopped = local_server(_settings(data_dir, bolt_port)).stop()
    typer.echo("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command("status")
def db_status(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Say whether the managed Neo4j runs, with its pid, URI and data directory."""
    from graphsvc.db.connection import local_server

    st = local_server(_settings(data_dir, bolt_port)).status()
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

    server = local_server(_settings(data_dir, bolt_port))
    if not yes:
        _fail(f"this deletes {server.data_dir} and every item in it; pass --yes to confirm")
    server.reset()
    typer.echo(f"deleted {server.data_dir}")


# -- schema, import, export ------------------------------------------------------------------------------------
@app.command("migrate")
def migrate(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Apply the schema migrations (constraints, indexes, full-text index) not yet applied."""
    from graphsvc.db.migrate import apply_migrations, expected_version

    applied = _with_driver(_settings(data_dir, bolt_port), apply_migrations)
    for m in applied:
        typer.echo(f"applied {m.version:04d} {m.name}")
    typer.echo(f"schema at version {expected_version()}")


def _cli_audit(action: str) -> Any:
    """The CLI's writes are recorded as the operating-system user who ran them."""
    import getpass

    from graphsvc.db.audit import Audit

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Audit("cli", f"graphsvc CLI ({user})", action)


def _import(settings: Settings, document: Any, label: str) -> None:
    from tqdm import tqdm

    from graphsvc.db.importer import import_document
    from graphsvc.domain.validation import DocumentInvalid

    bar = tqdm(total=0, unit="row", desc=f"importing {label}", disable=None, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    started = time.perf_counter()
    try:
        summary = _with_driver(
            settings,
            lambda drv, db: import_document(
                drv,
                db,
                document,
                batch_size=settings.import_batch_size,
                progress=progress,
                phase=lambda name: bar.set_description(f"{label}: {name}"),
                audit=_cli_audit("import"),
            ),
        )
    except DocumentInvalid as exc:
        bar.close()
        _fail(str(exc))
        return
    bar.close()
    elapsed = time.perf_counter() - started
    items = summary.created + summary.updated + summary.unchanged
    typer.echo(
        f"{label}: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.relationships} relationships written in {elapsed:.1f} s "
        f"({(items + summary.relationships) / max(elapsed, 1e-9):,.0f} items+relationships/s)"
    )


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="exchange document (JSON); - for stdin")],
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Validate an exchange document and upsert it; an invalid one writes nothing and lists every problem."""
    from graphsvc.domain.safe_json import JsonRefused, loads

    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        document = loads(data, what=str(file))
    except FileNotFoundError:
        _fail(f"no such file: {file}")
    except IsADirectoryError:
        _fail(f"{file} is a directory, not an exchange document")
    except JsonRefused as exc:
        _fail(str(exc))
    _import(_settings(data_dir, bolt_port), document, str(file))


@app.command("export")
def export_cmd(
    file: Annotated[Path | None, typer.Argument(help="output file (default: stdout)")] = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Write the whole CMDB in the exchange format."""
    from graphsvc.db.exporter import export_document
    from graphsvc.domain.safe_json import dumps, unsafe_numbers

    doc = _with_driver(_settings(data_dir, bolt_port), export_document)
    refused = unsafe_numbers(doc)
    if refused:  # written before graphsvc refused them at every entry: docs/operations.md says how to repair them
        _fail("the CMDB holds values JSON cannot carry; nothing was written:\n  " + "\n  ".join(refused[:20]))
    text = dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if file is None:
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {file}", err=True)


@seed_app.command("demo")
def seed_demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="only into an empty database")] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Load the demo CMDB (an online retailer)."""
    from graphsvc.db.stored import item_count
    from graphsvc.resources import resource_dir

    settings = _settings(data_dir, bolt_port)
    if if_empty:
        if _with_driver(settings, item_count) > 0:
            typer.echo("the database is not empty: demo not loaded")
            return
    document = json.loads(resource_dir("seeds").joinpath("demo.json").read_text(encoding="utf-8"))
    _import(settings, document, "demo CMDB")


class ReportFormat(StrEnum):
    html = "html"
    md = "md"


Format = Annotated[ReportFormat, typer.Option("--format", help="HTML (a printable page) or Markdown")]
Output = Annotated[Path | None, typer.Option("--output", "-o", help="output file (default: stdout)")]


def _write_report(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def _report(settings: Settings, make: Callable[[Any, Any], Awaitable[str]]) -> str:
    from graphsvc.db.items import ItemRepository
    from graphsvc.errors import RequestError
    from graphsvc.usecases.changes import weights_from

    async def work(driver: Any, database: str) -> str:
        repo = ItemRepository(driver, database, timeout=settings.tx_timeout_seconds)
        return await make(repo, weights_from(settings.risk_weights_file))

    try:
        return _with_driver(settings, work)
    except (RequestError, ValueError) as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits


@report_app.command("change")
def report_change(
    change_id: Annotated[str, typer.Argument(help="the change's id, e.g. CHG-1002")],
    fmt: Format = ReportFormat.html,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """A change's CAB report: risk, impact, conflicts, policy violations, approvals and the blast radius."""
    from graphsvc.reports import cab
    from graphsvc.usecases.reports import change_report

    async def make(repo: Any, weights: Any) -> str:
        report = await change_report(repo, weights, change_id)
        return cab.change_html(report) if fmt == "html" else cab.change_markdown(report)

    _write_report(_report(_settings(data_dir, bolt_port), make), output)


@report_app.command("cab")
def report_cab(
    start: Annotated[str, typer.Option("--from", help="start of the period: a date or an RFC 3339 time")],
    end: Annotated[str, typer.Option("--to", help="end of the period (exclusive)")],
    fmt: Format = ReportFormat.html,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """The CAB agenda: pending changes starting in [from, to), riskiest first, each with its assessment."""
    from graphsvc.report_routes import parse_time
    from graphsvc.reports import cab
    from graphsvc.usecases.reports import agenda_report

    async def make(repo: Any, weights: Any) -> str:
        report = await agenda_report(repo, weights, parse_time("--from", start), parse_time("--to", end))
        return cab.agenda_html(report) if fmt == "html" else cab.agenda_markdown(report)

    _write_report(_report(_settings(data_dir, bolt_port), make), output)


@report_app.command("continuity")
def report_continuity(
    service: Annotated[str | None, typer.Option("--service", help="one service (default: the whole estate)")] = None,
    fmt: Format = ReportFormat.html,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Continuity: single points of failure, RTO/RPO gaps and recovery waves, most critical services first."""
    from datetime import UTC, datetime

    from graphsvc.report_routes import continuity_reports
    from graphsvc.reports import continuity as cont

    async def make(repo: Any, weights: Any) -> str:
        reports, total = await continuity_reports(repo, service, None)
        now = datetime.now(UTC)
        if fmt == "html":
            return cont.continuity_html(reports, total, now)
        return cont.continuity_markdown(reports, total, now)

    _write_report(_report(_settings(data_dir, bolt_port), make), output)


@report_app.command("sla")
def report_sla(
    start: Annotated[str, typer.Option("--from", help="start of the period: a date or an RFC 3339 time")],
    end: Annotated[str, typer.Option("--to", help="end of the period (exclusive)")],
    fmt: Format = ReportFormat.html,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Every SLA against its service's measured availability over the period, breaches first."""
    from datetime import UTC, datetime

    from graphsvc.report_routes import parse_time
    from graphsvc.reports import continuity as cont
    from graphsvc.usecases.continuity import sla_report

    async def make(repo: Any, weights: Any) -> str:
        begin, finish = parse_time("--from", start), parse_time("--to", end)
        figures = await sla_report(repo, begin, finish)
        now = datetime.now(UTC)
        if fmt == "html":
            return cont.sla_html(figures, begin, finish, now)
        return cont.sla_markdown(figures, begin, finish, now)

    _write_report(_report(_settings(data_dir, bolt_port), make), output)


@report_app.command("compliance")
def report_compliance(
    fmt: Format = ReportFormat.html,
    per_policy: Annotated[
        int, typer.Option("--per-policy", min=0, help="violations listed per policy (0 = all)")
    ] = 100,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Policy compliance: every policy with a rule checked against what it governs, worst first; unmet requirements."""
    from datetime import UTC, datetime

    from graphsvc.reports import compliance as comp
    from graphsvc.usecases.compliance import compliance_report

    async def make(repo: Any, weights: Any) -> str:
        report = await compliance_report(repo)
        now = datetime.now(UTC)
        if fmt == "html":
            return comp.compliance_html(report, now, per_policy=per_policy)
        return comp.compliance_markdown(report, now, per_policy=per_policy)

    _write_report(_report(_settings(data_dir, bolt_port), make), output)


class CostFormat(StrEnum):
    csv = "csv"
    html = "html"


@report_app.command("costs")
def report_costs(
    fmt: Annotated[
        CostFormat, typer.Option("--format", help="CSV (one tidy table) or HTML (a printable page)")
    ] = CostFormat.csv,
    output: Output = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """IT cost allocation: each business unit's statement by service, each service's own and total cost, the
    unallocated items."""
    from datetime import UTC, datetime

    from graphsvc.reports import cost as costs
    from graphsvc.usecases.cost import cost_allocation

    async def make(repo: Any, weights: Any) -> str:
        report = await cost_allocation(repo)
        return costs.cost_html(report, datetime.now(UTC)) if fmt == "html" else costs.cost_csv(report)

    _write_report(_report(_settings(data_dir, bolt_port), make), output)


class RoleName(StrEnum):
    viewer = "viewer"
    analyst = "analyst"
    editor = "editor"
    admin = "admin"


def _token_store(driver: Any, database: str, settings: Settings) -> Any:
    from graphsvc.db.tokens import TokenStore

    return TokenStore(driver, database, timeout=settings.tx_timeout_seconds)


def _create_token(settings: Settings, name: str, role: str, expires: str | None) -> tuple[Any, str]:
    from graphsvc.auth.tokens import Role, parse_expiry

    if expires is None and settings.token_expiry_days > 0:
        expires = f"{settings.token_expiry_days}d"
    try:
        when = parse_expiry(expires) if expires and expires != "never" else None
    except ValueError as exc:
        _fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits

    async def work(driver: Any, database: str) -> tuple[Any, str]:
        return await _token_store(driver, database, settings).create(  # type: ignore[no-any-return]
            name, Role(role), expires_at=when, created_by="cli", audit=_cli_audit("token create")
        )

    try:
        return _with_driver(settings, work)
    except ValueError as exc:
        _fail(str(exc))
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
    record, secret = _create_token(_settings(data_dir, bolt_port), name, role.value, expires)
    until = f", expires {record.expires_at:%Y-%m-%d %H:%M} UTC" if record.expires_at else ""
    typer.echo(f"created {record.id} ({record.name}, role {record.role.value}{until})", err=True)
    typer.echo("store it now; it is not shown again:", err=True)
    typer.echo(secret)


@token_app.command("list")
def token_list(data_dir: DataDir = None, bolt_port: BoltPort = None) -> None:
    """Every token, newest first: id, name, role, state (active, expired, revoked), created and expiry times."""
    from datetime import UTC, datetime

    settings = _settings(data_dir, bolt_port)

    async def work(driver: Any, database: str) -> list[Any]:
        return await _token_store(driver, database, settings).list()  # type: ignore[no-any-return]

    from graphsvc.domain.text import printable

    records = _with_driver(settings, work)
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
    settings = _settings(data_dir, bolt_port)

    async def work(driver: Any, database: str) -> Any:
        return await _token_store(driver, database, settings).revoke(token_id, audit=_cli_audit("token revoke"))

    try:
        record = _with_driver(settings, work)
    except LookupError as exc:
        _fail(str(exc.args[0]))
    from graphsvc.domain.text import printable

    typer.echo(f"revoked {record.id} ({printable(record.name)}, role {record.role.value})")


@app.command("generate")
def generate(
    cis: Annotated[int, typer.Option("--cis", min=1, help="number of configuration items")],
    seed: Annotated[int, typer.Option("--seed", help="random seed: same seed, same CMDB")] = 1,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file (default: stdout)")] = None,
) -> None:
    """Generate a deterministic synthetic CMDB of any size (exchange format)."""
    from tqdm import tqdm

    from graphsvc.synth import generate_cmdb

    with tqdm(total=cis, unit="CI", desc="generating", disable=None, file=sys.stderr) as bar:

        def progress(done: int) -> None:
            bar.n = min(done, cis)
            bar.refresh()

        doc = generate_cmdb(cis, seed, progress=progress)
    text = json.dumps(doc, separators=(",", ":"))
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output} ({len(text) / 1e6:.1f} MB)", err=True)


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
        typer.Option(min=1, help="server processes; each keeps its own copy of the graph [env GRAPHSVC_WORKERS]"),
    ] = None,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql)."""
    import uvicorn

    from graphsvc.app import create_app
    from graphsvc.logs import log_config

    settings = _settings(data_dir, bolt_port)
    settings.host = host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    try:
        application = create_app(settings)
    except ValueError as exc:
        _fail(str(exc))
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
            _fail(str(exc))
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/graphql"
    if admin_link and settings.auth:
        _, secret = _create_token(settings, "admin link (graphsvc serve)", "admin", "12h")
        _show_admin_link(settings, url, secret)
    elif not settings.auth:
        typer.echo("auth is off (GRAPHSVC_AUTH=false): anyone on this machine can read and change the CMDB")
    typer.echo(f"graphsvc serving {url}" + (f" with {workers} processes" if workers > 1 else ""))
    if workers > 1:
        _serve_workers(workers, host, port)
    else:
        uvicorn.run(
            application,
            host=host,
            port=port,
            log_level="info",
            log_config=log_config(),
            http="graphsvc.http_protocol:HeaderTimeoutProtocol",
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


def _serve_workers(workers: int, host: str, port: int) -> None:
    """What `uvicorn.run(..., workers=N)` does, with the listening socket made as a TCP socket.

    uvicorn before 0.55 made it with protocol 0, and asyncio sets TCP_NODELAY only on accepted sockets whose protocol
    is TCP: without it, Nagle's algorithm and delayed ACKs added about 40 ms to every answer (docs/benchmarks.md,
    "Load"). tcp_listener checks the socket it is given, so either behaviour of uvicorn is served."""
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    from graphsvc.logs import log_config

    config = Config(
        "graphsvc.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        log_config=log_config(),
        http="graphsvc.http_protocol:HeaderTimeoutProtocol",
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


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
