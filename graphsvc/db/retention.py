"""Utilization retention (`graphsvc prune-utilization`): raw day buckets older than the raw period become hourly
means and maxima (domain/retention.py), keeping the least-squares sums made from their readings.

A batch of one day's buckets a transaction: each bucket is locked first (a property set and removed in the same
transaction), then read, then written whole, so a writer merging late readings into it either lands before (and is
downsampled with it) or waits and finds it downsampled (and folds them in): nothing is half-written or lost. A
bucket downsampled already has no readings left, so a second run finds nothing to do, and a run stopped part-way
finishes on the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from neo4j import AsyncDriver, AsyncManagedTransaction

from graphsvc.db.connection import translate_unavailable, with_timeout
from graphsvc.db.cypher import cypher
from graphsvc.db.items import ItemRepository
from graphsvc.db.utilization import hours_row
from graphsvc.domain.retention import hourly

__all__ = ["BATCH", "RetentionPlan", "downsample_before", "plan_retention"]

BATCH = 1000  # buckets a transaction: 288,000 five-minute readings read and rewritten


@dataclass(frozen=True)
class RetentionPlan:
    """The raw buckets of days before `cut`: per day, how many buckets and readings."""

    cut: date
    days: list[tuple[date, int, int]]  # (day, buckets, readings), oldest first
    cis: int  # CIs with at least one such bucket

    @property
    def buckets(self) -> int:
        return sum(b for _, b, _ in self.days)

    @property
    def readings(self) -> int:
        return sum(r for _, _, r in self.days)


async def plan_retention(repo: ItemRepository, cut: date) -> RetentionPlan:
    """What downsampling the days before `cut` would do (reads only)."""
    rows = await repo.read(cypher("utilization/retention_plan"), cut=cut)
    days = [(r["day"].to_native(), int(r["buckets"]), int(r["readings"])) for r in rows]
    cis = await repo.read(cypher("utilization/retention_cis"), cut=cut)
    return RetentionPlan(cut, days, int(cis[0]["cis"]) if cis else 0)


async def _batch(tx: AsyncManagedTransaction, day: date, limit: int) -> tuple[int, int]:
    locked = [r["ci"] async for r in await tx.run(cypher("utilization/retention_lock"), day=day, limit=limit)]
    if not locked:
        return 0, 0
    rows: list[dict[str, Any]] = []
    readings = 0
    async for r in await tx.run(cypher("utilization/retention_read"), day=day, cis=locked):
        if r["ms"] is None:  # downsampled by another run between the match and the lock
            continue
        readings += len(r["ms"])
        rows.append({"ci": r["ci"]} | hours_row(hourly(r["ms"], r["bp"])))
    await (await tx.run(cypher("utilization/retention_write"), day=day, rows=rows, cis=locked)).consume()
    return len(rows), readings


@translate_unavailable
async def downsample_before(
    driver: AsyncDriver,
    database: str,
    cut: date,
    progress: Callable[[int, int], None] | None = None,
    *,
    batch: int = BATCH,
) -> tuple[int, int]:
    """Downsample every raw bucket of the days before `cut`, a batch of one day's buckets a transaction; returns the
    buckets and readings downsampled. `progress(done, total)` after each batch (buckets)."""
    plan = await plan_retention(ItemRepository(driver, database), cut)
    total = plan.buckets
    done_buckets = done_readings = 0
    async with driver.session(database=database) as session:
        for day, _, _ in plan.days:
            while True:
                buckets, readings = await session.execute_write(with_timeout(_batch), day, batch)
                if not buckets:
                    break
                done_buckets += buckets
                done_readings += readings
                if progress is not None:
                    progress(min(done_buckets, max(total, done_buckets)), max(total, done_buckets))
    return done_buckets, done_readings
