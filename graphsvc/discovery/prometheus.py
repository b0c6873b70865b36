"""Utilization readings from Prometheus (SEMANTICS.md, "Utilization history and capacity forecast"): the answer of a
range query (`/api/v1/query_range`: a matrix of series, each with its labels and `[unix time, "value"]` pairs; an
instant query's vector is taken too) as readings of the CIs its series name.

A series maps to a CI by its `cmdb_id` label, else by the host part of its `instance` label against the CIs'
`hostname` attribute, as the alert intake maps alerts. A series that maps to no CI (or to several) is reported, not
an error. A value that is not a finite number, outside 0..100 (after `fractions` scales 0..1 to percents), or at a
time in the future is an error naming the file and the value's place (`data.result[2].values[14]`); the file is
checked whole before anything is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphsvc.discovery.documents import DiscoveryInputError, decode_text
from graphsvc.domain.readings import CLOCK_SKEW, CiReading

__all__ = ["MappedSeries", "Series", "map_series", "read_range_query"]

SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Series:
    where: str  # "data.result[3]"
    labels: Mapping[str, str]
    points: tuple[tuple[datetime, float], ...]  # (time, percent)

    @property
    def cmdb_id(self) -> str | None:
        return self.labels.get("cmdb_id") or None

    @property
    def host(self) -> str | None:
        """The host part of the `instance` label (`web-01:9100` -> `web-01`), lower case."""
        instance = self.labels.get("instance", "")
        if instance.startswith("["):  # [::1]:9100
            return instance[1 : instance.find("]")].lower() or None
        return instance.rsplit(":", 1)[0].lower() if instance.count(":") == 1 else (instance.lower() or None)


@dataclass(frozen=True)
class MappedSeries:
    readings: list[CiReading]
    mapped: dict[str, str]  # series `where` -> CI id
    unmapped: list[tuple[str, str]]  # (series `where` and its labels, why)


def read_range_query(name: str, data: bytes, *, fractions: bool, now: datetime | None = None) -> list[Series]:
    """The series of a Prometheus query answer (`{"status": "success", "data": {...}}`, or its `data` alone)."""
    try:
        document = json.loads(decode_text(name, data))
    except RecursionError:
        raise DiscoveryInputError(f"{name}: nested too deeply to read") from None
    except ValueError as exc:
        raise DiscoveryInputError(f"{name}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise DiscoveryInputError(f"{name}: not a Prometheus query answer (an object with `data.result`)")
    if document.get("status") == "error":
        raise DiscoveryInputError(f"{name}: Prometheus answered an error: {document.get('error', '?')}")
    payload, base = (document["data"], "data") if isinstance(document.get("data"), dict) else (document, "")
    kind, result = payload.get("resultType"), payload.get("result")
    prefix = f"{base}." if base else ""
    if kind not in ("matrix", "vector") or not isinstance(result, list):
        raise DiscoveryInputError(
            f"{name}: {prefix}resultType must be matrix (a range query) or vector, with a `result` list; got {kind!r}"
        )
    latest = (now or datetime.now(UTC)) + CLOCK_SKEW
    problems: list[str] = []
    found = []
    for i, entry in enumerate(result):
        where = f"{prefix}result[{i}]"
        entry = entry if isinstance(entry, dict) else {}
        labels = entry.get("metric")
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            problems.append(f"{where}.metric: not an object of string labels")
            continue
        pairs = entry.get("values") if kind == "matrix" else [entry.get("value")]
        field = "values" if kind == "matrix" else "value"
        if not isinstance(pairs, list):
            problems.append(f"{where}.{field}: not a list of [time, value] pairs")
            continue
        points = []
        for j, pair in enumerate(pairs):
            place = f"{where}.values[{j}]" if kind == "matrix" else f"{where}.value"
            point = _point(pair, fractions, latest, place, problems)
            if point is not None:
                points.append(point)
        found.append(Series(where, dict(labels), tuple(points)))
    if problems:
        shown = problems[:SHOWN_PROBLEMS]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise DiscoveryInputError(
            f"{name}: {len(problems)} bad value(s); nothing was written:\n  " + "\n  ".join(shown) + more
        )
    return found


def _point(
    pair: Any, fractions: bool, latest: datetime, place: str, problems: list[str]
) -> tuple[datetime, float] | None:
    if (
        not isinstance(pair, list)
        or len(pair) != 2
        or not isinstance(pair[0], int | float)
        or isinstance(pair[0], bool)
    ):
        problems.append(f'{place}: not a [unix time, "value"] pair')
        return None
    raw = pair[1]
    try:
        value = float(raw) if isinstance(raw, str | int | float) and not isinstance(raw, bool) else math.nan
        at = datetime.fromtimestamp(pair[0], UTC)
    except (ValueError, OverflowError, OSError):
        problems.append(f"{place}: {pair!r} is not a time and a number")
        return None
    if not math.isfinite(value):
        problems.append(f"{place}: {raw!r} is not a finite number (a gap in the series? drop it from the query)")
        return None
    percent = value * 100 if fractions else value
    if not 0 <= percent <= 100:
        hint = "" if fractions else " (values from 0 to 1? give --fractions)"
        problems.append(f"{place}: {percent:g} is outside 0..100 percent{hint}")
        return None
    if at > latest:
        problems.append(f"{place}: {at.isoformat()} is in the future")
        return None
    return at, percent


def map_series(series: Sequence[Series], ci_ids: set[str], hosts: Mapping[str, Sequence[str]]) -> MappedSeries:
    """The readings of the series that name one CI: `ci_ids` the CIs (not retired) the `cmdb_id` labels name, `hosts`
    the CIs by lower-case hostname."""
    readings: list[CiReading] = []
    mapped: dict[str, str] = {}
    unmapped: list[tuple[str, str]] = []
    for s in series:
        shown = s.where + " " + json.dumps(dict(s.labels), sort_keys=True)
        ci, why = None, ""
        if s.cmdb_id is not None:
            ci = s.cmdb_id if s.cmdb_id in ci_ids else None
            why = f"cmdb_id {s.cmdb_id!r} is no configuration item in the CMDB"
        elif s.host is not None:
            found = hosts.get(s.host, ())
            ci = found[0] if len(found) == 1 else None
            why = (
                f"no CI has the hostname {s.host!r}"
                if not found
                else f"{len(found)} CIs have the hostname {s.host!r}: {', '.join(found)}; label it with cmdb_id"
            )
        else:
            why = "no cmdb_id or instance label"
        if ci is None:
            unmapped.append((shown, why))
            continue
        mapped[s.where] = ci
        readings += [CiReading(ci, at, percent) for at, percent in s.points]
    return MappedSeries(readings, mapped, unmapped)
