"""The graph file (graphsvc/usecases/graph_file.py): a graph written and mapped back reads exactly as the graph
`DependencyGraph.build` makes of the same nodes and edges, and answers every impact as it does (hypothesis); its
columns are read-only; a file that is not one is refused by name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.analysis.impact import compute_impact, impact_with_arrays
from graphsvc.analysis.impact_arrays import arrays_of
from graphsvc.domain.graph import DependencyGraph, Edge, Node
from graphsvc.domain.vocabulary import Kind
from graphsvc.usecases.graph_file import GraphFileError, mapped, write
from tests.unit.test_impact_arrays import answer
from tests.unit.test_packed_graph import parts, read

CI, SVC, RG = Kind.CONFIGURATION_ITEM, Kind.SERVICE, Kind.REDUNDANCY_GROUP


def round_trip(path: Path, nodes: list[Node], edges: list[Edge]) -> DependencyGraph:
    packed = DependencyGraph.packed(nodes, edges)
    arrays_of(packed)
    write(path, packed)
    return mapped(path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts(), st.data())
def test_a_mapped_graph_reads_and_answers_as_the_built_one(
    tmp_path: Path, given_parts: tuple[list[Node], list[Edge]], data: st.DataObject
) -> None:
    nodes, edges = given_parts
    built = DependencyGraph.build(nodes, edges)
    graph = round_trip(tmp_path / "graph", nodes, edges)
    assert read(graph) == read(built)
    assert list(graph.nodes) == sorted(built.nodes)
    ids = [n.id for n in nodes] or ["NONE"]
    origin = data.draw(st.lists(st.sampled_from(ids), max_size=3))
    degraded = data.draw(st.lists(st.sampled_from(ids), max_size=2))
    loops = compute_impact(built, origin, degraded)
    assert answer(compute_impact(graph, origin, degraded)) == answer(loops)
    # the search over the arrays read from the file, against the arrays built from the built graph
    from_file = impact_with_arrays(graph, loops.origin, loops.degraded_origin)
    built_arrays = impact_with_arrays(built, loops.origin, loops.degraded_origin)
    assert answer(from_file) == answer(built_arrays)
    assert list(from_file.depth) == list(built_arrays.depth)


def test_names_and_texts_keep_every_character(tmp_path: Path) -> None:
    nodes = [
        Node("A-é", SVC, "Zahlungsverkehr — ünïcödé ✓", status="ACTIVE", tier="BUSINESS", criticality=1),
        Node("B", CI, "", status="PLANNED", type="DATABASE"),
        Node("G", RG, "group\nwith a line break", min_healthy=2),
        Node("R", CI, "retired", status="RETIRED"),
    ]
    edges = [Edge("A-é", "B"), Edge("G", "B", membership=True), Edge("G", "R", membership=True)]
    graph = round_trip(tmp_path / "graph", nodes, edges)
    assert graph.nodes["A-é"] == nodes[0] and graph.nodes["B"] == nodes[1] and graph.nodes["G"] == nodes[2]
    assert graph.retired == {"R"} and graph.members_total == {"G": 1} and graph.quorum("G") == 1
    assert isinstance(graph.nodes["A-é"].criticality, int)  # a Python int, not a numpy scalar


def test_a_mapped_graph_cannot_be_changed_and_outlives_its_file(tmp_path: Path) -> None:
    path = tmp_path / "graph"
    graph = round_trip(path, [Node("A", SVC, "a"), Node("B", CI, "b")], [Edge("A", "B")])
    path.unlink()  # the mapping stays valid: other processes' files are removed under them
    assert graph.out["A"] == [Edge("A", "B")]
    arrays = arrays_of(graph)
    with pytest.raises(ValueError, match="read-only"):
        arrays.carry_src[0] = 1
    with pytest.raises(TypeError):
        graph.derived["packed"].kind[0] = 2
    with pytest.raises(TypeError, match="read-only"):
        graph.nodes["C"] = Node("C", CI, "c")
    assert np.array_equal(arrays.kind, [list(Kind).index(SVC), list(Kind).index(CI)])


def test_what_is_not_a_graph_file_is_refused(tmp_path: Path) -> None:
    empty, other = tmp_path / "empty", tmp_path / "other"
    empty.write_bytes(b"")
    other.write_bytes(b"something else entirely, long enough")
    with pytest.raises(GraphFileError, match="empty"):
        mapped(empty)
    with pytest.raises(GraphFileError, match="not a graphsvc graph file"):
        mapped(other)
    path = tmp_path / "graph"
    round_trip(path, [Node("A", SVC, "a")], [])
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(GraphFileError, match="cut short"):
        mapped(path)


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = DependencyGraph.packed([Node("A", SVC, "a")], [])
    arrays_of(graph)

    def full(source: object, target: object) -> None:  # the disk full at the very end, the whole file written
        assert Path(str(source)).stat().st_size > 0
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("graphsvc.usecases.graph_file.os.replace", full)
    with pytest.raises(OSError, match="No space"):
        write(tmp_path / "graph", graph)
    assert list(tmp_path.iterdir()) == []  # neither the file nor the one it was written as


def test_names_out_of_range_are_refused(tmp_path: Path) -> None:
    graph = round_trip(tmp_path / "graph", [Node("A", SVC, "a"), Node("B", CI, "b")], [])
    names = graph.derived["packed"].names
    assert names[-1] == "b" and names[-2] == "a" and list(names) == ["a", "b"] and names[0:5] == ["a", "b"]
    for i in (2, -3):
        with pytest.raises(IndexError):
            names[i]
