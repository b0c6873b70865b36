"""graphql/plain_variables.py: a lane's plain variables give exactly what graphql-core's coercion gives, or are left
to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, build_schema, get_operation_ast, parse
from graphql.execution.values import get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.graphql.plain_variables import plain_coercion
from graphsvc.graphql.schema import build_schema as build_graphsvc_schema

SCHEMA = build_schema(
    """
    enum Colour { RED GREEN }
    input Pair { a: Int b: String }
    scalar Stamp
    type Query { echo(i: ID, s: String, n: Int, b: Boolean, f: Float, c: Colour, p: Pair, t: Stamp): String }
    """
)
PLAIN = ["ID", "String", "Int", "Boolean"]
LEAVES = [*PLAIN * 4, "Float", "Colour", "Pair", "Stamp"]  # mostly plain: those are the cases the coercion takes


@st.composite
def type_texts(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(LEAVES))
    for _ in range(draw(st.integers(0, 2))):
        text = f"{text}!" if draw(st.booleans()) and not text.endswith("!") else text
        text = f"[{text}]"
    return f"{text}!" if draw(st.booleans()) else text


VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=5)
    | st.sampled_from(["RED", "GREEN", "CI-000001"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=2),
    max_leaves=6,
)


def values_for(text: str) -> st.SearchStrategy[Any]:
    """Values of the type `text`, or near it (an int for an ID, an Int just out of range, 1.0, 0 for a boolean), most
    of the time; anything now and then."""
    non_null = text.endswith("!")
    inner = text[:-1] if non_null else text
    if inner.startswith("["):
        item = values_for(inner[1:-1])
        fitting = st.lists(item, max_size=3) | item  # one value where a list is asked: graphql-core makes it a list
    else:
        fitting = {
            "ID": st.text(max_size=5) | st.integers(-3, 3),
            "String": st.text(max_size=5) | st.integers(-3, 3),
            "Int": st.integers(-3, 3) | st.sampled_from([2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 1.0, True]),
            "Boolean": st.booleans() | st.sampled_from([0, 1, "true"]),
        }.get(inner, VALUES)
    if not non_null:
        fitting = st.none() | fitting
    # three in four fitting (one_of would weigh VALUES' many branches against fitting's few)
    return st.integers(0, 3).flatmap(lambda k: VALUES if k == 0 else fitting)


def _typed(value: Any) -> Any:
    """The value with every leaf's type beside it: 1.0 and 1, or True and 1, are not the same coerced value."""
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


def _as_compared(found: Any) -> Any:
    return {
        "coerced": _typed(found.coerced),
        "sources": {k: (s.signature.name, str(s.signature.type), _typed(s.value)) for k, s in found.sources.items()},
    }


@settings(max_examples=300)
@given(st.lists(type_texts(), min_size=1, max_size=3), st.data())
def test_a_plain_coercion_is_graphql_cores(types: list[str], data: st.DataObject) -> None:
    defaults = [
        data.draw(st.sampled_from(["", "", "", " = null", ' = "x"'])) if not t.endswith("!") else "" for t in types
    ]
    definitions = ", ".join(f"$v{i}: {t}{d}" for i, (t, d) in enumerate(zip(types, defaults, strict=True)))
    document = parse(f"query Q({definitions}) {{ echo }}", no_location=True)
    operation = get_operation_ast(document)
    assert isinstance(operation, OperationDefinitionNode)
    coercion = plain_coercion(SCHEMA, operation.variable_definitions)
    variables = {f"v{i}": data.draw(values_for(t)) for i, t in enumerate(types) if data.draw(st.integers(0, 9)) > 0}
    expected = get_variable_values(SCHEMA, operation.variable_definitions, variables)
    found = coercion(variables) if coercion is not None else None
    if found is not None:
        assert not isinstance(expected, list), f"graphql-core refuses {variables!r} for {definitions}: {expected}"
        assert _as_compared(found) == _as_compared(expected)


@settings(max_examples=500)
@given(type_texts(), st.data())
def test_one_variable_of_each_type_near_and_off_it(text: str, data: st.DataObject) -> None:
    operation = get_operation_ast(parse(f"query Q($v: {text}) {{ echo }}", no_location=True))
    assert isinstance(operation, OperationDefinitionNode)
    coercion = plain_coercion(SCHEMA, operation.variable_definitions)
    variables = {"v": data.draw(values_for(text))}
    found = coercion(variables) if coercion is not None else None
    if found is not None:
        expected = get_variable_values(SCHEMA, operation.variable_definitions, variables)
        assert not isinstance(expected, list), f"graphql-core refuses {variables!r} for {text}: {expected}"
        assert _as_compared(found) == _as_compared(expected)


def test_plain_values_take_the_plain_coercion() -> None:
    """The cases it is for (it would be no use if it always left them to graphql-core)."""
    document = parse("query Q($a: [ID!]!, $b: String, $c: Int!, $d: Boolean, $e: [[String]]) { echo }")
    operation = get_operation_ast(document)
    assert isinstance(operation, OperationDefinitionNode)
    coercion = plain_coercion(SCHEMA, operation.variable_definitions)
    assert coercion is not None
    variables: dict[str, Any] = {"a": ["CI-1", "CI-2"], "b": None, "c": 7, "d": True, "e": [["x", None], None]}
    found = coercion(variables)
    assert found is not None and found.coerced == variables
    assert (
        found.coerced["a"] is not variables["a"]
    )  # a list of its own, as graphql-core makes: a plan may not change it
    assert found.coerced["e"][0] is not variables["e"][0]
    assert coercion({**variables, "a": [1]}) is None  # an int for an ID: graphql-core's (it makes it a string)
    assert coercion({**variables, "a": "CI-1"}) is None  # one value for a list: graphql-core's
    assert coercion({**variables, "c": 2**31}) is None  # out of Int's range: graphql-core's error
    assert coercion({k: v for k, v in variables.items() if k != "b"}) is None  # missing: graphql-core's


def test_the_contract_impact_documents_variables_are_plain() -> None:
    schema = build_graphsvc_schema()._schema
    text = (Path(__file__).parents[1] / "contract" / "operations" / "impact.graphql").read_text()
    operation = get_operation_ast(parse(text), "Impact")
    assert isinstance(operation, OperationDefinitionNode)
    coercion = plain_coercion(schema, operation.variable_definitions)
    assert coercion is not None
    found = coercion({"origin": ["CI-000001"]})
    assert found is not None and found.coerced == {"origin": ["CI-000001"]}
