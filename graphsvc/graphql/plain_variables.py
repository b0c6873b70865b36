"""A lane's variables, coerced without graphql-core when they are plain: what `get_variable_values` would give.

A lane (graphql/lane.py) coerces its request's variables on every request; graphql-core's `get_variable_values` walks
each value through its type's coercion, a twentieth of a small answer's time (the contract's Impact document's one
`$origin: [ID!]!`). Most variables are plain: an ID, a string, a boolean or an int, or a list of them, sent as JSON
of exactly that type. For those the coerced value is the value itself (a list: a new list of the same values), so
`plain_coercion` checks the types and hands the values over. Anything else (an input object, an enum, a custom
scalar, a default value, a value missing or of another type, an int sent for an ID, a single value for a list) is
left to graphql-core, with its errors as they are. tests/unit/test_plain_variables.py compares both over drawn types
and values.
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
_NOT_PLAIN: Any = object()  # what a coercion below gives for a value it leaves to graphql-core

# A value of one input type -> the same value (a list: a new list, as graphql-core makes one), or _NOT_PLAIN
Coerce = Callable[[Any], Any]


def _text(value: Any) -> Any:
    return value if type(value) is str else _NOT_PLAIN


def _boolean(value: Any) -> Any:
    return value if type(value) is bool else _NOT_PLAIN


def _int(value: Any) -> Any:
    return value if type(value) is int and _MIN_INT <= value <= _MAX_INT else _NOT_PLAIN


# graphql-core's own scalars (the schema's, by identity), each with the values it gives back unchanged
_SCALARS: dict[int, Coerce] = {
    id(GraphQLID): _text,
    id(GraphQLString): _text,
    id(GraphQLBoolean): _boolean,
    id(GraphQLInt): _int,
}


def _coerce(gql_type: Any) -> Coerce | None:
    """How a plain value of this (input) type is coerced; None: the type is not one handled."""
    non_null = isinstance(gql_type, GraphQLNonNull)
    inner = gql_type.of_type if non_null else gql_type
    element: Coerce
    if isinstance(inner, GraphQLList):
        item = _coerce(inner.of_type)
        if item is None:
            return None

        def listed(value: Any) -> Any:
            if type(value) is not list:  # one value for a list: graphql-core's (it makes a list of it)
                return _NOT_PLAIN
            found = [item(v) for v in value]  # a list of its own: a plan may not change the request's
            return _NOT_PLAIN if _NOT_PLAIN in found else found

        element = listed
    else:
        found = _SCALARS.get(id(inner))
        if found is None:
            return None
        element = found
    if non_null:
        return element
    return lambda value: None if value is None else element(value)


def plain_coercion(schema: GraphQLSchema, definitions: Collection[VariableDefinitionNode]) -> Coercion | None:
    """A coercion for an operation whose every variable is of a plain type without a default, or None."""
    coercions: list[tuple[GraphQLVariableSignature, Coerce]] = []
    for definition in definitions:
        if definition.default_value is not None or definition.directives:
            return None
        signature = get_variable_signature(schema, definition)
        if isinstance(signature, GraphQLError):
            return None
        coerce = _coerce(signature.type)
        if coerce is None:
            return None
        coercions.append((signature, coerce))
    return _coercion(tuple(coercions))


def _coercion(coercions: Sequence[tuple[GraphQLVariableSignature, Coerce]]) -> Coercion:
    def coerce(variables: dict[str, Any]) -> VariableValues | None:
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for signature, one in coercions:
            name = signature.name
            if name not in variables:  # missing: graphql-core's (an error for a non-null type, left out otherwise)
                return None
            value = variables[name]
            found = one(value)
            if found is _NOT_PLAIN:
                return None
            sources[name] = VariableValueSource(signature, value)
            coerced[name] = found
        return VariableValues(sources, coerced)

    return coerce
