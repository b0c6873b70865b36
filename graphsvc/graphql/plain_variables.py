"""A lane's variables, coerced without graphql-core when they are plain: what `get_variable_values` would give.

A lane (graphql/lane.py) coerces its request's variables on every request; graphql-core's `get_variable_values` walks
each value through its type's coercion, a twentieth of a small answer's time (the contract's Impact document's one
`$origin: [ID!]!`). Most variables are plain: an ID, a string, a boolean or an int, or a list of them, sent as JSON
of exactly that type. For those the coerced value is the value itself, so `plain_coercion` checks the types and hands
the values over. Anything else (an input object, an enum, a custom scalar, a default value, a value missing or of
another type, an int sent for an ID, a single value for a list) returns None and graphql-core coerces it, with its
errors as they are. tests/unit/test_plain_variables.py compares both over drawn types and values.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLError,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    VariableDefinitionNode,
)
from graphql.execution.get_variable_signature import GraphQLVariableSignature, get_variable_signature
from graphql.execution.values import VariableValues, VariableValueSource

__all__ = ["Coercion", "plain_coercion"]

# A request's variables (as sent) -> what `get_variable_values` gives for them, or None: graphql-core coerces them
Coercion = Callable[[dict[str, Any]], VariableValues | None]

_MAX_INT, _MIN_INT = 2**31 - 1, -(2**31)


def _is_text(value: Any) -> bool:
    return type(value) is str


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _is_int(value: Any) -> bool:
    return type(value) is int and _MIN_INT <= value <= _MAX_INT


# graphql-core's own scalars (the schema's, by identity), each with the values it gives back unchanged
_SCALARS = {id(GraphQLID): _is_text, id(GraphQLString): _is_text, id(GraphQLBoolean): _is_bool, id(GraphQLInt): _is_int}


def _check(gql_type: Any) -> Callable[[Any], bool] | None:
    """Whether a value of this (input) type is plain and coerces to itself; None: the type is not one handled."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner = gql_type.of_type if non_null else gql_type
    if isinstance(inner, GraphQLList):
        item = _check(inner.of_type)
        if item is None:
            return None

        def listed(value: Any) -> bool:
            return type(value) is list and all(item(v) for v in value)

        element = listed
    else:
        found = _SCALARS.get(id(inner))
        if found is None:
            return None
        element = found
    if non_null:
        return element
    return lambda value: value is None or element(value)


def plain_coercion(schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]) -> Coercion | None:
    """A coercion for an operation whose every variable is of a plain type without a default, or None."""
    checks: list[tuple[str, GraphQLVariableSignature, Callable[[Any], bool]]] = []
    for definition in definitions:
        if definition.default_value is not None or definition.directives:
            return None
        signature = get_variable_signature(schema, definition)
        check = None if isinstance(signature, GraphQLError) else _check(signature.type)
        if check is None or isinstance(signature, GraphQLError):
            return None
        checks.append((signature.name, signature, check))
    return _coercion(tuple(checks))


def _coercion(checks: Sequence[tuple[str, GraphQLVariableSignature, Callable[[Any], bool]]]) -> Coercion:
    def coerce(variables: dict[str, Any]) -> VariableValues | None:
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for name, signature, check in checks:
            if name not in variables:  # missing: graphql-core's (an error for a non-null type, left out otherwise)
                return None
            value = variables[name]
            if not check(value):
                return None
            sources[name] = VariableValueSource(signature, value)
            coerced[name] = value
        return VariableValues(sources, coerced)

    return coerce
