"""The blast-radius diagram: impacted items in columns by distance from the origin, drawn as SVG.

Each item hangs off the next item on its shortest path to the origin, so the picture is a tree that reads left
(the origin) to right (what fails because of it). A fan-out of similar items (same type, status, distance and
parent) collapses into one node such as "37 x VIRTUAL_MACHINE"; services are never collapsed. A column that is
still too tall keeps its most important nodes and says how many more there are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from hashlib import sha1
from html import escape

from graphsvc.analysis.impact import Impact
from graphsvc.domain.graph import Status
from graphsvc.domain.vocabulary import Kind

__all__ = [
    "MAX_WIDTH",
    "Box",
    "Diagram",
    "DiagramNode",
    "blast_diagram",
    "fit_text",
    "render_columns",
    "render_svg",
    "text_width",
]

COLLAPSE_AT = 4
MAX_PER_COLUMN = 18
MAX_COLUMNS = 9

STYLE = {
    Status.DOWN: ("#b3261e", "#fdecea"),
    Status.DEGRADED: ("#8a5a00", "#fff3d6"),
}


@dataclass
class DiagramNode:
    key: str
    label: str
    detail: str
    status: Status
    depth: int
    origin: bool = False
    members: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members)


@dataclass
class Diagram:
    nodes: list[DiagramNode]
    edges: set[tuple[str, str]]  # (dependent, what it needs), by node key
    hidden: int = 0  # items left out of the picture (beyond the last column, or columns too tall)

    def columns(self) -> dict[int, list[DiagramNode]]:
        cols: dict[int, list[DiagramNode]] = defaultdict(list)
        for node in self.nodes:
            cols[node.depth].append(node)
        return dict(sorted(cols.items()))


def _type_label(impact: Impact, node_id: str) -> str:
    node = impact.graph.nodes[node_id]
    return node.type or node.kind.value


def _rank(impact: Impact, node: DiagramNode) -> tuple[int, int, int, str]:
    first = impact.graph.nodes.get(node.members[0]) if node.members else None
    service = first is not None and first.kind is Kind.SERVICE and node.count == 1
    return (0 if node.origin else 1, 0 if service else 1, -node.status, node.label)


def blast_diagram(impact: Impact) -> Diagram:
    """The collapsed shortest-path tree of an impact."""
    key_of: dict[str, str] = {}
    nodes: dict[str, DiagramNode] = {}
    edges: set[tuple[str, str]] = set()
    hidden = 0
    by_depth: dict[int, list[str]] = defaultdict(list)
    for node_id in impact.ids():
        by_depth[impact.depth[node_id]].append(node_id)
    for depth, ids in sorted(by_depth.items()):
        if depth >= MAX_COLUMNS:
            hidden += len(ids)
            continue
        buckets: dict[tuple[str, Status, str], list[str]] = defaultdict(list)
        singles: list[str] = []
        for node_id in ids:
            kind = impact.graph.nodes[node_id].kind
            parent = key_of.get(impact.next_hop.get(node_id, ""), "")
            if depth == 0 or kind is Kind.SERVICE:
                singles.append(node_id)
            else:
                buckets[(_type_label(impact, node_id), impact.status[node_id], parent)].append(node_id)
        column: list[DiagramNode] = []
        for (type_label, status, parent), members in sorted(
            buckets.items(), key=lambda b: (b[0][0], -b[0][1], b[0][2])
        ):
            if len(members) >= COLLAPSE_AT:
                key = f"group:{depth}:{type_label}:{status.name}:{parent}"
                column.append(
                    DiagramNode(key, f"{len(members)} x {type_label}", status.name, status, depth, False, members)
                )
            else:
                singles.extend(members)
        for node_id in singles:
            node = impact.graph.nodes[node_id]
            column.append(
                DiagramNode(
                    node_id,
                    node_id,
                    node.name,
                    impact.status[node_id],
                    depth,
                    node_id in impact.origin,
                    [node_id],
                )
            )
        column.sort(key=lambda n: _rank(impact, n))
        if len(column) > MAX_PER_COLUMN:
            kept, dropped = column[: MAX_PER_COLUMN - 1], column[MAX_PER_COLUMN - 1 :]
            rest = sum(n.count for n in dropped)
            worst = max(n.status for n in dropped)
            more = DiagramNode(f"more:{depth}", f"+{rest} more", "see the full list", worst, depth, False, [])
            hidden += rest
            column = [*kept, more]
        for n in column:
            nodes[n.key] = n
            for member in n.members:
                key_of[member] = n.key
        for n in column:
            for member in n.members:
                hop = impact.next_hop.get(member)
                if hop is not None and hop in key_of:
                    edges.add((n.key, key_of[hop]))
    return Diagram(list(nodes.values()), edges, hidden)


# ---- drawing: boxes in columns, wrapped into bands no wider than a printed A4 page --------------------------------

MAX_WIDTH = 680  # A4 portrait less 15 mm margins (180 mm) at 96 dpi: a diagram never wider is never shrunk in print
W, H, GAP_X, GAP_Y = 190, 40, 32, 12
PAD_L, PAD_R, PAD_Y = 22, 22, 10  # the side paddings carry the lanes of the edges that continue on the next band
HEAD, BAND_GAP, INSET = 22, 30, 7  # column heading row, space between bands, text inset in a box
LABEL, DETAIL, SMALLEST = 12.0, 11.0, 10.0  # font sizes (px); a label too wide shrinks down to SMALLEST first
LANES = 4

# Advance widths of DejaVu Sans for ASCII 32..126, in hundredths of an em (rounded up), bold and regular. It is the
# widest of the common sans-serif faces (and Chromium's sans-serif on Linux), so a width estimated with it bounds the
# text in Arial, Helvetica, Liberation Sans, Roboto or Segoe UI alike. Anything else counts as 1.2 em.
_BOLD = (
    35, 46, 53, 84, 70, 101, 88, 31, 46, 46, 53, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 40, 40,
    84, 84, 84, 58, 100, 78, 77, 74, 83, 69, 69, 83, 84, 38, 38, 78, 64, 100, 84, 85, 74, 85, 77, 73, 69, 82, 78, 111,
    78, 73, 73, 46, 37, 46, 84, 50, 50, 68, 72, 60, 72, 68, 44, 72, 72, 35, 35, 67, 35, 105, 72, 69, 72, 72, 50, 60,
    48, 72, 66, 93, 65, 66, 59, 72, 37, 72, 84,
)  # fmt: skip
_REGULAR = (
    32, 41, 46, 84, 64, 96, 78, 28, 40, 40, 50, 84, 32, 37, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 34, 34,
    84, 84, 84, 54, 100, 69, 69, 70, 77, 64, 58, 78, 76, 30, 30, 66, 56, 87, 75, 79, 61, 79, 70, 64, 62, 74, 69, 99,
    69, 62, 69, 40, 34, 40, 84, 50, 50, 62, 64, 55, 64, 62, 36, 64, 64, 28, 28, 58, 28, 98, 64, 62, 64, 64, 42, 53,
    40, 64, 60, 82, 60, 60, 53, 64, 34, 64, 84,
)  # fmt: skip
_OTHER = {"…": 100, "·": 38}
_UNKNOWN = 120
ELLIPSIS = "…"


def text_width(text: str, size: float, *, bold: bool = True) -> float:
    """An upper bound of the rendered width of `text` at `size` px in a sans-serif face (bold, or regular)."""
    table = _BOLD if bold else _REGULAR
    total = 0
    for ch in text:
        o = ord(ch)
        total += table[o - 32] if 32 <= o < 127 else _OTHER.get(ch, _UNKNOWN)
    return total * size / 100


def fit_text(
    text: str, width: float, size: float, smallest: float | None = None, *, bold: bool = True
) -> tuple[str, float]:
    """`text` at the largest size from `size` down to `smallest` that fits `width`; else cut, with an ellipsis, at
    `smallest`. The result's estimated width never exceeds `width` (it is empty if not even the ellipsis fits)."""
    floor = size if smallest is None else smallest
    for s in (size, floor):
        if text_width(text, s, bold=bold) <= width:
            return text, s
    budget = width - text_width(ELLIPSIS, floor, bold=bold)
    if budget < 0:
        return "", floor
    used, cut = 0.0, 0
    for ch in text:
        w = text_width(ch, floor, bold=bold)
        if used + w > budget:
            break
        used += w
        cut += 1
    return text[:cut].rstrip() + ELLIPSIS, floor


@dataclass
class Box:
    """One drawn node: its key (for edges), the tooltip with everything, a bold label and a detail line."""

    key: str
    tip: str
    label: str
    detail: str
    stroke: str
    fill: str
    stroke_width: float = 1.5
    css: str = "node"
    data_key: str | None = None


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """`value` escaped for SVG text or an attribute, less the characters XML cannot hold (controls, lone
    surrogates), so that the SVG stays well-formed whatever the CMDB holds."""
    return escape(_NOT_XML.sub("", value))


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _box_svg(box: Box, x: float, y: float) -> str:
    inner = W - 2 * INSET
    label, label_size = fit_text(_NOT_XML.sub("", box.label), inner, LABEL, SMALLEST)
    detail, detail_size = fit_text(_NOT_XML.sub("", box.detail), inner, DETAIL, bold=False)
    key = "" if box.data_key is None else f' data-key="{_text(box.data_key)}"'
    return (
        f'<g class="{_text(box.css)}"{key}><title>{_text(box.tip)}</title>'
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{W}" height="{H}" rx="6" fill="{box.fill}" stroke="{box.stroke}" '
        f'stroke-width="{_num(box.stroke_width)}"/>'
        f'<text x="{_num(x + INSET)}" y="{_num(y + 16)}" font-size="{_num(label_size)}" font-weight="600" '
        f'fill="#1f1f1f">{_text(label)}</text>'
        f'<text x="{_num(x + INSET)}" y="{_num(y + 32)}" font-size="{_num(detail_size)}" fill="{box.stroke}">'
        f"{_text(detail)}</text></g>"
    )


@dataclass
class _Band:
    first: int  # index of its first column
    top: float
    bottom: float  # below its last row of boxes


def render_columns(
    columns: Sequence[tuple[str, Sequence[Box]]],
    edges: Sequence[tuple[str, str]],
    *,
    css: str,
    title: str,
    column_edges: bool = False,
    heading_css: str = "heading",
) -> str:
    """Columns of boxes, left to right, wrapped into bands at most MAX_WIDTH wide (a column that does not fit goes on
    the next band, below). `edges` are (from key, to key), drawn with an arrowhead at `to`; `column_edges` draws an
    arrow from each column's heading to the next one's instead. An edge into the next band runs down the right
    margin, across the gap between the bands and down the left margin. Static SVG: no script, nothing external."""
    per_band = max(1, (MAX_WIDTH - PAD_L - PAD_R + GAP_X) // (W + GAP_X))
    n = max(1, len(columns))
    width = PAD_L + min(n, per_band) * (W + GAP_X) - GAP_X + PAD_R
    bands: list[_Band] = []
    band_of: list[int] = []
    col_x: list[float] = []
    pos: dict[str, tuple[float, float, int]] = {}
    y = float(PAD_Y)
    for start in range(0, n, per_band):
        chunk = columns[start : start + per_band]
        rows = max((len(boxes) for _, boxes in chunk), default=0)
        top = y
        for c, (_, boxes) in enumerate(chunk):
            x = float(PAD_L + c * (W + GAP_X))
            col_x.append(x)
            band_of.append(len(bands))
            for r, box in enumerate(boxes):
                pos[box.key] = (x, top + HEAD + r * (H + GAP_Y), len(bands))
        bottom = top + HEAD + max(rows, 1) * (H + GAP_Y) - GAP_Y
        bands.append(_Band(start, top, bottom))
        y = bottom + BAND_GAP
    height = bands[-1].bottom + PAD_Y if bands else 2 * PAD_Y + HEAD + H
    arrow = "arrow-" + sha1(f"{css}:{title}".encode()).hexdigest()[:10]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_text(css)}" role="img" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" aria-label="{_text(title)}" '
        'font-family="system-ui, sans-serif">',
        f"<title>{_text(title)}</title>",
        f'<defs><marker id="{arrow}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7178"/></marker></defs>',
    ]
    for c, (heading, _) in enumerate(columns):
        top = bands[band_of[c]].top
        parts.append(
            f'<text class="{_text(heading_css)}" x="{_num(col_x[c])}" y="{_num(top + 13)}" font-size="12" '
            f'fill="#555">{_text(fit_text(heading, W, 12)[0])}</text>'
        )
    # An edge into a later band leaves by the right margin, crosses below its band and comes down the left margin,
    # one lane per source: the lower the source, the nearer its lane to the boxes on the right and to the band above,
    # and the further from them on the left, so that the lanes of one band do not cross.
    leaving: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for source, target in edges:
        if source in pos and target in pos and pos[source][2] != pos[target][2]:
            leaving[pos[source][2]].append((pos[source][1], source))
    lanes = {
        (band, source): min(i, LANES - 1)
        for band, sources in leaving.items()
        for i, (_, source) in enumerate(sorted(set(sources), reverse=True))
    }

    def route(sx: float, sy: float, sb: int, ex: float, ey: float, eb: int, source: str) -> str:
        if sb == eb:
            mid = (sx + ex) / 2
            return f"M{_num(sx)},{_num(sy)} C{_num(mid)},{_num(sy)} {_num(mid)},{_num(ey)} {_num(ex)},{_num(ey)}"
        lane = lanes.get((sb, source), 0)
        xr = sx + 6 + 3 * lane
        yb = bands[sb].bottom + 7 + 4 * lane
        xl = PAD_L - 6 - 3 * (LANES - 1 - lane)
        return f"M{_num(sx)},{_num(sy)} H{_num(xr)} V{_num(yb)} H{_num(xl)} V{_num(ey)} H{_num(ex)}"

    drawn: list[tuple[str, str, str]] = []
    if column_edges:
        for c in range(len(columns) - 1):
            sb, eb = band_of[c], band_of[c + 1]
            hy = bands[sb].top + 9
            label_end = col_x[c] + text_width(columns[c][0], 12) + 6
            sx = label_end if sb == eb else col_x[c] + W
            ex = col_x[c + 1] - 6
            ey = bands[eb].top + 9
            drawn.append((f"col:{c}", f"col:{c + 1}", route(sx, hy, sb, ex, ey, eb, f"col:{c}")))
    for source, target in edges:
        if source not in pos or target not in pos:
            continue
        (x1, y1, b1), (x2, y2, b2) = pos[source], pos[target]
        drawn.append((source, target, route(x1 + W, y1 + H / 2, b1, x2, y2 + H / 2, b2, source)))
    for source, target, d in drawn:
        parts.append(
            f'<path class="edge" data-from="{_text(source)}" data-to="{_text(target)}" d="{d}" fill="none" '
            f'stroke="#80868b" stroke-width="1.2" stroke-linejoin="round" marker-end="url(#{arrow})"/>'
        )
    for _, boxes in columns:
        for box in boxes:
            bx, by, _ = pos[box.key]
            parts.append(_box_svg(box, bx, by))
    parts.append("</svg>")
    return "".join(parts)


def render_svg(diagram: Diagram, title: str) -> str:
    """The diagram as a standalone SVG element (no scripts, no external references): the origin on the left, an
    arrow from each item to the items it impacts (its dependents)."""
    columns: list[tuple[str, list[Box]]] = []
    for depth, column in diagram.columns().items():
        heading = "origin" if depth == 0 else f"{depth} step{'s' if depth > 1 else ''} away"
        boxes = []
        for node in column:
            stroke, fill = STYLE[node.status]
            members = ", ".join(node.members[:40]) + (" …" if node.count > 40 else "")
            tip = f"{node.label} ({node.status.name})" + (f": {members}" if node.count > 1 else f": {node.detail}")
            detail = node.status.name + " · " + node.detail if node.count == 1 else node.status.name
            boxes.append(
                Box(
                    node.key,
                    tip,
                    node.label,
                    detail,
                    stroke,
                    fill,
                    3 if node.origin else 1.5,
                    f"node {node.status.name.lower()}",
                    node.key,
                )
            )
        columns.append((heading, boxes))
    impact_edges = [(needed, dependent) for dependent, needed in sorted(diagram.edges)]
    return render_columns(columns, impact_edges, css="blast", title=title)
