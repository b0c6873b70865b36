"""The direct lane: a query whose every root field is answered by a compiled plan (graphql/compiled.py for plain
reads, compiled_impact.py for `impact` and `siteFailure`), sent again, is answered by those plans without strawberry's
per-request machinery around them (its extension hooks, graphql-core's executor), which took about as long as the
plans' own work for a typical impact.

The lane gives exactly the answer the general path gives, or leaves the request to it. For each thing the general path
does with a request, what the lane does:

- the token limit, parsing and validation (with the depth, alias, field and directive limits): a document's text gives
  the same verdict every time, so a lane is made only for a text the general path has just executed without errors,
  under the same schema (whose settings fix those limits);
- the cost, which depends on the variables: checked for each request, with the same kept costs (limits.py `budget`);
- the role: the request's principal against the document's needed role, for each request (permissions.py);
- the variables: coerced for each request, as graphql-core's executor does (plain ones as graphql-core would give
  them, without walking them through it: plain_variables.py);
- the operation's metrics, span and name for the access line: recorded the same way (observe.py `observed`).

Anything else (variables that do not coerce, a document over its budget, a role that may not ask) goes to the general
path, which answers or refuses as it always has. So does a root field whose plan cannot answer exactly (a list over
GRAPHSVC_MAX_LIST_ITEMS, an argument the resolver words the error for) or fails (an unknown origin, the database): its
exception is left in the request's context (`lane_stopped`), and the general path's compiled step (schema.py
CodedExecution) takes it from there instead of reading again, so a request costs what it cost without the lane and
a database that is failing is not asked twice. Subscriptions and WebSocket operations never take the lane.

A POST of a JSON body whose text has a lane is answered by it before strawberry's HTTP view runs (web/graphql_view.py
`_laned`, which says what it does in the view's place); a request it leaves goes on through the view with the same
context, and the schema's lane (schema.py `Schema.execute`) does not run it again (`Context.lane_tried`). Any other
request (a GET, a document the response cache keeps) meets its lane in `Schema.execute`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
)
from graphql.execution.collect_fields import FragmentDetails
from graphql.execution.values import get_argument_values, get_variable_values

from graphsvc.domain.tokens import Role
from graphsvc.graphql import compiled, compiled_impact
from graphsvc.graphql.compiled_impact import ImpactPlan
from graphsvc.graphql.observe import observed
from graphsvc.graphql.permissions import denial, required_role
from graphsvc.graphql.plain_variables import Coercion, plain_coercion
from graphsvc.telemetry import tracing

__all__ = ["ACCOUNTED_FOR", "STATS", "Lane", "LaneStats", "Lanes", "root_plan"]

# The schema's extensions (schema.py build_schema), each with what the lane does in its place. A new extension must
# be added here with its answer (tests/unit/test_lane_eligibility.py fails until it is), or the lane would skip it.
ACCOUNTED_FOR = {
    "MaxTokensLimiter": "the text was within the limit when its lane was made, and the limit is the schema's",
    "ParserCache": "the lane parsed the text once, when it was made",
    "GuardedValidation": "validated when made; the cost with these variables checked per request (`budget`)",
    "Authorize": "the principal's role checked per request (`denial`)",
    "SocketOperations": "a WebSocket's context never takes the lane; a query over HTTP is what it allows",
    "MaskUnexpected": "the lane answers only without errors: any error is the general path's to mask",
    "Observe": "the same count, time, span and operation name (`observed`)",
}

log = logging.getLogger("graphsvc")

Budget = Callable[[GraphQLSchema, DocumentNode, "dict[str, Any] | None", "str | None"], list[GraphQLError]]


def root_plan(
    field: GraphQLField, nodes: list[FieldNode], fragments: compiled_impact.Fragments
) -> compiled.Plan | ImpactPlan | None:
    """The compiled plan of a root Query field asked as `nodes`, or None: the field-by-field path answers it."""
    if nodes[0].name.value in compiled_impact.ROOTS:
        return compiled_impact.plan_impact(field, nodes, fragments)
    return compiled.plan_root(field, nodes)


@dataclass
class LaneStats:
    answered: int = 0  # requests answered by a lane
    left: int = 0  # requests a lane left to the general path (a refusal, a failure, an answer not exact)
    by_view: int = 0  # of those answered, the ones the view's lane answered (web/graphql_view.py `_laned`)


STATS = LaneStats()


@dataclass
class Lane:
    """One document text's operation, with each root field's plan, in the document's order."""

    document: DocumentNode
    operation: OperationDefinitionNode
    name: str | None  # as strawberry names it for the metrics: the one given, else the document's first operation's
    roots: tuple[tuple[str, GraphQLField, FieldNode, compiled.Plan | ImpactPlan], ...]
    needed: Role
    fields: tuple[str, ...]  # the fields that need that role, for the refusal
    plain: Coercion | None  # its variables' coercion when they are all plain (graphql/plain_variables.py), else None

    async def answer(
        self, schema: GraphQLSchema, budget: Budget, context: Any, variables: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """The operation's data, or None: the general path answers this request."""
        if denial(getattr(context, "principal", None), self.needed, self.fields) is not None:
            return None
        if budget(schema, self.document, variables, self.name):
            return None
        coerced = self.plain(variables or {}) if self.plain is not None else None
        if coerced is None:
            found = get_variable_values(schema, self.operation.variable_definitions or (), variables or {})
            if isinstance(found, list):
                return None
            coerced = found
        data: dict[str, Any] = {}
        for key, gql_field, node, plan in self.roots:
            try:
                arguments = get_argument_values(gql_field, node, coerced)
                data[key] = await plan.answer(context, arguments, coerced)
            except Exception as exc:  # the general path takes it from here (CodedExecution._compiled)
                context.lane_stopped[key] = exc
                return None
        return data


class Lanes:
    """The lanes of the last `size` texts answered compiled, by (text, operation name), for one schema."""

    def __init__(self, schema: GraphQLSchema, budget: Budget, size: int = 512) -> None:
        self.schema = schema
        self.budget = budget
        self.size = size
        self._lanes: OrderedDict[tuple[str, str | None], Lane | None] = OrderedDict()  # None: never a lane

    async def answer(
        self, query: str | None, operation_name: str | None, context: Any, variables: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """The data of this request, answered by its text's lane; None when it has none or leaves it to the general
        path. Cancellation (the request's deadline, the client gone) goes through as it does on the general path."""
        if query is None or getattr(context, "events", None) is not None or not hasattr(context, "lane_stopped"):
            return None
        if not context.settings.compiled_reads:
            return None
        key = (query, operation_name)
        lane = self._lanes.get(key)
        if lane is None or context.lane_tried:
            return None  # tried already: the view asked it first, and left the request to the general path
        context.lane_tried = True
        self._lanes.move_to_end(key)
        started = time.perf_counter()
        with tracing.span("graphql") as span:
            try:
                data = await lane.answer(self.schema, self.budget, context, variables)
            except asyncio.CancelledError:
                observed(lane.name, "query", "CANCELLED", started, span)
                raise
            except Exception:  # pragma: no cover - a check that failed rather than refused: the general path's to say
                log.warning("the lane of a document failed; the general path answers", exc_info=True)
                data = None
            if data is None:
                STATS.left += 1
                if span is not None:
                    span.update_name("graphql lane (left to the general path)")
                return None
            compiled.STATS.answered += len(lane.roots)
            STATS.answered += 1
            observed(lane.name, "query", "ok", started, span)
            return data

    def knows(self, query: str, operation_name: str | None) -> bool:
        """Whether this text's operation has a lane (the view asks before making a request's context for it)."""
        return self._lanes.get((query, operation_name)) is not None

    def learn(self, query: str | None, operation_name: str | None, context: Any, answered: bool) -> None:
        """After the general path `answered` this text without errors: give it a lane if every root field of its
        operation has a plan."""
        if not answered or query is None or getattr(context, "events", None) is not None:
            return
        key = (query, operation_name)
        if key in self._lanes:
            return
        self._lanes[key] = self._make(query, operation_name)
        if len(self._lanes) > self.size:
            self._lanes.popitem(last=False)

    def _make(self, query: str, operation_name: str | None) -> Lane | None:
        try:
            document = parse(query)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation != OperationType.QUERY or operation.directives:
            return None
        query_type = self.schema.query_type
        assert query_type is not None
        fragments = {  # as graphql-core's executor gives them to the plans
            d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        roots = []
        seen: set[str] = set()
        for selection in operation.selection_set.selections:
            # a fragment at the root, a directive (@include, @skip), the same key twice (merged fields): general path
            if not isinstance(selection, FieldNode) or selection.directives:
                return None
            key = (selection.alias or selection.name).value
            gql_field = query_type.fields.get(selection.name.value)
            if key in seen or gql_field is None:
                return None
            seen.add(key)
            plan = root_plan(gql_field, [selection], fragments)
            if plan is None:
                return None
            roots.append((key, gql_field, selection, plan))
        first = next((d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None)
        name = operation_name if operation_name is not None else (first.name.value if first and first.name else None)
        needed, fields = required_role(self.schema, document, operation_name)
        plain = plain_coercion(self.schema, operation.variable_definitions or ())
        return Lane(document, operation, name, tuple(roots), needed, tuple(fields), plain)
