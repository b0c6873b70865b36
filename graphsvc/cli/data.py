"""`graphsvc import`, `export`, `seed demo` and `generate`: the CMDB in and out as exchange documents."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, cli_audit, fail, progress_bar, settings_for, with_driver
from graphsvc.settings import Neo4jSettings, Settings

T = TypeVar("T")

seed_app = typer.Typer(help="Load a shipped seed CMDB.", no_args_is_help=True)
app.add_typer(seed_app, name="seed")


def _import(settings: Settings, document: Any, label: str) -> None:
    from graphsvc.db.importer import import_document
    from graphsvc.domain.validation import DocumentInvalid

    bar, progress = progress_bar(f"importing {label}", "row")

    started = time.perf_counter()
    try:
        summary = with_driver(
            settings,
            lambda drv, db: import_document(
                drv,
                db,
                document,
                batch_size=settings.import_batch_size,
                progress=progress,
                phase=lambda name: bar.set_description(f"{label}: {name}"),
                audit=cli_audit("import"),
            ),
        )
    except DocumentInvalid as exc:
        bar.close()
        fail(str(exc))
        return
    bar.close()
    elapsed = time.perf_counter() - started
    items = summary.created + summary.updated + summary.unchanged
    typer.echo(
        f"{label}: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged, "
        f"{summary.relationships} relationships written in {elapsed:.1f} s "
        f"({(items + summary.relationships) / max(elapsed, 1e-9):,.0f} items+relationships/s)"
    )


def _initial_load(settings: Settings, document: Any, label: str) -> None:
    from graphsvc.db.connection import local_server, resolve_connection
    from graphsvc.db.initial_load import InitialLoadRefused, initial_load
    from graphsvc.db.local_server import LocalNeo4jError
    from graphsvc.domain.validation import DocumentInvalid

    if Neo4jSettings().uri:
        fail(
            "--initial-load runs Neo4j's bulk importer on the managed server's files; with NEO4J_URI set, use "
            '`graphsvc import` (docs/operations.md, "A large first load")'
        )
    bar, progress = progress_bar(f"loading {label}", "item")
    started = time.perf_counter()
    try:
        summary = initial_load(
            local_server(settings),
            lambda: resolve_connection(settings),
            document,
            audit=cli_audit("import"),
            phase=lambda name: bar.set_description(f"{label}: {name}"),
            progress=progress,
        )
    except (DocumentInvalid, InitialLoadRefused, LocalNeo4jError) as exc:
        bar.close()
        fail(str(exc))
        return
    except OSError as exc:  # the CSV files (a full disk) or the bulk importer's process
        bar.close()
        fail(f"the initial load stopped: {exc}; `graphsvc db status` says whether Neo4j runs")
        return
    bar.close()
    elapsed = time.perf_counter() - started
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in summary.phases.items())
    typer.echo(
        f"{label}: {summary.items} items and {summary.relationships} relationships loaded"
        f"{f', {summary.readings} readings' if summary.readings else ''} in {elapsed:.1f} s "
        f"({(summary.items + summary.relationships) / max(elapsed, 1e-9):,.0f} items+relationships/s)\n  {phases}"
    )


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="exchange document (JSON); - for stdin")],
    initial_load: Annotated[
        bool,
        typer.Option(
            "--initial-load",
            help="into an empty managed database, with Neo4j's bulk importer (stops the server meanwhile)",
        ),
    ] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Validate an exchange document and upsert it; an invalid one writes nothing and lists every problem.

    With --initial-load, the document goes into an empty database through `neo4j-admin database import`: the
    same validation and the same items, many times faster for a large estate (docs/operations.md)."""
    from graphsvc.domain.safe_json import JsonRefused, loads
    from graphsvc.util import cyclic_gc_paused

    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        with cyclic_gc_paused():  # millions of small dicts and lists without cycles (util.cyclic_gc_paused)
            document = loads(data, what=str(file))
    except FileNotFoundError:
        fail(f"no such file: {file}")
    except IsADirectoryError:
        fail(f"{file} is a directory, not an exchange document")
    except JsonRefused as exc:
        fail(str(exc))
    (_initial_load if initial_load else _import)(settings_for(data_dir, bolt_port), document, str(file))


@app.command("export")
def export_cmd(
    file: Annotated[Path | None, typer.Argument(help="output file (default: stdout)")] = None,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Write the whole CMDB in the exchange format."""
    from graphsvc.db.exporter import export_document
    from graphsvc.domain.safe_json import dumps, unsafe_numbers

    doc = with_driver(settings_for(data_dir, bolt_port), export_document)
    refused = unsafe_numbers(doc)
    if refused:  # written before graphsvc refused them at every entry: docs/operations.md says how to repair them
        fail("the CMDB holds values JSON cannot carry; nothing was written:\n  " + "\n  ".join(refused[:20]))
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
    """Load the demo CMDB (an online retailer); its utilization readings are moved forward to end now."""
    from graphsvc.db.stored import item_count
    from graphsvc.synth.demo import demo_document

    settings = settings_for(data_dir, bolt_port)
    if if_empty:
        if with_driver(settings, item_count) > 0:
            typer.echo("the database is not empty: demo not loaded")
            return
    _import(settings, demo_document(), "demo CMDB")


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
