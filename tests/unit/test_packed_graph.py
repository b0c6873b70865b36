"""The packed graph (graphsvc/domain/packed.py) reads exactly as the graph `DependencyGraph.build` makes of the same
nodes and edges: every node, every edge list in its order, each group's live members, the RETIRED ids, and so every
impact, over random graphs with RETIRED nodes, edges given twice, edges to unknown nodes and groups (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.impact import compute_impact, impact_with_arrays
from graphsvc.analysis.impact_arrays import arrays_of
from graphsvc.analysis.policy_checks import SpofFinder, _down_edges
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.layered import Layered
from graphsvc.domain.vocabulary import Kind
from tests.unit.test_impact_arrays import answer

CI, SVC, RG = Kind.CONFIGURATION_ITEM, Kind.SERVICE, Kind.REDUNDANCY_GROUP
TEXT = st.one_of(st.none(), st.sampled_from(["ACTIVE", "RETIRED", "PLANNED"]))


@st.composite
def parts(draw: st.DrawFn) -> tuple[list[Node], list[Edge]]:
    n = draw(st.integers(0, 14))
    ids = [f"N{i:02d}" for i in draw(st.permutations(range(n)))]  # not in id order, as a loader may give them
    nodes = []
    for i in ids:
        kind = draw(st.sampled_from([CI, SVC, RG]))
        nodes.append(
            Node(
                i,
                kind,
                draw(st.text(max_size=6)),
                status=None if kind is RG else draw(TEXT),
                criticality=draw(st.one_of(st.none(), st.integers(1, 4))),
                tier=draw(st.sampled_from([None, "BUSINESS", "TECHNICAL"])),
                type=draw(st.sampled_from([None, "APPLICATION", "DATABASE"])),
                min_healthy=draw(st.one_of(st.none(), st.integers(0, 3))) if kind is RG else None,
            )
        )
    ends = [*ids, "GONE"]  # an edge to a node the graph does not have
    edges = draw(
        st.lists(
            st.builds(Edge, st.sampled_from(ends), st.sampled_from(ends), st.booleans(), st.booleans()),
            max_size=30,
        )
    )
    edges += draw(st.lists(st.sampled_from(edges), max_size=3)) if edges else []  # some given twice
    return nodes, edges


def read(graph: DependencyGraph) -> dict[str, object]:
    return {
        "nodes": {k: graph.nodes[k] for k in graph.nodes},
        "out": {k: graph.out[k] for k in graph.out},
        "into": {k: graph.into[k] for k in graph.into},
        "out keys": sorted(graph.out),
        "into keys": sorted(graph.into),
        "sizes": (len(graph.nodes), len(graph.out), len(graph.into)),
        "members_total": graph.members_total,
        "retired": graph.retired,
        "groups": graph.groups,
        "kinds": {k: graph.kind_of(k) for k in graph.nodes},
        "of kind": {kind: sorted(n.id for n in graph.of_kind(kind)) for kind in (CI, SVC, RG)},
    }


@settings(max_examples=300, deadline=None)
@given(parts())
def test_a_packed_graph_reads_as_the_built_one(given_parts: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = given_parts
    built, packed = DependencyGraph.build(nodes, edges), DependencyGraph.packed(nodes, edges)
    assert read(packed) == read(built)
    assert list(packed.nodes) == sorted(built.nodes)  # id order
    for key in ("GONE", "N99", 7):
        assert key not in packed.nodes and key not in packed.out and key not in packed.into
        assert packed.nodes.get(key) is None and packed.out.get(key, ()) == ()  # type: ignore[arg-type]
        assert isinstance(key, int) or packed.into.count(key) == 0  # type: ignore[attr-defined]
    for node in nodes:
        assert packed.out.get(node.id, []) == built.out.get(node.id, [])
        assert packed.into.get(node.id, []) == built.into.get(node.id, [])
        assert packed.into.count(node.id) == len(built.into.get(node.id, []))  # type: ignore[attr-defined]
        assert packed.out.count(node.id) == len(built.out.get(node.id, []))  # type: ignore[attr-defined]
        if node.id in built.nodes and built.is_group(node.id):
            assert packed.quorum(node.id) == built.quorum(node.id)


@settings(max_examples=400, deadline=None)
@given(parts(), st.data())
def test_impacts_over_a_packed_graph_are_the_built_ones(
    given_parts: tuple[list[Node], list[Edge]], data: st.DataObject
) -> None:
    nodes, edges = given_parts
    built, packed = DependencyGraph.build(nodes, edges), DependencyGraph.packed(nodes, edges)
    ids = [n.id for n in nodes] or ["NONE"]
    origin = data.draw(st.lists(st.sampled_from(ids), max_size=3))
    degraded = data.draw(st.lists(st.sampled_from(ids), max_size=2))
    loops = compute_impact(built, origin, degraded)
    assert answer(compute_impact(packed, origin, degraded)) == answer(loops)
    # the array search from the packed graph's own arrays (ImpactArrays.of_packed) against the built graph's
    # (tests/unit/test_impact_arrays.py holds those to the loops)
    arrays = impact_with_arrays(packed, loops.origin, loops.degraded_origin)
    built_arrays = impact_with_arrays(built, loops.origin, loops.degraded_origin)
    assert answer(arrays) == answer(built_arrays)
    assert list(arrays.depth) == list(built_arrays.depth)
    assert arrays_of(packed).ids is packed.derived["packed"].ids  # shared, not copied


def test_a_packed_graph_is_read_only_and_layers_take_edits() -> None:
    nodes = [Node("A", SVC, "a"), Node("B", CI, "b"), Node("C", CI, "c", status="RETIRED")]
    edges = [Edge("A", "B"), Edge("B", "C"), Edge("A", "B")]
    packed = DependencyGraph.packed(nodes, edges)
    assert packed.out["A"] == [Edge("A", "B")] and "B" not in packed.out and packed.retired == {"C"}
    with pytest.raises(TypeError, match="read-only"):
        packed.nodes["D"] = Node("D", CI, "d")
    with pytest.raises(TypeError, match="read-only"):
        del packed.out["A"]
    layered = Layered(packed.nodes)
    layered["D"] = Node("D", CI, "d")
    del layered["A"]
    assert sorted(layered) == ["B", "D"] and "A" in packed.nodes


@settings(max_examples=300, deadline=None)
@given(parts())
def test_single_points_of_failure_over_a_packed_graph_are_the_built_ones(
    given_parts: tuple[list[Node], list[Edge]],
) -> None:
    """The policy check's edges read from the packed columns (analysis/policy_checks._down_edges), each node's in the
    same order as from a built graph's `Edge`s, and so the same single points of failure for every service."""
    nodes, edges = given_parts
    built, packed = DependencyGraph.build(nodes, edges), DependencyGraph.packed(nodes, edges)
    from_columns, from_edges = _down_edges(packed), _down_edges(built)
    assert from_columns == from_edges  # each node's targets in the same order (the keys' order is not used)
    assert packed.derived.get("packed") is not None and built.derived.get("packed") is None  # both paths taken
    packed_finder, built_finder = SpofFinder(packed, wide=True), SpofFinder(built, wide=True)
    for service in (n.id for n in nodes if n.kind is SVC and n.id in built.nodes):
        assert packed_finder.of(service) == built_finder.of(service)
