"""`graphsvc diff`: what changed in the estate between two times, as a readable table (or JSON); `graphsvc
prune-history`: keep the estate's history of the last N days."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, fail, progress_bar, settings_for, table, with_driver

SHOWN = 50  # rows per section in the table (--all shows every one)


@app.command("prune-history")
def prune_history(
    keep_days: Annotated[
        int | None,
        typer.Option("--keep-days", min=0, help="keep this many days of history (default: GRAPHSVC_HISTORY_KEEP_DAYS)"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would be pruned; change nothing")] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Keep the estate's history (asOf, estateDiff, drift) of the last N days: the estate as it stood N days ago is
    kept as one snapshot and the states recorded before are dropped. The audit trail itself is kept whole. Safe to
    run while the server writes, and to stop: run it again."""
    from datetime import UTC, datetime, timedelta

    from graphsvc.db import journal
    from graphsvc.db.items import ItemRepository

    settings = settings_for(data_dir, bolt_port)
    days = settings.history_keep_days if keep_days is None else keep_days
    cut = datetime.now(UTC) - timedelta(days=days)
    bar, progress = progress_bar("writing the snapshot", "part")

    async def work(driver: Any, database: str) -> Any:
        if dry_run:
            return await journal.plan_prune(ItemRepository(driver, database), cut), None
        result = await journal.prune(driver, database, cut, progress)
        return (result.plan if result else None), result

    plan, result = with_driver(settings, work)
    bar.close()
    if dry_run:
        if plan is None or not plan.needed:
            typer.echo(f"Nothing to prune: no history recorded before {cut.isoformat()} that is not pruned already.")
        else:
            typer.echo(
                f"Would keep the estate as of {plan.until.isoformat()} as a snapshot and drop the states of "
                f"{plan.entries:,} journal entries recorded before {cut.isoformat()} (nothing changed: --dry-run)."
            )
        return
    if result is None:
        typer.echo(f"Nothing to prune: no history recorded before {cut.isoformat()} that is not pruned already.")
        return
    typer.echo(
        f"Kept the estate as of {result.plan.until.isoformat()} ({result.items:,} items, "
        f"{result.snapshot_bytes / 1e6:.1f} MB snapshot); dropped the states of {result.entries_pruned:,} entries "
        f"({result.bytes_freed / 1e6:.1f} MB) and {result.snapshots_dropped} older snapshot(s). The history now "
        f"starts at {result.plan.until.isoformat()}."
    )


@app.command("diff")
def diff(
    start: Annotated[str, typer.Option("--from", help="a date or an RFC 3339 time, e.g. 2026-11-01T00:00:00Z")],
    end: Annotated[str | None, typer.Option("--to", help="a date or an RFC 3339 time (default: now)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the whole difference as JSON")] = False,
    every: Annotated[bool, typer.Option("--all", help=f"every row, not the first {SHOWN} of each section")] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Items added, removed and changed (with the fields that changed) and dependencies added and removed between
    two times, rebuilt from the audit trail."""
    from datetime import UTC, datetime

    from graphsvc.db.items import ItemRepository
    from graphsvc.domain.facts import display_name
    from graphsvc.errors import RequestError
    from graphsvc.usecases.estate import estate_diff
    from graphsvc.usecases.reports import optional_time, parse_time

    async def work(driver: Any, database: str) -> Any:
        begin = parse_time("--from", start)
        finish = optional_time("--to", end) or datetime.now(UTC)
        return begin, finish, *(await estate_diff(ItemRepository(driver, database), begin, finish))

    try:
        begin, finish, found, before, after = with_driver(settings_for(data_dir, bolt_port), work)
    except RequestError as exc:
        fail(str(exc))
        return
    if as_json:
        out = {
            "from": begin.isoformat(),
            "to": finish.isoformat(),
            "added": found.added,
            "removed": found.removed,
            "changed": [{"id": i, "fields": f} for i, f in found.changed],
            "dependenciesAdded": [{"from": a, "to": b} for a, b in found.dependencies_added],
            "dependenciesRemoved": [{"from": a, "to": b} for a, b in found.dependencies_removed],
        }
        typer.echo(json.dumps(out, indent=2))
        return

    def item(props: dict[str, Any]) -> list[str]:
        return [props["id"], props["itemKind"], display_name(props)]

    sections = [
        ("Added", ["id", "kind", "name"], [item(after.items[i]) for i in found.added]),
        ("Removed", ["id", "kind", "name"], [item(before.items[i]) for i in found.removed]),
        ("Changed", ["id", "kind", "fields"], [[*item(after.items[i])[:2], ", ".join(f)] for i, f in found.changed]),
        ("Dependencies added", ["from", "to"], [[a, b] for a, b in found.dependencies_added]),
        ("Dependencies removed", ["from", "to"], [[a, b] for a, b in found.dependencies_removed]),
    ]
    typer.echo(f"The estate from {begin.isoformat()} to {finish.isoformat()}")
    for title, headers, rows in sections:
        typer.echo(f"\n{title}: {len(rows)}")
        if rows:
            typer.echo(table(headers, rows if every else rows[:SHOWN]))
            if not every and len(rows) > SHOWN:
                typer.echo(f"  ... and {len(rows) - SHOWN} more (--all shows them)")
