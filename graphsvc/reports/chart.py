"""A CI's utilization as a small inline SVG chart: its readings, the fitted line, the threshold and the forecast date.

Pure: data in, markup out (tests/unit/test_capacity_chart.py). The y axis is always 0 to 100 %, so that charts side
by side compare at a glance; the x axis is the window, stretched to the forecast date when that lies ahead (up to
twice the window again; back to a window before it: a date further off is written at the edge instead of drawn).
Labels stay out of the plot, where they would hide readings; one that would run into another is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

__all__ = ["FittedLine", "Geometry", "capacity_chart"]

DAY = 86_400.0
READINGS, FIT, THRESHOLD, MARKER, AXIS = "#0b57d0", "#e8710a", "#b3261e", "#b3261e", "#5f6368"


@dataclass(frozen=True)
class FittedLine:
    """The least-squares line: through (`at`, `percent`), rising `slope_per_day` points a day."""

    at: datetime
    percent: float
    slope_per_day: float

    def value(self, when: datetime) -> float:
        return self.percent + self.slope_per_day * (when - self.at).total_seconds() / DAY


@dataclass(frozen=True)
class Geometry:
    """Where the plot sits in the box, and the dates its x axis spans."""

    width: int
    height: int
    lo: datetime
    hi: datetime
    left: int = 38
    right: int = 10
    top: int = 8
    bottom: int = 20

    @property
    def x0(self) -> float:
        return float(self.left)

    @property
    def x1(self) -> float:
        return float(self.width - self.right)

    @property
    def y0(self) -> float:  # 100 %
        return float(self.top)

    @property
    def y1(self) -> float:  # 0 %
        return float(self.height - self.bottom)

    def x(self, when: datetime) -> float:
        span = (self.hi - self.lo).total_seconds() or 1.0
        return self.x0 + (when - self.lo).total_seconds() / span * (self.x1 - self.x0)

    def y(self, percent: float) -> float:
        return self.y1 - min(max(percent, 0.0), 100.0) / 100 * (self.y1 - self.y0)


def _f(v: float) -> str:
    return f"{v:.1f}"


def _day(when: datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _width(text: str, *, bold: bool = False) -> float:
    """About how wide `text` is set at 10 px (digits and "-" are about 0.6 em; an arrow and its space about 1.3 em)."""
    return (len(text.replace("&#8594; ", "").replace("&#8592; ", "")) * (6.2 if bold else 5.8)) + (
        13.0 if text.startswith("&#") else 0.0
    )


def _thin(xy: list[tuple[float, float]], columns: int) -> list[tuple[float, float]]:
    """At most the lowest and the highest reading of each pixel column, in time order: the envelope survives."""
    if len(xy) <= 2 * columns:
        return xy
    out: list[tuple[float, float]] = []
    k = 0
    while k < len(xy):
        column = int(xy[k][0])
        j = k
        while j < len(xy) and int(xy[j][0]) == column:
            j += 1
        group = xy[k:j]
        low, high = min(group, key=lambda p: -p[1]), min(group, key=lambda p: p[1])  # y grows downwards
        out += sorted({low, high}, key=group.index)
        k = j
    return out


def _line_span(
    line: FittedLine, points: Sequence[tuple[datetime, float]], end: datetime, forecast_at: datetime | None
) -> tuple[datetime, datetime]:
    """From the first reading to the forecast date (or the last reading, if later); to the window's end when the line
    does not rise."""
    first = points[0][0] if points else line.at
    last = points[-1][0] if points else line.at
    if line.slope_per_day <= 0 or forecast_at is None:
        return first, max(last, end)
    return min(first, forecast_at), max(last, forecast_at)


def _clip(line: FittedLine, a: datetime, b: datetime) -> tuple[datetime, datetime] | None:
    """The part of [a, b] where the line is within 0..100 % (found along [a, b]: no date from a near-flat slope)."""
    span = (b - a).total_seconds()
    if span <= 0:
        return None
    va, vb = line.value(a), line.value(b)
    if va == vb:
        return (a, b) if 0 <= va <= 100 else None
    s0, s1 = sorted(((0 - va) / (vb - va), (100 - va) / (vb - va)))
    s0, s1 = max(s0, 0.0), min(s1, 1.0)
    if s0 >= s1:
        return None
    return a + timedelta(seconds=span * s0), a + timedelta(seconds=span * s1)


def capacity_chart(
    points: Sequence[tuple[datetime, float]],
    *,
    start: datetime,
    end: datetime,
    threshold: float,
    line: FittedLine | None,
    forecast_at: datetime | None,
    title: str,
    width: int = 360,
    height: int = 120,
) -> str:
    """An inline <svg> of `points` (time, percent; oldest first) over [start, end]: the readings as a polyline, the
    fitted line, a dashed threshold line, and a marker at the forecast date with the date in red on the x axis."""
    lo, hi = start, end
    if points:
        lo, hi = min(lo, points[0][0]), max(hi, points[-1][0])
    past, horizon = start - (end - start), end + 2 * (end - start)
    off_chart = forecast_at is not None and not past <= forecast_at <= horizon
    if forecast_at is not None:
        lo, hi = min(lo, max(forecast_at, past)), max(hi, min(forecast_at, horizon))
    g = Geometry(width, height, lo, hi)
    label = escape(title, quote=True)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="capacity-chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{label}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="10">',
        f"<title>{label}</title>",
        f'<rect x="{_f(g.x0)}" y="{_f(g.y0)}" width="{_f(g.x1 - g.x0)}" height="{_f(g.y1 - g.y0)}" fill="#fafbfc" '
        'stroke="#d0d4d9" stroke-width="1"/>',
    ]
    # the y axis: 0, 50 and 100 %, but not where the threshold's own label would overlap them
    for pct in (0, 50, 100):
        y = g.y(pct)
        if 0 < pct < 100:
            out.append(f'<line x1="{_f(g.x0)}" y1="{_f(y)}" x2="{_f(g.x1)}" y2="{_f(y)}" stroke="#e3e5e8"/>')
        if abs(pct - threshold) >= 12:
            out.append(
                f'<text class="tick" x="{_f(g.x0 - 4)}" y="{_f(y + 3.5)}" text-anchor="end" fill="{AXIS}">'
                f"{pct} %</text>"
            )
    # the threshold, dashed, named on the y axis
    y_t = g.y(threshold)
    out.append(
        f'<line class="threshold" x1="{_f(g.x0)}" y1="{_f(y_t)}" x2="{_f(g.x1)}" y2="{_f(y_t)}" '
        f'stroke="{THRESHOLD}" stroke-width="1.2" stroke-dasharray="5 3"/>'
        f'<text class="threshold-label" x="{_f(g.x0 - 4)}" y="{_f(y_t + 3.5)}" text-anchor="end" '
        f'fill="{THRESHOLD}" font-weight="600">{threshold:g} %</text>'
    )
    # the readings, under the line (which would vanish under a month of them)
    xy = _thin([(g.x(at), g.y(pct)) for at, pct in points], int(g.x1 - g.x0))
    if len(xy) == 1:
        out.append(f'<circle class="readings" cx="{_f(xy[0][0])}" cy="{_f(xy[0][1])}" r="2" fill="{READINGS}"/>')
    elif xy:
        coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in xy)
        out.append(
            f'<polyline class="readings" points="{coords}" fill="none" stroke="{READINGS}" stroke-width="1.5" '
            'stroke-linejoin="round"/>'
        )
        if len(xy) <= (g.x1 - g.x0) / 6:  # few enough to show each reading
            out += [f'<circle cx="{_f(x)}" cy="{_f(y)}" r="1.8" fill="{READINGS}"/>' for x, y in xy]
    # the fitted line, to the forecast date
    if line is not None:
        a, b = _line_span(line, points, end, forecast_at)
        clipped = _clip(line, max(a, lo), min(b, hi))
        if clipped is not None:
            a, b = clipped
            out.append(
                f'<line class="fit" x1="{_f(g.x(a))}" y1="{_f(g.y(line.value(a)))}" x2="{_f(g.x(b))}" '
                f'y2="{_f(g.y(line.value(b)))}" stroke="{FIT}" stroke-width="1.5"/>'
            )
    # the forecast date: a marker where the line meets the threshold, a dotted line down to the axis and the date
    # there, in red; nothing of it inside the plot, where it would hide readings
    wanted: list[tuple[str, float, str, str]] = []  # (class, x, anchor, text), the first placed first
    if forecast_at is not None and off_chart:
        later = forecast_at > horizon
        wanted.append(
            ("forecast-label", g.x1, "end", "&#8594; " + _day(forecast_at))
            if later
            else ("forecast-label", g.x0, "start", "&#8592; " + _day(forecast_at))
        )
    elif forecast_at is not None:
        x_f = g.x(forecast_at)
        out.append(
            f'<line class="forecast-drop" x1="{_f(x_f)}" y1="{_f(y_t)}" x2="{_f(x_f)}" y2="{_f(g.y1)}" '
            f'stroke="{MARKER}" stroke-width="1" stroke-dasharray="1 2"/>'
            f'<circle class="forecast" cx="{_f(x_f)}" cy="{_f(y_t)}" r="3.5" fill="#fff" stroke="{MARKER}" '
            'stroke-width="2"/>'
        )
        half = _width(_day(forecast_at), bold=True) / 2
        wanted.append(("forecast-label", min(max(x_f, half + 2), width - half - 2), "middle", _day(forecast_at)))
    # the x axis: the first and the last date, and "now" when the axis runs on past it; a label that would run
    # into one placed before it is left out
    wanted += [("tick", g.x0, "start", _day(lo)), ("tick", g.x1, "end", _day(hi))]
    x_now = g.x(end)
    if hi > end:
        wanted.append(("tick now", x_now, "middle", "now"))
    placed: list[tuple[float, float]] = []
    for cls, x, anchor, text in wanted:
        w = _width(text, bold=cls == "forecast-label")
        left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        if any(left < b + 6 and a < left + w + 6 for a, b in placed):
            continue
        placed.append((left, left + w))
        if cls == "tick now":  # where the readings end and the forecast runs on
            out.append(
                f'<line class="now" x1="{_f(x)}" y1="{_f(g.y0)}" x2="{_f(x)}" y2="{_f(g.y1)}" stroke="#9aa0a6" '
                'stroke-dasharray="2 2"/>'
            )
        color, weight = (MARKER, ' font-weight="600"') if cls == "forecast-label" else (AXIS, "")
        out.append(
            f'<text class="{cls}" x="{_f(x)}" y="{_f(g.y1 + 13)}" text-anchor="{anchor}" fill="{color}"{weight}>'
            f"{text}</text>"
        )
    out.append("</svg>")
    return "".join(out)
