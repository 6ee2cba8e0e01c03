"""One monitoring cycle: claim the slot, read the window, judge it, store, alert.

Each cycle belongs to a slot (its start time floored to the interval);
``monitoring_runs.slot`` is unique, so when several workers share a database
the first to insert the slot computes it and the others skip it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from driftwatch_core import artifacts
from driftwatch_core.db.models import DriftResult, MonitoringRun, PerformanceResult
from driftwatch_core.features import FEATURES, SCORE_NAME
from worker import alerts, performance, retention
from worker.config import WorkerSettings
from worker.drift import (
    DatasetDrift,
    FeatureDrift,
    dataset_drift,
    dataset_rule,
    evaluate_all,
    prepare_reference,
)
from worker.notify import Notifier
from worker.window import has_predictions_before, load_labelled, load_window

log = logging.getLogger(__name__)
KINDS = {f.name: f.kind for f in FEATURES}
DRIFT_KINDS = {"feature_drift", "prediction_drift", "dataset_drift"}


def slot_of(now: datetime, interval_s: float) -> datetime:
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % interval_s, UTC)


#: The databases ``driftwatch_core.db.engine.make_engine`` supports, each with its ON CONFLICT insert.
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def _insert_ignoring_conflict(conn: Connection, table, values: dict, conflict: list[str]):
    dialect = _DIALECTS[conn.dialect.name]
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    return conn.execute(stmt.returning(table.c.id)).scalar()


@dataclass
class CycleResult:
    run_id: int
    status: str
    n_rows: int
    had_traffic: bool = True  # False on a fresh database: an empty window is no news
    drift: list[FeatureDrift] = field(default_factory=list)
    score: FeatureDrift | None = None
    dataset: DatasetDrift | None = None
    realized: dict | None = None
    estimated: dict | None = None
    events: list[alerts.Event] = field(default_factory=list)


class Monitor:
    """Everything a cycle needs, built once: settings, engine, reference, notifier."""

    def __init__(self, settings: WorkerSettings, engine: Engine, notifier: Notifier | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.notifier = notifier or Notifier(None)
        self.thresholds = settings.threshold_table()
        self.costs = performance.Costs(settings.cost_fp, settings.cost_fn)
        self._version: str | None = None
        self._reference: dict = {}
        #: What every run records of the settings it was judged with (fixed per process).
        self.run_details = {
            "thresholds": self.thresholds.defaults,
            "rule": dataset_rule(self.thresholds.defaults["dataset_drift_share"]),
            "costs": {"false_positive": self.costs.false_positive, "false_negative": self.costs.false_negative},
            "window_minutes": settings.window_minutes,
            "min_samples": settings.min_samples,
            "label_window_minutes": settings.label_window_minutes,
        }

    def reference(self) -> tuple[str, dict]:
        """The served model's reference, reloaded when a newer model is marked latest."""
        paths = artifacts.resolve(self.settings.model_dir, self.settings.model_version)
        if paths.folder.name != self._version:
            ref = artifacts.load_reference(paths)
            self._reference = prepare_reference({**ref["features"], SCORE_NAME: ref[SCORE_NAME]})
            self._version = paths.folder.name
            log.info("loaded reference of model %s", self._version)
        return self._version, self._reference

    def claim(self, now: datetime, start: datetime) -> int | None:
        values = dict(
            slot=slot_of(now, self.settings.interval_s),
            started_at=now,
            window_start=start,
            window_end=now,
            n_rows=0,
            status="running",
            details=self.run_details,
        )
        with self.engine.begin() as conn:
            return _insert_ignoring_conflict(conn, MonitoringRun.__table__, values, ["slot"])

    def run_cycle(self, now: datetime | None = None) -> CycleResult | None:
        """Compute one cycle; None when another worker already has this slot."""
        now = now or datetime.now(UTC)
        start = now - timedelta(minutes=self.settings.window_minutes)
        version, reference = self.reference()
        run_id = self.claim(now, start)
        if run_id is None:
            log.info("slot %s already computed by another worker", slot_of(now, self.settings.interval_s))
            return None
        try:
            result = self._compute(run_id, now, start, reference)
            self._store(result, now, version)
        except Exception:
            self._fail(run_id, traceback.format_exc())
            raise
        for event in result.events:
            self.notifier.send(event.text)
        self._retention(now)
        return result

    def _compute(self, run_id: int, now: datetime, start: datetime, reference: dict) -> CycleResult:
        label_start = now - timedelta(minutes=self.settings.label_window_minutes)
        with self.engine.connect() as conn:
            window = load_window(conn, start, now, max_rows=self.settings.max_rows)
            labelled = load_labelled(conn, label_start, now, max_rows=self.settings.max_rows)
            had_traffic = window.n_rows > 0 or has_predictions_before(conn, start)
        enough = window.n_rows >= self.settings.min_samples
        result = CycleResult(run_id, "ok" if enough else "insufficient_data", window.n_rows, had_traffic)
        columns = window.columns() if window.n_rows else {}
        if enough:
            self._judge_drift(result, columns, reference)
        if window.n_rows:
            result.estimated = performance.estimated(
                columns[SCORE_NAME], window.frame["decision"].to_numpy(dtype=bool), self.costs
            )
        if len(labelled.labels):
            result.realized = performance.realized(
                labelled.scores,
                labelled.decisions,
                labelled.labels,
                labelled.lags_s,
                labelled.n_predictions,
                self.costs,
            )
        return result

    def _judge_drift(self, result: CycleResult, columns: Mapping[str, np.ndarray], reference: dict) -> None:
        kinds = {name: kind for name, kind in KINDS.items() if name in reference}
        kinds[SCORE_NAME] = "numeric"
        judged = evaluate_all(columns, kinds, reference, self.thresholds)
        result.drift = [r for r in judged if r.feature != SCORE_NAME]
        result.score = next(r for r in judged if r.feature == SCORE_NAME)
        result.dataset = dataset_drift(result.drift, self.thresholds.defaults["dataset_drift_share"])

    def _conditions(self, result: CycleResult) -> tuple[list[alerts.Condition], set[str]]:
        conditions: list[alerts.Condition | None] = []
        judged = {"no_traffic"}
        if result.dataset is not None:
            conditions += alerts.drift_conditions(result.drift, result.dataset, result.score)
            judged |= DRIFT_KINDS
        realized = result.realized or {}
        if realized.get("n_rows", 0) >= self.settings.min_labels and realized.get("roc_auc") is not None:
            judged.add("performance")
            conditions.append(alerts.performance_condition(realized["roc_auc"], self.settings.min_roc_auc))
        if result.had_traffic:
            conditions.append(alerts.no_traffic_condition(result.n_rows, self.settings.window_minutes))
        return [c for c in conditions if c is not None], judged

    def _store(self, result: CycleResult, now: datetime, version: str) -> None:
        window_start = now - timedelta(minutes=self.settings.window_minutes)
        label_start = now - timedelta(minutes=self.settings.label_window_minutes)
        finished = datetime.now(UTC)
        with Session(self.engine) as session, session.begin():
            judged = [*result.drift, *([result.score] if result.score else [])]
            if judged:
                session.execute(
                    insert(DriftResult),
                    [
                        dict(
                            run_id=result.run_id,
                            computed_at=now,
                            window_start=window_start,
                            window_end=now,
                            feature=r.feature,
                            feature_kind=r.kind,
                            test=r.test,
                            statistic=r.statistic,
                            p_value=r.p_value,
                            threshold=r.thresholds["alpha"],
                            drifted=r.drifted,
                            severity=r.severity,
                            n_reference=r.n_reference,
                            n_current=r.n_current,
                            details=r.details(),
                        )
                        for r in judged
                    ],
                )
            for kind, metrics, start in (
                ("realized", result.realized, label_start),
                ("estimated", result.estimated, window_start),
            ):
                if metrics is not None:
                    session.add(
                        PerformanceResult(
                            run_id=result.run_id,
                            computed_at=now,
                            window_start=start,
                            window_end=now,
                            kind=kind,
                            n_rows=metrics["n_rows"],
                            metrics=metrics,
                        )
                    )
            session.execute(
                update(MonitoringRun)
                .where(MonitoringRun.id == result.run_id)
                .values(
                    finished_at=finished,
                    n_rows=result.n_rows,
                    status=result.status,
                    model_version=version,
                    dataset_drift=result.dataset.drifted if result.dataset else None,
                    drift_share=result.dataset.share if result.dataset else None,
                    prediction_drift=result.score.drifted if result.score else None,
                )
            )
            conditions, kinds = self._conditions(result)
            result.events = alerts.apply(session, conditions, kinds, self.settings.resolve_after, now)

    def _fail(self, run_id: int, error: str) -> None:
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    update(MonitoringRun)
                    .where(MonitoringRun.id == run_id)
                    .values(status="failed", error=error[-4000:], finished_at=datetime.now(UTC))
                )
        except Exception:  # noqa: BLE001 - the database may be what failed
            log.warning("could not mark run %s as failed", run_id)

    def _retention(self, now: datetime) -> None:
        try:
            retention.purge(
                self.engine, now - timedelta(days=self.settings.retention_days), self.settings.retention_batch
            )
        except Exception:
            log.exception("retention failed; will retry next cycle")
