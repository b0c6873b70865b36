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
from typing import Any

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

from graphsvc.graphql.error_codes import Code, coded_rule
from graphsvc.graphql.query_cost import DocumentCost, as_count, document_cost
from graphsvc.util import KeptByIdentity

__all__ = ["CostLimits", "Guarded", "directive_count", "expanded_fields", "guarded_validation"]


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
    as a variable), every other value alike. By the parsed document (util.KeptByIdentity)."""

    def __init__(self, limits: CostLimits, maxsize: int = 512, per_document: int = 16) -> None:
        self.limits = limits
        self.per_document = per_document
        self._kept: KeptByIdentity[dict[tuple[tuple[str, int | None], ...], list[DocumentCost]]]
        self._kept = KeptByIdentity(maxsize)

    def of(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None) -> list[DocumentCost]:
        variables = variables or {}
        key = tuple(sorted((k, as_count(v)) for k, v in variables.items()))
        by_variables = self._kept.get_or_make(document, dict)
        costs = by_variables.get(key)
        if costs is None:
            costs = document_cost(
                schema,
                document,
                variables,
                max_list_items=self.limits.max_list_items,
                max_page_size=self.limits.max_page_size,
            )
            if len(by_variables) >= self.per_document:
                by_variables.pop(next(iter(by_variables)))
            by_variables[key] = costs
        return costs


def _over_budget(costs: list[DocumentCost], operation_name: str | None, limits: CostLimits) -> list[GraphQLError]:
    chosen = [c for c in costs if operation_name in (None, c.operation)]
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


class Guarded(SchemaExtension):
    """What guarded_validation makes: the validation extension, and its budget check for a document already valid
    (graphql/lane.py checks it for each request it answers)."""

    @staticmethod
    def budget(
        schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None, operation: str | None
    ) -> list[GraphQLError]:
        return []


def guarded_validation(
    max_fields: int,
    max_directives: int,
    extra_rules: Sequence[type[ASTValidationRule]] = (),
    maxsize: int = 512,
    cost: CostLimits | None = None,
) -> type[Guarded]:
    """A replacement for strawberry's ValidationCache that first applies the two linear-time limits, then validates
    with the standard rules plus `extra_rules` (made once, so the cache hits), then checks a valid document's cost
    against the budget (with this request's variables)."""
    # Validation results and the two limits' verdicts, by the parsed document (strawberry's own cache keys an
    # lru_cache on the document, whose hash walks the whole tree on every request): a document asked again is not
    # walked again.
    validated: KeptByIdentity[list[GraphQLError]] = KeptByIdentity(maxsize)
    within: KeptByIdentity[list[GraphQLError]] = KeptByIdentity(maxsize)
    extra = tuple(extra_rules)
    costs = KeptCosts(cost, maxsize) if cost is not None else None

    def limit_errors(document: DocumentNode) -> list[GraphQLError]:
        errors: list[GraphQLError] = []
        for name, size in expanded_fields(document, max_fields):
            if size > max_fields:
                errors.append(
                    _too_complex(f"{name} selects more than {max_fields} fields once its fragments are expanded")
                )
        if directive_count(document) > max_directives:
            errors.append(_too_complex(f"the document has more than {max_directives} directives"))
        return errors

    class GuardedValidation(Guarded):
        def on_validate(self) -> Iterator[None]:
            ctx = self.execution_context
            document = ctx.graphql_document
            assert document is not None
            schema = ctx.schema._schema
            errors = within.get_or_make(document, lambda: limit_errors(document))
            if not errors:
                rules = (*(_RECODED.get(rule, rule) for rule in ctx.validation_rules), *extra)
                errors = validated.get_or_make(
                    document, lambda: validate_document(schema, document, rules), schema, rules
                )
                for error in errors:
                    if not (error.extensions or {}).get("code"):
                        error.extensions = {**(error.extensions or {}), "code": Code.GRAPHQL_VALIDATION_FAILED}
            if not errors:
                errors = GuardedValidation.budget(schema, document, ctx.variables, ctx.operation_name)
            ctx.pre_execution_errors = errors
            yield

        @staticmethod
        def budget(
            schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None, operation: str | None
        ) -> list[GraphQLError]:
            """The errors of a valid document whose cost with these variables is over the budget (none: within)."""
            if cost is None or costs is None:
                return []
            return _over_budget(costs.of(schema, document, variables), operation, cost)

    return GuardedValidation
