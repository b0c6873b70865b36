"""What every `graphsvc` command group shares: the root command, the two options that pick the managed database,
and running async work against the configured Neo4j."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from graphsvc.db.local_server import LocalNeo4jError
from graphsvc.settings import Settings

__all__ = [
    "BoltPort",
    "DataDir",
    "app",
    "cli_audit",
    "fail",
    "progress_bar",
    "run_main",
    "settings_for",
    "table",
    "with_driver",
]

T = TypeVar("T")

app = typer.Typer(
    help="graphsvc: a CMDB kept as a graph in Neo4j, with impact analysis over GraphQL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="managed Neo4j data directory [env GRAPHSVC_DATA_DIR; default .graphsvc]"),
]
BoltPort = Annotated[
    int | None,
    typer.Option("--bolt-port", help="Bolt port of the managed Neo4j [env GRAPHSVC_BOLT_PORT; default 7687]"),
]


def settings_for(data_dir: Path | None = None, bolt_port: int | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if bolt_port is not None:
        overrides["bolt_port"] = bolt_port
    return Settings(**overrides)


def progress_bar(desc: str, unit: str) -> tuple[Any, Callable[[int, int], None]]:
    """A progress bar on stderr (none when stderr is not a terminal) and the `(done, total)` callback that moves it;
    the caller closes the bar."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit=unit, desc=desc, disable=None, file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    return bar, progress


def fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def with_driver(settings: Settings, work: Callable[[Any, str], Awaitable[T]]) -> T:
    """Run `work(driver, database)` against the configured Neo4j (starting the managed one if needed)."""
    from graphsvc.db.connection import open_async_driver, resolve_connection

    try:
        conn = resolve_connection(settings)
    except LocalNeo4jError as exc:
        fail(str(exc))
        raise AssertionError from exc  # unreachable: _fail exits

    async def run() -> T:
        driver = open_async_driver(conn)
        try:
            return await work(driver, conn.database)
        finally:
            await driver.close()

    return run_main(run())


def run_main(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(work)`, its result handed back beside the task rather than as the task's result: on its way out,
    Python 3.11's asyncio.run formats its main task, result included, twice (restoring the SIGINT handler makes
    `signal` try the old handler, which holds the task, as an enum value, and format it into an error it drops). A
    large result paid its whole `repr`: seconds for `graphsvc estate diff`'s two estates of a large CMDB (a 100k
    import's plan took 8 s)."""
    found: list[T] = []

    async def main() -> None:
        found.append(await work)

    asyncio.run(main())
    return found[0]


def cli_audit(action: str) -> Any:
    """The CLI's writes are recorded as the operating-system user who ran them."""
    import getpass

    from graphsvc.db.audit import Audit

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Audit("cli", f"graphsvc CLI ({user})", action)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Rows as an aligned text table (cells cut at 60 characters)."""
    widths = [max(len(h), *(len(r[n]) for r in rows)) for n, h in enumerate(headers)]
    widths = [min(w, 60) for w in widths]

    def line(cells: list[str]) -> str:
        return "  " + "  ".join(c[:60].ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])
