"""Prometheus metrics: process-wide counters that every layer records into, and what one app keeps (its response
cache, its in-memory graph) read at scrape time. docs/operations.md ("Monitoring") lists them.

Label values are bounded: GraphQL operation names are kept for the first MAX_OPERATIONS names seen (letters,
digits and `_`, at most 64 characters); every other name, and every unnamed operation, is counted as OTHER. HTTP
routes are the app's own paths (anything else is OTHER); Neo4j statements are the names of cypher/ files.

With several server processes (`graphsvc serve --workers N`), the command sets PROMETHEUS_MULTIPROC_DIR to a fresh
folder before the workers start: prometheus_client then keeps each worker's counters, histograms and gauges in files
there, and a scrape answered by any worker sums them all (`render(..., multiprocess_dir=)`). What AppCollector
reads (the response cache, the graph) is then the answering worker's; the process_* metrics are left out."""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

__all__ = [
    "ALERTS",
    "CONTENT_TYPE",
    "DISCOVERY_RUNS",
    "GRAPHQL_OPERATIONS",
    "GRAPHQL_SECONDS",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "IMPORTS",
    "MAX_OPERATIONS",
    "NEO4J_IN_FLIGHT",
    "NEO4J_QUERIES",
    "OTHER",
    "REGISTRY",
    "AppCollector",
    "Metric",
    "counted",
    "counted_run",
    "discovery_recorded",
    "labelled",
    "operation_label",
    "process_ended",
    "render",
]

P = ParamSpec("P")
T = TypeVar("T")

OTHER = "(other)"
MAX_OPERATIONS = 200
CONTENT_TYPE = CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

# Seconds: GraphQL answers range from a kept page (under a millisecond) to an analysis near the 30 s deadline.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GRAPHQL_OPERATIONS = Counter(
    "graphsvc_graphql_operations",
    "GraphQL operations answered, by operation name and outcome (ok, user_error, or the first error's code)",
    ["operation", "outcome"],
    registry=REGISTRY,
)
GRAPHQL_SECONDS = Histogram(
    "graphsvc_graphql_operation_seconds",
    "Time to execute a GraphQL operation (answers kept by the response cache are not executed)",
    ["operation"],
    buckets=_BUCKETS,
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "graphsvc_http_requests",
    "HTTP requests answered, by route, method and status",
    ["route", "method", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "graphsvc_http_request_seconds",
    "Time to answer an HTTP request, by route",
    ["route"],
    buckets=_BUCKETS,
    registry=REGISTRY,
)
NEO4J_QUERIES = Counter(
    "graphsvc_neo4j_queries",
    "Neo4j statements run, by cypher/ file name (OTHER: unnamed) and outcome (ok, error)",
    ["statement", "outcome"],
    registry=REGISTRY,
)
NEO4J_IN_FLIGHT = Gauge(
    "graphsvc_neo4j_queries_in_flight",
    "Neo4j statements sent and not yet answered: each holds one of the driver's pooled connections",
    registry=REGISTRY,
    multiprocess_mode="livesum",  # summed over the workers alive
)
IMPORTS = Counter(
    "graphsvc_imports", "Imports of exchange documents run by this process, by outcome", ["outcome"], registry=REGISTRY
)
DISCOVERY_RUNS = Counter(
    "graphsvc_discovery_runs",
    "Discovery runs reconciled by this process, by outcome (ok, dry_run, rejected, error)",
    ["outcome"],
    registry=REGISTRY,
)
ALERTS = Counter(
    "graphsvc_alertmanager_alerts",
    "Alerts received by the Alertmanager hook, by what was done (opened, resolved, ... or rejected)",
    ["action"],
    registry=REGISTRY,
)

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_names: set[str] = set()
_names_lock = threading.Lock()


_children: dict[tuple[Any, tuple[str, ...]], Any] = {}


def labelled(metric: Any, *values: str) -> Any:
    """`metric.labels(*values)`, kept: the child of a metric's label values is the same object every time, and
    asking prometheus_client for it (checks and a lock) on every request took 2% of a small answer's time. Every
    label value here comes from a bounded set (routes, methods, statuses, operation_label's names, outcomes), so
    this holds no more children than the metrics themselves do."""
    key = (metric, values)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*values)
    return child


def operation_label(name: str | None) -> str:
    """The label value an operation is counted under: its name while fewer than MAX_OPERATIONS names are known
    (or it is one of them), else OTHER; unnamed and malformed names are OTHER."""
    if not name or not _NAME.fullmatch(name):
        return OTHER
    if name in _names:
        return name
    with _names_lock:
        if len(_names) >= MAX_OPERATIONS:
            return OTHER
        _names.add(name)
    return name


@contextmanager
def counted_run(counter: Counter, *, ok: str = "ok", rejected: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
    """Count one run of `counter`'s work under `ok` when it ends normally, `rejected` when it raises one of those
    (a user's mistake: nothing written), `error` otherwise."""
    try:
        yield
    except rejected:
        counter.labels("rejected").inc()
        raise
    except BaseException:
        counter.labels("error").inc()
        raise
    counter.labels(ok).inc()


def counted(
    counter: Counter,
    *,
    rejected: tuple[type[BaseException], ...] = (),
    ok: Callable[[dict[str, Any]], str] = lambda kwargs: "ok",
) -> Callable[[Callable[P, Awaitable[T]]], Callable[P, Awaitable[T]]]:
    """An async function whose every call is counted by counted_run (`ok` names a normal end from its keyword
    arguments: a discovery's dry run)."""

    def decorate(fn: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            with counted_run(counter, ok=ok(kwargs), rejected=rejected):
                return await fn(*args, **kwargs)

        return run

    return decorate


class AppCollector(Collector):
    """What one app keeps, read when scraped: `state` is the app's state (web/app.py) with its `response_cache` and
    `graph_cache`, when they exist."""

    def __init__(self, state: dict[str, Any], clock: Callable[[], float] = time.monotonic) -> None:
        self.state = state
        self.clock = clock

    def collect(self) -> Iterable[Metric]:
        cache = self.state.get("response_cache")
        if cache is not None:
            requests = CounterMetricFamily(
                "graphsvc_response_cache_requests",
                "Browse answers looked up in the response cache: hit (sent as kept), miss (computed), shared (waited "
                "for the same question's answer being computed)",
                labels=["result"],
            )
            requests.add_metric(["hit"], cache.hits)
            requests.add_metric(["miss"], cache.misses)
            requests.add_metric(["shared"], cache.shared)
            yield requests
            yield GaugeMetricFamily(
                "graphsvc_response_cache_entries", "Answers kept in the response cache", value=len(cache.entries)
            )
            yield GaugeMetricFamily(
                "graphsvc_response_cache_bytes", "Memory the kept answers take (their JSON size)", value=cache.size
            )
        graph = self.state.get("graph_cache")
        loaded = None if graph is None else graph.loaded_at
        if graph is not None and loaded is not None:
            yield GaugeMetricFamily(
                "graphsvc_graph_age_seconds",
                "Seconds since the in-memory dependency graph was loaded (absent while none is)",
                value=self.clock() - loaded,
            )
            yield CounterMetricFamily(
                "graphsvc_graph_loads", "Times the dependency graph was read whole into memory", value=graph.loads
            )


def discovery_recorded(totals: Iterable[tuple[str, int, float]]) -> list[Metric]:
    """The discovery runs recorded in the database, by source (db/discovery.py run_totals): their number and when
    the last ran. `graphsvc discover` runs in its own process, so DISCOVERY_RUNS of the server does not see them."""
    runs = CounterMetricFamily(
        "graphsvc_discovery_runs_recorded",
        "Discovery runs recorded in the database, by source, whichever process ran them (dry runs are not recorded)",
        labels=["source"],
    )
    last = GaugeMetricFamily(
        "graphsvc_discovery_last_run_timestamp_seconds",
        "When the last recorded discovery run of each source ran (seconds since the epoch)",
        labels=["source"],
    )
    for source, count, at in totals:
        runs.add_metric([source], count)
        last.add_metric([source], at)
    return [runs, last]


class _Also(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


class _Process(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def render(
    app: AppCollector | None = None, *, multiprocess_dir: Path | None = None, also: list[Metric] | None = None
) -> bytes:
    """The process's metrics (or, with `multiprocess_dir`, every worker's, summed), `app`'s and `also` (read for
    this scrape), in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    if also:
        registry.register(_Also(also))
    if multiprocess_dir is None:
        registry.register(_Process())
    else:
        MultiProcessCollector(registry, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
    if app is not None:
        registry.register(app)
    return generate_latest(registry)


def process_ended(multiprocess_dir: Path | None) -> None:
    """A worker stops: its live gauges (statements in flight) no longer count."""
    if multiprocess_dir is not None:
        mark_process_dead(os.getpid(), str(multiprocess_dir))  # type: ignore[no-untyped-call]
