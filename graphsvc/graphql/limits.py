"""Limits checked before validation, in linear time: fields once fragments are expanded, and directives; and, once
a document is valid, its cost against the budget (query_cost.py).

Standard validation rules (and strawberry's depth limiter) walk fragment spreads without memoising them, so a few
hundred tokens of fragments that spread each other ("fragment amplification", a billion-laughs for GraphQL) can
take minutes. These checks count with memoised fragments first and, if a document is over a limit, validation never
runs: the request is refused with `extensions.code = "QUERY_TOO_COMPLEX"`. Every validation error carries a code
(error_codes.py): a rule's own (the limits', a wrong argument value's) or GRAPHQL_VALIDATION_FAILED.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)
from graphql.validation import ASTValidationRule, ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from graphsvc.graphql.error_codes import Code, coded_rule
from graphsvc.graphql.query_cost import DocumentCost, as_count, document_cost

__all__ = ["CostLimits", "directive_count", "expanded_fields", "guarded_validation"]


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


# A literal argument of the wrong type or out of range is bad input, not a malformed document.
_RECODED: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
    ValuesOfCorrectTypeRule: coded_rule(ValuesOfCorrectTypeRule, Code.BAD_USER_INPUT)
}


def _too_complex(message: str, **extensions: object) -> GraphQLError:
    return GraphQLError(message, extensions={"code": Code.QUERY_TOO_COMPLEX, **extensions})


@dataclass(frozen=True)
class CostLimits:
    """The budget a document's cost must fit (query_cost.py) and the caps that cost is worked out with."""

    max_cost: int
    max_list_items: int
    max_page_size: int


class KeptCosts:
    """A valid document's costs, worked out once per document and what its variables say of a cost: which variables
    were sent (one left out takes the operation's default), and the count each gives (`as_count`: a `first` passed
    as a variable), every other value alike. By the parsed document (ParserCache hands back the same object for the
    same text); each entry holds its document, so its id stays its own while it is kept."""

    def __init__(self, limits: CostLimits, maxsize: int = 512, per_document: int = 16) -> None:
        self.limits = limits
        self.maxsize = maxsize
        self.per_document = per_document
        self._kept: dict[int, tuple[DocumentNode, dict[tuple[tuple[str, int | None], ...], list[DocumentCost]]]] = {}

    def of(self, ctx: ExecutionContext) -> list[DocumentCost]:
        document = ctx.graphql_document
        assert document is not None
        variables = ctx.variables or {}
        key = tuple(sorted((k, as_count(v)) for k, v in variables.items()))
        entry = self._kept.get(id(document))
        if entry is None or entry[0] is not document:
            if len(self._kept) >= self.maxsize:
                self._kept.pop(next(iter(self._kept)))
            entry = self._kept[id(document)] = (document, {})
        costs = entry[1].get(key)
        if costs is None:
            costs = document_cost(
                ctx.schema._schema,
                document,
                variables,
                max_list_items=self.limits.max_list_items,
                max_page_size=self.limits.max_page_size,
            )
            if len(entry[1]) >= self.per_document:
                entry[1].pop(next(iter(entry[1])))
            entry[1][key] = costs
        return costs


def _over_budget(ctx: ExecutionContext, limits: CostLimits, kept: KeptCosts) -> list[GraphQLError]:
    costs = kept.of(ctx)
    chosen = [c for c in costs if ctx.operation_name in (None, c.operation)]
    errors = []
    for found in chosen:
        if found.schema_fields > 1:
            errors.append(
                _too_complex(
                    f"{found.operation} asks for __schema {found.schema_fields} times; a document may ask it once",
                    cost=found.cost,
                )
            )
        elif found.cost > limits.max_cost:
            errors.append(
                GraphQLError(
                    f"{found.operation} would cost {found.cost:,} to answer, over the budget of {limits.max_cost:,} "
                    "(GRAPHSVC_MAX_QUERY_COST): every list multiplies what is selected below it by the most it can "
                    "hold, so ask smaller pages (first), fewer analyses, or lists nested less deeply "
                    "(docs/security.md, Limits)",
                    extensions={"code": Code.QUERY_TOO_COSTLY, "cost": found.cost, "budget": limits.max_cost},
                )
            )
    return errors


def guarded_validation(
    max_fields: int,
    max_directives: int,
    extra_rules: Sequence[type[ASTValidationRule]] = (),
    maxsize: int = 512,
    cost: CostLimits | None = None,
) -> type[SchemaExtension]:
    """A replacement for strawberry's ValidationCache that first applies the two linear-time limits, then validates
    with the standard rules plus `extra_rules` (made once, so the cache hits), then checks a valid document's cost
    against the budget (with this request's variables)."""
    # Validation results by the parsed document, as `within` (strawberry's own cache keys an lru_cache on the
    # document, whose hash walks the whole tree on every request): (document, schema, rules, errors).
    validated: dict[int, tuple[DocumentNode, GraphQLSchema, tuple[type[ASTValidationRule], ...], list[GraphQLError]]]
    validated = {}

    def validate(
        schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
    ) -> list[GraphQLError]:
        kept = validated.get(id(document))
        if kept is not None and kept[0] is document and kept[1] is schema and kept[2] == rules:
            return kept[3]
        errors = validate_document(schema, document, rules)
        if len(validated) >= maxsize:
            validated.pop(next(iter(validated)))
        validated[id(document)] = (document, schema, rules, errors)
        return errors

    extra = tuple(extra_rules)
    # Documents found within the two linear-time limits, by the parsed document (ParserCache hands back the same
    # object for the same text, so a document asked again is not walked again); each entry holds its document, so
    # its id stays its own while it is kept. A document over a limit is refused, and walked again if asked again.
    within: dict[int, DocumentNode] = {}
    costs = KeptCosts(cost, maxsize) if cost is not None else None

    def limit_errors(document: DocumentNode) -> list[GraphQLError]:
        if within.get(id(document)) is document:
            return []
        errors: list[GraphQLError] = []
        for name, size in expanded_fields(document, max_fields):
            if size > max_fields:
                errors.append(
                    _too_complex(f"{name} selects more than {max_fields} fields once its fragments are expanded")
                )
        if directive_count(document) > max_directives:
            errors.append(_too_complex(f"the document has more than {max_directives} directives"))
        if not errors:
            if len(within) >= maxsize:
                within.pop(next(iter(within)))
            within[id(document)] = document
        return errors

    class GuardedValidation(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            ctx = self.execution_context
            document = ctx.graphql_document
            assert document is not None
            errors = limit_errors(document)
            if not errors:
                rules = tuple(_RECODED.get(rule, rule) for rule in ctx.validation_rules)
                errors = validate(ctx.schema._schema, document, (*rules, *extra))
                for error in errors:
                    if not (error.extensions or {}).get("code"):
                        error.extensions = {**(error.extensions or {}), "code": Code.GRAPHQL_VALIDATION_FAILED}
            if not errors and cost is not None and costs is not None:
                errors = _over_budget(ctx, cost, costs)
            ctx.pre_execution_errors = errors
            yield

    return GuardedValidation
