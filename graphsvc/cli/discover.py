"""`graphsvc discover ...`: read what a source says exists and reconcile the CMDB with it in one audited write
(docs/discovery.md); `--dry-run` prints what a run would do and writes nothing. `graphsvc discover runs` lists the
runs made."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from graphsvc.cli.common import BoltPort, DataDir, app, cli_audit, fail, settings_for, table, with_driver

__all__ = ["discover"]

SHOWN = 50  # rows per section (--all shows every one)

discover = typer.Typer(help="Read what a source says exists into the CMDB (docs/discovery.md).", no_args_is_help=True)
app.add_typer(discover, name="discover")

DryRun = Annotated[bool, typer.Option("--dry-run", help="print what the run would do; write nothing")]
Grace = Annotated[
    float,
    typer.Option("--grace-hours", min=0, help="retire what the source no longer sees only after this long unseen"),
]


class TraceFormatOption(StrEnum):
    jaeger = "jaeger"
    servicegraph = "servicegraph"


Every = Annotated[bool, typer.Option("--all", help=f"every row, not the first {SHOWN} of each section")]
MassRetire = Annotated[
    bool,
    typer.Option(
        "--allow-mass-retire",
        help="let a run that sees nothing, or retires over half of what the source had, go ahead",
    ),
]


@discover.command("kubernetes")
def kubernetes(
    files: Annotated[list[Path], typer.Argument(help="manifests (multi-document YAML) or `kubectl get -o json` lists")],
    cluster: Annotated[str, typer.Option("--cluster", help="the cluster's name: ids are k8s:CLUSTER:NS:KIND:NAME")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="a TOML file mapping labels to owners, names, environments")
    ] = None,
    dry_run: DryRun = False,
    grace_hours: Grace = 0.0,
    allow_mass_retire: MassRetire = False,
    every: Every = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Workloads (Deployments, StatefulSets, DaemonSets) and Ingresses as CIs, and the dependencies their containers
    name through Services, reconciled with the CMDB as the source `kubernetes:CLUSTER`."""
    from graphsvc.discovery.kubernetes import DiscoveryInputError, KubernetesMapping, read_manifests

    try:
        given = [(str(f), _read(f)) for f in files]
        rules = KubernetesMapping.read(mapping) if mapping is not None else None
        observation = read_manifests(given, cluster, rules)
    except (DiscoveryInputError, OSError) as exc:
        fail(str(exc))
        return
    _reconcile(observation, dry_run, grace_hours, every, data_dir, bolt_port, "discover kubernetes", allow_mass_retire)


@discover.command("traces")
def traces(
    file: Annotated[Path, typer.Argument(help="Jaeger's dependencies JSON or the service graph's Prometheus text")],
    fmt: Annotated[TraceFormatOption, typer.Option("--format", help="jaeger or servicegraph")],
    name: Annotated[str | None, typer.Option("--name", help="the source is traces:NAME (default: the format)")] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="a TOML file: [services] service name = item id")
    ] = None,
    min_calls: Annotated[int, typer.Option("--min-calls", min=0, help="skip edges with fewer calls")] = 1,
    dry_run: DryRun = False,
    every: Every = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Call edges between services a tracing system saw, as dependencies between items the CMDB has (by id, name,
    `service.name` attribute or the mapping file), reconciled as the source `traces:NAME`. Creates no items."""
    from graphsvc.db.discovery import known_names
    from graphsvc.db.items import ItemRepository
    from graphsvc.discovery.documents import DiscoveryInputError
    from graphsvc.discovery.traces import read_service_mapping, read_traces

    try:
        data = _read(file)
        rules = read_service_mapping(mapping) if mapping is not None else None
    except (DiscoveryInputError, OSError) as exc:
        fail(str(exc))
        return
    known = with_driver(settings_for(data_dir, bolt_port), lambda d, db: known_names(ItemRepository(d, db)))
    try:
        observation = read_traces(name or fmt.value, data, fmt.value, known, rules, min_calls, file=str(file))
    except DiscoveryInputError as exc:
        fail(str(exc))
        return
    _reconcile(observation, dry_run, 0.0, every, data_dir, bolt_port, "discover traces")


@discover.command("csv")
def csv_sheet(
    items: Annotated[Path, typer.Argument(help="the items: one row per item, a header naming the columns")],
    dependencies: Annotated[
        Path | None, typer.Option("--dependencies", help="a CSV of from,to[,strength] rows")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="a TOML file: [columns], [values.FIELD], [defaults]")
    ] = None,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="read the good rows and list the bad ones (else: write nothing)")
    ] = False,
    delimiter: Annotated[str, typer.Option("--delimiter", help="the cell separator (one character)")] = ",",
    dry_run: DryRun = False,
    grace_hours: Grace = 0.0,
    allow_mass_retire: MassRetire = False,
    every: Every = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Items from a spreadsheet (CSV, UTF-8, Excel dialect) and dependencies between them, reconciled with the CMDB
    as the source `csv:FILE NAME`; every bad row is reported with its line and column."""
    from graphsvc.db.discovery import known_names
    from graphsvc.db.items import ItemRepository
    from graphsvc.discovery.documents import DiscoveryInputError
    from graphsvc.discovery.spreadsheet import SheetMapping, read_csv

    if len(delimiter) != 1:
        fail(f"--delimiter must be one character (got {delimiter!r})")
        return
    try:
        data = _read(items)
        deps = _read(dependencies) if dependencies is not None else None
        rules = SheetMapping.read(mapping) if mapping is not None else None
    except (DiscoveryInputError, OSError) as exc:
        fail(str(exc))
        return
    known = None
    if deps is not None:
        names = with_driver(settings_for(data_dir, bolt_port), lambda d, db: known_names(ItemRepository(d, db)))
        known = set(names.values())
    try:
        observation = read_csv(
            str(items),
            data,
            deps,
            rules,
            skip_bad_rows,
            dependencies_name=str(dependencies),
            delimiter=delimiter,
            known_ids=known,
        )
    except DiscoveryInputError as exc:
        fail(str(exc))
        return
    _reconcile(observation, dry_run, grace_hours, every, data_dir, bolt_port, "discover csv", allow_mass_retire)


@discover.command("prometheus")
def prometheus(
    file: Annotated[Path, typer.Argument(help="a Prometheus range-query answer (/api/v1/query_range JSON)")],
    fractions: Annotated[
        bool, typer.Option("--fractions", help="the values are fractions (0..1), not percents (0..100)")
    ] = False,
    dry_run: DryRun = False,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """Utilization readings from Prometheus: each series of a range query, mapped to a CI by its `cmdb_id` label or
    its `instance` host, becomes that CI's readings (a CI's utilization is its newest). Series that map to no CI are
    listed; a bad value is an error naming its place, and nothing is written."""
    from graphsvc.db.items import ItemRepository
    from graphsvc.db.utilization import ci_targets, record_readings
    from graphsvc.discovery.documents import DiscoveryInputError
    from graphsvc.discovery.prometheus import map_series, read_range_query
    from graphsvc.domain.validation import DocumentInvalid

    settings = settings_for(data_dir, bolt_port)
    try:
        series = read_range_query(str(file), _read(file), fractions=fractions)
    except (DiscoveryInputError, OSError) as exc:
        fail(str(exc))
        return
    ids = [s.cmdb_id for s in series if s.cmdb_id is not None]
    hosts = [s.host for s in series if s.cmdb_id is None and s.host is not None]
    cis, by_host = with_driver(settings, lambda d, db: ci_targets(ItemRepository(d, db), ids, hosts))
    found = map_series(series, cis, by_host)
    typer.echo(
        f"{file}: {len(series)} series, {len(found.mapped)} mapped to {len(set(found.mapped.values()))} CIs, "
        f"{len(found.readings)} readings"
    )
    if found.unmapped:
        typer.echo(f"Series mapped to no CI (not errors; nothing of theirs is stored): {len(found.unmapped)}")
        for where, why in found.unmapped[:SHOWN]:
            typer.echo(f"  {where}: {why}")
        if len(found.unmapped) > SHOWN:
            typer.echo(f"  ... and {len(found.unmapped) - SHOWN} more")
    if dry_run:
        typer.echo("(dry run: nothing was written)")
        return
    batch = settings.max_utilization_batch
    audit = cli_audit("discover prometheus")
    written = 0
    try:
        for start in range(0, len(found.readings), batch):  # one transaction per batch; the file was checked whole
            chunk = found.readings[start : start + batch]

            async def write(driver: Any, database: str, readings: Any = chunk) -> Any:
                return await record_readings(driver, database, readings, audit=audit)

            written += with_driver(settings, write).readings
    except DocumentInvalid as exc:
        fail(f"{file}: {exc} ({written} readings written before this batch)")
        return
    typer.echo(f"{written} readings recorded")


@discover.command("runs")
def runs(
    source: Annotated[str | None, typer.Option("--source", help="only this source, e.g. kubernetes:shop")] = None,
    first: Annotated[int, typer.Option("--first", min=1, max=500, help="how many, newest first")] = 20,
    data_dir: DataDir = None,
    bolt_port: BoltPort = None,
) -> None:
    """The discovery runs made, newest first, with their counts."""
    from graphsvc.db.discovery import discovery_runs
    from graphsvc.db.items import ItemRepository

    found = with_driver(
        settings_for(data_dir, bolt_port), lambda d, db: discovery_runs(ItemRepository(d, db), source, first)
    )
    if not found:
        typer.echo("No discovery runs yet.")
        return
    names = ["created", "updated", "retired", "unchanged", "kept", "dependenciesAdded", "dependenciesRemoved"]
    headers = ["at", "source", "actor", "created", "updated", "retired", "unchanged", "kept", "deps +", "deps -"]
    rows = [
        [r.at.isoformat(timespec="seconds"), r.source, r.actor, *(str(r.counts.get(n, 0)) for n in names)]
        for r in found
    ]
    typer.echo(table(headers, rows))


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise OSError(f"{path}: no such file")
    return path.read_bytes()


def _reconcile(
    observation: Any,
    dry_run: bool,
    grace_hours: float,
    every: bool,
    data_dir: Any,
    bolt_port: Any,
    action: str,
    allow_mass_retire: bool = False,
) -> None:
    from graphsvc.db.discovery import run_discovery
    from graphsvc.domain.validation import DocumentInvalid
    from graphsvc.errors import InvalidArgument

    typer.echo(
        f"{observation.source}: {len(observation.items)} items and {len(observation.dependencies)} dependencies "
        f"seen; reconciling{' (dry run)' if dry_run else ''}...",
        err=True,
    )
    try:
        outcome = with_driver(
            settings_for(data_dir, bolt_port),
            lambda d, db: run_discovery(
                d,
                db,
                observation,
                now=datetime.now(UTC),
                grace=timedelta(hours=grace_hours),
                dry_run=dry_run,
                audit=cli_audit(action),
                allow_mass_retire=allow_mass_retire,
            ),
        )
    except DocumentInvalid as exc:
        fail(f"{observation.source}: {exc}")
        return
    except InvalidArgument as exc:
        fail(str(exc))
        return
    report(outcome, dry_run, every)
    vanished = outcome.plan.mass_retirement()
    if dry_run and vanished is not None and not allow_mass_retire:
        typer.echo(f"\nA run would be refused: {vanished} (--allow-mass-retire allows it)")


def report(outcome: Any, dry_run: bool, every: bool) -> None:
    """What a run did (or, dry, would do): counts, then each section as a table."""
    plan, observation = outcome.plan, outcome.observation
    verb = "would" if dry_run else "did"
    retired = set(plan.retired)
    updated = {i: c for i, c in plan.updated.items() if i not in retired}
    typer.echo(
        f"{plan.source} ({verb}): {len(plan.created)} created, {len(updated)} updated, {len(retired)} retired, "
        f"{len(plan.unchanged)} unchanged, {len(plan.kept)} fields kept; dependencies "
        f"+{len(plan.dependencies_added)} -{len(plan.dependencies_removed)}; {len(observation.unresolved)} "
        f"unresolved, {len(observation.skipped)} skipped"
        + (" (dry run: nothing was written)" if dry_run else f" (run {outcome.run_id})")
    )
    created = [[i, str(f.get("type", "")), str(f.get("name", ""))] for i, (_, f) in sorted(plan.created.items())]
    changed = [
        [i, name, _shown(old), _shown(new)]
        for i, c in sorted(updated.items())
        for name, (old, new) in sorted(c.items())
    ]
    sections = [
        ("Created", ["id", "type", "name"], created),
        ("Updated", ["id", "field", "was", "now"], changed),
        ("Retired (no longer seen)", ["id"], [[i] for i in sorted(retired)]),
        (
            "Kept (a person or another source set it last)",
            ["id", "field", "stays", "source saw"],
            [[k.item, k.field, _shown(k.current), _shown(k.seen)] for k in plan.kept],
        ),
        ("Merged by identity", ["seen as", "is"], [[a, b] for a, b in sorted(plan.merged.items())]),
        (
            "Dependencies added",
            ["from", "to", "via"],
            [[a, b, str(x.get("via", ""))] for a, b, _, x in plan.dependencies_added],
        ),
        ("Dependencies removed (no longer seen)", ["from", "to"], [[a, b] for a, b in plan.dependencies_removed]),
        (
            "Unresolved references (not errors)",
            ["item", "where", "host"],
            [[u.item, u.where, u.host] for u in observation.unresolved],
        ),
        ("Skipped", ["where", "why"], [[s.where, s.reason] for s in observation.skipped]),
    ]
    for title, headers, rows in sections:
        if rows:
            typer.echo(f"\n{title}: {len(rows)}")
            typer.echo(table(headers, rows if every else rows[:SHOWN]))
            if not every and len(rows) > SHOWN:
                typer.echo(f"  ... and {len(rows) - SHOWN} more (--all shows them)")
    sys.stdout.flush()


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
