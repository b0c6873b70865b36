"""`graphsvc prune-utilization`: keep utilization readings of the last N days as recorded, older days as hourly
means and maxima (db/retention.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, progress_bar, settings_for, with_driver


@app.command("prune-utilization")
def prune_utilization(
    raw_days: Annotated[
        int | None,
        typer.Option(
            "--raw-days",
            min=30,
            help="keep this many days of readings as recorded (default: GRAPHSVC_UTILIZATION_RAW_DAYS)",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would be downsampled; change nothing")] = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Downsample the utilization readings of days older than N days (UTC) to each hour's mean and maximum, keeping
    the sums the capacity forecast fits, so its answer does not change. A batch of buckets a transaction; safe to
    run while the server writes, and to stop: run it again (a day downsampled is not touched twice)."""
    from datetime import UTC, datetime, timedelta

    from graphsvc.db import retention
    from graphsvc.db.items import ItemRepository

    settings = settings_for(data_dir, bolt_port)
    days = settings.utilization_raw_days if raw_days is None else raw_days
    cut = datetime.now(UTC).date() - timedelta(days=days)
    bar, progress = progress_bar("downsampling", "bucket")

    async def work(driver: Any, database: str) -> Any:
        if dry_run:
            return await retention.plan_retention(ItemRepository(driver, database), cut)
        return await retention.downsample_before(driver, database, cut, progress)

    found = with_driver(settings, work)
    bar.close()
    nothing = f"Nothing to downsample: no day before {cut.isoformat()} keeps its readings as recorded."
    if dry_run:
        plan: retention.RetentionPlan = found
        if not plan.days:
            typer.echo(nothing)
            return
        typer.echo(
            f"Would downsample {plan.buckets:,} day buckets ({plan.readings:,} readings) of {plan.cis:,} CIs, "
            f"{plan.days[0][0].isoformat()} to {plan.days[-1][0].isoformat()}, to hourly means and maxima "
            "(nothing changed: --dry-run)."
        )
        return
    buckets, readings = found
    if not buckets:
        typer.echo(nothing)
        return
    typer.echo(
        f"Downsampled {buckets:,} day buckets ({readings:,} readings) before {cut.isoformat()} to hourly means and "
        f"maxima; readings from {cut.isoformat()} on are kept as recorded."
    )
