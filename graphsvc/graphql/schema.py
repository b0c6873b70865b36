"""The strawberry schema: Query, Mutation and Subscription roots with the server's extensions."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLError, GraphQLField, GraphQLObjectType
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.utils.logging import StrawberryLogger

from graphsvc.errors import DatabaseError, DatabaseUnavailable, QueryTimeout, RequestError
from graphsvc.graphql import compiled
from graphsvc.graphql.access import undeclared
from graphsvc.graphql.compiled_impact import ImpactPlan
from graphsvc.graphql.error_codes import Code, coded_rule
from graphsvc.graphql.lane import Lanes, root_plan
from graphsvc.graphql.limits import CostLimits, guarded_validation
from graphsvc.graphql.mutation import Mutation
from graphsvc.graphql.observe import Observe
from graphsvc.graphql.permissions import Authorize
from graphsvc.graphql.query import Query
from graphsvc.graphql.subscription import SocketOperations, Subscription
from graphsvc.graphql.types import TYPES
from graphsvc.settings import Settings
from graphsvc.util import KeptByIdentity

__all__ = ["Schema", "build_schema"]

log = logging.getLogger("graphsvc")

# Compiled plans of root fields (or None: not compiled), by the field's node (ParserCache hands back the same parsed
# document for the same text, so its nodes are the same objects) and the schema.
_PLANS: KeptByIdentity[compiled.Plan | ImpactPlan | None] = KeptByIdentity(512)


def _expected(error: Exception) -> bool:
    """Errors a user caused keep their message; anything else is masked."""
    from graphsvc.errors import DatabaseUnavailable, QueryTimeout, RequestError

    original = getattr(error, "original_error", None)
    return original is None or isinstance(original, GraphQLError | DatabaseUnavailable | QueryTimeout | RequestError)


class Schema(strawberry.Schema):
    """strawberry's schema, logging what a user caused in one line and only unexpected failures with a traceback,
    and answering a query of compiled root fields asked again by its lane (graphql/lane.py)."""

    lanes: Lanes | None = None  # build_schema's; None: every request takes the general path

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        lanes = self.lanes
        if allowed_operation_types is not None and OperationType.QUERY not in allowed_operation_types:
            lanes = None
        if lanes is not None and root_value is None:
            data = await lanes.answer(query, operation_name, context_value, variable_values)
            if data is not None:
                return ExecutionResult(data=data, errors=None, extensions={})
        result = await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )
        if lanes is not None and root_value is None:
            lanes.learn(query, operation_name, context_value, not result.errors and result.data is not None)
        return result

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if _expected(error):
                where = ".".join(str(p) for p in error.path) if error.path else "request"
                log.info("refused (%s): %s", where, " ".join(error.message.split())[:300])
            else:
                StrawberryLogger.error(error, execution_context)


class CodedExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution, its refusals before any field runs (variables that do not fit their types: the only
    ones left once the operation is known and the document valid) coded BAD_USER_INPUT, and plain root reads
    answered compiled (graphql/compiled.py) where they can be."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        if path.prev is None and parent_type is self.schema.query_type and self.context_value.settings.compiled_reads:
            nodes = [details.node for details in field_details_list]
            field = parent_type.fields.get(nodes[0].name.value)
            plan = self._plan(field, nodes) if field is not None else None
            if plan is not None:
                return self._compiled(plan, field, parent_type, source, field_details_list, path, position_context)
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def _plan(self, field: GraphQLField, nodes: list[FieldNode]) -> compiled.Plan | ImpactPlan | None:
        """The compiled plan of a root field, made once per document and schema (a parsed document is shared by every
        schema: tests build several)."""
        if len(nodes) != 1:
            return self._make_plan(field, nodes)
        return _PLANS.get_or_make(nodes[0], lambda: self._make_plan(field, nodes), self.schema)

    def _make_plan(self, field: GraphQLField, nodes: list[FieldNode]) -> compiled.Plan | ImpactPlan | None:
        return root_plan(field, nodes, self.fragments)

    async def _compiled(
        self,
        plan: compiled.Plan | ImpactPlan,
        field: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        details: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """The plan's answer; if it cannot give one exactly (or fails), the field-by-field path's."""
        context = self.context_value
        try:
            stopped = context.lane_stopped.pop(path.key, None) if context.lane_stopped else None
            if stopped is not None:  # this request's lane ran the plan and it stopped there: not read again
                raise stopped
            arguments = get_argument_values(
                field, details[0].node, self.variable_values, details[0].fragment_variable_values
            )
            answer = await plan.answer(context, arguments, self.variable_values)
        except (DatabaseUnavailable, QueryTimeout, DatabaseError, compiled.AtRoot) as exc:
            # The field-by-field path would wait for the same database again, or compute the same refusal: the same
            # error, at the same place.
            compiled.STATS.answered += 1
            self.handle_field_error(exc.error if isinstance(exc, compiled.AtRoot) else exc, field.type, details, path)
            return None
        except Exception as exc:  # the field-by-field path answers, with its own errors if it fails too
            compiled.STATS.fell_back += 1
            if not isinstance(exc, compiled.NotCompiled | GraphQLError | RequestError):
                log.warning("a compiled read fell back to field-by-field execution: %r", exc)
            result = super().execute_field(parent_type, source, details, path, position_context)
            return await result if self.is_awaitable(result) else result
        compiled.STATS.answered += 1
        return answer

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        built = super().build(*args, **kwargs)
        if isinstance(built, list):
            for error in built:
                error.extensions = {**(error.extensions or {}), "code": Code.BAD_USER_INPUT}
        return built


class MaskUnexpected(MaskErrors):
    """An unexpected failure's message masked (the log has it), coded INTERNAL_SERVER_ERROR."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": Code.INTERNAL_SERVER_ERROR}
        return masked


def build_schema(settings: Settings | None = None) -> Schema:
    """The API schema, with the limits and switches of `settings` (the defaults when none)."""
    settings = settings or Settings()
    # The limits' rule classes are made once, so the validation cache (keyed on the rules) hits across requests.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    extra: list[type[ASTValidationRule]] = [coded_rule(rule, Code.QUERY_TOO_COMPLEX) for rule in limits]
    if not settings.introspection:
        extra.append(NoSchemaIntrospectionCustomRule)
    guarded = guarded_validation(
        settings.max_query_fields,
        settings.max_directives,
        extra,
        cost=CostLimits(settings.max_query_cost, settings.max_list_items, settings.max_page_size),
    )
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(TYPES.values()),
        config=StrawberryConfig(disable_field_suggestions=not settings.field_suggestions),
        execution_context_class=CodedExecution,
        extensions=[
            # Factories, so each request has its own extension objects. Limits first: a hostile document is refused
            # before anything else looks at it.
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            # Clients repeat the same documents: parsing and validating them again costs more than a small impact.
            lambda: ParserCache(maxsize=512),
            guarded,
            Authorize,
            SocketOperations,
            lambda: MaskUnexpected(
                should_mask_error=lambda err: not _expected(err),
                error_message="Unexpected error: the server logged the details.",
            ),
            Observe,  # last, so it sees the errors before MaskErrors hides what caused them
        ],
    )
    missing = undeclared(schema._schema)
    if missing:
        raise RuntimeError(
            "every Query, Mutation and Subscription field must declare the role it needs (metadata=needs(Role...), "
            f"graphql/access.py); these declare none: {', '.join(missing)}"
        )
    if settings.compiled_reads:
        schema.lanes = Lanes(schema._schema, guarded.budget)
    return schema
