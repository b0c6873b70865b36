"""The role an operation needs, worked out from what its fields declare (access.py), and the check that runs
before any resolver does.

Every field of an operation (its fragments included) counts: a Query or Mutation field needs the role it declares
(build_schema refuses to start while one declares none), and a field of another type needs viewer unless it declares
more (a change's assessment, a release's impact), so a viewer cannot reach an analysis through a readable item. The
walk is cached per (document, operation): the role a document needs does not depend on who sends it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_operation_ast,
    visit,
)
from graphql import ExecutionResult as CoreResult
from strawberry.extensions import SchemaExtension

from graphsvc.domain.tokens import Principal, Role
from graphsvc.graphql.access import access_of
from graphsvc.graphql.error_codes import Code

__all__ = ["Authorize", "denial", "field_role", "required_role"]


def field_role(parent: GraphQLNamedType, name: str) -> Role:
    """The role `parent.name` needs: what it declares, else viewer (a root field always declares: see access.py)."""
    field = getattr(parent, "fields", {}).get(name)
    access = access_of(field) if field is not None else None
    return access.role if access is not None else Role.viewer


def _fragments(document: DocumentNode, root: OperationDefinitionNode) -> Iterator[FragmentDefinitionNode]:
    """The fragments an operation uses, transitively (each once, cycles cut: validation reports those)."""
    defined = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    seen: set[str] = set()
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        for spread in _spreads(node):
            name = spread.name.value
            if name in seen or name not in defined:
                continue
            seen.add(name)
            stack.append(defined[name])
            yield defined[name]


def _spreads(node: object) -> list[FragmentSpreadNode]:
    found: list[FragmentSpreadNode] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            found.append(spread)

    visit(node, Spreads())  # type: ignore[arg-type]
    return found


def required_role(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> tuple[Role, list[str]]:
    """The highest role any field of the operation needs, and those fields ("Type.field"), in document order."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Role.viewer, []
    info = TypeInfo(schema)
    needs: dict[str, Role] = {}

    class Fields(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = info.get_parent_type()
            if parent is None:
                return
            needs.setdefault(f"{parent.name}.{node.name.value}", field_role(parent, node.name.value))

    for node in (operation, *_fragments(document, operation)):
        visit(node, TypeInfoVisitor(info, Fields()))
    top = max(needs.values(), key=lambda r: r.rank, default=Role.viewer)
    return top, [f for f, r in needs.items() if r == top]


_SEEN: OrderedDict[tuple[int, str, str | None], tuple[Role, tuple[str, ...]]] = OrderedDict()


def _cached(
    schema: GraphQLSchema, query: str, document: DocumentNode, operation: str | None
) -> tuple[Role, tuple[str, ...]]:
    """required_role, remembered for the last 1,024 (schema, query text, operation) seen."""
    key = (id(schema), query, operation)
    if key in _SEEN:
        _SEEN.move_to_end(key)
        return _SEEN[key]
    role, fields = required_role(schema, document, operation)
    _SEEN[key] = (role, tuple(fields))
    if len(_SEEN) > 1024:
        _SEEN.popitem(last=False)
    return _SEEN[key]


def denial(principal: Principal | None, needed: Role, fields: tuple[str, ...]) -> GraphQLError | None:
    if principal is not None and principal.role.allows(needed):
        return None
    shown = ", ".join(fields[:5]) + (f" and {len(fields) - 5} more" if len(fields) > 5 else "")
    who = f"the token {principal.token_id} has role {principal.role.value}" if principal else "no token was given"
    return GraphQLError(
        f"forbidden: {shown} needs the {needed.value} role; {who}",
        extensions={"code": Code.FORBIDDEN, "requiredRole": needed.value},
    )


class Authorize(SchemaExtension):
    """Refuse, before execution, an operation using any field the request's role may not use: no data at all."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None:
            needed, fields = _cached(ctx.schema._schema, ctx.query or "", document, ctx.operation_name)
            error = denial(getattr(ctx.context, "principal", None), needed, fields)
            if error is not None:
                ctx.result = CoreResult(data=None, errors=[error])
        yield
