"""Which documents get a lane (graphql/lane.py): a query whose root selections are all fields with a compiled plan,
none with a directive, each response key once. Everything else is left to the general path for good."""

from __future__ import annotations

import pytest

from graphsvc.graphql.lane import ACCOUNTED_FOR, Lanes
from graphsvc.graphql.schema import build_schema
from graphsvc.settings import Settings

IMPACT = "query Impact($o: [ID!]!) { impact(origin: $o) { totals { impacted } impacted { id depth } } }"
PAGE = "query Page { configurationItems(first: 5) { totalCount nodes { id name site { id } } } }"


@pytest.fixture(scope="module")
def lanes() -> Lanes:
    schema = build_schema(Settings())
    assert schema.lanes is not None
    return schema.lanes


def test_compiled_queries_get_a_lane_with_their_roots_in_order(lanes: Lanes) -> None:
    lane = lanes._make(IMPACT, None)
    assert lane is not None and lane.name == "Impact"
    assert [key for key, *_ in lane.roots] == ["impact"]
    both = lanes._make('query { a: impact(origin: ["x"]) { origin } configurationItems { totalCount } }', None)
    assert both is not None and both.name is None
    assert [key for key, *_ in both.roots] == ["a", "configurationItems"]
    assert both.needed.value == "analyst"  # impact's role, the highest asked


def test_the_operation_is_chosen_by_name(lanes: Lanes) -> None:
    text = f"{IMPACT}\n{PAGE}"
    page = lanes._make(text, "Page")
    assert page is not None and [key for key, *_ in page.roots] == ["configurationItems"]
    assert page.needed.value == "viewer"
    assert lanes._make(text, "Nope") is None
    assert lanes._make(text, None) is None  # two operations and no name: the general path refuses it


@pytest.mark.parametrize(
    "text",
    [
        'mutation { revokeToken(id: "x") }',
        "subscription { events { kind } }",
        "query { ...F } fragment F on Query { configurationItems { totalCount } }",
        "query { configurationItems @include(if: true) { totalCount } }",
        "query @deprecated { configurationItems { totalCount } }",
        "query { configurationItems { totalCount } configurationItems { nodes { id } } }",
        "query { __typename configurationItems { totalCount } }",
        'query { search(text: "x") { id } }',
        'query { impact(origin: ["x"]) { impacted { item { id } } } }',
        "query {",
    ],
)
def test_what_gets_no_lane(lanes: Lanes, text: str) -> None:
    assert lanes._make(text, None) is None


def test_every_extension_of_the_schema_is_accounted_for_by_the_lane() -> None:
    """The lane skips strawberry's extensions: each must have its per-request work done by the lane, or none."""
    kinds = [type(extension).__name__ for extension in build_schema(Settings()).get_extensions()]
    assert sorted(kinds) == sorted(ACCOUNTED_FOR)
