"""What a document would cost to answer, worked out before it runs, from the schema and its arguments.

Each field costs 1, an analysis (a field declaring `analysis=True`: impact, continuity, a change's assessment, ...)
costs `ANALYSIS_WEIGHT`, and the
cost of everything below a list is multiplied by the most elements that list can return: the `first` it was asked
for (a connection's `edges` and `nodes` take their connection's `first`), or, for a list without `first` (a team's
`owns`, a site's `items`, the violations an analysis found), `max_list_items`, the cap the server enforces on lists
of stored items. The answer is the worst case the server would compute, so a document under the budget cannot read
more than its cost says, whatever the data. Fragments are
costed once each (memoised), so fragment amplification costs what it expands to without taking that long to count.

`__schema` and `__type` cost `INTROSPECTION_WEIGHT`, and a document may ask `__schema` once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from graphsvc.graphql.access import access_of

__all__ = [
    "ANALYSIS_WEIGHT",
    "INTROSPECTION_WEIGHT",
    "DocumentCost",
    "as_count",
    "document_cost",
]

ANALYSIS_WEIGHT = 5000  # an analysis computes over the graph: it weighs as much as this many plain fields
INTROSPECTION_WEIGHT = 2000  # a __schema answer is about 4,000 objects; __type a few hundred
_CONNECTION_LISTS = frozenset({"edges", "nodes"})


@dataclass(frozen=True)
class DocumentCost:
    operation: str
    cost: int
    schema_fields: int  # how many times __schema is asked


def _is_list(field: GraphQLField) -> bool:
    kind = field.type
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    return isinstance(kind, GraphQLList)


def as_count(value: object) -> int | None:
    """A variable's value as the `first` it gives: an integer, or a float GraphQL's Int takes (500.0); else None
    (the field's default applies)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _first(node: FieldNode, field: GraphQLField, variables: Mapping[str, Any]) -> int | None:
    """The `first` this field was asked with (or its default); None if it has no `first`."""
    if "first" not in field.args:
        return None
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, VariableNode) and (given := as_count(variables.get(value.name.value))) is not None:
            return max(0, given)
        break
    default = field.args["first"].default_value
    return default if isinstance(default, int) else None


def _defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    """The integer defaults the operation declares for its variables (`query($n: Int = 500)`)."""
    found: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            found[definition.variable.name.value] = int(definition.default_value.value)
    return found


def document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    *,
    max_list_items: int,
    max_page_size: int,
) -> list[DocumentCost]:
    """The cost of each operation of a valid `document` (see the module docstring)."""
    variables = variables or {}
    values: dict[str, Any] = {}
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    memo: dict[tuple[str, int | None], tuple[int, int]] = {}

    def selection_cost(selection_set: SelectionSetNode | None, parent: Any, page: int | None) -> tuple[int, int]:
        """(cost, __schema count) of a selection set on type `parent`; `page` is the enclosing connection's first."""
        total = schemas = 0
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                cost, found = field_cost(sel, parent, page)
            elif isinstance(sel, InlineFragmentNode):
                kind = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                cost, found = selection_cost(sel.selection_set, kind, page)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = fragments.get(sel.name.value)
                if fragment is None:
                    continue
                key = (sel.name.value, page)
                if key not in memo:
                    memo[key] = (0, 0)  # a cycle costs nothing more (validation refuses cycles anyway)
                    memo[key] = selection_cost(
                        fragment.selection_set, schema.get_type(fragment.type_condition.name.value), page
                    )
                cost, found = memo[key]
            else:  # pragma: no cover - the three kinds of selection are all there are
                continue
            total += cost
            schemas += found
        return total, schemas

    def field_cost(node: FieldNode, parent: Any, page: int | None) -> tuple[int, int]:
        name = node.name.value
        if name == "__typename":
            return 0, 0
        if name in ("__schema", "__type"):
            return INTROSPECTION_WEIGHT, 1 if name == "__schema" else 0
        field = getattr(parent, "fields", {}).get(name)
        if field is None:
            return 1, 0  # validation has already said what is wrong
        named = get_named_type(field.type)
        first = _first(node, field, values)
        access = access_of(field)
        weight = ANALYSIS_WEIGHT if access is not None and access.analysis else 1
        if not is_composite_type(named):
            return weight, 0
        below_page = None
        multiplier = 1
        if _is_list(field):
            if first is not None:
                multiplier = first
            elif access is not None and access.most is not None:
                multiplier = access.most
            elif name in _CONNECTION_LISTS and page is not None:
                multiplier = page
            else:
                multiplier = max_list_items
        elif first is not None:  # a connection: its edges and nodes hold at most `first`
            below_page = min(first, max_page_size)
        inner, schemas = selection_cost(node.selection_set, named, below_page)
        return weight + multiplier * inner, schemas * multiplier

    out = []
    for op in document.definitions:
        if isinstance(op, OperationDefinitionNode):
            root = schema.get_root_type(op.operation)
            values.clear()
            values.update(_defaults(op))  # a variable the client left out takes its declared default
            values.update(variables)
            memo.clear()
            cost, schemas = selection_cost(op.selection_set, root, None)
            out.append(DocumentCost(op.name.value if op.name else "the operation", cost, schemas))
    return out
