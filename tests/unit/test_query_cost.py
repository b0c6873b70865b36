"""The cost a document is given before it runs (graphql/query_cost.py): the contract's documents fit the default
budget, every list multiplies by the most it can hold, analyses weigh what they compute, and a variable left out
counts with its declared default."""

from __future__ import annotations

from pathlib import Path

from graphql import parse

from graphsvc.graphql.neighbours import BY_TYPE_MOST
from graphsvc.graphql.query_cost import ANALYSIS_WEIGHT, document_cost
from graphsvc.graphql.schema import build_schema
from graphsvc.settings import Settings

SCHEMA = build_schema()._schema
OPERATIONS = Path(__file__).resolve().parents[1] / "contract" / "operations"
BUDGET = Settings().max_query_cost


def cost(text: str, variables: dict[str, object] | None = None, *, cap: int = 500) -> int:
    (found,) = document_cost(SCHEMA, parse(text), variables, max_list_items=cap, max_page_size=500)
    return found.cost


def test_every_contract_document_fits_the_default_budget() -> None:
    for path in sorted(OPERATIONS.glob("*.graphql")):
        for found in document_cost(SCHEMA, parse(path.read_text()), {}, max_list_items=500, max_page_size=500):
            assert found.cost <= BUDGET, (path.name, found.operation, found.cost)


def test_lists_multiply_what_is_below_them() -> None:
    # Each field costs 1, and a list's cost is 1 + (what it holds at most) x (what one element selects).
    assert cost("{ teams(first: 10) { nodes { id } } }") == 1 + (1 + 10 * 1)
    assert cost("{ teams(first: 10) { nodes { id owns { id } } } }") == 1 + (1 + 10 * (1 + (1 + 500 * 1)))
    assert cost("{ teams(first: 10) { nodes { id owns { id } } } }", cap=20) == 1 + (1 + 10 * (1 + (1 + 20)))
    nested = '{ team(id: "T") { owns { id ... on ConfigurationItem { owner { owns { id } } } } } }'
    assert cost(nested) == 1 + (1 + 500 * (1 + (1 + (1 + 500 * 1))))


def test_a_variable_left_out_counts_with_its_default() -> None:
    with_default = "query($n: Int = 500) { teams(first: $n) { nodes { owns { id } } } }"
    assert cost(with_default) == cost("{ teams(first: 500) { nodes { owns { id } } } }")
    assert cost(with_default, {"n": 2}) == cost("{ teams(first: 2) { nodes { owns { id } } } }")


def test_analyses_weigh_what_they_compute_wherever_they_are() -> None:
    assert cost('{ impact(origin: ["X"]) { origin } }') == ANALYSIS_WEIGHT + 1
    releases = cost("{ releases(first: 100) { nodes { impact { origin } } } }")
    assert releases >= 100 * ANALYSIS_WEIGHT  # each release's impact is an analysis of its own
    assert cost("{ changes(first: 50) { nodes { assessment { risk { score } } } } }") >= 50 * ANALYSIS_WEIGHT


def test_fragments_cost_what_they_expand_to() -> None:
    spread = "{ teams(first: 10) { nodes { ...T } } } fragment T on Team { id owns { id } }"
    assert cost(spread) == cost("{ teams(first: 10) { nodes { id owns { id } } } }")
    laughs = "{ ...A } " + " ".join(
        f"fragment {c} on Query {{ " + f"...{n} " * 10 + "}" for c, n in zip("ABCD", "BCDE", strict=True)
    )
    laughs += " fragment E on Query { teams(first: 1) { nodes { id } } }"
    assert cost(laughs) == 10**4 * cost("{ teams(first: 1) { nodes { id } } }")


def test_neighbours_cost_what_first_lets_them_read() -> None:
    def neighbours(first: int, selection: str = "edges { item { id } }") -> int:
        return cost(
            f'{{ item(id: "X") {{ ... on Dependable {{ neighbours(direction: DEPENDENTS, first: {first}) '
            f"{{ total {selection} }} }} }} }}"
        )

    assert neighbours(10) == 1 + (1 + (1 + (1 + 10 * (1 + 1))))
    assert neighbours(20) - neighbours(10) == 10 * 2  # each edge's item and its id
    # the counts by kind and CI type hold one entry per kind and CI type at most, not a list cap's worth
    by_type = neighbours(10, "byType { itemKind ciType count }") - neighbours(10, "")
    assert by_type == 1 + BY_TYPE_MOST * 3 and BY_TYPE_MOST == 14
