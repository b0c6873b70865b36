"""OpenTelemetry traces, off unless `GRAPHSVC_OTEL=true`: a span for each GraphQL operation (web/graphql_view.py's
schema extension, graphql/observe.py) and for each Neo4j statement (db/instrument.py), named by its cypher/ file.
Parameter values are never recorded.

The `otel` extra (`pip install 'graphsvc[otel]'`) brings the SDK and the OTLP/HTTP exporter; the exporter takes the
standard OTEL_EXPORTER_OTLP_* variables (endpoint, headers) and the resource OTEL_SERVICE_NAME / OTEL_RESOURCE_
ATTRIBUTES. Without the extra graphsvc runs as before; asking for traces without it stops the start with the reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["TracingUnavailable", "disable", "enable", "enabled", "span"]

_tracer: Any = None


class TracingUnavailable(ValueError):
    """Traces were asked for but the otel extra is not installed (a ValueError, as every bad setting is)."""


def enable(provider: Any = None) -> None:
    """Record spans: through `provider` (a TracerProvider; tests pass one with an in-memory exporter), else through
    the global one if something set it (opentelemetry-instrument), else through a new one exporting over OTLP/HTTP."""
    global _tracer
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise TracingUnavailable(
            f"GRAPHSVC_OTEL is on but OpenTelemetry is not installed ({exc.name} is missing): install the extra "
            "(pip install 'graphsvc[otel]') or turn GRAPHSVC_OTEL off"
        ) from None
    if provider is None:
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            provider = current
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            resource = Resource.create()  # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set
            if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
                resource = resource.merge(Resource({"service.name": "graphsvc"}))
            provider = TracerProvider(resource=resource)
            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
            trace.set_tracer_provider(provider)
    _tracer = provider.get_tracer("graphsvc")


def disable() -> None:
    """Record no more spans."""
    global _tracer
    _tracer = None


def enabled() -> bool:
    return _tracer is not None


@contextlib.contextmanager
def span(name: str, **attributes: str | int | float | bool) -> Iterator[Any]:
    """A span around the block, current inside it (None when traces are off). An exception leaving the block is
    recorded on it and its status set to error."""
    tracer = _tracer
    if tracer is None:
        yield None
        return
    with tracer.start_as_current_span(name, attributes=attributes) as current:
        yield current
