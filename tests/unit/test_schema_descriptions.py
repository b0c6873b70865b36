"""Every element of the served schema says what it is for: each named type (object, interface, union, input, enum,
scalar), field, argument, input field and enum value has a non-empty description, so an analyst reading the schema
in GraphiQL or a generated client learns units, ranges and what null means without reading the code. Only
introspection types (`__*`) and GraphQL's built-in scalars, which the specification describes, are left out."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
)

from graphsvc.graphql.schema import build_schema

BUILT_IN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


def _blank(description: str | None) -> bool:
    return description is None or not description.strip()


def _undescribed_in(named: GraphQLNamedType) -> list[str]:
    missing = [named.name] if _blank(named.description) else []
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for field_name, field in named.fields.items():
            if _blank(field.description):
                missing.append(f"{named.name}.{field_name}")
            missing.extend(
                f"{named.name}.{field_name}({arg_name}:)"
                for arg_name, arg in field.args.items()
                if _blank(arg.description)
            )
    elif isinstance(named, GraphQLInputObjectType):
        missing.extend(f"{named.name}.{name}" for name, field in named.fields.items() if _blank(field.description))
    elif isinstance(named, GraphQLEnumType):
        missing.extend(f"{named.name}.{name}" for name, value in named.values.items() if _blank(value.description))
    return missing


def undescribed(schema: GraphQLSchema) -> list[str]:
    """The schema's elements without a description, as `Type`, `Type.field`, `Type.field(arg:)` or `Enum.VALUE`."""
    return [
        element
        for name, named in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in BUILT_IN_SCALARS
        for element in _undescribed_in(named)
    ]


def test_every_schema_element_has_a_description() -> None:
    missing = undescribed(build_schema()._schema)
    assert not missing, f"{len(missing)} schema elements have no description:\n  " + "\n  ".join(missing)


def test_the_walk_finds_an_undescribed_argument() -> None:
    from graphql import build_schema as from_sdl

    schema = from_sdl('"q" type Query { "f" f(x: Int): Int }')
    assert undescribed(schema) == ["Query.f(x:)"]
