"""Probe documents built from the schema: one root field called with sample values for its required arguments."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from graphsvc.graphql.schema import build_schema

SCHEMA = build_schema()._schema
SAMPLE: dict[str, Any] = {
    "ID": "X-1",
    "String": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "DateTime": "2026-11-20T00:00:00Z",
    "Decimal": "1.00",
    "JSON": {},
}


def _one_of(type_: GraphQLInputObjectType) -> bool:
    """A @oneOf input (strawberry marks it with its OneOf directive)."""
    definition = (type_.extensions or {}).get("strawberry-definition")
    return any(type(d).__name__ == "OneOf" for d in getattr(definition, "directives", ()))


def literal(type_: Any) -> str:
    """A GraphQL literal of `type_` for a probe (only what the argument's type needs)."""
    if isinstance(type_, GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{literal(type_.of_type)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType) and _one_of(type_):  # exactly one field
        name, first = next(iter(type_.fields.items()))
        return "{" + f"{name}: {literal(first.type)}" + "}"
    if isinstance(type_, GraphQLInputObjectType):
        fields = [f"{n}: {literal(f.type)}" for n, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)]
        return "{" + ", ".join(fields) + "}"
    assert isinstance(type_, GraphQLScalarType)
    value = SAMPLE[type_.name]
    return "{}" if value == {} else ('"' + value + '"' if isinstance(value, str) else str(value).lower())


def probe(root: str, name: str) -> str:
    """A document calling one root field with its required arguments, selecting only __typename (or a scalar)."""
    parent = SCHEMA.mutation_type if root == "Mutation" else SCHEMA.query_type
    field = parent.fields[name]  # type: ignore[union-attr]
    args = [f"{a}: {literal(arg.type)}" for a, arg in field.args.items() if isinstance(arg.type, GraphQLNonNull)]
    call = f"{name}({', '.join(args)})" if args else name
    named = field.type
    while isinstance(named, GraphQLNonNull | GraphQLList):
        named = named.of_type
    selection = "" if isinstance(named, GraphQLScalarType | GraphQLEnumType) else " { __typename }"
    return f"{'mutation' if root == 'Mutation' else 'query'} {{ {call}{selection} }}"
