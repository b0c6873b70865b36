"""The schema extension that measures every GraphQL operation executed: its count by name and outcome, its time,
and (with traces on) its span. Answers sent from the response cache are not executed: the cache's own metrics count
them (telemetry/metrics.py)."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, get_operation_ast, parse
from strawberry.extensions import SchemaExtension

from graphsvc.telemetry import context, metrics, tracing

__all__ = ["Observe", "observed", "operation_name", "outcome"]


def outcome(errors: list[GraphQLError] | None, user_error: bool) -> str:
    """`ok`, `user_error` (a mutation's expected failure), or the first error's code: its `code` extension, the code
    of the graphsvc error behind it, GRAPHQL_VALIDATION_FAILED for a document refused before it ran, or
    INTERNAL_SERVER_ERROR."""
    if not errors:
        return "user_error" if user_error else "ok"
    first = errors[0]
    code = (first.extensions or {}).get("code") or getattr(first.original_error, "code", None)
    if isinstance(code, str) and code.isidentifier() and len(code) <= 64:
        return code
    return "GRAPHQL_VALIDATION_FAILED" if first.original_error is None else "INTERNAL_SERVER_ERROR"


@functools.lru_cache(maxsize=256)
def operation_name(query: str, given: str | None) -> str:
    """The name of the operation a request runs: `given`, else the document's one operation's ("" if none)."""
    if given:
        return given
    try:
        operation = get_operation_ast(parse(query), None)
    except GraphQLError:
        return ""
    return operation.name.value if operation is not None and operation.name is not None else ""


class Observe(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        done = "CANCELLED"  # the deadline or the client's going away stopped it (web/graphql_view.py answers)
        with tracing.span("graphql") as span:
            try:
                yield
                ctx = self.execution_context
                errors = (ctx.result.errors if ctx.result is not None else None) or ctx.pre_execution_errors
                info = context.CURRENT.get()
                done = outcome(errors, info is not None and info.user_error)
            finally:
                traced = span is not None and self.execution_context.graphql_document is not None
                kind = _kind(self) if traced else None
                observed(self.execution_context.operation_name, kind, done, started, span)


def observed(name: str | None, kind: str | None, done: str, started: float, span: Any) -> None:
    """Record an operation that ended with `done` (outcome's): the request's operation name, the operation's count
    and time, and its span's name and attributes (`span` None: traces off)."""
    context.note_operation(name)
    label = metrics.operation_label(name)
    metrics.labelled(metrics.GRAPHQL_OPERATIONS, label, done).inc()
    metrics.labelled(metrics.GRAPHQL_SECONDS, label).observe(time.perf_counter() - started)
    if span is not None:
        span.update_name(f"{kind or 'graphql'} {name or ''}".strip())
        span.set_attribute("graphql.operation.name", name or "")
        if kind:
            span.set_attribute("graphql.operation.type", kind)
        span.set_attribute("graphql.outcome", done)


def _kind(extension: Observe) -> str | None:
    try:
        return extension.execution_context.operation_type.value
    except Exception:  # no operation of that name, several unnamed ones: the errors say so
        return None
