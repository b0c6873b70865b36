"""The shipped demo CMDB (seeds/demo.json), as `graphsvc seed demo` loads it.

The demo is set on 19 November 2026, and its utilization readings end then. The capacity forecast looks at the
readings of the last 30 days before now (SEMANTICS.md), so a demo loaded later would forecast nothing: its readings
are moved forward, whole hours, so the latest is at the hour `now` is in. Their shape (and every other date of the
demo: incidents, changes) stays as written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.resources import resource_dir

__all__ = ["demo_document", "readings_brought_forward"]


def readings_brought_forward(document: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The document with its `utilizationReadings` shifted by whole hours so the latest is within the hour before
    `now` (a copy; the document given is left as it is)."""
    readings = document.get("utilizationReadings") or []
    if not readings:
        return document
    times = [datetime.fromisoformat(r["at"].replace("Z", "+00:00")) for r in readings]
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    shift = timedelta(hours=(hour - max(times)) // timedelta(hours=1))
    moved = [
        r | {"at": (at + shift).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for r, at in zip(readings, times, strict=True)
    ]
    return document | {"utilizationReadings": moved}


def demo_document(now: datetime | None = None) -> dict[str, Any]:
    """seeds/demo.json, its readings brought forward to `now` (default: the clock's)."""
    document: dict[str, Any] = json.loads(resource_dir("seeds").joinpath("demo.json").read_text(encoding="utf-8"))
    return readings_brought_forward(document, now or datetime.now(UTC))
