"""What-if edits (graphsvc/domain/whatif.py) against a reference model, and the in-memory reads an estate answers
(graphsvc/usecases/estate_reads.py) on hand-built estates."""

from __future__ import annotations

import copy as copying
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from graphsvc.domain.estate import Estate, ItemState
from graphsvc.domain.vocabulary import Kind, Rel
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

DEPENDS_ON, HAS_MEMBER, OWNED_BY, LOCATED_AT = (
    Rel.DEPENDS_ON.value,
    Rel.HAS_MEMBER.value,
    Rel.OWNED_BY.value,
    Rel.LOCATED_AT.value,
)
SVC, CI, RG, TEAM, SITE = "SERVICE", "CONFIGURATION_ITEM", "REDUNDANCY_GROUP", "TEAM", "SITE"
DEPENDABLE = {SVC, CI, RG}
GHOST = "ghost-1"  # an id no estate holds
Strength = Literal["HARD", "SOFT"]
STRENGTHS: tuple[Strength, ...] = ("HARD", "SOFT")

NAMES = {
    Retire: "retire",
    SetMinHealthy: "setMinHealthy",
    AddDependency: "addDependency",
    RemoveDependency: "removeDependency",
    AddMember: "addMember",
    RemoveMember: "removeMember",
}

# -- estates ----------------------------------------------------------------------------------------------------


@dataclass
class Built:
    estate: Estate
    kinds: dict[str, str]
    deps: set[tuple[str, str]] = field(default_factory=set)
    members: set[tuple[str, str]] = field(default_factory=set)

    @property
    def ids(self) -> list[str]:
        return sorted(self.kinds)

    def of(self, *kinds: str) -> list[str]:
        return sorted(i for i, k in self.kinds.items() if k in kinds)


@st.composite
def estates(draw: st.DrawFn) -> Built:
    """Services, CIs and groups (members by HAS_MEMBER), DEPENDS_ON between them, and one TEAM owning services."""
    svcs = [f"svc-{n}" for n in range(draw(st.integers(1, 3)))]
    cis = [f"ci-{n}" for n in range(draw(st.integers(1, 4)))]
    groups = [f"rg-{n}" for n in range(draw(st.integers(0, 2)))]
    team = "team-1"
    dependable = svcs + cis + groups
    states: dict[str, ItemState | None] = {}
    out: dict[str, dict[tuple[str, str], dict[str, Any]]] = {i: {} for i in [*dependable, team]}
    members: set[tuple[str, str]] = set()
    for g in groups:
        chosen = draw(st.lists(st.sampled_from(svcs + cis), unique=True, max_size=3))
        for n, m in enumerate(chosen):
            out[g][(HAS_MEMBER, m)] = {"i": n}
            members.add((g, m))
    pairs = st.tuples(st.sampled_from(dependable), st.sampled_from(dependable)).filter(lambda p: p[0] != p[1])
    deps = set(draw(st.lists(pairs, unique=True, max_size=6)))
    for n, (s, t) in enumerate(sorted(deps)):
        strength = draw(st.sampled_from(["HARD", "SOFT"]))
        out[s][(DEPENDS_ON, t)] = {"i": n, "kind": "USES", "strength": strength, "weight": 1.0}
    for s in svcs:
        out[s][(OWNED_BY, team)] = {}
        props = {"id": s, "itemKind": SVC, "name": s.upper(), "status": "ACTIVE", "tier": "BUSINESS", "criticality": 2}
        states[s] = ItemState(props, out[s])
    for c in cis:
        states[c] = ItemState({"id": c, "itemKind": CI, "name": c.upper(), "status": "ACTIVE", "type": "APP"}, out[c])
    for g in groups:
        props = {"id": g, "itemKind": RG, "name": g.upper(), "minHealthy": draw(st.integers(1, 2))}
        states[g] = ItemState(props, out[g])
    states[team] = ItemState({"id": team, "itemKind": TEAM, "name": "Team"}, {})
    estate = Estate()
    estate.apply(states)
    kinds = {i: str(s.props["itemKind"]) for i, s in states.items() if s is not None}
    return Built(estate, kinds, deps, members)


def edits_for(built: Built) -> st.SearchStrategy[list[Edit]]:
    """Edits that mostly name items of the kinds they take (so that lists often apply, or fail late), and now
    and then any id: a TEAM, an item of another kind, or one that does not exist."""
    anything = st.sampled_from([*built.ids, GHOST])

    def mostly(*kinds: str) -> st.SearchStrategy[str]:
        right = st.sampled_from(built.of(*kinds)) if built.of(*kinds) else st.nothing()
        return st.one_of(right, right, right, anything)

    dependable, group, member = mostly(SVC, CI, RG), mostly(RG), mostly(SVC, CI)
    known_deps = st.sampled_from(sorted(built.deps)) if built.deps else st.nothing()
    known_members = st.sampled_from(sorted(built.members)) if built.members else st.nothing()
    edit = st.one_of(
        st.builds(Retire, member),
        st.builds(SetMinHealthy, group, st.integers(-1, 4)),
        st.builds(AddDependency, dependable, dependable, st.sampled_from(STRENGTHS)),
        st.builds(RemoveDependency, dependable, dependable),
        known_deps.map(lambda p: RemoveDependency(*p)),
        st.builds(AddMember, group, member),
        st.builds(RemoveMember, group, member),
        known_members.map(lambda p: RemoveMember(*p)),
    )
    return st.lists(edit, max_size=6)


@st.composite
def estates_with_edits(draw: st.DrawFn) -> tuple[Built, list[Edit]]:
    built = draw(estates())
    return built, draw(edits_for(built))


# -- the reference model ----------------------------------------------------------------------------------------


@dataclass
class Model:
    kinds: dict[str, str]
    status: dict[str, str | None]
    min_healthy: dict[str, int | None]
    deps: dict[tuple[str, str], str]  # (from, to) -> strength
    members: set[tuple[str, str]]

    @classmethod
    def of(cls, estate: Estate) -> Model:
        rels = list(estate.relationships())
        return cls(
            {i: p["itemKind"] for i, p in estate.items.items()},
            {i: p.get("status") for i, p in estate.items.items()},
            {i: p.get("minHealthy") for i, p in estate.items.items()},
            {(s, t): p.get("strength") or "HARD" for r, s, t, p in rels if r == DEPENDS_ON},
            {(s, t) for r, s, t, _ in rels if r == HAS_MEMBER},
        )

    def problem(self, edit: Edit) -> str | None:
        """Why `edit` cannot apply (a fragment its message must hold), or None after applying it."""

        def check(name: str, item_id: str, kinds: set[str]) -> str | None:
            if item_id not in self.kinds:
                return f"{name}: unknown id {item_id!r}"
            if self.kinds[item_id] not in kinds:
                return f"{name}: {item_id!r} is a {self.kinds[item_id]}; expected"
            return None

        match edit:
            case Retire(i):
                if found := check("id", i, {SVC, CI}):
                    return found
                self.status[i] = "RETIRED"
            case SetMinHealthy(g, k):
                if found := check("group", g, {RG}):
                    return found
                if k < 1:
                    return f"minHealthy: must be at least 1, got {k}"
                self.min_healthy[g] = k
            case AddDependency(s, t, strength):
                if found := check("from", s, DEPENDABLE) or check("to", t, DEPENDABLE):
                    return found
                if s == t:
                    return f"{s!r} cannot depend on itself"
                self.deps[(s, t)] = strength
            case RemoveDependency(s, t):
                if found := check("from", s, DEPENDABLE) or check("to", t, DEPENDABLE):
                    return found
                if self.deps.pop((s, t), None) is None:
                    return f"{s!r} does not depend on {t!r}"
            case AddMember(g, m):
                if found := check("group", g, {RG}) or check("member", m, {SVC, CI}):
                    return found
                if (g, m) in self.members:
                    return f"{m!r} is already a member of {g!r}"
                self.members.add((g, m))
            case RemoveMember(g, m):
                if found := check("group", g, {RG}) or check("member", m, {SVC, CI}):
                    return found
                if (g, m) not in self.members:
                    return f"{m!r} is not a member of {g!r}"
                self.members.discard((g, m))
        return None


def deep(estate: Estate) -> tuple[Any, ...]:
    """A deep snapshot of everything an estate holds and answers."""
    ends = {
        (i, r): (
            sorted((o, sorted(p.items())) for o, p in estate.outgoing(i, r)),
            sorted((o, sorted(p.items())) for o, p in estate.incoming(i, r)),
        )
        for i in estate.items
        for r in (DEPENDS_ON, HAS_MEMBER, OWNED_BY)
    }
    rels = sorted((r, s, t, sorted(p.items())) for r, s, t, p in estate.relationships())
    return copying.deepcopy((estate.items, estate.out, rels, ends))


def dependency_edges(estate: Estate) -> set[tuple[str, str]]:
    return {(s, t) for r, s, t, _ in estate.relationships() if r == DEPENDS_ON}


def first_failing_prefix(estate: Estate, edits: list[Edit]) -> int | None:
    for n in range(1, len(edits) + 1):
        try:
            apply_edits(estate, edits[:n])
        except InvalidEdit:
            return n - 1
    return None


def first_failing_one_at_a_time(estate: Estate, edits: list[Edit]) -> tuple[int | None, Estate]:
    current = estate
    for n, edit in enumerate(edits):
        try:
            current = apply_edits(current, [edit])
        except InvalidEdit as exc:
            assert exc.index == 0  # a list of one edit
            return n, current
    return None, current


# -- properties -------------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(estates_with_edits())
def test_edits_agree_with_the_reference_model(case: tuple[Built, list[Edit]]) -> None:
    built, edits = case
    model = Model.of(built.estate)
    assert model.deps.keys() == built.deps and model.members == built.members  # the strategy built what it says

    expected: tuple[int, str] | None = None
    for n, edit in enumerate(edits):
        if (problem := model.problem(edit)) is not None:
            expected = (n, problem)
            break

    event("applied" if expected is None else f"invalid at {expected[0]} of {len(edits)}")
    try:
        edited = apply_edits(built.estate, edits)
    except InvalidEdit as exc:
        assert expected is not None, f"raised {exc} for edits the model applies"
        index, problem = expected
        assert exc.index == index
        assert exc.edit == NAMES[type(edits[index])]
        assert str(exc).startswith(f"edits[{index}] ({exc.edit}): ")
        assert problem in str(exc)
        return
    assert expected is None, f"edit {expected[0]} should fail: {expected[1]}"
    assert Model.of(edited) == model


@settings(max_examples=100, deadline=None)
@given(estates_with_edits())
def test_edits_never_change_the_estate_they_are_given(case: tuple[Built, list[Edit]]) -> None:
    built, edits = case
    before = deep(built.estate)
    try:
        edited = apply_edits(built.estate, edits)
    except InvalidEdit:
        pass
    else:
        deep(edited)  # reading the result touches nothing either
        if edits:  # nor does changing it (no edits answer the estate itself: nothing to copy)
            edited.set_props("svc-0", name="changed after")
            edited.set_relationship("svc-0", DEPENDS_ON, "ci-0", {"i": 7})
    assert deep(built.estate) == before


@settings(max_examples=100, deadline=None)
@given(estates_with_edits())
def test_the_index_is_the_first_edit_that_fails_one_at_a_time(case: tuple[Built, list[Edit]]) -> None:
    built, edits = case
    by_prefix = first_failing_prefix(built.estate, edits)
    one_by_one, folded = first_failing_one_at_a_time(built.estate, edits)
    assert by_prefix == one_by_one
    try:
        edited = apply_edits(built.estate, edits)
    except InvalidEdit as exc:
        assert exc.index == by_prefix
        assert str(exc).startswith(f"edits[{exc.index}] (")
    else:
        assert by_prefix is None
        assert deep(edited) == deep(folded)


@st.composite
def absent_pairs(draw: st.DrawFn) -> tuple[Built, str, str, Strength]:
    built = draw(estates())
    dependable = built.of(SVC, CI, RG)
    source, target = draw(st.sampled_from(dependable)), draw(st.sampled_from(dependable))
    assume(source != target and (source, target) not in built.deps)
    return built, source, target, draw(st.sampled_from(STRENGTHS))


@settings(max_examples=100, deadline=None)
@given(absent_pairs())
def test_adding_then_removing_a_dependency_changes_nothing(case: tuple[Built, str, str, Strength]) -> None:
    built, source, target, strength = case
    added = apply_edits(built.estate, [AddDependency(source, target, strength)])
    assert dependency_edges(added) == built.deps | {(source, target)}
    assert (source, {"i": 1_000_000, "kind": "USES", "strength": strength, "weight": 1.0}) in added.incoming(
        target, DEPENDS_ON
    )
    both = apply_edits(built.estate, [AddDependency(source, target, strength), RemoveDependency(source, target)])
    assert dependency_edges(both) == built.deps
    assert deep(both) == deep(built.estate)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_retired_item_leaves_the_dependency_graph(data: st.DataObject) -> None:
    built = data.draw(estates())
    victim = data.draw(st.sampled_from(built.of(SVC, CI)))
    base = EstateReads(built.estate)
    graph_before = base.graph
    edits: list[Edit] = [Retire(victim)]
    edited = apply_edits(built.estate, edits)

    assert edited.items[victim]["status"] == "RETIRED"
    assert built.estate.items[victim]["status"] == "ACTIVE"
    # built afresh, and as a what-if of now gets it: the kept graph rewired around the items the edits touch
    for graph in (EstateReads(edited).graph, EstateReads(edited, base, touched_by(edits)).graph):
        assert victim in graph_before.nodes
        assert victim not in graph.nodes
        assert victim in graph.retired
        assert victim not in graph.out and victim not in graph.into
        assert all(victim not in (e.source, e.target) for edges in graph.out.values() for e in edges)
        assert set(graph.nodes) == set(graph_before.nodes) - {victim}
    assert victim in base.graph.nodes and victim not in base.graph.retired


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_set_min_healthy_reaches_the_dependency_graph(data: st.DataObject) -> None:
    built = data.draw(estates())
    groups = built.of(RG)
    assume(groups)
    group, k = data.draw(st.sampled_from(groups)), data.draw(st.integers(1, 5))
    was = built.estate.items[group]["minHealthy"]
    base = EstateReads(built.estate)
    edits: list[Edit] = [SetMinHealthy(group, k)]
    edited = apply_edits(built.estate, edits)
    assert EstateReads(edited).graph.nodes[group].min_healthy == k
    assert EstateReads(edited, base, touched_by(edits)).graph.nodes[group].min_healthy == k
    assert base.graph.nodes[group].min_healthy == was
    assert EstateReads(built.estate).graph.nodes[group].min_healthy == was


# -- examples ---------------------------------------------------------------------------------------------------


def small() -> Estate:
    estate = Estate()
    estate.apply(
        {
            "web": ItemState({"id": "web", "itemKind": SVC, "name": "Web", "status": "ACTIVE"}, {}),
            "db": ItemState({"id": "db", "itemKind": CI, "name": "DB", "status": "ACTIVE"}, {}),
            "db2": ItemState({"id": "db2", "itemKind": CI, "name": "DB2", "status": "ACTIVE"}, {}),
            "pool": ItemState({"id": "pool", "itemKind": RG, "name": "Pool", "minHealthy": 1}, {}),
            "ops": ItemState({"id": "ops", "itemKind": TEAM, "name": "Ops"}, {}),
        }
    )
    return estate


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (Retire("nope"), "edits[1] (retire): id: unknown id 'nope'"),
        (Retire("pool"), "edits[1] (retire): id: 'pool' is a REDUNDANCY_GROUP; expected a SERVICE or"),
        (Retire("ops"), "edits[1] (retire): id: 'ops' is a TEAM; expected"),
        (SetMinHealthy("web", 1), "edits[1] (setMinHealthy): group: 'web' is a SERVICE; expected a REDUNDANCY_GROUP"),
        (SetMinHealthy("pool", 0), "edits[1] (setMinHealthy): minHealthy: must be at least 1, got 0"),
        (AddDependency("web", "ops"), "edits[1] (addDependency): to: 'ops' is a TEAM; expected"),
        (AddDependency("db", "db"), "edits[1] (addDependency): 'db' cannot depend on itself"),
        (RemoveDependency("db", "web"), "edits[1] (removeDependency): 'db' does not depend on 'web'"),
        (AddMember("pool", "pool"), "edits[1] (addMember): member: 'pool' is a REDUNDANCY_GROUP; expected"),
        (AddMember("pool", "db"), "edits[1] (addMember): 'db' is already a member of 'pool'"),
        (RemoveMember("pool", "db2"), "edits[1] (removeMember): 'db2' is not a member of 'pool'"),
        (RemoveMember("ops", "db"), "edits[1] (removeMember): group: 'ops' is a TEAM; expected"),
    ],
)
def test_each_invalid_edit_names_its_index_and_problem(edit: Edit, message: str) -> None:
    estate = small()
    before = deep(estate)
    with pytest.raises(InvalidEdit) as raised:
        apply_edits(estate, [AddMember("pool", "db"), edit, Retire("web")])
    assert raised.value.index == 1
    assert str(raised.value).startswith(message)
    assert deep(estate) == before


async def test_added_members_come_last_and_the_graph_sees_the_edits() -> None:
    estate = small()
    edited = apply_edits(
        estate,
        [
            AddMember("pool", "db2"),
            AddMember("pool", "db"),
            AddDependency("web", "pool", "SOFT"),
            SetMinHealthy("pool", 2),
            Retire("db2"),
        ],
    )
    reads = EstateReads(edited)
    (members,) = await reads.related(Rel.HAS_MEMBER, ["pool"], outgoing=True)
    assert [(m.item["id"], m.rel) for m in members] == [("db2", {"i": 0}), ("db", {"i": 1})]
    graph = await reads.whole_graph()
    assert graph is reads.graph
    assert set(graph.nodes) == {"web", "db", "pool"}
    assert [(e.source, e.target, e.hard) for e in graph.out["web"]] == [("web", "pool", False)]
    assert graph.members_total["pool"] == 1  # db2 is RETIRED
    assert graph.quorum("pool") == 1 and graph.under_provisioned("pool")
    assert EstateReads(estate).graph.members_total == {}


# -- EstateReads on a hand-built estate -------------------------------------------------------------------------


def browse_estate() -> Estate:
    def it(i: str, kind: str, **props: Any) -> dict[str, Any]:
        return {"id": i, "itemKind": kind, **props}

    estate = Estate()
    estate.apply(
        {
            "team-b": ItemState(it("team-b", TEAM, name="B"), {}),
            "team-a": ItemState(it("team-a", TEAM, name="A"), {}),
            "site-1": ItemState(it("site-1", SITE, name="Site 1"), {}),
            "site-2": ItemState(it("site-2", SITE, name="Site 2"), {}),
            "ci-1": ItemState(
                it("ci-1", CI, name="One", status="ACTIVE", type="DATABASE", monthlyCost=5),
                {(LOCATED_AT, "site-1"): {}, (OWNED_BY, "team-b"): {}},
            ),
            "ci-2": ItemState(
                it("ci-2", CI, name="Two", status="ACTIVE", type="APPLICATION"),
                {(LOCATED_AT, "site-1"): {}, (OWNED_BY, "team-a"): {}},
            ),
            "ci-3": ItemState(it("ci-3", CI, name="Three", status="RETIRED", type="DATABASE"), {}),
            "ci-4": ItemState(it("ci-4", CI, name="Four", status="ACTIVE", type="DATABASE"), {}),
            "ci-5": ItemState(
                it("ci-5", CI, name="Five", status="ACTIVE", type="DATABASE"), {(OWNED_BY, "team-b"): {}}
            ),
            "svc-x": ItemState(
                it("svc-x", SVC, name="X", title="The X", status="ACTIVE"),
                {
                    (DEPENDS_ON, "ci-4"): {"i": 2, "strength": "HARD"},
                    (DEPENDS_ON, "ci-2"): {"i": 1, "strength": "SOFT"},
                    (DEPENDS_ON, "ci-1"): {"i": 1, "strength": "HARD"},
                    (DEPENDS_ON, "ci-5"): {"strength": "HARD"},  # no `i`: after the numbered ones
                    (DEPENDS_ON, "gone"): {"i": 0},  # to an item that does not exist
                    (LOCATED_AT, "site-1"): {},
                    (OWNED_BY, "team-a"): {},
                    (OWNED_BY, "team-b"): {},
                    (OWNED_BY, "ci-1"): {},  # not a team: no owner
                },
            ),
            "svc-y": ItemState(it("svc-y", SVC, name="Y", status="ACTIVE"), {(DEPENDS_ON, "ci-1"): {"i": 0}}),
        }
    )
    return estate


async def test_related_lists_in_relationship_order_then_id() -> None:
    reads = EstateReads(browse_estate())
    (deps, none, ghost) = await reads.related(Rel.DEPENDS_ON, ["svc-x", "ci-3", "gone"], outgoing=True)
    assert [(d.item["id"], d.rel.get("i")) for d in deps] == [
        ("ci-1", 1),
        ("ci-2", 1),
        ("ci-4", 2),
        ("ci-5", None),
    ]
    assert deps[0].item == browse_estate().items["ci-1"]
    assert none == [] and ghost == []

    (light,) = await reads.related(Rel.DEPENDS_ON, ["svc-x"], outgoing=True, light=True, limit=2)
    assert [d.item for d in light] == [
        {"id": "ci-1", "itemKind": CI, "name": "One", "title": None},
        {"id": "ci-2", "itemKind": CI, "name": "Two", "title": None},
    ]
    (dependents,) = await reads.related(Rel.DEPENDS_ON, ["ci-1"], outgoing=False, light=True)
    assert [(d.item, d.rel) for d in dependents] == [
        ({"id": "svc-y", "itemKind": SVC, "name": "Y", "title": None}, {"i": 0}),
        ({"id": "svc-x", "itemKind": SVC, "name": "X", "title": "The X"}, {"i": 1, "strength": "HARD"}),
    ]


async def test_related_answers_copies() -> None:
    estate = browse_estate()
    reads = EstateReads(estate)
    (deps,) = await reads.related(Rel.DEPENDS_ON, ["svc-x"], outgoing=True)
    deps[0].item["name"] = "changed"
    deps[0].rel["i"] = 99
    (found,) = await reads.by_ids(["ci-1"])
    assert found is not None
    found["status"] = "changed"
    assert estate.items["ci-1"]["name"] == "One" and estate.items["ci-1"]["status"] == "ACTIVE"
    assert estate.out["svc-x"][(DEPENDS_ON, "ci-1")] == {"i": 1, "strength": "HARD"}
    assert await reads.by_ids(["ci-2", "gone", "ci-1"]) == [estate.items["ci-2"], None, estate.items["ci-1"]]


async def test_page_is_keyset_pagination_in_id_order() -> None:
    reads = EstateReads(browse_estate())
    kind = Kind.CONFIGURATION_ITEM

    async def ids(first: int, after: str | None, **filters: Any) -> tuple[list[str], bool]:
        page = await reads.page(kind, first=first, after=after, props=filters.pop("props", {}), **filters)
        return [p["id"] for p in page.items], page.has_next

    assert await ids(2, None) == (["ci-1", "ci-2"], True)
    assert await ids(2, "ci-2") == (["ci-3", "ci-4"], True)
    assert await ids(2, "ci-4") == (["ci-5"], False)
    assert await ids(2, "ci-3") == (["ci-4", "ci-5"], False)  # exactly a page left: no next
    assert await ids(2, "ci-5") == ([], False)
    assert await ids(2, "ci-10") == (["ci-2", "ci-3"], True)  # `after` need not exist: ids compare as text
    assert await ids(10, None, props={"type": "DATABASE", "status": "ACTIVE"}) == (["ci-1", "ci-4", "ci-5"], False)
    assert await ids(10, None, site="site-1") == (["ci-1", "ci-2"], False)
    assert await ids(1, None, owner="team-b") == (["ci-1"], True)
    assert await ids(1, "ci-1", owner="team-b") == (["ci-5"], False)
    assert await reads.count(kind, props={"type": "DATABASE"}) == 4
    assert await reads.count(kind, props={}, owner="team-b", site="site-1") == 1


async def test_site_cis_and_owners() -> None:
    reads = EstateReads(browse_estate())
    assert await reads.site_cis("site-1") == ["ci-1", "ci-2"]  # svc-x is located there too, but is no CI
    assert await reads.site_cis("site-2") == []
    assert await reads.site_cis("ci-1") is None
    assert await reads.site_cis("team-a") is None
    assert await reads.site_cis("gone") is None

    owners = await reads.owners(["ci-5", "svc-x", "ci-2", "ci-1", "ci-4", "gone"])  # team-b is met first
    assert [(team["id"], owned) for team, owned in owners] == [
        ("team-a", ["ci-2", "svc-x"]),
        ("team-b", ["ci-1", "ci-5", "svc-x"]),
    ]
    assert owners[0][0] == {"id": "team-a", "itemKind": TEAM, "name": "A"}
    assert await reads.owners(["ci-3", "ci-4"]) == []


async def test_kinds_and_cost_columns() -> None:
    reads = EstateReads(browse_estate())
    kinds = await reads.item_kinds(["ci-3", "svc-x", "gone"])
    assert {i: (k.value, s) for i, (k, s) in kinds.items()} == {"ci-3": (CI, "RETIRED"), "svc-x": (SVC, "ACTIVE")}
    columns = await reads.cost_inputs()
    assert columns["ids"] == ["ci-1", "ci-2", "ci-4", "ci-5", "svc-x", "svc-y"]  # ci-3 is RETIRED
    assert columns["costs"] == [5, 0, 0, 0, 0, 0]
    pairs = sorted(zip(columns["dep_targets"], columns["dep_sources"], strict=True))
    assert pairs == [("svc-x", "ci-1"), ("svc-x", "ci-2"), ("svc-x", "ci-4"), ("svc-x", "ci-5"), ("svc-y", "ci-1")]
