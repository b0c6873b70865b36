"""Compiled impact answers (graphql/compiled_impact.py) are exactly the field-by-field path's, over a real Neo4j.

The pair of servers of tests/api/conftest.py (compiled reads on and off, kept answers off) reads the demo CMDB. Every
document is asked of both and the whole responses compared, data and errors; `compiled.STATS` shows which path
answered, so a test of the compiled path cannot pass on the fallback alone: the contract's Impact and SiteFailure
documents for every item and site, every field and argument of an impact, selections drawn by hypothesis, and the
documents that must go the field-by-field way (directives, an entry's `item`, bad arguments, unknown origins)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import GraphQLClient, counted, first_ids, operation

Pair = tuple[GraphQLClient, GraphQLClient]
IMPACT = operation("impact.graphql", "Impact")


@pytest.fixture(scope="module")
def dependable(pair: Pair) -> list[str]:
    """Every service, CI and redundancy group of the demo."""
    found = [i for root in ("services", "configurationItems", "redundancyGroups") for i in first_ids(pair, root)]
    assert len(found) > 20
    return found


def test_the_contract_impact_document_for_every_item_is_compiled_and_equal(pair: Pair, dependable: list[str]) -> None:
    answered = reached = 0
    for item in dependable:
        answer, compiled_count, fell_back = counted(pair, IMPACT, {"origin": [item]}, "Impact")
        assert "errors" not in answer, answer
        impacted = answer["data"]["impact"]["impacted"]
        assert not impacted or impacted[0]["id"] == item  # a RETIRED item impacts nothing
        reached += len(impacted) > 1
        assert fell_back == 0
        answered += compiled_count
    assert answered == len(dependable)
    assert reached > len(dependable) // 2


def test_a_wide_origin_with_degraded_origins(pair: Pair, dependable: list[str]) -> None:
    """Several origins and degraded origins at once: services, requirements, units, SLAs and teams all non-empty."""
    origin, degraded = dependable[-6:], dependable[:4]
    query = """query($o: [ID!]!, $d: [ID!]) { impact(origin: $o, degraded: $d) {
      origin degraded
      totals { impacted down degraded services requirements businessUnits slas teams __typename }
      impacted { id kind name status depth path explanation __typename }
      services { id name status criticality depth tier }
      requirements { id name kind status }
      businessUnits { id name costCenter }
      slas { id name availabilityTarget }
      teams { id name email } __typename } }"""
    answer, compiled_count, _ = counted(pair, query, {"o": origin, "d": degraded})
    impact = answer["data"]["impact"]
    assert compiled_count == 1
    assert all(impact[k] for k in ("impacted", "services", "requirements", "businessUnits", "slas", "teams"))
    # every total is its list's length (each list whole at its default page size), DOWN and DEGRADED split them
    totals = impact["totals"]
    for name in ("impacted", "services", "requirements", "businessUnits", "slas", "teams"):
        assert totals[name] == len(impact[name]), name
    assert totals["down"] == sum(1 for i in impact["impacted"] if i["status"] == "DOWN") > 0
    assert totals["degraded"] == sum(1 for i in impact["impacted"] if i["status"] == "DEGRADED")
    assert totals["down"] + totals["degraded"] == totals["impacted"]


def test_every_site_failure_is_compiled_and_equal(pair: Pair) -> None:
    document = operation("impact.graphql", "SiteFailure")
    sites = first_ids(pair, "sites")
    assert sites
    for site in sites:
        answer, compiled_count, fell_back = counted(pair, document, {"siteId": site}, "SiteFailure")
        assert "errors" not in answer, answer
        assert (compiled_count, fell_back) == (1, 0)


@pytest.mark.parametrize(
    "arguments",
    [
        "first: 2",
        "first: 3, offset: 2",
        "offset: 100",
        "first: 0",
        "status: DEGRADED",
        "status: DOWN, kind: SERVICE",
        "kind: CONFIGURATION_ITEM, first: 1",
    ],
)
def test_impacted_arguments(pair: Pair, dependable: list[str], arguments: str) -> None:
    query = f"""query($o: [ID!]!) {{ impact(origin: $o) {{
      impacted({arguments}) {{ id status depth }} services({arguments.split(", ")[0]}) {{ id }} }} }}"""
    for origin in (dependable[:1], dependable[-3:]):
        if "status" in arguments or "kind" in arguments:
            query = query.replace(f"services({arguments.split(', ')[0]})", "services")
        answer, compiled_count, fell_back = counted(pair, query, {"o": origin})
        assert "errors" not in answer, answer
        assert (compiled_count, fell_back) == (1, 0)


def test_arguments_from_variables_and_aliases(pair: Pair, dependable: list[str]) -> None:
    query = """query($o: [ID!]!, $n: Int!, $s: ImpactStatus) { first: impact(origin: $o) {
      few: impacted(first: $n, status: $s) { key: id s: status } all: impacted { id }
      count: totals { n: impacted } } }"""
    for n, status in ((1, None), (2, "DEGRADED"), (5, "DOWN")):
        answer, compiled_count, _ = counted(pair, query, {"o": dependable[-2:], "n": n, "s": status})
        assert "errors" not in answer, answer
        assert len(answer["data"]["first"]["few"]) <= n
        assert compiled_count == 1


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        # a directive: the selection depends on the variables
        ("query($o: [ID!]!, $x: Boolean!) { impact(origin: $o) { impacted @include(if: $x) { id } } }", {"x": True}),
        # an entry's item, an exposed unit's relations: fields this path does not know
        ("query($o: [ID!]!) { impact(origin: $o) { impacted { item { id name } } } }", {}),
        ("query($o: [ID!]!) { impact(origin: $o) { businessUnits { id slas { id } } } }", {}),
        # a fragment on another type (an interface of the exposed unit)
        ("query($o: [ID!]!) { impact(origin: $o) { businessUnits { ... on Item { id } } } }", {}),
        # a response key asked twice
        ("query($o: [ID!]!) { impact(origin: $o) { impacted { id } impacted { id status } } }", {}),
    ],
)
def test_what_the_compiled_path_does_not_know_goes_field_by_field(
    pair: Pair, dependable: list[str], query: str, variables: dict[str, Any]
) -> None:
    answer, compiled_count, fell_back = counted(pair, query, {"o": dependable[-3:], **variables})
    assert (compiled_count, fell_back) == (0, 0)
    assert answer["data"]["impact"] is not None, answer


@pytest.mark.parametrize(
    ("query", "variables", "code", "paths"),
    [
        # an argument the resolver refuses: checked before the analysis, answered field by field
        ("query($o: [ID!]!) { impact(origin: $o) { impacted(offset: -1) { id } } }", {"o": ["@first"]}, None, (0, 1)),
        ("query($o: [ID!]!) { impact(origin: $o) { services(first: 10001) { id } } }", {"o": ["@first"]}, None, (0, 1)),
        # an origin the analysis refuses: the resolver's own error at the root, without computing it twice
        ("query($o: [ID!]!) { impact(origin: $o) { impacted { id } } }", {"o": ["NO-SUCH-ID"]}, "NOT_FOUND", (1, 0)),
        ("query($o: [ID!]!) { impact(origin: $o) { teams { id } } }", {"o": ["@site"]}, "BAD_USER_INPUT", (1, 0)),
        ('{ siteFailure(siteId: "NO-SUCH-SITE") { impacted { id } } }', {}, "NOT_FOUND", (1, 0)),
    ],
)
def test_refusals_are_the_field_by_field_paths(
    pair: Pair, dependable: list[str], query: str, variables: dict[str, Any], code: str | None, paths: tuple[int, int]
) -> None:
    """A bad argument or origin: the same error either way (`same` compares the whole responses, paths and
    locations included)."""
    chosen = {"@first": dependable[0], "@site": first_ids(pair, "sites")[0]}
    variables = {k: [chosen.get(v, v) for v in vs] if isinstance(vs, list) else vs for k, vs in variables.items()}
    answer, compiled_count, fell_back = counted(pair, query, variables)
    (error,) = answer["errors"]
    if code is not None:
        assert error["extensions"]["code"] == code, error
    assert (compiled_count, fell_back) == paths


def test_fragments_nested_inline_and_in_entries(pair: Pair, dependable: list[str]) -> None:
    query = """query($o: [ID!]!, $d: [ID!]) { impact(origin: $o, degraded: $d) { ...Outer
      ... on ImpactResult { services { ...Svc } } } }
    fragment Outer on ImpactResult { ...Inner totals { ... on ImpactTotals { impacted } ...Counts } }
    fragment Inner on ImpactResult { impacted { ... on ImpactedItem { id } ...Item } teams { ...Team } }
    fragment Item on ImpactedItem { status depth }
    fragment Svc on ImpactedService { id status }
    fragment Counts on ImpactTotals { down degraded }
    fragment Team on Team { id name }"""
    for degraded in (None, [], dependable[:2]):
        answer, compiled_count, fell_back = counted(pair, query, {"o": dependable[-4:], "d": degraded})
        assert "errors" not in answer, answer
        assert set(answer["data"]["impact"]) == {"impacted", "teams", "totals", "services"}
        assert (compiled_count, fell_back) == (1, 0)


FIELDS: dict[str, list[str]] = {
    "origin": [],
    "degraded": [],
    "totals": ["impacted", "down", "degraded", "services", "requirements", "businessUnits", "slas", "teams"],
    "impacted": ["id", "kind", "name", "status", "depth", "path", "explanation", "__typename"],
    "services": ["id", "name", "status", "criticality", "depth", "tier"],
    "requirements": ["id", "name", "kind", "status"],
    "businessUnits": ["id", "name", "costCenter", "itemKind", "version", "__typename"],
    "slas": ["id", "name", "availabilityTarget", "responseMinutes", "resolutionMinutes", "createdAt"],
    "teams": ["id", "name", "email", "updatedAt"],
}


@st.composite
def selections(draw: st.DrawFn) -> tuple[str, str]:
    """An ImpactResult selection: some of its fields, each with some of its own; those after a drawn point go in a
    fragment (the field's selection, and the fragment's)."""
    chosen = draw(st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=len(FIELDS), unique=True))
    parts = []
    for name in chosen:
        inner = FIELDS[name]
        if inner:
            sub = draw(st.lists(st.sampled_from(inner), min_size=1, max_size=len(inner), unique=True))
            parts.append(f"{name} {{ {' '.join(sub)} }}")
        else:
            parts.append(name)
    split = draw(st.integers(0, len(parts)))
    return " ".join(parts[:split]), " ".join(parts[split:])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_drawn_selections_are_compiled_and_equal(pair: Pair, dependable: list[str], data: st.DataObject) -> None:
    head, spread = data.draw(selections())
    fragment = f"fragment F on ImpactResult {{ {spread} }}" if spread else ""
    head += " ...F" if spread else ""
    query = f"query($o: [ID!]!, $d: [ID!]) {{ impact(origin: $o, degraded: $d) {{ {head} }} }} {fragment}"
    origin = data.draw(st.lists(st.sampled_from(dependable), min_size=1, max_size=4, unique=True))
    degraded = data.draw(st.lists(st.sampled_from(dependable), max_size=2, unique=True))
    answer, compiled_count, fell_back = counted(pair, query, {"o": origin, "d": degraded})
    assert "errors" not in answer, answer
    assert (compiled_count, fell_back) == (1, 0)
