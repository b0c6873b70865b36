"""Which answers the response cache keeps, and how it lets them go (graphsvc/graphql/response_cache.py)."""

from __future__ import annotations

import pytest

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
    ],
)
def test_plain_reads_are_kept(query: str, name: str | None) -> None:
    assert cache().key(query, name, {"id": "SVC-1"}) is not None


@pytest.mark.parametrize(
    "query",
    [
        '{ impact(origin: ["CI-1"]) { services { id } } }',  # an analysis
        "{ costAllocation { total } }",
        '{ search(text: "db") { id } }',  # its index catches up after a write
        "{ changes(first: 5) { edges { node { id assessment { risk { level } } } } } }",  # analyst field inside
        '{ history(id: "CI-1") { totalCount } }',
        "{ apiTokens { id } }",
        'mutation { deleteItem(id: "CI-1") { __typename } }',
        "query { ...Q } fragment Q on Query { services { totalCount } }",  # a fragment at the root: asked afresh
        "{ services(first: 5) { totalCount } ",  # not a document
        "",
    ],
)
def test_other_operations_are_not_kept(query: str) -> None:
    assert cache().key(query, None, None) is None


def test_the_key_holds_the_variables_whatever_their_order() -> None:
    c = cache()
    assert c.key(BROWSE, "ServiceDetail", {"id": "A", "x": 1}) == c.key(BROWSE, "ServiceDetail", {"x": 1, "id": "A"})
    assert c.key(BROWSE, "ServiceDetail", {"id": "A"}) != c.key(BROWSE, "ServiceDetail", {"id": "B"})


def test_an_answer_is_served_under_its_fingerprint_and_age_only() -> None:
    c = cache(max_age=60)
    key = c.key(BROWSE, "ServiceDetail", {"id": "A"})
    assert key is not None
    c.put(key, FP, {"service": {"id": "A"}}, now=100.0)
    assert c.get(key, FP, now=130.0) == {"service": {"id": "A"}}
    assert c.get(key, (11, *FP[1:]), now=131.0) is None  # a write since
    c.put(key, FP, {"service": {"id": "A"}}, now=200.0)
    assert c.get(key, FP, now=261.0) is None  # too old
    assert (c.hits, c.misses, len(c.entries), c.size) == (1, 2, 0, 0)


def test_the_least_recently_used_answers_go_first_within_the_byte_budget() -> None:
    c = cache(max_bytes=3600)  # an answer may take a quarter: 900 bytes
    keys = [c.key(BROWSE, "ServiceDetail", {"id": str(n)}) for n in range(5)]
    for k in keys[:4]:
        assert k is not None
        c.put(k, FP, {"s": "x" * 880})  # 889 bytes of JSON: four fit
    assert len(c.entries) == 4
    assert keys[0] is not None and c.get(keys[0], FP) is not None  # now the most recently used
    assert keys[4] is not None
    c.put(keys[4], FP, {"s": "x" * 880})  # a fifth does not: the least recently used (keys[1]) goes
    assert [k for k in keys if k in c.entries] == [keys[0], keys[2], keys[3], keys[4]]
    assert c.size == sum(e.size for e in c.entries.values()) <= 3600
    c.put(keys[1], FP, {"s": "x" * 1000})  # larger than a quarter of the budget: not kept at all
    assert keys[1] not in c.entries
