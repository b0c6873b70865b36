"""The capacity report's chart (reports/chart.py): everything drawn inside its box, the threshold where it belongs,
the forecast marker when there is a date to mark, and names from the CMDB escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.reports.chart import FittedLine, Geometry, capacity_chart

NS = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=30)
W, H = 360, 120


def svg(**kw: object) -> ET.Element:
    args: dict[str, object] = {
        "points": [],
        "start": START,
        "end": NOW,
        "threshold": 85.0,
        "line": None,
        "forecast_at": None,
        "title": "CI-1",
    }
    args.update(kw)
    return ET.fromstring(capacity_chart(**args))  # type: ignore[arg-type]


def rising(days: int = 21, start: float = 40.0, per_day: float = 1.0) -> list[tuple[datetime, float]]:
    first = NOW - timedelta(days=days - 1)
    return [(first + timedelta(days=k), start + per_day * k) for k in range(days)]


def coordinates(root: ET.Element) -> list[tuple[float, float]]:
    """Every (x, y) the chart draws or writes at."""
    out: list[tuple[float, float]] = []
    for el in root.iter():
        a = el.attrib
        for x, y in (("x", "y"), ("x1", "y1"), ("x2", "y2"), ("cx", "cy")):
            if x in a and y in a:
                out.append((float(a[x]), float(a[y])))
        if "width" in a and "x" in a:
            out.append((float(a["x"]) + float(a["width"]), float(a["y"]) + float(a["height"])))
        if el.tag == NS + "polyline":
            out += [(float(p.split(",")[0]), float(p.split(",")[1])) for p in a["points"].split()]
    return out


def inside(root: ET.Element) -> bool:
    return all(0 <= x <= W and 0 <= y <= H for x, y in coordinates(root))


def one(root: ET.Element, tag: str, cls: str) -> ET.Element:
    found = [el for el in root.iter(NS + tag) if el.get("class") == cls]
    assert len(found) == 1, (tag, cls, len(found))
    return found[0]


def test_a_rising_line_is_drawn_to_its_forecast_date() -> None:
    points = rising()  # 40 to 60, a point a day: 85 in 25 days
    when = NOW + timedelta(days=25)
    root = svg(points=points, line=FittedLine(when, 85.0, 1.0), forecast_at=when)
    assert root.get("width") == str(W) and root.get("height") == str(H) and inside(root)
    g = Geometry(W, H, START, when)
    threshold = one(root, "line", "threshold")
    assert float(threshold.get("y1", "")) == float(threshold.get("y2", "")) == round(g.y(85), 1)
    assert float(threshold.get("x1", "")) == g.x0 and float(threshold.get("x2", "")) == g.x1
    assert "stroke-dasharray" in threshold.attrib
    marker = one(root, "circle", "forecast")
    assert (float(marker.get("cx", "")), float(marker.get("cy", ""))) == (round(g.x1, 1), round(g.y(85), 1))
    assert one(root, "text", "forecast-label").text == "2026-12-29"
    fit = one(root, "line", "fit")  # from the first reading to the marker
    assert float(fit.get("x1", "")) == round(g.x(points[0][0]), 1) and float(fit.get("y1", "")) == round(g.y(40), 1)
    assert (float(fit.get("x2", "")), float(fit.get("y2", ""))) == (round(g.x1, 1), round(g.y(85), 1))
    readings = one(root, "polyline", "readings").get("points", "").split()
    assert len(readings) == 21 and readings[-1] == f"{g.x(NOW):.1f},{g.y(60):.1f}"
    ticks = [t.text for t in root.iter(NS + "text") if (t.get("class") or "").startswith("tick")]
    assert ticks[:3] == ["0 %", "50 %", "100 %"]  # 100 % is 15 points from the threshold's label: room for both
    assert "2026-11-04" in ticks and "now" in ticks
    assert "2026-12-29" not in ticks  # the axis ends at the forecast date: its red label stands for both
    drop = one(root, "line", "forecast-drop")  # from the marker down to the axis
    assert (drop.get("x1"), drop.get("y1"), drop.get("y2")) == (f"{g.x1:.1f}", f"{g.y(85):.1f}", f"{g.y1:.1f}")
    label = one(root, "text", "forecast-label")
    assert float(label.get("y", "")) > g.y1 and label.get("text-anchor") == "middle"  # below the plot


def test_the_threshold_sits_at_its_height_and_crowds_no_tick() -> None:
    for threshold in (0.0, 30.0, 50.0, 85.0, 95.0, 100.0):
        root = svg(points=rising(), threshold=threshold)
        g = Geometry(W, H, START, NOW)
        assert float(one(root, "line", "threshold").get("y1", "")) == round(g.y(threshold), 1)
        assert one(root, "text", "threshold-label").text == f"{threshold:g} %"
        ticks = [int(t.text[:-2]) for t in root.iter(NS + "text") if t.get("class") == "tick" and t.text[-2:] == " %"]
        assert all(abs(p - threshold) >= 12 for p in ticks)
        assert (0 in ticks) == (threshold >= 12) and (100 in ticks) == (threshold <= 88)


def test_no_date_no_marker_and_a_flat_line_runs_to_the_window_end() -> None:
    root = svg(points=rising(per_day=0.0, start=50.0), line=FittedLine(NOW, 50.0, 0.0))
    assert not [el for el in root.iter() if el.get("class") in ("forecast", "forecast-label")]
    fit = one(root, "line", "fit")
    g = Geometry(W, H, START, NOW)
    assert float(fit.get("x2", "")) == round(g.x(NOW), 1) and fit.get("y1") == fit.get("y2") == f"{g.y(50):.1f}"
    assert inside(root)


def test_a_date_long_before_the_window_is_written_at_the_left() -> None:
    long_ago = START - timedelta(days=200)
    root = svg(points=rising(start=90.0, per_day=0.01), line=FittedLine(long_ago, 85.0, 0.01), forecast_at=long_ago)
    label = one(root, "text", "forecast-label")
    assert label.text == "\u2190 2026-04-18" and label.get("text-anchor") == "start"
    ticks = [t.text for t in root.iter(NS + "text") if t.get("class") == "tick"]
    assert ticks[-1] == "2026-12-04" and "2026-10-05" not in ticks  # the axis starts a window back, under the date
    assert inside(root)


def test_a_date_past_the_horizon_is_written_not_drawn() -> None:
    far = NOW + timedelta(days=400)
    root = svg(points=rising(start=20.0, per_day=0.1), line=FittedLine(far, 85.0, 0.1), forecast_at=far)
    assert not [el for el in root.iter(NS + "circle") if el.get("class") == "forecast"]
    assert one(root, "text", "forecast-label").text == "\u2192 2028-01-08"
    assert inside(root)
    fit = one(root, "line", "fit")
    assert float(fit.get("x2", "")) == round(Geometry(W, H, START, NOW + timedelta(days=60)).x1, 1)


def test_a_ci_already_above_is_marked_at_its_latest_reading() -> None:
    points = rising(days=3, start=70.0, per_day=10.0)
    root = svg(points=points, line=FittedLine(points[1][0], 80.0, 10.0), forecast_at=points[-1][0])
    g = Geometry(W, H, START, NOW)
    marker = one(root, "circle", "forecast")
    assert float(marker.get("cx", "")) == round(g.x(NOW), 1)
    assert inside(root)


def test_names_are_escaped() -> None:
    text = capacity_chart(
        rising(),
        start=START,
        end=NOW,
        threshold=85,
        line=None,
        forecast_at=None,
        title='db <script>alert("x")</script> & co',
    )
    assert "<script" not in text and "&lt;script&gt;" in text and "&quot;x&quot;" in text
    root = ET.fromstring(text)
    assert root.get("aria-label") == 'db <script>alert("x")</script> & co'
    assert root.find(NS + "title") is not None


def test_many_readings_are_thinned_to_their_envelope() -> None:
    first = NOW - timedelta(days=30)
    points = [(first + timedelta(minutes=5 * k), 40 + (k % 7) * 5.0) for k in range(8640)]  # 30 days of 5 minutes
    root = svg(points=points)
    drawn = one(root, "polyline", "readings").get("points", "").split()
    g = Geometry(W, H, START, NOW)
    assert len(drawn) <= 2 * (g.x1 - g.x0 + 1)
    ys = {float(p.split(",")[1]) for p in drawn}
    assert min(ys) == round(g.y(70), 1) and max(ys) == round(g.y(40), 1)  # the peaks and the troughs survive
    assert inside(root)


@given(
    percents=st.lists(st.floats(0, 100), min_size=0, max_size=40),
    threshold=st.floats(0, 100),
    slope=st.floats(-20, 20),
    anchor=st.floats(-100, 200),
    ahead=st.one_of(st.none(), st.floats(-400, 4000)),
)
def test_everything_is_drawn_inside_the_box(
    percents: list[float], threshold: float, slope: float, anchor: float, ahead: float | None
) -> None:
    points = [(START + timedelta(days=30 * k / max(len(percents), 1)), p) for k, p in enumerate(percents)]
    forecast_at = None if ahead is None else NOW + timedelta(days=ahead)
    line = FittedLine(NOW, anchor, slope)
    root = svg(points=points, threshold=threshold, line=line, forecast_at=forecast_at)
    assert inside(root)
    for label in root.iter(NS + "text"):  # text anchored at an edge runs inwards
        x = float(label.get("x", ""))
        if label.get("text-anchor") == "end":
            assert x >= 30
        elif label.get("text-anchor") != "middle":
            assert x <= W - 30


def test_the_report_page_escapes_what_the_cmdb_says() -> None:
    from graphsvc.analysis.forecast import Forecast, Reading
    from graphsvc.domain.readings import RAW
    from graphsvc.reports.capacity import capacity_html, capacity_markdown
    from graphsvc.usecases.capacity_report import CapacityReport, services_at_risk
    from graphsvc.usecases.utilization import CapacityForecastEntry, History

    bad = '<img src=x onerror="alert(1)">'
    points = rising()
    entry = CapacityForecastEntry(
        {"id": "CI-1", "name": bad},
        Forecast(Reading(*points[-1]), 1.0, NOW + timedelta(days=25), len(points)),
        ["SVC-1"],
        {"id": "T-1"},
    )
    services = services_at_risk([entry], {"SVC-1": {"id": "SVC-1", "name": f"[x](https://evil.example) {bad}"}})
    report = CapacityReport(85.0, 30, NOW, [entry], services, {"CI-1": History(RAW, points)}, [])
    html = capacity_html(report)
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<script" not in html and html.count('class="capacity-chart"') == 1
    md = capacity_markdown(report)
    assert "<img" not in md and "](https://" not in md
    assert '| CI-1 | &lt;img src=x onerror="alert(1)"&gt; | 60.0 % | +1.00 | 2026-12-29 12:00 UTC | SVC-1 | T-1 |' in md


def test_cis_past_the_charts_are_listed_in_a_table() -> None:
    from graphsvc.analysis.forecast import Forecast, Reading
    from graphsvc.domain.readings import RAW
    from graphsvc.reports.capacity import capacity_html
    from graphsvc.usecases.capacity_report import CapacityReport, services_at_risk
    from graphsvc.usecases.utilization import CapacityForecastEntry, History

    points = rising()
    entries = [
        CapacityForecastEntry(
            {"id": ci, "name": ci.lower()},
            Forecast(Reading(*points[-1]), 1.0, NOW + timedelta(days=days), len(points)),
            services,
            None,
        )
        for ci, days, services in (("CI-A", 5, ["SVC-2"]), ("CI-B", 9, ["SVC-1", "SVC-2"]))
    ]
    report = CapacityReport(
        85.0, 30, NOW, entries, services_at_risk(entries, {}), {"CI-A": History(RAW, points)}, ["CI-C"]
    )
    assert [(s.service["id"], [x.ci["id"] for x in s.cis]) for s in report.services] == [
        ("SVC-2", ["CI-A", "CI-B"]),
        ("SVC-1", ["CI-B"]),
    ]
    html = capacity_html(report)
    assert html.count('class="capacity-chart"') == 1 and 'id="ci-CI-A"' in html and 'id="ci-CI-B"' not in html
    assert '<a href="#ci-CI-A">CI-A</a>' in html and 'href="#ci-CI-B"' not in html  # a link only to a chart
    assert "and 1 more CI, without a chart:" in html and (
        '<td><a class="explore" href="/explore?focus=CI-B">CI-B</a></td><td>ci-b</td>' in html
    )
    assert "1 CI had too few readings in the window (fewer than 3) to forecast: CI-C" in html
    assert '<tr class="at-risk"><td><a class="explore" href="/explore?focus=SVC-2">SVC-2</a></td>' in html
    assert '<h3><a class="explore" href="/explore?focus=CI-A">CI-A</a> <span class="ci-name">' in html
    assert 'services: <a class="explore" href="/explore?focus=SVC-2">SVC-2</a> &middot;' in html
