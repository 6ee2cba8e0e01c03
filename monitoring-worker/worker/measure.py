"""What a model's cycle measures: its drift window judged, realized performance over its label window.

One source per model per cycle (``worker.sources.choose``) gives both windows.
Below ``WORKER_MIN_SAMPLES`` rows the status is ``insufficient_data`` and no
drift is judged; estimated performance is computed whenever the window has
rows. Realized performance is computed whenever the label window has labels,
and right after a traffic switch even without any (``0 labels yet``). On
PostgreSQL the labelled rows, mostly the database's work, are read on a second
connection while this thread judges the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import Engine

from worker import performance, sources
from worker.config import WorkerSettings
from worker.drift import dataset_drift, evaluate_all
from worker.labels import LabelCache
from worker.results import CycleResult
from worker.stats import Current, Thresholds
from worker.targets import Target
from worker.window import Labelled, LabelWindow, has_predictions_before, label_window


class Measurer:
    """Measures one model version's windows; holds what every cycle shares (the label cache)."""

    def __init__(
        self, engine: Engine, settings: WorkerSettings, thresholds: Thresholds, costs: performance.Costs
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.thresholds = thresholds
        self.costs = costs
        self.labels = LabelCache()  # each version's labelled rows, read incrementally

    def measure(self, run_id: int, target: Target, now: datetime) -> CycleResult:
        """The cycle's result of ``target`` at ``now``: drift, estimated and realized performance."""
        scope = target.scope
        window_start = now - timedelta(minutes=self.settings.window_minutes)
        with self.engine.connect() as conn:
            labels = label_window(conn, scope.model, now, self.settings.label_window_minutes)
            spans = sources.Spans(window_start, labels.start, now)
            source = sources.choose(conn, scope, spans, self.labels, self.settings.max_rows)
        parallel = self.engine.dialect.name == "postgresql"
        with ThreadPoolExecutor(1) as pool:
            reading = pool.submit(self._labelled, source) if parallel else None
            with self.engine.connect() as conn:
                window = source.window(conn)
                had_traffic = window.n_rows > 0 or has_predictions_before(conn, scope.model, window_start)
            result = self.judge_window(run_id, target, window, had_traffic)
            labelled = reading.result() if reading is not None else self._labelled(source)
        result.source, result.label_window = source.name, labels
        result.realized = self.realized(labelled, labels)
        return result

    def realized(self, labelled: Labelled, labels: LabelWindow) -> dict | None:
        """Realized performance of the label window's labelled rows; None without any, except right
        after a traffic switch (``0 labels yet`` is news then)."""
        if not len(labelled.labels) and labels.reason != "since_switch":
            return None
        metrics = performance.realized(
            labelled.scores, labelled.decisions, labelled.labels, labelled.lags_s, labelled.n_predictions, self.costs
        )
        return {**metrics, "window_reason": labels.reason}

    def _labelled(self, source: sources.WindowSource) -> Labelled:
        with self.engine.connect() as conn:
            return source.labelled(conn)

    def judge_window(self, run_id: int, target: Target, window: sources.WindowData, had_traffic: bool) -> CycleResult:
        """Drift (with enough rows) and estimated performance (with any) of the window."""
        scope = target.scope
        enough = window.n_rows >= self.settings.min_samples
        status = "ok" if enough else "insufficient_data"
        result = CycleResult(scope.model, run_id, status, window.n_rows, scope.version, had_traffic)
        if enough:
            self.judge_drift(result, window.columns(), target)
        if window.n_rows:
            result.estimated = performance.estimated(window.scores, window.decisions, self.costs)
        return result

    def judge_drift(self, result: CycleResult, columns: Mapping[str, Current], target: Target) -> None:
        score_name = target.scope.score_name
        kinds = {**target.scope.kinds, score_name: "numeric"}
        judged = evaluate_all(columns, kinds, target.reference, self.thresholds)
        result.drift = [r for r in judged if r.feature != score_name]
        result.score = next(r for r in judged if r.feature == score_name)
        result.dataset = dataset_drift(result.drift, self.thresholds.defaults["dataset_drift_share"])
