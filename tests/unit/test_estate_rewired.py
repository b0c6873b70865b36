"""A what-if's graph is the kept graph rewired around the edited items: it must equal the graph built afresh from the
edited estate, whatever the edits (usecases/estate_reads.rewired); and its impact arrays, the kept graph's patched,
must answer as the loops do on that graph."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.impact import compute_impact, impact_with_arrays
from graphsvc.analysis.impact_arrays import arrays_of
from graphsvc.domain.estate import Estate, ItemState
from graphsvc.domain.graph import DependencyGraph
from graphsvc.domain.whatif import (
    AddDependency,
    AddMember,
    Edit,
    RemoveDependency,
    RemoveMember,
    Retire,
    SetMinHealthy,
    apply_edits,
    touched_by,
)
from graphsvc.errors import InvalidEdit
from graphsvc.usecases.estate_reads import EstateReads
from tests.unit.test_impact_arrays import answer

SERVICES = [f"S{i}" for i in range(3)]
CIS = [f"C{i}" for i in range(6)]
GROUPS = ["G0", "G1"]
DEPENDABLE = SERVICES + CIS + GROUPS


@st.composite
def estates(draw: Any) -> Estate:
    estate = Estate()
    states: dict[str, ItemState | None] = {}
    out: dict[str, dict[tuple[str, str], dict[str, Any]]] = {i: {} for i in DEPENDABLE}
    for a in DEPENDABLE:
        for b in draw(st.lists(st.sampled_from(DEPENDABLE), max_size=3, unique=True)):
            if a != b:
                out[a][("DEPENDS_ON", b)] = {"strength": draw(st.sampled_from(["HARD", "SOFT", None]))}
    for g in GROUPS:
        for m in draw(st.lists(st.sampled_from(SERVICES + CIS), max_size=4, unique=True)):
            out[g][("HAS_MEMBER", m)] = {"i": len(out[g])}
    for s in SERVICES:
        status = draw(st.sampled_from(["ACTIVE", "RETIRED", "PLANNED"]))
        states[s] = ItemState({"id": s, "itemKind": "SERVICE", "status": status, "criticality": 1}, out[s])
    for c in CIS:
        status = draw(st.sampled_from(["ACTIVE", "RETIRED", "MAINTENANCE"]))
        states[c] = ItemState({"id": c, "itemKind": "CONFIGURATION_ITEM", "status": status}, out[c])
    for g in GROUPS:
        k = draw(st.integers(1, 4))
        states[g] = ItemState({"id": g, "itemKind": "REDUNDANCY_GROUP", "minHealthy": k}, out[g])
    estate.apply(states)
    return estate


def edit_lists() -> st.SearchStrategy[list[Edit]]:
    ids = st.sampled_from(DEPENDABLE)
    members = st.sampled_from(SERVICES + CIS)
    groups = st.sampled_from(GROUPS)
    edit = st.one_of(
        st.builds(Retire, st.sampled_from(SERVICES + CIS)),
        st.builds(SetMinHealthy, groups, st.integers(1, 4)),
        st.builds(AddDependency, ids, ids, st.sampled_from(["HARD", "SOFT"])),
        st.builds(RemoveDependency, ids, ids),
        st.builds(AddMember, groups, members),
        st.builds(RemoveMember, groups, members),
    )
    return st.lists(edit, max_size=6)


def shape(graph: DependencyGraph) -> tuple[Any, ...]:
    return (
        graph.nodes,
        {k: v for k, v in graph.out.items() if v},
        {k: v for k, v in graph.into.items() if v},
        graph.members_total,
        graph.retired,
    )


def applicable(estate: Estate, edits: list[Edit]) -> list[Edit]:
    """The edits that apply, in order."""
    applied: list[Edit] = []
    for edit in edits:
        try:
            apply_edits(estate, [*applied, edit])
        except InvalidEdit:
            continue
        applied.append(edit)
    return applied


@settings(max_examples=300, deadline=None)
@given(estates(), edit_lists())
def test_rewired_graph_equals_the_graph_built_from_the_edited_estate(estate: Estate, edits: list[Edit]) -> None:
    base = EstateReads(estate)
    before = shape(base.graph)
    applied = applicable(estate, edits)
    edited = apply_edits(estate, applied)
    rewired = EstateReads(edited, base, touched_by(applied)).graph
    assert shape(rewired) == shape(EstateReads(edited).graph)
    assert shape(base.graph) == before  # the kept graph is untouched
    assert shape(EstateReads(estate).graph) == before  # and so is the estate it came from
    assert rewired.groups == EstateReads(edited).graph.groups


@settings(max_examples=300, deadline=None)
@given(estates(), edit_lists(), st.data())
def test_patched_arrays_answer_as_the_loops_on_the_edited_graph(estate: Estate, edits: list[Edit], data: Any) -> None:
    base = EstateReads(estate)
    kept = arrays_of(base.graph)  # as the server's estate of now has them
    kept_answer = {o: answer(impact_with_arrays(base.graph, (o,), ())) for o in sorted(base.graph.nodes)}
    applied = applicable(estate, edits)
    edited = apply_edits(estate, applied)
    rewired = EstateReads(edited, base, touched_by(applied)).graph
    patched = arrays_of(rewired)
    assert patched.ids is kept.ids  # patched, not built
    nodes = sorted(rewired.nodes)
    origin = data.draw(st.lists(st.sampled_from(nodes), max_size=3)) if nodes else []
    degraded = data.draw(st.lists(st.sampled_from(nodes), max_size=2)) if nodes else []
    built = EstateReads(edited).graph
    for o, d in [*(([n], []) for n in nodes), (origin, degraded)]:  # each node alone, then a drawn mix
        loops = compute_impact(built, o, d)
        assert answer(impact_with_arrays(rewired, loops.origin, loops.degraded_origin)) == answer(loops)
    # the kept arrays answer as before
    assert {o: answer(impact_with_arrays(base.graph, (o,), ())) for o in sorted(base.graph.nodes)} == kept_answer
