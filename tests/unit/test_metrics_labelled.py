"""telemetry/metrics.py labelled: a metric's child for its label values, kept; what it counts is what the metric
exposes under those labels."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from graphsvc.telemetry import metrics


def test_the_kept_child_is_the_metrics_own_and_counts_under_its_labels() -> None:
    registry = CollectorRegistry()
    counter = Counter("labelled_test_requests", "test", ["route", "status"], registry=registry)
    seconds = Histogram("labelled_test_seconds", "test", ["route"], registry=registry)
    for _ in range(3):
        metrics.labelled(counter, "/graphql", "200").inc()
    metrics.labelled(counter, "/graphql", "400").inc()
    metrics.labelled(seconds, "/graphql").observe(0.25)
    text = generate_latest(registry).decode()
    assert 'labelled_test_requests_total{route="/graphql",status="200"} 3.0' in text
    assert 'labelled_test_requests_total{route="/graphql",status="400"} 1.0' in text
    assert 'labelled_test_seconds_count{route="/graphql"} 1.0' in text
    other = Counter("labelled_test_other", "test", ["route", "status"], registry=registry)
    assert metrics.labelled(other, "/graphql", "200") is not metrics.labelled(counter, "/graphql", "200")
