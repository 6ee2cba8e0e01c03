"""Prometheus metrics of one backend process, on a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "driftwatch_http_requests",
            "HTTP requests served",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "driftwatch_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.predictions = Counter("driftwatch_predictions", "Transactions scored", ["outcome"], registry=r)
        self.scores = Histogram(
            "driftwatch_prediction_score",
            "Fraud probability of scored transactions",
            buckets=tuple(i / 20 for i in range(1, 21)),
            registry=r,
        )
        self.model_info = Info("driftwatch_model", "The model being served", registry=r)
        self.pending_writes = Gauge("driftwatch_pending_writes", "Predictions waiting to be stored", registry=r)
        self.stored = Counter("driftwatch_predictions_stored", "Predictions written to the database", registry=r)
        self.answered = Counter(
            "driftwatch_answers",
            "Requests answered, by model, version and stage",
            ["model", "version", "stage"],
            registry=r,
        )
        self.shadow_scored = Counter(
            "driftwatch_shadow_scored", "Rows a challenger scored in shadow", ["model", "version"], registry=r
        )
        self.shadow_dropped = Counter(
            "driftwatch_shadow_dropped",
            "Shadow rows dropped because the shadow queue (or the writer's share for shadows) was full",
            ["model"],
            registry=r,
        )
