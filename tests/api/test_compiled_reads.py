"""Compiled plain reads (graphql/compiled.py) give exactly the field-by-field path's answers, over a real Neo4j.

Two servers of the real app read the same demo CMDB: one compiles plain root reads, the other has them off
(GRAPHSVC_COMPILED_READS=false), both with kept answers off so each request is computed. Every document is asked of
both and the whole responses compared, data and errors: the contract's browse documents page by page, every
relationship field compiled (`RELATIONS`) with light and full items, every stored property of every compiled type,
lookups by id of the right and the wrong kind, and selections drawn by hypothesis. `STATS` shows which path
answered, so a test of the compiled path cannot pass on the fallback alone; the fallbacks themselves are asked for:
a list over the cap, a fragment, an estate."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.graphql import compiled
from graphsvc.graphql.schema import build_schema
from tests.api.conftest import GraphQLClient, counted, operation, same

SCHEMA = build_schema()._schema
# root listing field -> its node type, for every kind the compiled path answers
PAGES = {
    "configurationItems": SCHEMA.get_type("ConfigurationItem"),
    "services": SCHEMA.get_type("Service"),
    "sites": SCHEMA.get_type("Site"),
    "teams": SCHEMA.get_type("Team"),
    "requirements": SCHEMA.get_type("Requirement"),
    "businessUnits": SCHEMA.get_type("BusinessUnit"),
    "policies": SCHEMA.get_type("Policy"),
    "metrics": SCHEMA.get_type("Metric"),
    "slas": SCHEMA.get_type("SLA"),
    "redundancyGroups": SCHEMA.get_type("RedundancyGroup"),
    "processConnection": SCHEMA.get_type("Process"),
    "changes": SCHEMA.get_type("Change"),
    "releases": SCHEMA.get_type("Release"),
    "problems": SCHEMA.get_type("Problem"),
}


def _scalars(gql_type: Any) -> list[str]:
    """The stored-property fields of a type (no arguments, a scalar or enum, not a relationship)."""
    names = []
    for name, field in gql_type.fields.items():
        named = field.type
        while hasattr(named, "of_type"):
            named = named.of_type
        if field.args or isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        definition = (field.extensions or {}).get("strawberry-definition")
        if definition is not None and definition.base_resolver is None:
            names.append(name)
    return names


def _relations(gql_type: GraphQLObjectType) -> list[str]:
    """The relationship fields of `RELATIONS` the type has, its own and its interfaces'."""
    owners = {gql_type.name, *(i.name for i in gql_type.interfaces)}
    return sorted({field for owner, field in compiled.RELATIONS if owner in owners})


def _target(gql_type: GraphQLObjectType, field: str) -> Any:
    named = gql_type.fields[field].type
    while hasattr(named, "of_type"):
        named = named.of_type
    return named


def test_the_contract_browse_pages_are_compiled_and_equal(pair: tuple[GraphQLClient, GraphQLClient]) -> None:
    """BrowseConfigurationItems for every CI type, every page: the same answer, every page answered compiled
    except those with a list over the cap (which fall back and carry the same error)."""
    document = operation("browse.graphql", "BrowseConfigurationItems")
    body = f"{document}\n"
    pages = answered = fell_back = 0
    for ci_type in [None, "APPLICATION", "DATABASE", "SERVER", "CONTAINER", "FACILITY", "SAAS"]:
        after = None
        while True:
            variables = {"type": ci_type, "after": after} if ci_type else {"after": after}
            compiled_api, general_api = pair
            before = (compiled.STATS.answered, compiled.STATS.fell_back)
            body_on = compiled_api.http.post(
                "/graphql", json={"query": body, "variables": variables, "operationName": "BrowseConfigurationItems"}
            ).json()
            body_off = general_api.http.post(
                "/graphql", json={"query": body, "variables": variables, "operationName": "BrowseConfigurationItems"}
            ).json()
            assert body_on == body_off
            answered += compiled.STATS.answered - before[0]
            fell_back += compiled.STATS.fell_back - before[1]
            pages += 1
            page = (body_on.get("data") or {}).get("configurationItems")
            if not page or not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert answered + fell_back == pages
    assert answered >= 1
    assert fell_back >= 1  # the demo has CIs with more than LIST_CAP dependents


@pytest.mark.parametrize("root", sorted(PAGES))
def test_every_stored_property_of_every_kind(pair: tuple[GraphQLClient, GraphQLClient], root: str) -> None:
    node = PAGES[root]
    fields = " ".join(_scalars(node))
    query = f"{{ {root}(first: 200) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {fields} }} }} }}"
    answer, answered, _ = counted(pair, query)
    assert answered == 1
    assert "errors" not in answer
    assert answer["data"][root]["totalCount"] >= 1


@pytest.mark.parametrize(
    ("root", "field"), [(root, field) for root in sorted(PAGES) for field in _relations(PAGES[root])]
)
def test_every_relationship_light_and_full(pair: tuple[GraphQLClient, GraphQLClient], root: str, field: str) -> None:
    """Each relationship of `RELATIONS` on each kind that has it: light (id and name) and with every stored
    property of its items; every item of the kind (the demo's lists both under and over the cap)."""
    target = _target(PAGES[root], field)
    # a list of incidents is not compiled: Incident builds itself its own way
    compilable = isinstance(target, GraphQLInterfaceType) or compiled._item_class(target) is not None
    full = " ".join(_scalars(target)) + " __typename"
    for selection in ("id name", full):
        query = f"{{ {root}(first: 200) {{ edges {{ cursor node {{ id {field} {{ {selection} }} }} }} }} }}"
        answer, answered, fell_back = counted(pair, query)
        assert answered + fell_back == (1 if compilable else 0)
        if answered:
            assert "errors" not in answer


def test_filters_of_every_kind(pair: tuple[GraphQLClient, GraphQLClient]) -> None:
    """Each filter field, as a literal and as a variable: the same items, answered compiled."""
    some = same(pair, "{ configurationItems(first: 100) { nodes { site { id } owner { id } } } }")
    first = next(n for n in some["data"]["configurationItems"]["nodes"] if n["site"] and n["owner"])
    site, owner = first["site"]["id"], first["owner"]["id"]
    documents = [
        (
            "{ configurationItems(first: 200, filter: {type: DATABASE, environment: PRODUCTION}) "
            "{ totalCount nodes { id } } }",
            {},
        ),
        (
            "{ configurationItems(first: 200, filter: {status: ACTIVE, criticality: 1}) { totalCount nodes { id } } }",
            {},
        ),
        (
            "query ($s: ID) { configurationItems(first: 200, filter: {site: $s}) { totalCount nodes { id } } }",
            {"s": site},
        ),
        ("query ($o: ID) { configurationItems(filter: {owner: $o}) { totalCount nodes { id } } }", {"o": owner}),
        ("{ services(first: 200, filter: {tier: BUSINESS}) { totalCount nodes { id tier } } }", {}),
        ("{ policies(filter: {ruleType: CAB_APPROVAL}) { totalCount nodes { id ruleType } } }", {}),
        ("{ requirements(filter: {kind: BUSINESS}) { totalCount nodes { id kind } } }", {}),
        ("{ changes(filter: {status: APPROVED}) { totalCount nodes { id status } } }", {}),
    ]
    matched = 0
    for document, variables in documents:
        answer, answered, fell_back = counted(pair, document, variables)
        assert (answered, fell_back) == (1, 0) and "errors" not in answer, answer
        matched += min(1, next(iter(answer["data"].values()))["totalCount"])
    assert matched >= 6  # the filters match something in the demo (an empty answer proves little)


def test_lookups_by_id(pair: tuple[GraphQLClient, GraphQLClient]) -> None:
    some = same(pair, "{ services(first: 3) { nodes { id } } configurationItems(first: 3) { nodes { id } } }")
    service_id = some["data"]["services"]["nodes"][0]["id"]
    ci_id = some["data"]["configurationItems"]["nodes"][0]["id"]
    query = "query ($id: ID!) { service(id: $id) { id name tier owner { id name } slas { id name } } }"
    answer, answered, _ = counted(pair, query, {"id": service_id})
    assert answered == 1 and answer["data"]["service"]["id"] == service_id
    for wrong in (ci_id, "NO-SUCH-ITEM"):  # another kind's id, an unknown one: null both ways
        answer, answered, _ = counted(pair, query, {"id": wrong})
        assert answered == 1 and answer == {"data": {"service": None}}


def test_the_contract_service_detail_and_consumption_both_ways(pair: tuple[GraphQLClient, GraphQLClient]) -> None:
    """ServiceDetail (its consumers with their shares) for every service, and units' consumption from their side."""
    services = same(pair, "{ services(first: 200) { nodes { id } } }")["data"]["services"]["nodes"]
    document = operation("browse.graphql", "ServiceDetail")
    shares = compiled_answers = 0
    for service in services:
        answer, answered, fell_back = counted(pair, document, {"id": service["id"]}, "ServiceDetail")
        assert answered + fell_back == 1
        if answered:  # else a list over LIST_CAP: the same LIST_TOO_LONG error both ways
            assert "errors" not in answer
            compiled_answers += 1
            shares += len(answer["data"]["service"]["consumers"])
    assert compiled_answers >= len(services) // 2 and shares >= 3  # the demo's services have consumers
    query = (
        "{ businessUnits(first: 50) { nodes { id consumes { __typename share service { id name tier } "
        "businessUnit { id costCenter } } } } services(first: 50) { nodes { id consumers { share "
        "businessUnit { name } service { id } } } } }"
    )
    answer, answered, fell_back = counted(pair, query)
    assert answered + fell_back == 2 and answered >= 1  # a unit consuming more than LIST_CAP services falls back


def test_what_is_not_compiled_is_answered_field_by_field(pair: tuple[GraphQLClient, GraphQLClient]) -> None:
    documents = [
        "{ configurationItems(first: 5) { nodes { ...f } } } fragment f on ConfigurationItem { id name }",
        "{ configurationItems(first: 5) { nodes { id name @include(if: true) } } }",
        "{ configurationItems(first: 5) { nodes { id neighbours(direction: DEPENDENTS, first: 2) { total } } } }",
        "{ incidents(first: 5) { nodes { id title } } }",  # Incident builds itself its own way
        "{ estate { configurationItems(first: 5) { nodes { id name } } } }",  # not a root field there
    ]
    for document in documents:
        answer, answered, fell_back = counted(pair, document)
        assert (answered, fell_back) == (0, 0)
        assert "errors" not in answer, answer


def test_refusals_are_the_same(pair: tuple[GraphQLClient, GraphQLClient]) -> None:
    for document in [
        "{ configurationItems(first: 100000) { totalCount } }",
        '{ configurationItems(after: "bm90LW91cnM=") { totalCount } }',
    ]:
        answer = same(pair, document)
        assert answer["errors"]


ALIASES = st.sampled_from(["", "a: ", "b: "])


@st.composite
def selections(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    root = draw(st.sampled_from(sorted(PAGES)))
    node = PAGES[root]
    fields = draw(st.lists(st.sampled_from(_scalars(node)), min_size=1, max_size=6, unique=True))
    parts = [draw(ALIASES) + f for f in fields]
    for field in draw(st.lists(st.sampled_from(_relations(node) or ["id"]), max_size=3, unique=True)):
        if field == "id":
            continue
        inner = draw(st.lists(st.sampled_from(_scalars(_target(node, field))), min_size=1, max_size=4, unique=True))
        parts.append(f"{field} {{ {' '.join(inner)} }}")
    first = draw(st.integers(min_value=0, max_value=30))
    query = f"{{ {root}(first: {first}) {{ totalCount edges {{ node {{ {' '.join(parts)} }} }} }} }}"
    return query, {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=selections())
def test_drawn_selections_are_equal(pair: tuple[GraphQLClient, GraphQLClient], drawn: tuple[str, Any]) -> None:
    query, variables = drawn
    same(pair, query, variables)


def test_a_related_item_of_another_kind_than_its_type_falls_back(
    pair: tuple[GraphQLClient, GraphQLClient], sync_driver: Any
) -> None:
    """A CI's `site` is typed Site: a node labelled Site whose stored kind says otherwise (written behind graphsvc) is
    not shaped as a Site by the compiled path; the field-by-field path answers, and says what it finds. (For `{ id
    name }` the compiled path reads no kind for an `Item` list, but it still does for a typed one.)"""
    query = "{ configurationItems(first: 200) { nodes { id site { id name } } } }"
    answer, answered, _ = counted(pair, query)
    assert answered == 1
    site = next(n["site"]["id"] for n in answer["data"]["configurationItems"]["nodes"] if n["site"])
    sync_driver.execute_query("MATCH (s:Site {id: $id}) SET s.itemKind = 'TEAM'", id=site, database_="neo4j")
    try:
        _, answered, fell_back = counted(pair, query)
        assert (answered, fell_back) == (0, 1)
    finally:
        sync_driver.execute_query("MATCH (s:Site {id: $id}) SET s.itemKind = 'SITE'", id=site, database_="neo4j")
    assert counted(pair, query)[1] == 1
