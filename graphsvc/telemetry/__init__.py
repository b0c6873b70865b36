"""What graphsvc tells about itself while it runs: Prometheus metrics (metrics.py), the request's id and operation for
log lines (context.py), and optional OpenTelemetry traces (tracing.py). Every layer may record here; this package
imports no other part of graphsvc but settings, and no neo4j, strawberry or Starlette."""
