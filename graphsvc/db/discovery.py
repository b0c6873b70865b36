"""A discovery run against the database: what the run can touch read, the plan worked out (discovery/reconcile.py)
and, unless it is a dry run, written in the same transaction, with its audit entries and its run record.

All or nothing: a run whose result would not be valid exchange data (a bad type, an owner that is no item) writes
nothing and says which item and field. Bookkeeping (when each item was last seen, what each source wrote) is written
beside the changes but is no change of the item: no version, no audit entry, not part of the estate's history.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction
from pydantic import BaseModel, ValidationError

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository, native_props
from graphsvc.db.writes import bump_graph_state
from graphsvc.discovery.model import Observation
from graphsvc.discovery.reconcile import IDENTITY_KEYS, Current, Plan, flatten, plan_run, unflatten
from graphsvc.domain.exchange import ConfigurationItem, Service
from graphsvc.domain.rows import item_from_props, item_props, node_row
from graphsvc.domain.validation import DocumentInvalid, Problem
from graphsvc.domain.vocabulary import Kind, Rel
from graphsvc.errors import InvalidArgument, RequestError
from graphsvc.telemetry import metrics

__all__ = ["DiscoveryRun", "RunOutcome", "discovery_runs", "known_names", "run_discovery", "run_totals"]

MODELS: dict[Kind, type[BaseModel]] = {Kind.CONFIGURATION_ITEM: ConfigurationItem, Kind.SERVICE: Service}
BOOKKEEPING = ("source", "lastSeenAt")  # item fields that are no field a source sets
REPORTED = 200  # unresolved references, kept fields and skipped input stored with a run (the CLI prints them all)
ADDED_ORDER = 1_000_000  # a discovered dependency lists after the ones a document lists (as addDependency's)


@dataclass(frozen=True)
class DiscoveryRun:
    """A run as `discoveryRuns` lists it."""

    id: str
    source: str
    at: datetime
    dry_run: bool
    actor: str
    counts: Mapping[str, int]
    details: Mapping[str, Any]


@dataclass(frozen=True)
class RunOutcome:
    plan: Plan
    observation: Observation
    run_id: str | None  # None: a dry run (nothing written)


def _current(record: Mapping[str, Any]) -> Current:
    kind = Kind(record["kind"])
    props = native_props(record["props"])
    refs = {"owner": [record["owner"]] if record["owner"] else [], "site": [record["site"]] if record["site"] else []}
    fields = item_from_props(kind, props, refs)
    discovered = json.loads(props.get("discovered") or "{}")
    return Current(
        id=props["id"],
        kind=kind,
        fields=flatten({k: v for k, v in fields.items() if k not in BOOKKEEPING}),
        source=props.get("source"),
        written={s: d.get("fields", {}) for s, d in discovered.items()},
        seen_at={s: datetime.fromisoformat(d["seenAt"]) for s, d in discovered.items() if d.get("seenAt")},
    )


async def _read(tx: AsyncManagedTransaction, observation: Observation) -> tuple[dict[str, Current], list[Any]]:
    ids = sorted(
        {i.id for i in observation.items} | {e for d in observation.dependencies for e in (d.source, d.target)}
    )
    named = {f"attributes.{k}" for k in IDENTITY_KEYS}
    identities = any(i.identity or flatten(i.fields).keys() & named for i in observation.items)
    result = await tx.run(
        cypher("discovery/current"),
        ids=ids,
        sourceKey=json.dumps(observation.source) + ":",
        identities=identities,
        identityKeys=[json.dumps(k) + ":" for k in IDENTITY_KEYS],
    )
    current = {c.id: c for c in [_current(r) async for r in result]}
    within = set(current) | set(ids)
    deps = await tx.run(cypher("discovery/dependencies"), ids=sorted(within), source=observation.source)
    found = [(r["from"], r["to"], r["source"]) async for r in deps]
    return current, [(a, b, s) for a, b, s in found if b in within or s == observation.source]


def _validated(plan: Plan, current: Mapping[str, Current]) -> dict[str, BaseModel]:
    """Each created or changed item as exchange data, or DocumentInvalid naming every item and field that is not."""
    models: dict[str, BaseModel] = {}
    problems: list[Problem] = []
    for item_id, fields in sorted(plan.results.items()):
        kind = plan.created[item_id][0] if item_id in plan.created else current[item_id].kind
        model = MODELS.get(kind)
        if model is None:
            problems.append(Problem(item_id, f"discovery does not write a {kind.value}"))
            continue
        source = plan.source if item_id in plan.created else current[item_id].source
        data = {**unflatten(fields), "id": item_id, "source": source}
        data["lastSeenAt"] = plan.now if item_id in plan.seen else None
        try:
            models[item_id] = model.model_validate({k: v for k, v in data.items() if v is not None})
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(Problem(f"{item_id}.{where}", error["msg"]))
    if problems:
        raise DocumentInvalid(problems)
    return models


async def _check_refs(tx: AsyncManagedTransaction, models: Mapping[str, BaseModel]) -> None:
    """Owners and sites must be items that exist (or that the run creates): DocumentInvalid naming each that is not."""
    wanted = sorted(
        (item_id, name, target)
        for item_id, model in models.items()
        for name in ("owner", "site")
        if (target := getattr(model, name, None))
    )
    ids = sorted({target for _, _, target in wanted})
    rows = await (await tx.run(cypher("import/existing_items"), ids=ids)).single(strict=True)
    found = {item_id for item_id, *_ in rows["found"]}
    missing = [
        Problem(f"{item_id}.{name}", f"unknown id {target!r}", target, "UNKNOWN")
        for item_id, name, target in wanted
        if target not in found and target not in models
    ]
    if missing:
        raise DocumentInvalid(missing)


async def _write(
    tx: AsyncManagedTransaction, plan: Plan, current: Mapping[str, Current], models: Mapping[str, BaseModel]
) -> list[tuple[str, Any, Any]]:
    """The plan's writes; returns the audit's (item, before, after) for the items changed."""
    discovered = _discovered(plan, current)
    before = {
        r["id"]: native_props(r["props"]) async for r in await tx.run(cypher("items/by_ids"), ids=sorted(plan.updated))
    }
    for kind in MODELS:
        created = [i for i, (k, _) in plan.created.items() if k is kind]
        changed = [i for i in plan.updated if current[i].kind is kind]
        for rows_of, query in ((created, "import/create_nodes"), (changed, "import/update_nodes")):
            rows = [
                node_row(i, kind, None, {**item_props(kind, models[i]), "discovered": discovered[i]}) for i in rows_of
            ]
            if rows:
                await (await tx.run(cypher(query), rows=rows, at=None)).consume()
    for rel, name in ((Rel.OWNED_BY, "owner"), (Rel.LOCATED_AT, "site")):
        moved = [i for i in plan.created if name in plan.results[i]]
        moved += [i for i, change in plan.updated.items() if name in change]
        if moved:
            await (await tx.run(cypher("import/delete_owned_rels", rel=rel), ids=moved)).consume()
            rows = [{"from": i, "to": getattr(models[i], name), "props": {"i": 0}} for i in moved]
            rows = [r for r in rows if r["to"]]
            await (await tx.run(cypher("import/create_rels", rel=rel), rows=rows)).consume()
    untouched = [i for i in discovered if i not in plan.created and i not in plan.updated]
    rows = [{"id": i, "discovered": discovered[i], "seen": i in plan.seen} for i in untouched]
    await (await tx.run(cypher("discovery/touch_items"), rows=rows, now=plan.now.isoformat())).consume()
    await _write_dependencies(tx, plan)
    after = {
        r["id"]: native_props(r["props"]) async for r in await tx.run(cypher("items/by_ids"), ids=sorted(plan.results))
    }
    changes: list[tuple[str, Any, Any]] = [(i, before.get(i), after[i]) for i in sorted(plan.results)]
    changes += [(a, None, {"dependsOn": b, "strength": s}) for a, b, s, _ in plan.dependencies_added]
    changes += [(a, {"dependsOn": b}, None) for a, b in plan.dependencies_removed]
    return changes


def _discovered(plan: Plan, current: Mapping[str, Current]) -> dict[str, str]:
    """Each touched item's bookkeeping after the run, as stored: per source, the fields it wrote last (`fields`) and
    when it last saw the item (`seenAt`); this source's entry replaced, the others' kept."""
    out = {}
    for item_id, fields in plan.written.items():
        old = current.get(item_id)
        everyone: dict[str, dict[str, Any]] = {}
        if old is not None:
            for s in old.written.keys() | old.seen_at.keys():
                everyone[s] = {"fields": dict(old.written.get(s, {}))}
                if s in old.seen_at:
                    everyone[s]["seenAt"] = old.seen_at[s].isoformat()
        mine: dict[str, Any] = {"fields": fields}
        if item_id in plan.seen:
            mine["seenAt"] = plan.now.isoformat()
        elif old is not None and plan.source in old.seen_at:
            mine["seenAt"] = old.seen_at[plan.source].isoformat()
        everyone[plan.source] = mine
        out[item_id] = json.dumps(everyone, sort_keys=True, default=str)
    return out


async def _write_dependencies(tx: AsyncManagedTransaction, plan: Plan) -> None:
    at = plan.now.isoformat()
    rows = [
        {
            "from": a,
            "to": b,
            "props": {
                "i": ADDED_ORDER,
                "kind": "USES",
                "strength": strength,
                "weight": 1.0,
                "source": plan.source,
                "lastSeenAt": plan.now,
                **({"attributes": json.dumps(attrs, sort_keys=True)} if attrs else {}),
            },
        }
        for a, b, strength, attrs in plan.dependencies_added
    ]
    if rows:
        await (await tx.run(cypher("import/merge_rels", rel=Rel.DEPENDS_ON), rows=rows)).consume()
    removed = [{"from": a, "to": b} for a, b in plan.dependencies_removed]
    if removed:
        await (await tx.run(cypher("discovery/remove_dependencies"), rows=removed, source=plan.source)).consume()
    seen = [
        {"from": a, "to": b, "attributes": json.dumps(attrs, sort_keys=True) if attrs else None}
        for a, b, attrs in plan.dependencies_seen
    ]
    if seen:
        await (await tx.run(cypher("discovery/touch_dependencies"), rows=seen, source=plan.source, now=at)).consume()
    versioned = sorted({a for a, *_ in plan.dependencies_added} | {a for a, _ in plan.dependencies_removed})
    for item_id in versioned:
        if item_id not in plan.results:
            await (await tx.run(cypher("items/bump_version"), id=item_id)).consume()


def _run_props(outcome_plan: Plan, observation: Observation, audit: Audit, dry_run: bool) -> dict[str, Any]:
    plan = outcome_plan
    details = {
        "unresolved": [vars(u) for u in observation.unresolved[:REPORTED]],
        "skipped": [vars(s) for s in observation.skipped[:REPORTED]],
        "kept": [
            {"item": k.item, "field": k.field, "current": k.current, "seen": k.seen} for k in plan.kept[:REPORTED]
        ],
        "merged": dict(list(plan.merged.items())[:REPORTED]),
    }
    return {
        "id": str(uuid.uuid4()),
        "source": plan.source,
        "dryRun": dry_run,
        "actor": audit.actor_name,
        "created": len(plan.created),
        "updated": len(plan.updated) - len(plan.retired),
        "retired": len(plan.retired),
        "unchanged": len(plan.unchanged),
        "kept": len(plan.kept),
        "dependenciesAdded": len(plan.dependencies_added),
        "dependenciesRemoved": len(plan.dependencies_removed),
        "unresolved": len(observation.unresolved),
        "skipped": len(observation.skipped),
        "details": json.dumps(details, sort_keys=True, default=str),
    }


# counted by outcome: a rejected document or run is the user's (nothing written), anything else an error
@metrics.counted(
    metrics.DISCOVERY_RUNS, rejected=(RequestError, ValueError), ok=lambda kw: "dry_run" if kw.get("dry_run") else "ok"
)
@translate_unavailable
async def run_discovery(
    driver: AsyncDriver,
    database: str,
    observation: Observation,
    *,
    now: datetime,
    grace: timedelta,
    dry_run: bool,
    audit: Audit,
    allow_mass_retire: bool = False,
) -> RunOutcome:
    """Reconcile `observation` with the database in one transaction (a read one for a dry run). A run that looks like
    a source that vanished (Plan.mass_retirement) is refused with InvalidArgument unless `allow_mass_retire`; a dry
    run reports it in the plan."""

    async def work(tx: AsyncManagedTransaction) -> RunOutcome:
        if not dry_run:
            await (await tx.run(cypher("import/lock"))).consume()  # one import or run at a time
        current, dependencies = await _read(tx, observation)
        plan = plan_run(observation, current, dependencies, now, grace)
        models = _validated(plan, current)
        await _check_refs(tx, models)
        if dry_run:
            return RunOutcome(plan, observation, None)
        vanished = plan.mass_retirement()
        if vanished is not None and not allow_mass_retire:
            raise InvalidArgument(
                f"{vanished}; nothing was written (check the input, or allow it: --allow-mass-retire)"
            )
        changes = await _write(tx, plan, current, models)
        if plan.changes:
            await bump_graph_state(tx)
        also = sorted({a for a, *_ in plan.dependencies_added} | {a for a, _ in plan.dependencies_removed})
        await audit.record(tx, changes, also=also)
        props = _run_props(plan, observation, audit, dry_run)
        run = await (await tx.run(cypher("discovery/record_run"), props=props, at=now.isoformat())).single(strict=True)
        return RunOutcome(plan, observation, str(run["id"]))

    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        if dry_run:
            return await session.execute_read(work)
        return await session.execute_write(work)


async def discovery_runs(repo: ItemRepository, source: str | None, limit: int) -> list[DiscoveryRun]:
    """The last `limit` runs (of one source, if given), newest first."""
    runs = []
    for r in await repo.read(cypher("discovery/runs"), source=source, limit=limit):
        p = native_props(r["props"])
        counts = {k: int(v) for k, v in p.items() if isinstance(v, int) and not isinstance(v, bool)}
        details = json.loads(p["details"])
        runs.append(DiscoveryRun(p["id"], p["source"], p["at"], bool(p["dryRun"]), p["actor"], counts, details))
    return runs


async def run_totals(repo: ItemRepository, limit: int = 1000) -> list[tuple[str, int, float]]:
    """Per source (at most `limit`): the runs recorded and when the last one ran (seconds since the epoch), from
    whichever process ran them (`graphsvc discover` runs in its own)."""
    rows = await repo.read(cypher("discovery/run_totals"), limit=limit)
    return [(str(r["source"]), int(r["runs"]), int(r["lastMillis"]) / 1000) for r in rows]


async def known_names(repo: ItemRepository) -> dict[str, str]:
    """What names each service and configuration item that is not retired, lower-cased: its name, a CI's
    `service.name` attribute and its id (an id wins over a name, a `service.name` over a plain name) -> its id."""
    rows = await repo.read(
        cypher("discovery/known_names"),
        kinds=[Kind.SERVICE.value, Kind.CONFIGURATION_ITEM.value],
        retired="RETIRED",
    )
    names: dict[str, str] = {}
    services: dict[str, str] = {}
    ids: dict[str, str] = {}
    for r in rows:
        if isinstance(r["name"], str):
            names.setdefault(r["name"].lower(), r["id"])
        raw = r["attributes"]
        attributes = json.loads(raw) if isinstance(raw, str) else (raw or {})
        service = attributes.get("service.name") if isinstance(attributes, dict) else None
        if isinstance(service, str) and service:
            services.setdefault(service.lower(), r["id"])
        ids[r["id"].lower()] = r["id"]
    return {**names, **services, **ids}
