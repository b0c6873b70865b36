"""The report diagrams: collapsing fan-outs, capping tall columns, well-formed standalone SVG, labels that fit their
boxes, no wider than a printed A4 page, and arrows the way impact (or recovery) goes."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.continuity import Continuity
from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.vocabulary import Kind
from graphsvc.reports.continuity import waves_svg
from graphsvc.reports.diagram import MAX_PER_COLUMN, MAX_WIDTH, blast_diagram, fit_text, render_svg, text_width
from graphsvc.usecases.continuity import ContinuityReport


def estate(vms: int, services: int = 2) -> DependencyGraph:
    """A SAN under `vms` VMs and two hosts; apps on the VMs; `services` services on the first app."""
    nodes = [Node("SAN", Kind.CONFIGURATION_ITEM, "san", type="STORAGE")]
    edges = []
    for i in range(vms):
        nodes.append(Node(f"VM-{i:03d}", Kind.CONFIGURATION_ITEM, f"vm-{i}", type="VIRTUAL_MACHINE"))
        edges.append(Edge(f"VM-{i:03d}", "SAN"))
    for h in range(2):
        nodes.append(Node(f"HOST-{h}", Kind.CONFIGURATION_ITEM, f"host-{h}", type="SERVER"))
        edges.append(Edge(f"HOST-{h}", "SAN"))
    nodes.append(Node("APP", Kind.CONFIGURATION_ITEM, "app", type="APPLICATION"))
    edges.append(Edge("APP", "VM-000"))
    for s in range(services):
        nodes.append(Node(f"SVC-{s:03d}", Kind.SERVICE, f"service {s}", criticality=1))
        edges.append(Edge(f"SVC-{s:03d}", "APP"))
    return DependencyGraph.build(nodes, edges)


def test_a_fan_out_collapses_into_one_node_and_small_groups_stay_apart() -> None:
    diagram = blast_diagram(compute_impact(estate(37), ["SAN"]))
    labels = {n.label for n in diagram.nodes}
    assert "37 x VIRTUAL_MACHINE" in labels
    assert {"HOST-0", "HOST-1"} <= labels  # two servers: below the collapse threshold
    collapsed = next(n for n in diagram.nodes if n.label == "37 x VIRTUAL_MACHINE")
    assert collapsed.count == 37 and collapsed.depth == 1
    # APP hangs off VM-000, which now lives in the collapsed node; services are never collapsed
    assert ("APP", collapsed.key) in diagram.edges
    assert {("SVC-000", "APP"), ("SVC-001", "APP")} <= diagram.edges
    origin = next(n for n in diagram.nodes if n.origin)
    assert origin.key == "SAN" and origin.depth == 0
    assert diagram.hidden == 0


def test_a_tall_column_keeps_the_important_nodes_and_counts_the_rest() -> None:
    diagram = blast_diagram(compute_impact(estate(1, services=40), ["SAN"]))
    services_column = diagram.columns()[3]
    assert len(services_column) == MAX_PER_COLUMN
    more = services_column[-1]
    assert more.label == f"+{40 - (MAX_PER_COLUMN - 1)} more"
    assert diagram.hidden == 40 - (MAX_PER_COLUMN - 1)


def test_svg_is_well_formed_standalone_and_escaped() -> None:
    graph = estate(5)
    graph.nodes["APP"] = Node("APP", Kind.CONFIGURATION_ITEM, "<script>alert(1)</script>", type="APPLICATION")
    svg = render_svg(blast_diagram(compute_impact(graph, ["SAN"])), 'Blast radius of "X" & <Y>')
    root = ElementTree.fromstring(svg)  # parses: well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "href" not in svg  # nothing fetched from elsewhere
    rects = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(rects) == len(blast_diagram(compute_impact(graph, ["SAN"])).nodes)
    assert rects[0].get("stroke-width") == "3"  # the origin is drawn first, with a thick border


# ---- layout: labels inside their boxes, no wider than a printed page, arrows the way impact goes --------------------

SVG = "{http://www.w3.org/2000/svg}"


def chain(length: int, label: str = "CI") -> DependencyGraph:
    """C0 <- C1 <- ... : each item needs the one before, so a change to C0 reaches `length - 1` steps away."""
    nodes = [
        Node(f"{label}-{i:02d}", Kind.CONFIGURATION_ITEM, f"a rather long name for item number {i}", type="SERVER")
        for i in range(length)
    ]
    edges = [Edge(f"{label}-{i + 1:02d}", f"{label}-{i:02d}") for i in range(length - 1)]
    return DependencyGraph.build(nodes, edges)


def boxes_and_texts(root: ElementTree.Element) -> list[tuple[ElementTree.Element, list[ElementTree.Element]]]:
    return [(g.find(f"{SVG}rect"), g.findall(f"{SVG}text")) for g in root.iter(f"{SVG}g")]  # type: ignore[misc]


def assert_fits(svg: str) -> ElementTree.Element:
    """Every box's text fits its box by the width bound; everything lies inside the viewBox; no wider than A4."""
    root = ElementTree.fromstring(svg)
    x0, y0, vw, vh = (float(v) for v in (root.get("viewBox") or "").split())
    assert (x0, y0) == (0, 0) and float(root.get("width") or 0) == vw <= MAX_WIDTH
    for rect, texts in boxes_and_texts(root):
        rx, ry, rw, rh = (float(rect.get(a) or 0) for a in ("x", "y", "width", "height"))
        assert 0 <= rx and rx + rw <= vw and 0 <= ry and ry + rh <= vh
        for t in texts:
            size = float(t.get("font-size") or 0)
            assert size >= 9.5  # 7 pt and more at the scale it is printed
            left = float(t.get("x") or 0)
            bold = t.get("font-weight") == "600"
            assert rx < left and left + text_width(t.text or "", size, bold=bold) <= rx + rw
            assert ry + size <= float(t.get("y") or 0) <= ry + rh - size * 0.25
    for path in root.iter(f"{SVG}path"):
        if path.get("class") != "edge":
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d") or "")]
        assert numbers and all(0 <= n <= max(vw, vh) for n in numbers)
    return root


def test_labels_fit_their_boxes_shrunk_first_then_cut_with_the_full_text_in_the_title() -> None:
    assert fit_text("SVC-ORDERS", 176, 12, 10) == ("SVC-ORDERS", 12)
    text, size = fit_text("SVC-CUSTOMER-SERVICE-AND-MORE", 176, 12, 10)
    assert size == 10 and text.endswith("…") and "SVC-CUSTOMER-SERVICE-AND-MORE".startswith(text[:-1])
    assert text_width(text, size) <= 176
    shrunk = fit_text("CI-APP-PAYMENT-ADAPTER", 176, 12, 10)  # 12 px too wide, 10 px fits: shrunk, not cut
    assert shrunk == ("CI-APP-PAYMENT-ADAPTER", 10)
    assert fit_text("anything", 3, 12) == ("", 12)  # not even an ellipsis fits
    # 7.2 px a character at 12 px is not enough for capitals in bold: the bound is wider than that
    assert text_width("SVC-CUSTOMER-SERVICE", 12) > 20 * 7.2

    long_name = "Customer Service (CRM) with a much longer name than any box & <more>"
    graph = chain(3)
    graph.nodes["CI-01"] = Node("CI-01", Kind.CONFIGURATION_ITEM, long_name, type="SERVER")
    svg = render_svg(blast_diagram(compute_impact(graph, ["CI-00"])), "t")
    root = assert_fits(svg)
    node = next(g for g in root.iter(f"{SVG}g") if g.get("data-key") == "CI-01")
    assert long_name in (node.findtext(f"{SVG}title") or "")  # the whole name in the tooltip
    detail = node.findall(f"{SVG}text")[1].text or ""
    assert detail.endswith("…") and long_name.startswith(detail.split(" · ", 1)[1][:-1].rstrip())


def test_a_deep_impact_wraps_onto_bands_no_wider_than_a_printed_page() -> None:
    diagram = blast_diagram(compute_impact(chain(9), ["CI-00"]))
    assert len(diagram.columns()) == 9
    svg = render_svg(diagram, "deep")
    root = assert_fits(svg)
    headings = [t for t in root.iter(f"{SVG}text") if t.get("class") == "heading"]
    assert [t.text for t in headings] == ["origin", "1 step away", *(f"{d} steps away" for d in range(2, 9))]
    rows = sorted({float(t.get("y") or 0) for t in headings})
    assert len(rows) == 3  # three bands of three columns
    # the data and its order are those of the diagram: one box per node, one edge per tree edge
    keys = [g.get("data-key") for g in root.iter(f"{SVG}g")]
    assert keys == [n.key for c in diagram.columns().values() for n in c]


def test_edges_carry_an_arrowhead_from_the_changed_item_toward_its_dependents() -> None:
    diagram = blast_diagram(compute_impact(estate(5), ["SAN"]))
    root = ElementTree.fromstring(render_svg(diagram, "arrows"))
    markers = {m.get("id") for m in root.iter(f"{SVG}marker")}
    assert len(markers) == 1 and root.find(f"{SVG}defs/{SVG}marker") is not None
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    assert len(edges) == len(diagram.edges)
    assert {(p.get("data-to"), p.get("data-from")) for p in edges} == diagram.edges  # (dependent, what it needs)
    assert all(p.get("marker-end") == f"url(#{next(iter(markers))})" for p in edges)
    depth = {n.key: n.depth for n in diagram.nodes}
    assert all(depth[p.get("data-from") or ""] + 1 == depth[p.get("data-to") or ""] for p in edges)


def test_recovery_waves_are_full_size_with_an_arrow_from_each_wave_to_the_next() -> None:
    waves = tuple(tuple(f"CI-WAVE-{w}-{i:02d}" for i in range(w + 1)) for w in range(7))
    items = {i: {"id": i, "name": f"item {i} " * 4, "itemKind": "SERVICE"} for ids in waves for i in ids}
    result = Continuity("SVC-X", frozenset(items), ("CI-WAVE-3-00",), (), (), (), (), waves)
    svg = waves_svg(ContinuityReport({"id": "SVC-X"}, result, items))
    root = assert_fits(svg)
    headings = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "wave"]
    assert headings == [f"wave {w}" for w in range(7)]
    edges = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge"]
    assert [(p.get("data-from"), p.get("data-to")) for p in edges] == [(f"col:{w}", f"col:{w + 1}") for w in range(6)]
    assert all((p.get("marker-end") or "").startswith("url(#arrow-") for p in edges)
    assert sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "node spof") == 1


@settings(max_examples=300, deadline=None)
@given(
    label=st.text(min_size=0, max_size=80),
    detail=st.text(min_size=0, max_size=120),
    width=st.floats(min_value=0, max_value=400),
    size=st.sampled_from([10.0, 10.5, 11.0, 12.0]),
)
def test_any_text_fits_the_width_it_is_given(label: str, detail: str, width: float, size: float) -> None:
    for bold in (True, False):
        text, used = fit_text(label + detail, width, size, 10, bold=bold)
        assert text_width(text, used, bold=bold) <= width
        assert text == label + detail or text == "" or (text.endswith("…") and (label + detail).startswith(text[:-1]))


@settings(max_examples=60, deadline=None)
@given(names=st.lists(st.text(min_size=1, max_size=60), min_size=2, max_size=12))
def test_any_cmdb_names_give_a_well_formed_diagram_that_fits(names: list[str]) -> None:
    graph = chain(len(names))
    for i, name in enumerate(names):
        graph.nodes[f"CI-{i:02d}"] = Node(f"CI-{i:02d}", Kind.CONFIGURATION_ITEM, name, type="SERVER")
    assert_fits(render_svg(blast_diagram(compute_impact(graph, ["CI-00"])), "names"))
