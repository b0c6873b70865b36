"""What each GraphQL field declares about itself, next to its resolver: the role it needs, whether its answer may be
kept in the response cache, whether it runs an analysis (which weighs more in a document's cost), and, for a list
whose length the schema bounds rather than the data (one entry per enum value), that bound (query_cost.py counts it
instead of the cap on lists of stored items).

    @strawberry.field(description="...", metadata=needs(Role.analyst, kept=True, analysis=True))

Every field of Query, Mutation and Subscription must declare one (`undeclared` lists those that do not, and
`build_schema` refuses to start with any): forgetting is a start-up error, not a field open to every viewer. A field
of another type needs what the field that reached it needed, unless it declares more (a change's `assessment` is an
analysis).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLField, GraphQLSchema

from graphsvc.domain.tokens import Role

__all__ = ["Access", "access_of", "needs", "undeclared"]

KEY = "graphsvc.access"


@dataclass(frozen=True)
class Access:
    role: Role
    kept: bool = False  # its answer moves only with the stored data: it may be served from the response cache
    analysis: bool = False  # it computes over the graph (query_cost.ANALYSIS_WEIGHT)
    most: int | None = None  # a list that never holds more than this, whatever the data


def needs(role: Role, *, kept: bool = False, analysis: bool = False, most: int | None = None) -> dict[str, object]:
    """The `metadata=` of a field that needs `role` (see the module docstring)."""
    return {KEY: Access(role, kept=kept, analysis=analysis, most=most)}


def access_of(field: GraphQLField) -> Access | None:
    """What the field declared, if it declared anything."""
    definition = (field.extensions or {}).get("strawberry-definition")
    found = getattr(definition, "metadata", None) or {}
    access = found.get(KEY)
    return access if isinstance(access, Access) else None


def undeclared(schema: GraphQLSchema) -> list[str]:
    """The Query, Mutation and Subscription fields that declare no role, as "Type.field"."""
    missing = []
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        if root is None:
            continue
        missing += [f"{root.name}.{name}" for name, field in root.fields.items() if access_of(field) is None]
    return missing
