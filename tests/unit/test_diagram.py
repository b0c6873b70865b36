"""The blast-radius diagram: collapsing fan-outs, capping tall columns, and well-formed standalone SVG."""

from __future__ import annotations

from xml.etree import ElementTree

from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.vocabulary import Kind
from graphsvc.reports.diagram import MAX_PER_COLUMN, blast_diagram, render_svg


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
