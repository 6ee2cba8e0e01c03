"""Prometheus metrics of the backend, on a registry of their own.

With several server processes (``BACKEND_WORKERS`` > 1, ``app.serve``) a scrape
reaches one of them, so each process writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, chosen when
the variable is set before the first import) and ``registry`` collects every
process's files: counters and histograms add up, ``driftwatch_pending_writes``
is the sum over live processes, ``driftwatch_model_info`` their maximum.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client import multiprocess as _multiprocess

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROCESS_DIR))


def mark_process_dead() -> None:
    """Drop this process's live gauges from the shared files (at shutdown)."""
    if multiprocess():
        _multiprocess.mark_process_dead(os.getpid())


class Metrics:
    def child(self, metric, *values: str):
        """``metric.labels(*values)``, looked up once: prometheus_client takes a lock and builds
        a tuple on every ``labels`` call, a few microseconds on each request. Label values are
        bounded (route templates, status codes, model versions), and so is this cache."""
        key = (id(metric), values)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*values)
        return found

    def __init__(self) -> None:
        self._children: dict[tuple, Any] = {}
        # The metrics live on ``own``; a scrape reads ``registry`` (the same one, or the
        # collector of every process's files in multiprocess mode).
        own = CollectorRegistry()
        if multiprocess():
            self.registry = CollectorRegistry()
            _multiprocess.MultiProcessCollector(self.registry)
        else:
            self.registry = own
        r = own
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
        self.predictions = Counter(
            "driftwatch_predictions", "Rows scored, by model and decision", ["model", "decision"], registry=r
        )
        self.scores = Histogram(
            "driftwatch_prediction_score",
            "Positive-class probability of scored rows, by model",
            ["model"],
            buckets=tuple(i / 20 for i in range(1, 21)),
            registry=r,
        )
        self.model_info = Gauge(
            "driftwatch_model_info",
            "The versions that have answered requests, by model",
            ["model", "version"],
            registry=r,
            multiprocess_mode="livemax",
        )
        self.pending_writes = Gauge(
            "driftwatch_pending_writes", "Predictions waiting to be stored", registry=r, multiprocess_mode="livesum"
        )
        self.batch_rows = Histogram(
            "driftwatch_predict_batch_rows",
            "Rows per model call of single-row requests batched together",
            buckets=BATCH_BUCKETS,
            registry=r,
        )
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
