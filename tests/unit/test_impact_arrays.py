"""The array search (graphsvc/analysis/impact_arrays.py) gives exactly the loops' answers: every status, depth,
path, group count and explanation, over random graphs with quorum groups (some set above their live members),
degraded origins, SOFT edges, groups' own dependencies, RETIRED nodes and cycles (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.impact import (
    ARRAYS_FROM,
    ARRAYS_REACH,
    Impact,
    ReachTooLarge,
    compute_impact,
    impact_with_arrays,
)
from graphsvc.analysis.impact_arrays import arrays_of
from graphsvc.domain.graph import DependencyGraph, Edge, Node, Status
from graphsvc.domain.vocabulary import Kind

CI, SVC, RG = Kind.CONFIGURATION_ITEM, Kind.SERVICE, Kind.REDUNDANCY_GROUP


@st.composite
def estates(draw: st.DrawFn) -> tuple[DependencyGraph, list[str], list[str]]:
    n = draw(st.integers(1, 16))
    ids = [f"N{i:02d}" for i in draw(st.permutations(range(n)))]  # ids not in the order nodes are given
    groups = set(draw(st.sets(st.sampled_from(ids), max_size=n // 3)))
    retired = set(draw(st.sets(st.sampled_from(ids), max_size=2)))
    edges = []
    for a in ids:
        for b in sorted(draw(st.sets(st.sampled_from(ids), max_size=4)) - {a}):
            if a in groups and draw(st.booleans()):
                edges.append(Edge(a, b, membership=True))
            else:  # a group's own dependency is drawn too: it must carry nothing
                edges.append(Edge(a, b, hard=draw(st.booleans())))
    nodes = []
    for i in ids:
        members = sum(1 for e in edges if e.source == i and e.membership)
        min_healthy = draw(st.one_of(st.none(), st.integers(0, members + 1))) if i in groups else None
        kind = RG if i in groups else draw(st.sampled_from([CI, SVC]))
        nodes.append(Node(i, kind, i, status="RETIRED" if i in retired else None, min_healthy=min_healthy))
    origin = draw(st.lists(st.sampled_from([*ids, "UNKNOWN"]), max_size=4))
    degraded = draw(st.lists(st.sampled_from([*ids, "UNKNOWN"]), max_size=3))
    # as the loader from Neo4j gives it: members outside the graph count too (a part of the CMDB was read)
    outside = {g: draw(st.integers(0, 3)) for g in sorted(groups)} if draw(st.booleans()) else None
    if outside is None:
        return DependencyGraph.build(nodes, edges), origin, degraded
    counted = DependencyGraph.build(nodes, edges).members_total
    whole = DependencyGraph.build(nodes, edges, {g: counted.get(g, 0) + n for g, n in outside.items()})
    return whole, origin, degraded


def answer(impact: Impact) -> dict[str, object]:
    """Everything an impact tells its readers."""
    return {
        "origin": impact.origin,
        "degraded_origin": impact.degraded_origin,
        "status": impact.status,
        "every_status": impact.every_status,
        "depth": impact.depth,
        "next_hop": impact.next_hop,
        "ids": impact.ids(),
        "down_members": {g: m for g, m in impact.down_members.items() if m},
        "paths": {n: impact.path(n) for n in impact.status},
        "explanations": {n: impact.explanation(n) for n in impact.status},
        "counts": {g: impact.group_counts(g) for g in impact.status if impact.graph.is_group(g)},
        "of_kind": {k: sorted(impact.of_kind(k)) for k in (CI, SVC, RG)},
        "services_and_cis": sorted(impact.of_kind(SVC, CI)),  # with status and depth
        "by_status": {s: impact.count(s) for s in Status},
        "len": len(impact.status),
        "in": {n: (n in impact.status, n in impact.depth, n in impact.next_hop) for n in [*impact.graph.nodes, "X"]},
    }


@settings(max_examples=600, deadline=None)
@given(estates())
def test_the_array_search_answers_exactly_as_the_loops(case: tuple[DependencyGraph, list[str], list[str]]) -> None:
    graph, origin, degraded = case
    loops = compute_impact(graph, origin, degraded)  # a small graph: the loops
    assert len(graph.nodes) < ARRAYS_FROM
    arrays = impact_with_arrays(graph, loops.origin, loops.degraded_origin)
    assert answer(arrays) == answer(loops)
    assert list(arrays.depth) == list(loops.depth)  # breadth-first order, which ids() relies on


@settings(max_examples=300, deadline=None)
@given(estates(), st.integers(0, 17))
def test_a_bounded_search_answers_in_full_or_not_at_all(
    case: tuple[DependencyGraph, list[str], list[str]], most: int
) -> None:
    """With `most`, compute_impact gives the whole answer or ReachTooLarge: always the answer when the nodes reached
    and the edges into them are at most `most` in all, never when more than `most` nodes are reached (usecases/impact.py
    then computes it in a thread)."""
    graph, origin, degraded = case
    full = compute_impact(graph, origin, degraded)
    edges_in = sum(len(graph.into.get(n, ())) for n in full.depth)
    try:
        bounded = compute_impact(graph, origin, degraded, most=most)
    except ReachTooLarge:
        assert len(full.depth) + edges_in > most
    else:
        assert len(full.depth) <= most
        assert answer(bounded) == answer(full)


def test_a_large_graph_is_searched_with_arrays_built_once() -> None:
    # a chain of services over a quorum-2 group of three CIs, long enough for the arrays
    n = ARRAYS_FROM
    nodes = [Node(f"S{i:06d}", SVC, f"S{i:06d}") for i in range(n)]
    nodes += [Node("G", RG, "G", min_healthy=2)] + [Node(f"M{i}", CI, f"M{i}") for i in range(3)]
    edges = [Edge(f"S{i:06d}", f"S{i + 1:06d}", hard=i % 2 == 1) for i in range(n - 1)]
    edges += [Edge(f"S{n - 1:06d}", "G")] + [Edge("G", f"M{i}", membership=True) for i in range(3)]
    graph = DependencyGraph.build(nodes, edges)

    near = compute_impact(graph, [f"S{ARRAYS_REACH - 1:06d}"])  # reaches ARRAYS_REACH nodes: the loops
    assert len(near.status) == ARRAYS_REACH and near.found is None and "impact_arrays" not in graph.derived
    one = compute_impact(graph, ["M0"])
    assert one.found is not None and "impact_arrays" in graph.derived
    assert one.status["G"] is Status.DEGRADED
    assert one.explanation("G") == "DEGRADED: 2 of 3 members up (needs 2); M0 is DOWN"
    two = compute_impact(graph, ["M0", "M1"])
    assert graph.derived["impact_arrays"] is arrays_of(graph)
    assert two.status["G"] is Status.DOWN and two.depth[f"S{n - 1:06d}"] == 2 and two.depth["S000000"] == n + 1
    # HARD edges carry DOWN, SOFT ones (every other one) leave DEGRADED, and everything after that stays DEGRADED
    assert two.status[f"S{n - 1:06d}"] is Status.DOWN and two.status[f"S{n - 2:06d}"] is Status.DEGRADED
    assert two.path("S000000")[-3:] == [f"S{n - 1:06d}", "G", "M0"]
    assert len(two.ids()) == n + 3
