"""Limits checked before validation, in linear time: fields once fragments are expanded, and directives.

Standard validation rules (and strawberry's depth limiter) walk fragment spreads without memoising them, so a few
hundred tokens of fragments that spread each other ("fragment amplification", a billion-laughs for GraphQL) can
take minutes. These checks count with memoised fragments first and, if a document is over a limit, validation never
runs: the request is refused with `extensions.code = "QUERY_TOO_COMPLEX"`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.extensions.validation_cache import _get_validate_cache

__all__ = ["directive_count", "expanded_fields", "guarded_validation"]


def expanded_fields(document: DocumentNode, cap: int) -> list[tuple[str, int]]:
    """(operation name, fields it selects with every fragment expanded) per operation; counting stops past `cap`."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    memo: dict[str, int] = {}

    def size(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> int:
        total = 0
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                total += 1 + size(sel.selection_set, visiting)
            elif isinstance(sel, InlineFragmentNode):
                total += size(sel.selection_set, visiting)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name in visiting or name not in fragments:
                    continue  # a cycle or an unknown fragment: validation names those
                if name not in memo:
                    memo[name] = size(fragments[name].selection_set, visiting | {name})
                total += memo[name]
            if total > cap:
                return total
        return total

    return [
        (op.name.value if op.name else "the operation", size(op.selection_set, frozenset()))
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
    ]


def directive_count(document: DocumentNode) -> int:
    count = 0

    class Count(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            nonlocal count
            count += 1

    visit(document, Count())
    return count


def _too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})


def guarded_validation(
    max_fields: int, max_directives: int, extra_rules: Sequence[type[ASTValidationRule]] = (), maxsize: int = 512
) -> type[SchemaExtension]:
    """A replacement for strawberry's ValidationCache that first applies the two linear-time limits, then validates
    with the standard rules plus `extra_rules` (made once, so the cache hits)."""
    validate = _get_validate_cache(maxsize)
    extra = tuple(extra_rules)

    class GuardedValidation(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            ctx = self.execution_context
            document = ctx.graphql_document
            assert document is not None
            errors: list[GraphQLError] = []
            for name, size in expanded_fields(document, max_fields):
                if size > max_fields:
                    errors.append(
                        _too_complex(f"{name} selects more than {max_fields} fields once its fragments are expanded")
                    )
            if directive_count(document) > max_directives:
                errors.append(_too_complex(f"the document has more than {max_directives} directives"))
            ctx.pre_execution_errors = errors or validate(ctx.schema._schema, document, (*ctx.validation_rules, *extra))
            yield

    return GuardedValidation
