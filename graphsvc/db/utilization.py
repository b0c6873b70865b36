"""Utilization readings in Neo4j: day buckets per CI (domain/readings.py says why), written a batch at a time.

A batch is checked whole before anything is written (domain/readings.check_readings), then written in one
transaction: the buckets it touches are read, merged with it and written back; each CI whose newest reading in the
batch is newer than the one its `utilization` came from (`utilizationAt`) gets that reading as its `utilization`;
one audit entry describes the batch (and a STATE entry keeps the changed CIs' states for the estate's journal).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction, RoutingControl

from graphsvc.db.audit import Audit
from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.domain.readings import (
    CiReading,
    DaySums,
    bucket_keys,
    check_readings,
    day_sums,
    from_bp,
    from_bucket,
    merge_into,
    to_bp,
)
from graphsvc.domain.retention import (
    HourlyDay,
    combine_sums,
    fold_into,
    hourly_points,
    hourly_sums,
    late_sums,
    pack,
    unpack,
)
from graphsvc.domain.rows import to_rfc3339
from graphsvc.domain.validation import DocumentInvalid
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "Hours",
    "RecordSummary",
    "bucket_row",
    "ci_targets",
    "export_readings",
    "history_between",
    "hours_row",
    "readings_between",
    "record_readings",
    "record_readings_in",
    "window_sums",
]

Series = dict[str, list[tuple[datetime, float]]]
Hours = dict[str, list[tuple[datetime, float, int]]]  # per CI, downsampled days' hours: (start, mean, readings)


@dataclass(frozen=True)
class RecordSummary:
    """What a batch did: readings taken, CIs and day buckets they touched, CIs whose `utilization` moved."""

    readings: int
    cis: int
    days: int
    latest_updated: list[str]


async def _kinds(tx: AsyncManagedTransaction, ids: list[str]) -> dict[str, Kind]:
    result = await tx.run(cypher("utilization/kinds"), ids=ids)
    return {r["id"]: Kind(r["kind"]) async for r in result}


async def record_readings_in(
    tx: AsyncManagedTransaction, readings: Sequence[CiReading], audit: Audit, *, now: datetime, base: str = "readings"
) -> RecordSummary:
    """Check and write a batch in the caller's transaction; DocumentInvalid (nothing written) naming each bad
    reading's position under `base`."""
    kinds = await _kinds(tx, sorted({r.ci for r in readings}))
    problems = check_readings(readings, kinds, now, base)
    if problems:
        raise DocumentInvalid(problems)
    if not readings:
        return RecordSummary(0, 0, 0, [])
    batch = bucket_keys(readings)
    keys = [{"ci": ci, "day": day} for ci, day in batch]
    stored = {
        (r["ci"], r["day"].to_native()): r async for r in await tx.run(cypher("utilization/read_days"), keys=keys)
    }
    rows = [bucket_row(ci, day, new, stored.get((ci, day))) for (ci, day), new in batch.items()]
    await (await tx.run(cypher("utilization/write_days"), rows=rows)).consume()
    newest: dict[str, CiReading] = {}
    for r in readings:  # the newest per CI; at the same time the later in the batch, as the bucket keeps it
        if r.ci not in newest or r.at >= newest[r.ci].at:
            newest[r.ci] = r
    latest = [
        {"ci": r.ci, "at": r.at.astimezone(UTC).isoformat(), "percent": float(r.percent)} for r in newest.values()
    ]
    changed = [rec["id"] async for rec in await tx.run(cypher("utilization/set_latest"), rows=latest)]
    span = sorted(r.at for r in readings)
    summary = {
        "readings": len(readings),
        "cis": len(newest),
        "from": to_rfc3339(span[0]),
        "to": to_rfc3339(span[-1]),
        "utilizationUpdated": sorted(changed)[:100],
    }
    # One entry for the batch, whatever its size: the readings themselves are the record of what came in.
    await audit.record(tx, [("", None, summary)], kind="UTILIZATION")
    if changed:
        await audit.record_states(tx, sorted(changed))
    return RecordSummary(len(readings), len(newest), len(rows), sorted(changed))


def bucket_row(ci: str, day: date, new: list[tuple[int, float]], stored: Any) -> dict[str, Any]:
    """The row (cypher/utilization/write_days) that writes a bucket back with `new` (ms, percent) in: a raw bucket's
    readings merged (their sums made afresh), or a downsampled one's hours and sums with the late readings folded in
    (domain/retention.py)."""
    row: dict[str, Any] = {"ci": ci, "day": day, "ms": None, "bp": None, "hourBp": None, "hourN": None}
    if stored is not None and stored["hourN"] is not None:
        late = [(m, to_bp(p)) for m, p in new]
        row |= hours_row(fold_into(_hours(stored), late))
        added = late_sums(day, late)
        assert added is not None  # a batch's bucket holds a reading
        sums = combine_sums(_stored_sums(day, stored), added)
    else:
        row["ms"], row["bp"] = (
            merge_into(stored["ms"], stored["bp"], new) if stored is not None else merge_into([], [], new)
        )
        found = day_sums(day, row["ms"], from_bp(row["bp"]))
        assert found is not None  # a bucket written holds a reading
        sums = found
    last_ms = (sums.last_at - datetime.combine(day, time(), UTC)) // timedelta(milliseconds=1)
    row["sums"] = {
        "n": sums.n,
        "mt": sums.mt,
        "my": sums.my,
        "m2": sums.m2,
        "c": sums.c,
        "lastMs": last_ms,
        "lastPct": sums.last_pct,
    }
    return row


def _stored_sums(day: date, r: Any) -> DaySums:
    begin = datetime.combine(day, time(), UTC)
    return DaySums(begin, r["n"], r["mt"], r["my"], r["m2"], r["c"], _at(day, r["lastMs"]), r["lastPct"])


@translate_unavailable
async def record_readings(
    driver: AsyncDriver, database: str, readings: Sequence[CiReading], *, audit: Audit, now: datetime | None = None
) -> RecordSummary:
    """Check and write a batch of readings in one transaction (DocumentInvalid, nothing written, on any problem)."""
    when = now or datetime.now(UTC)
    async with driver.session(database=database, bookmark_manager=driver.execute_query_bookmark_manager) as session:
        result: RecordSummary = await session.execute_write(with_timeout(_record), readings, audit, when)
        return result


async def _record(
    tx: AsyncManagedTransaction, readings: Sequence[CiReading], audit: Audit, now: datetime
) -> RecordSummary:
    return await record_readings_in(tx, readings, audit, now=now)


async def history_between(
    repo: ItemRepository, cis: Sequence[str] | None, start: datetime, end: datetime, *, end_included: bool = False
) -> tuple[Series, Hours]:
    """The readings of `cis` (every CI's when None) in [start, end) ([start, end] if `end_included`), oldest first,
    by CI; and apart, the hours of the downsampled days in that range whose start lies in it (start, mean percent,
    readings it is the mean of)."""
    params: dict[str, Any] = {
        "first": start.astimezone(UTC).date(),
        "last": end.astimezone(UTC).date(),
        "cis": None if cis is None else list(cis),
    }

    def inside(at: datetime) -> bool:
        return start <= at and (at <= end if end_included else at < end)

    raw: Series = {}
    hours: Hours = {}
    for r in await repo.read(cypher("utilization/days_between"), **params):
        day: date = r["day"].to_native()
        if r["hourN"] is not None:
            found = [p for p in hourly_points(day, _hours(r)) if inside(p[0])]
            if found:
                hours.setdefault(r["ci"], []).extend(found)
            continue
        points = [p for p in from_bucket(day, r["ms"], r["bp"]) if inside(p[0])]
        if points:
            raw.setdefault(r["ci"], []).extend(points)
    return raw, hours


async def readings_between(
    repo: ItemRepository, cis: Sequence[str] | None, start: datetime, end: datetime, *, end_included: bool = False
) -> Series:
    """The readings of `cis` (every CI's when None) in [start, end) ([start, end] if `end_included`), oldest first,
    by CI; of a downsampled day, its hourly means, at each hour's start."""
    raw, hours = await history_between(repo, cis, start, end, end_included=end_included)
    out: Series = {}
    for ci in sorted(raw.keys() | hours.keys()):
        out[ci] = sorted(raw.get(ci, []) + [(at, pct) for at, pct, _ in hours.get(ci, [])])
    return out


def _hours(r: Any) -> HourlyDay:
    return unpack(r["hourBp"], r["hourN"])


def hours_row(h: HourlyDay) -> dict[str, list[int]]:
    """A downsampled day's properties (domain/retention.pack): `hourBp`, the hours' means then maxima; `hourN`."""
    hour_bp, hour_n = pack(h)
    return {"hourBp": hour_bp, "hourN": hour_n}


async def window_sums(repo: ItemRepository, start: datetime, end: datetime) -> dict[str, list[DaySums]]:
    """Per CI, the sums of its readings in [start, end]: one DaySums for the days wholly inside (their stored sums
    combined pairwise in Neo4j, so that a CI's month comes back as one row, not thirty: the answer's size, not
    Neo4j, is what took the time at 10,000 CIs), and one for each day the window cuts, from the readings inside;
    of a downsampled day it cuts (a window longer than the raw period, not aligned to midnight), the sums of its
    hours inside, each hour's mean at the hour's start: an approximation, the readings being gone."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first, last = start.date(), end.date()
    origin = datetime.combine(first, time(), UTC)
    last_ms = (end - datetime.combine(last, time(), UTC)) // timedelta(milliseconds=1)
    rows = await repo.read(cypher("utilization/window_sums"), first=first, last=last, lastMs=last_ms)
    out: dict[str, list[DaySums]] = {}
    for r in rows:
        found: list[DaySums] = []
        if r["n"]:
            last_at = _at(r["lastDay"].to_native(), r["lastMs"])
            found.append(DaySums(origin, r["n"], r["mx"], r["my"], r["m2"], r["c"], last_at, r["lastPct"]))
        for cut in r["cuts"]:
            sums = _cut_sums(cut, start, end)
            if sums is not None:
                found.append(sums)
        if found:
            out[r["ci"]] = found
    return out


def _cut_sums(r: Any, start: datetime, end: datetime) -> DaySums | None:
    """The sums of the readings in [start, end] of a day the window cuts."""
    day: date = r["day"].to_native()
    if r["ms"] is not None:
        inside = [(m, b) for m, b in zip(r["ms"], r["bp"], strict=True) if start <= _at(day, m) <= end]
        return day_sums(day, [m for m, _ in inside], from_bp([b for _, b in inside]))
    if r["hourN"] is not None and not (start <= _at(day, 0) and _at(day, r["lastMs"]) <= end):
        return hourly_sums(day, _hours(r), start, end)  # a downsampled day the window cuts: approximately
    return _stored_sums(day, r)


def _at(day: date, ms: int) -> datetime:
    return datetime.combine(day, time(), UTC) + timedelta(milliseconds=ms)


async def export_readings(driver: AsyncDriver, database: str, page: int = 2000) -> list[dict[str, Any]]:
    """Every reading as the exchange's `utilizationReadings`, by CI then time; of a day kept downsampled, its hourly
    means as readings at each hour's start (docs/data-model.md); read a page of buckets at a time."""
    out: list[dict[str, Any]] = []
    after: dict[str, Any] | None = None
    while True:
        records, _, _ = await driver.execute_query(
            cypher("utilization/export_page"),
            after=after,
            limit=page,
            database_=database,
            routing_=RoutingControl.READ,
        )
        for r in records:
            day = r["day"].to_native()
            if r["hourN"] is not None:  # a downsampled day: its hourly means, each at its hour's start
                points = [(at, pct) for at, pct, _ in hourly_points(day, _hours(r))]
            else:
                points = from_bucket(day, r["ms"], r["bp"])
            for at, pct in points:
                out.append({"ci": r["ci"], "at": to_rfc3339(at), "percent": pct})
        if len(records) < page:
            return out
        after = {"ci": records[-1]["ci"], "day": records[-1]["day"]}


async def ci_targets(
    repo: ItemRepository, ids: Sequence[str], hosts: Sequence[str]
) -> tuple[set[str], dict[str, list[str]]]:
    """What readings from monitoring may name: which of `ids` are configuration items, and the CIs (RETIRED ones
    left out) whose `hostname` attribute is each of `hosts` (lower case), as the alert intake finds them."""
    kinds = await repo.read(cypher("utilization/kinds"), ids=sorted(set(ids)))
    cis = {r["id"] for r in kinds if r["kind"] == Kind.CONFIGURATION_ITEM.value}
    wanted = {h.lower() for h in hosts}
    found: dict[str, list[str]] = {}
    if wanted:
        as_stored = sorted(json.dumps(h)[1:-1].lower() for h in wanted)
        for r in await repo.read(cypher("alerts/hostnames"), hosts=as_stored):
            try:
                hostname = json.loads(r["attributes"]).get("hostname")
            except (ValueError, AttributeError):
                continue
            if isinstance(hostname, str) and hostname.lower() in wanted and r["status"] != "RETIRED":
                found.setdefault(hostname.lower(), []).append(r["id"])
    return cis, {h: sorted(v) for h, v in found.items()}
