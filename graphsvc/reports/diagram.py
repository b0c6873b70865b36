"""The blast-radius diagram: impacted items in columns by distance from the origin, drawn as SVG.

Each item hangs off the next item on its shortest path to the origin, so the picture is a tree that reads left
(the origin) to right (what fails because of it). A fan-out of similar items (same type, status, distance and
parent) collapses into one node such as "37 x VIRTUAL_MACHINE"; services are never collapsed. A column that is
still too tall keeps its most important nodes and says how many more there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from graphsvc.analysis.impact import Impact
from graphsvc.domain.graph import Status
from graphsvc.domain.vocabulary import Kind

__all__ = ["Diagram", "DiagramNode", "blast_diagram", "render_svg"]

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


W, H, GAP_X, GAP_Y, PAD = 184, 40, 40, 12, 16


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_svg(diagram: Diagram, title: str) -> str:
    """The diagram as a standalone SVG element (no scripts, no external references)."""
    columns = diagram.columns()
    pos: dict[str, tuple[int, int]] = {}
    height = 0
    for c, (_, column) in enumerate(columns.items()):
        for r, node in enumerate(column):
            pos[node.key] = (PAD + c * (W + GAP_X), PAD + 24 + r * (H + GAP_Y))
        height = max(height, PAD + 24 + len(column) * (H + GAP_Y))
    width = PAD * 2 + max(1, len(columns)) * (W + GAP_X) - GAP_X
    height = max(height + PAD, 120)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="blast" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}" font-family="system-ui, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for c, depth in enumerate(columns):
        label = "origin" if depth == 0 else f"{depth} step{'s' if depth > 1 else ''} away"
        parts.append(f'<text x="{PAD + c * (W + GAP_X)}" y="{PAD + 8}" font-size="12" fill="#555">{label}</text>')
    for child, parent in sorted(diagram.edges):
        (x1, y1), (x2, y2) = pos[parent], pos[child]
        sx, sy, ex, ey = x1 + W, y1 + H // 2, x2, y2 + H // 2
        mid = (sx + ex) // 2
        parts.append(
            f'<path d="M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}" fill="none" stroke="#9aa0a6" stroke-width="1.2"/>'
        )
    for node in diagram.nodes:
        x, y = pos[node.key]
        stroke, fill = STYLE[node.status]
        width_px = 3 if node.origin else 1.5
        members = ", ".join(node.members[:40]) + (" …" if node.count > 40 else "")
        tip = f"{node.label} ({node.status.name})" + (f": {members}" if node.count > 1 else f": {node.detail}")
        parts.append(
            f'<g class="node {node.status.name.lower()}" data-key="{escape(node.key)}">'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{x}" y="{y}" width="{W}" height="{H}" rx="6" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width_px}"/>'
            f'<text x="{x + 8}" y="{y + 16}" font-size="12" font-weight="600" fill="#1f1f1f">'
            f"{escape(_clip(node.label, 25))}</text>"
            f'<text x="{x + 8}" y="{y + 32}" font-size="11" fill="{stroke}">'
            f"{escape(_clip(node.status.name + ' · ' + node.detail if node.count == 1 else node.status.name, 29))}"
            f"</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
