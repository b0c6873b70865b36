"""Maintenance windows in local time: the allowed intervals of a MAINTENANCE_WINDOW rule, in UTC.

A rule allows `[startHour, endHour)` local time on each of its weekdays (an `endHour` at or before `startHour`
runs past midnight into the next day; 24 is midnight). Times are converted with the IANA zone database, so a
window keeps its local hours across daylight-saving changes. Adjacent allowed intervals merge, so SAT 00-24 and
SUN 00-24 make one weekend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["WEEKDAYS", "allowed_intervals", "describe_window", "inside", "next_allowed_start", "zone"]

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def zone(rule: dict[str, Any]) -> ZoneInfo:
    name = rule.get("timezone") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def _local(day: date, hour: int, tz: ZoneInfo) -> datetime:
    extra, hour = divmod(hour, 24)
    return datetime.combine(day + timedelta(days=extra), time(hour), tzinfo=tz).astimezone(UTC)


def allowed_intervals(rule: dict[str, Any], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The merged UTC intervals the rule allows that touch [start, end)."""
    tz = zone(rule)
    days = {WEEKDAYS.index(d) for d in rule.get("weekdays", [])}
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    s_hour, e_hour = int(rule["startHour"]), int(rule["endHour"])
    if e_hour <= s_hour:
        e_hour += 24
    intervals: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day.weekday() in days:
            a, b = _local(day, s_hour, tz), _local(day, e_hour, tz)
            if intervals and a <= intervals[-1][1]:
                intervals[-1] = (intervals[-1][0], max(b, intervals[-1][1]))
            else:
                intervals.append((a, b))
        day += timedelta(days=1)
    return [(a, b) for a, b in intervals if b > start and a < end]


def inside(rule: dict[str, Any], start: datetime, end: datetime) -> bool:
    """Whether [start, end) lies wholly inside the hours the rule allows."""
    return any(a <= start and end <= b for a, b in allowed_intervals(rule, start, end))


def next_allowed_start(rule: dict[str, Any], at: datetime, length: timedelta, horizon: datetime) -> datetime | None:
    """The earliest t >= at with [t, t + length) inside the rule's hours, before `horizon`; None if there is none."""
    chunk = timedelta(days=14)
    lo = at
    while lo < horizon:
        for a, b in allowed_intervals(rule, lo, lo + chunk):
            t = max(a, at)
            if b - t >= length:
                return t
        lo += chunk
    return None


def describe_window(rule: dict[str, Any]) -> str:
    days = ", ".join(d for d in WEEKDAYS if d in set(rule.get("weekdays", []))) or "no day"
    return f"{days} {int(rule['startHour']):02d}:00-{int(rule['endHour']):02d}:00 {rule.get('timezone') or 'UTC'}"
