"""The impact engine against SEMANTICS.md: hand-built scenarios and properties over random graphs."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.impact import compute_impact
from graphsvc.domain.graph import DependencyGraph, Edge, Node, Status
from graphsvc.domain.vocabulary import Kind

CI, SVC, RG = Kind.CONFIGURATION_ITEM, Kind.SERVICE, Kind.REDUNDANCY_GROUP


def graph(
    deps: str, groups: dict[str, tuple[int, list[str]]] | None = None, retired: set[str] = frozenset()
) -> DependencyGraph:  # type: ignore[assignment]
    """`"A>B A~C"`: A needs B (HARD), A uses C (SOFT); groups {G: (minHealthy, members)}."""
    groups = groups or {}
    edges, ids = [], set(groups)
    for token in deps.split():
        soft = "~" in token
        a, b = token.split("~" if soft else ">")
        edges.append(Edge(a, b, hard=not soft))
        ids |= {a, b}
    for g, (_, members) in groups.items():
        edges += [Edge(g, m, membership=True) for m in members]
        ids |= set(members)
    nodes = [
        Node(
            i,
            RG if i in groups else CI,
            i,
            status="RETIRED" if i in retired else None,
            min_healthy=groups[i][0] if i in groups else None,
        )
        for i in sorted(ids)
    ]
    return DependencyGraph.build(nodes, edges)


def statuses(g: DependencyGraph, *origin: str, degraded: tuple[str, ...] = ()) -> dict[str, str]:
    return {k: v.name for k, v in compute_impact(g, origin, degraded).status.items()}


def test_hard_chain_goes_down_and_soft_edge_degrades() -> None:
    g = graph("S>APP APP>DB S2~APP S3>S2")
    assert statuses(g, "DB") == {"DB": "DOWN", "APP": "DOWN", "S": "DOWN", "S2": "DEGRADED", "S3": "DEGRADED"}


def test_quorum_group_survives_one_loss_not_two() -> None:
    g = graph("S>G", {"G": (2, ["A", "B", "C"])})
    assert statuses(g, "A") == {"A": "DOWN", "G": "DEGRADED", "S": "DEGRADED"}
    assert statuses(g, "A", "B") == {"A": "DOWN", "B": "DOWN", "G": "DOWN", "S": "DOWN"}
    result = compute_impact(g, ["A", "B"])
    assert result.explanation("S") == "DOWN: needs G, which has 1 of 3 members up and needs 2"
    assert result.explanation("G") == "DOWN: 1 of 3 members up, needs 2"
    assert result.explanation("A") == "DOWN: in the origin set"


def test_degraded_member_degrades_the_group_but_not_down() -> None:
    g = graph("S>G A~X", {"G": (1, ["A", "B"])})
    assert statuses(g, "X") == {"X": "DOWN", "A": "DEGRADED", "G": "DEGRADED", "S": "DEGRADED"}


def test_group_in_origin_is_down() -> None:
    g = graph("S>G", {"G": (1, ["A", "B"])})
    assert statuses(g, "G") == {"G": "DOWN", "S": "DOWN"}


def test_cycle_is_least_fixpoint_not_self_sustaining() -> None:
    # A and B need each other; nothing fails: nothing is impacted (the greatest fixpoint would say DOWN).
    g = graph("A>B B>A B>C")
    assert statuses(g) == {}
    assert statuses(g, "C") == {"C": "DOWN", "B": "DOWN", "A": "DOWN"}
    # A SOFT back edge: B -> A SOFT, A -> B HARD
    g2 = graph("A>B B~A B>C")
    assert statuses(g2, "C") == {"C": "DOWN", "B": "DOWN", "A": "DOWN"}
    assert statuses(g2, "A") == {"A": "DOWN", "B": "DEGRADED"}


def test_retired_nodes_are_absent() -> None:
    g = graph("S>OLD OLD>DB S2>G", {"G": (2, ["A", "B", "R"])}, retired=frozenset({"OLD", "R"}))
    assert statuses(g, "DB") == {"DB": "DOWN"}  # nothing reaches DB except through the retired OLD
    assert statuses(g, "OLD") == {}
    # G counts only its two live members: losing one leaves 1 < 2
    assert statuses(g, "A") == {"A": "DOWN", "G": "DOWN", "S2": "DOWN"}


def test_depth_and_path_are_shortest() -> None:
    g = graph("S>A A>B B>DB S>DB")
    result = compute_impact(g, ["DB"])
    assert result.depth == {"DB": 0, "B": 1, "S": 1, "A": 2}
    assert result.path("A") == ["A", "B", "DB"]
    assert result.path("S") == ["S", "DB"]
    assert result.ids() == ["DB", "B", "S", "A"]


def test_unknown_origin_ids_are_ignored() -> None:
    assert statuses(graph("A>B"), "NOPE") == {}


def test_soft_explanation_names_the_edge() -> None:
    result = compute_impact(graph("S~X"), ["X"])
    assert result.explanation("S") == "DEGRADED: uses (SOFT) X, which is DOWN"


# ---- properties -------------------------------------------------------------------------------------------


def reference(g: DependencyGraph, origin: set[str], degraded: set[str] = frozenset()) -> dict[str, Status]:  # type: ignore[assignment]
    """The rules applied to every node until nothing changes, from all-OK: the least fixpoint, slowly. A group's
    quorum is min(minHealthy, live members); a degraded origin is at least DEGRADED."""
    status = {n: Status.DOWN if n in origin else Status.OK for n in g.nodes}
    changed = True
    while changed:
        changed = False
        for n, node in g.nodes.items():
            if n in origin:
                continue
            outs = g.out.get(n, [])
            if node.kind is RG:
                total = g.members_total.get(n, 0)
                up = total - sum(status[e.target] is Status.DOWN for e in outs)
                if up < min(node.min_healthy or 1, total):
                    new = Status.DOWN
                elif any(status[e.target] is not Status.OK for e in outs):
                    new = Status.DEGRADED
                else:
                    new = Status.OK
            elif any(e.hard and status[e.target] is Status.DOWN for e in outs):
                new = Status.DOWN
            elif any(status[e.target] is not Status.OK for e in outs):
                new = Status.DEGRADED
            else:
                new = Status.OK
            if n in degraded:
                new = max(new, Status.DEGRADED)
            if new != status[n]:
                status[n], changed = new, True
    return {n: s for n, s in status.items() if s is not Status.OK}


@st.composite
def graphs(draw: st.DrawFn) -> tuple[DependencyGraph, set[str]]:
    g, origin, _ = draw(graphs_with_degraded())
    return g, origin


@st.composite
def graphs_with_degraded(draw: st.DrawFn) -> tuple[DependencyGraph, set[str], set[str]]:
    n = draw(st.integers(2, 12))
    ids = [f"N{i}" for i in range(n)]
    groups = set(draw(st.sets(st.sampled_from(ids), max_size=n // 3)))
    retired = set(draw(st.sets(st.sampled_from(ids), max_size=2)))
    edges = []
    for a in ids:
        targets = draw(st.sets(st.sampled_from(ids), max_size=3))
        for b in sorted(targets - {a}):
            if a in groups:
                edges.append(Edge(a, b, membership=True))
            else:
                edges.append(Edge(a, b, hard=draw(st.booleans())))
    nodes = []
    for i in ids:
        members = sum(1 for e in edges if e.source == i)
        nodes.append(
            Node(
                i,
                RG if i in groups else CI,
                i,
                status="RETIRED" if i in retired else None,
                # up to one more than its members: quorums set too high (or members retired) are drawn too
                min_healthy=draw(st.integers(1, members + 1)) if i in groups else None,
            )
        )
    origin = set(draw(st.sets(st.sampled_from(ids), max_size=3)))
    degraded = set(draw(st.sets(st.sampled_from(ids), max_size=3)))
    return DependencyGraph.build(nodes, edges), origin, degraded


def reaches(g: DependencyGraph, origin: set[str]) -> set[str]:
    seen = {o for o in origin if o in g.nodes}
    stack = list(seen)
    while stack:
        for e in g.into.get(stack.pop(), []):
            if e.source not in seen:
                seen.add(e.source)
                stack.append(e.source)
    return seen


@settings(max_examples=400, deadline=None)
@given(graphs_with_degraded())
def test_matches_the_naive_fixpoint(case: tuple[DependencyGraph, set[str], set[str]]) -> None:
    g, origin, degraded = case
    live = {o for o in origin if o in g.nodes}
    worse = {d for d in degraded if d in g.nodes} - live
    result = compute_impact(g, origin, degraded)
    # with quorums capped at the live members, nothing is DOWN or DEGRADED that no origin reaches
    assert result.status == reference(g, live, worse)
    assert set(result.status) == reaches(g, live | worse)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_with_nothing_failed_everything_is_ok(case: tuple[DependencyGraph, set[str]]) -> None:
    g, _ = case
    assert compute_impact(g, []).status == {}


@settings(max_examples=300, deadline=None)
@given(graphs(), st.data())
def test_monotone_in_the_origin(case: tuple[DependencyGraph, set[str]], data: st.DataObject) -> None:
    g, origin = case
    smaller = data.draw(st.sets(st.sampled_from(sorted(origin)))) if origin else set()
    big, small = compute_impact(g, origin).status, compute_impact(g, smaller).status
    assert all(big.get(n, Status.OK) >= s for n, s in small.items())


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_ids_are_nearest_first_then_by_id(case: tuple[DependencyGraph, set[str]]) -> None:
    graph, origin = case
    impact = compute_impact(graph, origin)
    assert impact.ids() == sorted(impact.status, key=lambda i: (impact.depth[i], i))


@given(graphs())
def test_paths_are_real_shortest_paths(case: tuple[DependencyGraph, set[str]]) -> None:
    g, origin = case
    result = compute_impact(g, origin)
    for n in result.status:
        path = result.path(n)
        assert len(path) - 1 == result.depth[n]
        assert path[-1] in result.origin
        for a, b in itertools.pairwise(path):
            assert any(e.target == b for e in g.out.get(a, []))
        assert result.explanation(n).startswith(result.status[n].name)


def test_a_groups_own_dependency_carries_no_impact() -> None:
    # SEMANTICS.md: a group follows its own rule, which looks at its members only.
    g = graph("S>G G>DNS", {"G": (1, ["M1", "M2"])})
    assert statuses(g, "DNS") == {"DNS": "DOWN"}
    assert statuses(g, "M1", "M2") == {"M1": "DOWN", "M2": "DOWN", "G": "DOWN", "S": "DOWN"}


def test_a_member_listed_twice_is_one_member() -> None:
    nodes = [Node("G", RG, "G", min_healthy=1), Node("A", CI, "A"), Node("S", CI, "S")]
    edges = [Edge("G", "A", membership=True), Edge("G", "A", membership=True), Edge("S", "G")]
    g = DependencyGraph.build(nodes, edges)
    assert g.members_total == {"G": 1}
    assert statuses(g, "A") == {"A": "DOWN", "G": "DOWN", "S": "DOWN"}


def test_an_under_provisioned_groups_quorum_is_capped_at_its_live_members() -> None:
    # G asks for 2 healthy members, but one of its two is RETIRED: its quorum is 1, so it is not down already.
    g = graph("S~O S>APP APP>G", {"G": (2, ["M1", "OLD"])}, retired=frozenset({"OLD"}))
    result = compute_impact(g, ["O"])
    assert {k: v.name for k, v in result.status.items()} == {"O": "DOWN", "S": "DEGRADED"}
    assert result.explanation("S") == "DEGRADED: uses (SOFT) O, which is DOWN"
    assert g.quorum("G") == 1 and g.under_provisioned("G")
    assert statuses(g, "M1") == {"M1": "DOWN", "G": "DOWN", "APP": "DOWN", "S": "DOWN"}
    assert compute_impact(g, ["M1"]).explanation("G") == "DOWN: 0 of 1 members up, needs 1"


def test_a_quorum_set_above_the_members_is_capped_too() -> None:
    g = graph("S>G", {"G": (5, ["A", "B", "C"])})
    assert statuses(g) == {}
    assert statuses(g, "A") == {"A": "DOWN", "G": "DOWN", "S": "DOWN"}  # quorum 3 of 3: one loss is too many


def test_an_empty_group_is_never_down() -> None:
    g = graph("S>G", {"G": (1, ["OLD"])}, retired=frozenset({"OLD"}))
    assert g.quorum("G") == 0
    assert statuses(g, "OLD") == {}


def test_a_degraded_origin_degrades_what_uses_it_hard_or_soft() -> None:
    g = graph("S>APP APP>DB S2~APP")
    assert statuses(g, degraded=("DB",)) == {"DB": "DEGRADED", "APP": "DEGRADED", "S": "DEGRADED", "S2": "DEGRADED"}
    result = compute_impact(g, [], ["DB"])
    assert result.explanation("DB") == "DEGRADED: in the degraded origin set"
    assert result.explanation("APP") == "DEGRADED: needs DB, which is DEGRADED"
    assert result.degraded_origin == ("DB",) and result.depth["S"] == 2


def test_a_degraded_origin_can_still_go_down_and_an_origin_wins() -> None:
    g = graph("APP>DB S>APP")
    assert statuses(g, "DB", degraded=("APP",)) == {"DB": "DOWN", "APP": "DOWN", "S": "DOWN"}
    assert compute_impact(g, ["DB"], ["APP"]).explanation("APP") == "DOWN: needs DB, which is DOWN"
    both = compute_impact(g, ["DB"], ["DB"])
    assert both.origin == ("DB",) and both.degraded_origin == ()


def test_a_degraded_member_degrades_its_group_and_outages_combine() -> None:
    g = graph("S>G", {"G": (2, ["A", "B", "C"])})
    assert statuses(g, degraded=("A",)) == {"A": "DEGRADED", "G": "DEGRADED", "S": "DEGRADED"}
    assert statuses(g, "B", degraded=("A",)) == {"A": "DEGRADED", "B": "DOWN", "G": "DEGRADED", "S": "DEGRADED"}
    assert statuses(g, "B", "C", degraded=("A",))["S"] == "DOWN"
