"""Continuity: SPOFs (redundancy-aware), recovery objectives and recovery waves, checked against networkx."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.continuity import closure, continuity, recovery_waves, restrict
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.vocabulary import Kind
from tests.unit.test_impact import graph


def svc_graph(deps: str, groups: dict[str, tuple[int, list[str]]] | None = None) -> DependencyGraph:
    g = graph(deps, groups)
    g.nodes["S"] = Node("S", Kind.SERVICE, "S")
    return g


def test_spofs_are_redundancy_aware() -> None:
    g = svc_graph("S>APP APP>G APP>DNS S~LOG", {"G": (2, ["A", "B", "C"])})
    c = continuity(g, "S", rto={"S": 60, "APP": 30, "DNS": 240}, rpo={"S": None})
    assert c.closure == {"APP", "G", "A", "B", "C", "DNS", "LOG"}
    # A, B, C: the cluster survives one loss; LOG: SOFT; G itself is a group, not a CI or service
    assert c.single_points_of_failure == ("APP", "DNS")
    assert [(v.item, v.item_minutes, v.service_minutes) for v in c.rto_violations] == [("DNS", 240, 60)]
    assert c.unknown_rto == ()
    assert c.rpo_violations == () and c.unknown_rpo == ()  # S has no RPO: nothing to violate


def test_unknown_objectives_are_reported_not_compliant() -> None:
    g = svc_graph("S>X S>Y")
    c = continuity(g, "S", rto={"S": 60, "X": 10}, rpo={"S": 5, "X": 5, "Y": None})
    assert c.unknown_rto == ("Y",) and c.rto_violations == ()
    assert c.unknown_rpo == ("Y",)


def test_waves_put_a_cycle_in_one_wave_and_the_service_last() -> None:
    g = svc_graph("S>APP APP>ORD ORD>INV INV~ORD INV>DB S>G", {"G": (1, ["W1", "W2"])})
    waves = recovery_waves(g, "S", closure(g, "S"))
    assert waves == (("DB", "W1", "W2"), ("INV", "ORD"), ("APP",), ("S",))


@st.composite
def graphs(draw: st.DrawFn) -> DependencyGraph:
    n = draw(st.integers(2, 10))
    ids = [f"N{i}" for i in range(n)]
    edges = [Edge("S", draw(st.sampled_from(ids)))]
    for a in ids:
        for b in sorted(draw(st.sets(st.sampled_from(ids), max_size=3)) - {a}):
            edges.append(Edge(a, b, hard=draw(st.booleans())))
    nodes = [Node(i, Kind.CONFIGURATION_ITEM, i) for i in ids] + [Node("S", Kind.SERVICE, "S")]
    return DependencyGraph.build(nodes, edges)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_waves_match_the_condensation_in_networkx(g: DependencyGraph) -> None:
    reach = closure(g, "S")
    nxg = nx.DiGraph()
    nxg.add_nodes_from(reach | {"S"})
    nxg.add_edges_from((e.source, e.target) for n in reach | {"S"} for e in g.out.get(n, ()))
    assert reach == nx.descendants(nxg, "S") - {"S"}
    cond = nx.condensation(nxg)
    level: dict[int, int] = {}
    for c in reversed(list(nx.topological_sort(cond))):
        level[c] = 1 + max((level[d] for d in cond.successors(c)), default=-1)
    expected: dict[int, list[str]] = {}
    for node, c in cond.graph["mapping"].items():
        expected.setdefault(level[c], []).append(node)
    assert recovery_waves(restrict(g, reach | {"S"}), "S", reach) == tuple(
        tuple(sorted(expected[w])) for w in sorted(expected)
    )


@st.composite
def estates(draw: st.DrawFn) -> DependencyGraph:
    """Random estates with quorum groups, SOFT edges, cycles and RETIRED items, under a service S."""
    n = draw(st.integers(2, 10))
    ids = [f"N{i}" for i in range(n)]
    groups = set(draw(st.sets(st.sampled_from(ids), max_size=n // 3)))
    retired = set(draw(st.sets(st.sampled_from(ids), max_size=1)))
    edges = [
        Edge("S", t, hard=draw(st.booleans()))
        for t in sorted(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=3)))
    ]
    for a in ids:
        for b in sorted(draw(st.sets(st.sampled_from(ids), max_size=3)) - {a}):
            edges.append(Edge(a, b, membership=True) if a in groups else Edge(a, b, hard=draw(st.booleans())))
    nodes = [Node("S", Kind.SERVICE, "S")]
    for i in ids:
        count = sum(1 for e in edges if e.source == i)
        nodes.append(
            Node(
                i,
                Kind.REDUNDANCY_GROUP if i in groups else Kind.CONFIGURATION_ITEM,
                i,
                status="RETIRED" if i in retired else None,
                min_healthy=draw(st.integers(1, max(1, count))) if i in groups else None,
            )
        )
    return DependencyGraph.build(nodes, edges)


@settings(max_examples=400, deadline=None)
@given(estates())
def test_spofs_equal_one_impact_per_candidate(g: DependencyGraph) -> None:
    from graphsvc.analysis.continuity import single_points_of_failure
    from graphsvc.analysis.impact import compute_impact
    from graphsvc.domain.graph import Status

    reach = closure(g, "S")
    sub = restrict(g, reach | {"S"})
    naive = sorted(
        c
        for c in reach
        if sub.nodes[c].kind is not Kind.REDUNDANCY_GROUP
        and compute_impact(sub, [c]).every_status.get("S") is Status.DOWN
    )
    assert list(single_points_of_failure(sub, "S", reach)) == naive
