"""exposure.impacted_services: an impact's services, worst first, made once for the impact and kept with it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graphsvc.analysis.exposure import exposure, impacted_services
from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.graph import DependencyGraph, Edge, Node, Status
from graphsvc.domain.vocabulary import Kind


@st.composite
def estates(draw: st.DrawFn) -> tuple[DependencyGraph, list[str]]:
    """Services S0.. and CIs C0.., random HARD/SOFT edges among them, each service with a criticality (or none)."""
    services = draw(st.integers(1, 6))
    cis = draw(st.integers(1, 6))
    nodes = [
        Node(f"S{i}", Kind.SERVICE, f"service {i}", criticality=draw(st.none() | st.integers(1, 4)))
        for i in range(services)
    ] + [Node(f"C{i}", Kind.CONFIGURATION_ITEM, f"ci {i}") for i in range(cis)]
    ids = [n.id for n in nodes]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids), st.booleans()), max_size=20))
    edges = [Edge(a, b, hard=hard) for a, b, hard in pairs if a != b]
    return DependencyGraph.build(nodes, edges), ids


@given(estates(), st.data())
def test_worst_first_and_made_once_for_each_impact(
    estate: tuple[DependencyGraph, list[str]], data: st.DataObject
) -> None:
    graph, ids = estate
    first = compute_impact(graph, data.draw(st.sets(st.sampled_from(ids), min_size=1)))
    second = compute_impact(graph, data.draw(st.sets(st.sampled_from(ids), min_size=1)))
    for impact in (first, second):
        found = impacted_services(impact)
        expected = sorted(
            (
                (-impact.status[i], graph.nodes[i].criticality or 4, i, impact.depth[i])
                for i in impact.status
                if graph.kind_of(i) is Kind.SERVICE
            ),
        )
        assert [(-s.status, s.criticality, s.id, s.depth) for s in found] == expected
        assert all(s.status in (Status.DOWN, Status.DEGRADED) for s in found)
        # kept with the impact: the same answer for its services, its exposure and the services' facts
        assert impacted_services(impact) is found
        assert exposure(impact, {}).services is found


def test_each_impact_keeps_its_own_services() -> None:
    nodes = [Node("S1", Kind.SERVICE, "one"), Node("S2", Kind.SERVICE, "two"), Node("C1", Kind.CONFIGURATION_ITEM, "c")]
    graph = DependencyGraph.build(nodes, [Edge("S1", "C1"), Edge("S2", "C1", hard=False)])
    down = compute_impact(graph, ["C1"])
    alone = compute_impact(graph, ["S2"])
    assert [(s.id, s.status) for s in impacted_services(down)] == [("S1", Status.DOWN), ("S2", Status.DEGRADED)]
    assert [(s.id, s.status) for s in impacted_services(alone)] == [("S2", Status.DOWN)]
    assert [s.id for s in impacted_services(down)] == ["S1", "S2"]  # asked again: still its own
