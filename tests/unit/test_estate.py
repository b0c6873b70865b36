"""The estate as data (graphsvc/domain/estate.py): JSON states, replaying states, copies and diffs.

Replaying is held to a plain reference model (a dict of id -> (props, out) where a deletion also drops every
relationship to the deleted item); the JSON round trip is compared on exact values (types, offsets, -0.0).
"""

from __future__ import annotations

import copy as copying
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.domain.estate import Estate, ItemState, diff, dump_states, load_states, states_of
from graphsvc.domain.vocabulary import Rel

DEPENDS_ON, HAS_MEMBER, OWNED_BY = Rel.DEPENDS_ON.value, Rel.HAS_MEMBER.value, Rel.OWNED_BY.value
RELS = (DEPENDS_ON, HAS_MEMBER, OWNED_BY)
IDS = ("a", "b", "c", "d", "e")
INTERNAL = ("hash", "_lock")
BOOKKEEPING = ("version", "updatedAt")

# -- JSON states ------------------------------------------------------------------------------------------------

# Fixed offsets to the second, within the +-18h Neo4j allows (a microsecond offset is no Neo4j value).
offsets = st.integers(-18 * 3600, 18 * 3600).map(lambda s: timezone(timedelta(seconds=s)))
aware = st.datetimes(timezones=offsets)
scalars = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    aware,
    st.dates(),
)
values = st.one_of(
    scalars,
    st.lists(st.text(max_size=5), max_size=3),
    st.lists(aware, max_size=2),
    st.lists(st.dates(), max_size=2),
)
# Names as graphsvc stores them: ids match the exchange format's ID_PATTERN, property names are identifiers (a map
# with one key "$d" or "$dt" is what load_states reads as a tagged time: see the xfail test below).
item_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,7}", fullmatch=True)
keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True).filter(lambda k: k not in INTERNAL)
prop_maps = st.dictionaries(keys, values, max_size=5)
rel_prop_maps = st.dictionaries(keys, scalars, max_size=3)
out_maps = st.dictionaries(st.tuples(st.sampled_from(RELS), item_ids), rel_prop_maps, max_size=4)
item_states = st.builds(ItemState, prop_maps, out_maps)
state_maps = st.dictionaries(item_ids, st.none() | item_states, max_size=4)


def exact(value: Any) -> Any:
    """A value with everything == forgets spelled out: its type, a datetime's offset, a float's sign of zero."""
    if isinstance(value, datetime):
        return ("datetime", value.isoformat(), value.utcoffset())
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, list):
        return ("list", [exact(v) for v in value])
    if isinstance(value, dict):
        return ("dict", sorted((k, exact(v)) for k, v in value.items()))
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def exact_states(states: Mapping[str, ItemState | None]) -> dict[str, Any]:
    return {
        i: None if s is None else (exact(s.props), sorted(((str(r), t), exact(p)) for (r, t), p in s.out.items()))
        for i, s in states.items()
    }


@settings(max_examples=100, deadline=None)
@given(state_maps)
def test_states_round_trip_through_json_exactly(states: dict[str, ItemState | None]) -> None:
    text = dump_states(states)
    back = load_states(text)
    assert exact_states(back) == exact_states(states)
    assert back == states
    assert dump_states(back) == text  # the text is canonical: dumping what was loaded gives it back


def test_round_trip_keeps_offsets_dates_and_types() -> None:
    when = datetime(2024, 3, 31, 1, 30, 0, 123456, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    props = {"at": when, "on": date(2024, 2, 29), "n": 1, "b": True, "f": -0.0, "tags": ["x", "y"], "none": None}
    states = {"x": ItemState(props, {(DEPENDS_ON, "y"): {"since": when, "weight": 2.5}}), "gone": None}
    back = load_states(dump_states(states))
    assert exact_states(back) == exact_states(states)
    x = back["x"]
    assert x is not None
    assert x.props["at"].utcoffset() == timedelta(hours=-5, minutes=-30)
    assert type(x.props["on"]) is date
    assert type(x.props["b"]) is bool
    assert back["gone"] is None


def test_internal_keys_are_not_part_of_a_state() -> None:
    states = {"x": ItemState({"id": "x", "hash": "h", "_lock": 1}, {(DEPENDS_ON, "y"): {"i": 0, "hash": "h"}})}
    back = load_states(dump_states(states))
    assert back == {"x": ItemState({"id": "x"}, {(DEPENDS_ON, "y"): {"i": 0}})}
    rows = [("x", {"id": "x", "hash": "h", "_lock": 3, "v": 1}, [(DEPENDS_ON, "y", {"i": 0})]), ("z", None, [])]
    assert states_of(rows) == {"x": ItemState({"id": "x", "v": 1}, {(DEPENDS_ON, "y"): {"i": 0}}), "z": None}


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason=(
        "load_states' JSON object hook (estate._tagged) reads every object with exactly one key '$d' or '$dt' as a "
        "tagged time, not only the values dump_states tagged: a relationship-props map {'$d': '2024-02-29'} comes "
        "back as a date, {'$dt': 'x'} raises ValueError, and a write deleting one item with id '$d' raises "
        "TypeError. Latent: graphsvc's ids (ID_PATTERN) and property names never take these forms today."
    ),
)
def test_maps_keyed_like_a_time_tag_round_trip() -> None:
    states: dict[str, ItemState | None] = {"x": ItemState({"id": "x"}, {(DEPENDS_ON, "y"): {"$d": "2024-02-29"}})}
    assert load_states(dump_states(states)) == states  # the props come back as date(2024, 2, 29)


# -- replaying states, against a reference model ----------------------------------------------------------------

Model = dict[str, tuple[dict[str, Any], dict[tuple[str, str], dict[str, Any]]]]


def item(item_id: str, kind: str = "SERVICE", **props: Any) -> dict[str, Any]:
    return {"id": item_id, "itemKind": kind, **props}


# Small value pools so that states often repeat, change one field, or change only bookkeeping.
simple_props = st.fixed_dictionaries(
    {
        "version": st.integers(1, 3),
        "updatedAt": st.sampled_from([datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2)]),
        "name": st.sampled_from(["n1", "n2"]),
    },
    optional={"status": st.sampled_from(["ACTIVE", "RETIRED"]), "tier": st.just("BUSINESS")},
)
simple_out = st.dictionaries(
    st.tuples(st.sampled_from(RELS), st.sampled_from(IDS)), st.fixed_dictionaries({"i": st.integers(0, 2)}), max_size=4
)


@st.composite
def simple_states(draw: st.DrawFn) -> dict[str, ItemState | None]:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, min_size=1, max_size=3))
    found: dict[str, ItemState | None] = {}
    for i in ids:
        if draw(st.integers(0, 3)) == 0:
            found[i] = None
        else:
            found[i] = ItemState({**item(i), **draw(simple_props)}, draw(simple_out))
    return found


writes = st.lists(simple_states(), max_size=6)


def model_apply(model: Model, states: Mapping[str, ItemState | None]) -> None:
    for item_id, state in states.items():
        if state is None:
            model.pop(item_id, None)
            for _props, out in model.values():
                for key in [k for k in out if k[1] == item_id]:
                    del out[key]
        else:
            model[item_id] = (dict(state.props), dict(state.out))


def model_edges(model: Model, rel: str = DEPENDS_ON) -> set[tuple[str, str]]:
    return {(s, t) for s, (_p, out) in model.items() for (r, t) in out if r == rel and t in model}


def estate_of(*sequence: Mapping[str, ItemState | None]) -> Estate:
    estate = Estate()
    for states in sequence:
        estate.apply(states)
    return estate


def model_of(*sequence: Mapping[str, ItemState | None]) -> Model:
    model: Model = {}
    for states in sequence:
        model_apply(model, states)
    return model


def views(estate: Estate) -> tuple[Any, ...]:
    """Everything a reader sees of an estate: items, relationships, and each item's outgoing and incoming ends
    (asked of items that exist, as every read does: `incoming` of a missing id lists dangling relationships)."""
    rels = sorted((r, s, t, sorted(p.items())) for r, s, t, p in estate.relationships())
    ends = {
        (i, r): (
            sorted((o, sorted(p.items())) for o, p in estate.outgoing(i, r)),
            sorted((o, sorted(p.items())) for o, p in estate.incoming(i, r)),
        )
        for i in IDS
        if i in estate.items
        for r in RELS
    }
    return estate.items, rels, ends


def model_views(model: Model) -> tuple[Any, ...]:
    rels = sorted(
        (r, s, t, sorted(p.items())) for s, (_x, out) in model.items() for (r, t), p in out.items() if t in model
    )
    ends = {
        (i, r): (
            sorted((t, sorted(p.items())) for (rr, t), p in model[i][1].items() if rr == r and t in model),
            sorted((s, sorted(out[(r, i)].items())) for s, (_x, out) in model.items() if (r, i) in out),
        )
        for i in IDS
        if i in model
        for r in RELS
    }
    return {i: p for i, (p, _o) in model.items()}, rels, ends


@settings(max_examples=100, deadline=None)
@given(writes)
def test_replaying_states_matches_the_reference_model(sequence: list[dict[str, ItemState | None]]) -> None:
    assert views(estate_of(*sequence)) == model_views(model_of(*sequence))


def test_deleting_an_item_drops_every_relationship_to_it_for_good() -> None:
    estate = estate_of(
        {
            "a": ItemState(item("a"), {(DEPENDS_ON, "b"): {"i": 0}, (DEPENDS_ON, "c"): {"i": 1}}),
            "b": ItemState(item("b"), {(DEPENDS_ON, "c"): {"i": 0}}),
            "c": ItemState(item("c"), {(OWNED_BY, "b"): {}, (DEPENDS_ON, "b"): {"i": 0}}),
        }
    )
    assert sorted(s for s, _ in estate.incoming("b", DEPENDS_ON)) == ["a", "c"]

    estate.apply({"b": None})
    assert "b" not in estate.items
    assert estate.out["a"] == {(DEPENDS_ON, "c"): {"i": 1}}
    assert estate.out["c"] == {}
    assert sorted((r, s, t) for r, s, t, _ in estate.relationships()) == [(DEPENDS_ON, "a", "c")]

    estate.apply({"b": ItemState(item("b"), {})})  # the same id again: a new item, with nothing pointing to it
    assert estate.incoming("b", DEPENDS_ON) == []
    assert estate.incoming("b", OWNED_BY) == []
    assert sorted((r, s, t) for r, s, t, _ in estate.relationships()) == [(DEPENDS_ON, "a", "c")]
    assert diff(estate_of({"b": ItemState(item("b"), {})}), estate).dependencies_added == [("a", "c")]


def test_a_new_state_replaces_the_outgoing_relationships() -> None:
    estate = estate_of(
        {"x": ItemState(item("x"), {}), "y": ItemState(item("y"), {})},
        {"a": ItemState(item("a"), {(DEPENDS_ON, "x"): {"i": 0}, (OWNED_BY, "x"): {}})},
    )
    assert [s for s, _ in estate.incoming("x", DEPENDS_ON)] == ["a"]

    estate.apply({"a": ItemState(item("a", name="again"), {(DEPENDS_ON, "y"): {"i": 0}})})
    assert estate.incoming("x", DEPENDS_ON) == []
    assert estate.incoming("x", OWNED_BY) == []
    assert estate.incoming("y", DEPENDS_ON) == [("a", {"i": 0})]
    assert estate.outgoing("a", DEPENDS_ON) == [("y", {"i": 0})]
    assert estate.items["a"]["name"] == "again"


def test_relationships_to_missing_targets_are_not_listed() -> None:
    estate = estate_of({"a": ItemState(item("a"), {(DEPENDS_ON, "nowhere"): {"i": 0}, (DEPENDS_ON, "a"): {}})})
    assert list(estate.relationships()) == [(DEPENDS_ON, "a", "a", {})]
    assert estate.outgoing("a", DEPENDS_ON) == [("a", {})]


# -- copies -----------------------------------------------------------------------------------------------------


def snapshot(estate: Estate) -> tuple[Any, ...]:
    return copying.deepcopy(views(estate)), copying.deepcopy(estate.out)


mutations = st.lists(
    st.one_of(
        st.tuples(st.just("apply"), simple_states()),
        st.tuples(st.just("set"), st.sampled_from(IDS), st.sampled_from(RELS), st.sampled_from(IDS)),
        st.tuples(st.just("remove"), st.sampled_from(IDS), st.sampled_from(RELS), st.sampled_from(IDS)),
        st.tuples(st.just("prop"), st.sampled_from(IDS)),
        st.tuples(st.just("unset"), st.sampled_from(IDS)),
    ),
    min_size=1,
    max_size=6,
)


def mutate(estate: Estate, steps: list[tuple[Any, ...]]) -> None:
    for step in steps:
        match step:
            case ("apply", states):
                estate.apply(states)
            case ("set", source, rel, target):
                if source in estate.items:
                    estate.set_relationship(source, rel, target, {"i": 99})
            case ("remove", source, rel, target):
                estate.remove_relationship(source, rel, target)
            case ("prop", item_id):
                if item_id in estate.items:
                    estate.set_props(item_id, name="mutated", status="RETIRED")
            case ("unset", item_id):  # entries of the copy's own maps replaced (same keys: `_into` still holds)
                if item_id in estate.items:
                    estate.items[item_id] = {k: v for k, v in estate.items[item_id].items() if k != "name"}
                if item_id in estate.out:
                    estate.out[item_id] = {key: {**props, "i": 42} for key, props in estate.out[item_id].items()}


@settings(max_examples=100, deadline=None)
@given(writes, mutations)
def test_a_copy_is_independent_both_ways(sequence: list[dict[str, ItemState | None]], steps: list[Any]) -> None:
    original = estate_of(*sequence)
    before = snapshot(original)

    copied = original.copy()
    assert snapshot(copied) == before
    mutate(copied, steps)
    assert snapshot(original) == before

    copied_again = original.copy()
    mirror = snapshot(copied_again)
    mutate(original, steps)
    assert snapshot(copied_again) == mirror


def test_a_copy_takes_changes_the_original_does_not() -> None:
    original = estate_of(
        {"a": ItemState(item("a"), {(DEPENDS_ON, "b"): {"i": 0}}), "b": ItemState(item("b"), {})},
    )
    before = snapshot(original)
    copied = original.copy()
    copied.set_props("a", status="RETIRED")
    copied.set_relationship("b", DEPENDS_ON, "a", {"i": 5})
    assert copied.remove_relationship("a", DEPENDS_ON, "b")
    copied.apply({"c": ItemState(item("c"), {(DEPENDS_ON, "b"): {}})})
    assert snapshot(original) == before
    assert original.incoming("b", DEPENDS_ON) == [("a", {"i": 0})]
    assert copied.incoming("b", DEPENDS_ON) == [("c", {})]
    assert copied.incoming("a", DEPENDS_ON) == [("b", {"i": 5})]


# -- diff -------------------------------------------------------------------------------------------------------


def assert_empty(d: Any) -> None:
    assert (d.added, d.removed, d.changed, d.dependencies_added, d.dependencies_removed) == ([], [], [], [], [])


@settings(max_examples=100, deadline=None)
@given(writes)
def test_an_estate_has_no_diff_with_itself(sequence: list[dict[str, ItemState | None]]) -> None:
    estate = estate_of(*sequence)
    assert_empty(diff(estate, estate))
    assert_empty(diff(estate, estate.copy()))


@settings(max_examples=100, deadline=None)
@given(writes, writes)
def test_diff_is_symmetric(one: list[dict[str, ItemState | None]], other: list[dict[str, ItemState | None]]) -> None:
    a, b = estate_of(*one), estate_of(*other)
    forward, back = diff(a, b), diff(b, a)
    assert forward.added == back.removed
    assert forward.removed == back.added
    assert forward.dependencies_added == back.dependencies_removed
    assert forward.dependencies_removed == back.dependencies_added
    assert forward.changed == back.changed


@settings(max_examples=100, deadline=None)
@given(writes, writes)
def test_diff_reports_what_the_states_changed(
    start: list[dict[str, ItemState | None]], then: list[dict[str, ItemState | None]]
) -> None:
    before = estate_of(*start)
    after = before.copy()
    for states in then:
        after.apply(states)

    old, new = model_of(*start), model_of(*start, *then)
    expected_changed = []
    for i in sorted(set(old) & set(new)):
        fields = {k for k in set(old[i][0]) | set(new[i][0]) if old[i][0].get(k) != new[i][0].get(k)}
        if fields - set(BOOKKEEPING):
            expected_changed.append((i, sorted(fields - set(BOOKKEEPING))))

    found = diff(before, after)
    assert found.added == sorted(set(new) - set(old))
    assert found.removed == sorted(set(old) - set(new))
    assert found.changed == expected_changed
    assert found.dependencies_added == sorted(model_edges(new) - model_edges(old))
    assert found.dependencies_removed == sorted(model_edges(old) - model_edges(new))
    assert views(before) == model_views(old)  # replaying onto the copy left the start alone


def test_diff_names_changed_fields_and_ignores_bookkeeping() -> None:
    t1, t2 = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC)
    before = estate_of(
        {
            "a": ItemState(item("a", version=1, updatedAt=t1, name="A", tier="X"), {(DEPENDS_ON, "b"): {}}),
            "b": ItemState(item("b", version=1, updatedAt=t1), {}),
            "c": ItemState(item("c", version=1), {}),
        }
    )
    after = before.copy()
    after.apply(
        {
            "a": ItemState(item("a", version=2, updatedAt=t2, name="A2", status="RETIRED"), {(DEPENDS_ON, "c"): {}}),
            "b": ItemState(item("b", version=2, updatedAt=t2), {(HAS_MEMBER, "c"): {}}),
            "d": ItemState(item("d"), {(DEPENDS_ON, "a"): {}}),
            "c": None,
        }
    )
    found = diff(before, after)
    assert found.added == ["d"]
    assert found.removed == ["c"]
    assert found.changed == [("a", ["name", "status", "tier"])]  # b changed only its version and updatedAt
    assert found.dependencies_added == [("d", "a")]
    assert found.dependencies_removed == [("a", "b")]  # a -> c went with c: never seen in `after`
