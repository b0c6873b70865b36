"""Which answers the response cache keeps, and how it lets them go (graphsvc/graphql/response_cache.py)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.domain.tokens import Role
from graphsvc.graphql.response_cache import ResponseCache
from graphsvc.graphql.schema import build_schema
from tests.api.conftest import operation

SCHEMA = build_schema()._schema
BROWSE = operation("browse.graphql", "ServiceDetail")
FP = (10, "2026-11-26T08:00:00Z", 100, 200)


def cache(**kw: float) -> ResponseCache:
    return ResponseCache(SCHEMA, max_age=kw.get("max_age", 60), max_bytes=int(kw.get("max_bytes", 1 << 20)))


@pytest.mark.parametrize(
    ("query", "name"),
    [
        (BROWSE, "BrowseConfigurationItems"),
        (BROWSE, "ServiceDetail"),
        ("{ services(first: 5) { totalCount edges { node { id name dependsOn { id } } } } }", None),
        ("query($id: ID!) { item(id: $id) { id name } configurationItem(id: $id) { id } }", None),
        ("{ processes { id name interfacesWith { id } } }", None),
        ('{ search(text: "db") { id name kind score } }', None),  # the search waits for its index to catch up
    ],
)
def test_plain_reads_are_kept(query: str, name: str | None) -> None:
    assert cache().key(query, name, {"id": "SVC-1"}, role=Role.viewer) is not None


@pytest.mark.parametrize(
    "query",
    [
        '{ impact(origin: ["CI-1"]) { services { id } } }',  # a graph analysis: kept for analysts only (below)
        "{ costAllocation { total } }",  # an analysis of the whole estate
        "{ changes(first: 5) { edges { node { id assessment { risk { level } } } } } }",  # analyst field inside
        '{ history(id: "CI-1") { totalCount } }',
        "{ apiTokens { id } }",
        'mutation { deleteItem(id: "CI-1") { __typename } }',
        "query { ...Q } fragment Q on Query { services { totalCount } }",  # a fragment at the root: asked afresh
        "{ services(first: 5) { totalCount } ",  # not a document
        "",
        "{ __typename }",  # a ping
        "{ " + "__typename " * 3000 + "}",  # too many tokens: not even parsed here
        "{ services(first: 5) { totalCount } }" + " " * 20_000,  # too long: not looked at
    ],
)
def test_other_operations_are_not_kept(query: str) -> None:
    assert cache().key(query, None, None, role=Role.viewer) is None


IMPACT = "query($o: [ID!]!) { impact(origin: $o) { totals { impacted } services(first: 5) { id status } } }"


@pytest.mark.parametrize(
    ("query", "kept_for"),
    [
        (IMPACT, {Role.analyst, Role.editor, Role.admin}),
        ('{ siteFailure(siteId: "S-1") { totals { down } } }', {Role.analyst, Role.editor, Role.admin}),
        (BROWSE, set(Role)),  # a plain read: every role
        # another analysis (or an admin field) beside the graph analysis: never kept
        ("query($o: [ID!]!) { impact(origin: $o) { totals { impacted } } costAllocation { total } }", set()),
        ("query($o: [ID!]!) { impact(origin: $o) { totals { impacted } } apiTokens { id } }", set()),
        ('{ siteFailure(siteId: "S") { totals { down } } continuity(serviceId: "S") { spofs { id } } }', set()),
        # ... or nested in it: a change reached through an impacted item, with its (clock-dependent) assessment
        (
            "query($o: [ID!]!) { impact(origin: $o) { impacted { id item { id ... on Change { assessment { "
            "risk { level } } } } } } }",
            set(),
        ),
    ],
)
def test_a_kept_answer_is_only_for_a_role_that_may_ask_every_field_of_it(query: str, kept_for: set[Role]) -> None:
    c = cache()
    name = "ServiceDetail" if query is BROWSE else None
    assert {role for role in Role if c.key(query, name, {"o": ["CI-1"], "id": "S"}, role=role)} == kept_for
    assert c.key(query, name, {"o": ["CI-1"], "id": "S"}, role=None) is None  # no token: nothing kept


def test_the_key_holds_the_variables_whatever_their_order() -> None:
    c = cache()
    assert c.key(BROWSE, "ServiceDetail", {"id": "A", "x": 1}, role=Role.viewer) == c.key(
        BROWSE, "ServiceDetail", {"x": 1, "id": "A"}, role=Role.viewer
    )
    assert c.key(BROWSE, "ServiceDetail", {"id": "A"}, role=Role.viewer) != c.key(
        BROWSE, "ServiceDetail", {"id": "B"}, role=Role.viewer
    )


def test_an_answer_is_served_under_its_fingerprint_and_age_only() -> None:
    c = cache(max_age=60)
    key = c.key(BROWSE, "ServiceDetail", {"id": "A"}, role=Role.viewer)
    assert key is not None
    c.put(key, FP, {"service": {"id": "A"}}, now=100.0)
    assert c.get(key, FP, now=130.0) == {"service": {"id": "A"}}
    assert c.get(key, (11, *FP[1:]), now=131.0) is None  # a write since
    c.put(key, FP, {"service": {"id": "A"}}, now=200.0)
    assert c.get(key, FP, now=261.0) is None  # too old
    assert (c.hits, c.misses, len(c.entries), c.size) == (1, 2, 0, 0)


@given(
    seed=st.integers(0, 2**32),
    max_age=st.floats(0.01, 3600),
    at=st.floats(0, 1e6),
    elapsed=st.floats(0, 2),  # in max_age
)
def test_an_answer_is_kept_between_half_its_limit_and_its_limit(
    seed: int, max_age: float, at: float, elapsed: float
) -> None:
    c = ResponseCache(SCHEMA, max_age=max_age, max_bytes=1 << 20, rng=random.Random(seed))
    key = c.key(BROWSE, "ServiceDetail", {"id": "A"}, role=Role.viewer)
    assert key is not None
    c.put(key, FP, {"service": {"id": "A"}}, now=at)
    served = c.get(key, FP, now=at + elapsed * max_age) is not None
    if elapsed <= 0.5:
        assert served
    if elapsed > 1.0 + 1e-9:
        assert not served


def test_answers_kept_at_once_are_not_all_let_go_at_once() -> None:
    """A warm-up (or a dashboard) stores many answers in the same moment; they expire spread over the second half of
    the limit, so they are not all computed afresh together."""
    c = ResponseCache(SCHEMA, max_age=60, max_bytes=1 << 22, rng=random.Random(7))
    keys = [c.key(BROWSE, "ServiceDetail", {"id": str(n)}, role=Role.viewer) for n in range(200)]
    for k in keys:
        c.put(k, FP, {"service": {"id": "x"}}, now=0.0)  # type: ignore[arg-type]
    still = [sum(c.get(k, FP, now=t) is not None for k in keys) for t in (29.0, 40.0, 50.0, 61.0)]  # type: ignore[arg-type]
    assert still[0] == 200 and still[-1] == 0
    assert 200 > still[1] > still[2] > 0  # going a few at a time, not all at once


def test_the_least_recently_used_answers_go_first_within_the_byte_budget() -> None:
    probe = cache()
    keys = [probe.key(BROWSE, "ServiceDetail", {"id": str(n)}, role=Role.viewer) for n in range(5)]
    assert all(k is not None for k in keys)
    probe.put(keys[0], FP, {"s": "x" * 880})  # type: ignore[arg-type]
    one = probe.size  # an answer, its key and the bookkeeping
    c = cache(max_bytes=4 * one + one // 2)  # four fit; an answer may take a quarter of the budget
    for k in keys[:4]:
        c.put(k, FP, {"s": "x" * 880})  # type: ignore[arg-type]
    assert len(c.entries) == 4
    assert c.get(keys[0], FP) is not None  # type: ignore[arg-type]  # now the most recently used
    c.put(keys[4], FP, {"s": "x" * 880})  # type: ignore[arg-type]  # a fifth does not fit: keys[1] goes
    assert [k for k in keys if k in c.entries] == [keys[0], keys[2], keys[3], keys[4]]
    assert c.size == sum(e.size for e in c.entries.values()) <= c.max_bytes
    c.put(keys[1], FP, {"s": "x" * 2 * one})  # type: ignore[arg-type]  # more than a quarter: not kept at all
    assert keys[1] not in c.entries


@pytest.mark.parametrize("name", [["ServiceDetail"], {"a": 1}, 7])
def test_an_operation_name_that_is_not_text_is_not_kept_and_breaks_nothing(name: object) -> None:
    assert cache().key(BROWSE, name, {"id": "A"}, role=Role.viewer) is None


def test_large_variables_are_not_kept() -> None:
    assert cache().key(BROWSE, "ServiceDetail", {"id": "A" * 5000}, role=Role.viewer) is None


def test_every_hit_gets_its_own_copy() -> None:
    c = cache()
    key = c.key(BROWSE, "ServiceDetail", {"id": "A"}, role=Role.viewer)
    assert key is not None
    c.put(key, FP, {"service": {"id": "A", "dependsOn": [{"id": "B"}]}})
    first = c.get(key, FP)
    assert first is not None
    first["service"]["dependsOn"].clear()  # a caller changing its answer does not change the kept one
    assert c.get(key, FP) == {"service": {"id": "A", "dependsOn": [{"id": "B"}]}}


def test_the_budget_counts_keys_and_entries_not_only_answers() -> None:
    c = ResponseCache(SCHEMA, max_age=60, max_bytes=1 << 20, max_entries=50)
    for n in range(200):
        key = c.key("query($id: ID!) { item(id: $id) { id } }", None, {"id": str(n)}, role=Role.viewer)
        assert key is not None
        c.put(key, FP, {"item": None})  # tiny answers still cost their key and bookkeeping
    assert len(c.entries) == 50
    assert c.size == sum(e.size for e in c.entries.values()) > 50 * 600
