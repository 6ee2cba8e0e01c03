"""One monitoring cycle over every active model: per model, claim its slot, read its
window, judge it, store, alert; then retention, once.

Each model's cycle belongs to a slot (the cycle's start floored to the
interval); ``monitoring_runs`` is unique per (model, slot), so when several
workers share a database the first to insert a model's slot computes it and
the others skip it. What each model is judged against (version, feature kinds,
score name, reference) comes from ``worker.targets``; its window holds only
the rows that version scored.

Models are independent: an error in one model's cycle (a broken reference, a
failing query, a statistics error) is logged with the model's name, marks its
run ``failed`` with the traceback and holds a critical ``monitoring_failed``
alert for that model, which resolves by the usual rule once its cycles
succeed again; the other models' cycles run all the same.

After a model's own cycle (whatever its status), two steps act on drift, each
on its own: an error in either is logged and changes nothing else. A model
with a challenger gets its champion compared with it on the same requests and
the promotion gate's decision (``worker.compare``, ``worker.gate``); the
retrain policy may queue a retraining (``worker.policy``).
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from driftwatch_core.db.models import DEFAULT_MODEL, DriftResult, MonitoringRun, PerformanceResult
from worker import alerts, compare, incidents, performance, policy, retention
from worker.config import WorkerSettings
from worker.drift import dataset_rule
from worker.measure import Measurer
from worker.notify import Notifier
from worker.results import CycleReport, CycleResult
from worker.stats import Thresholds
from worker.targets import Target, Targets

log = logging.getLogger(__name__)
DRIFT_KINDS = {"feature_drift", "prediction_drift", "dataset_drift"}
FAILED = "monitoring_failed"


def slot_of(now: datetime, interval_s: float) -> datetime:
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % interval_s, UTC)


def summary_of(exc: BaseException) -> str:
    """An error in one line: its type and the first line of its message (at most 300 characters)."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


#: The databases ``driftwatch_core.db.engine.make_engine`` supports, each with its ON CONFLICT insert.
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}


def _insert_ignoring_conflict(conn: Connection, table, values: dict, conflict: list[str]):
    dialect = _DIALECTS[conn.dialect.name]
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict)
    return conn.execute(stmt.returning(table.c.id)).scalar()


class Monitor:
    """Everything a cycle needs, built once: settings, engine, targets, notifier."""

    def __init__(self, settings: WorkerSettings, engine: Engine, notifier: Notifier | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.notifier = notifier or Notifier(None)
        self.targets = Targets(settings.model_dir, settings.model_version)
        self.thresholds = settings.threshold_table()  # the fraud model: global and per-feature overrides
        self.shared_thresholds = settings.threshold_table(per_feature=False)  # every other model
        self.costs = performance.Costs(settings.cost_fp, settings.cost_fn)
        self.measurer = Measurer(engine, settings, self.costs)
        #: What every run records of the settings it was judged with (fixed per process).
        self.run_details = {
            "thresholds": self.thresholds.defaults,
            "rule": dataset_rule(self.thresholds.defaults["dataset_drift_share"]),
            "costs": {"false_positive": self.costs.false_positive, "false_negative": self.costs.false_negative},
            "window_minutes": settings.window_minutes,
            "min_samples": settings.min_samples,
            "label_window_minutes": settings.label_window_minutes,
        }

    def thresholds_for(self, model: str) -> Thresholds:
        return self.thresholds if model == DEFAULT_MODEL else self.shared_thresholds

    def run_cycle(self, now: datetime | None = None) -> CycleReport:
        """One cycle over every active model, then retention. Raises only when the models
        cannot be listed (the database is down); a model's own failure is in its result."""
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:
            plan = self.targets.plan(conn)
        report = CycleReport({model: self.run_model(model, version, now) for model, version in plan.items()})
        self._retention(now)
        return report

    def run_model(self, model: str, version: str | None, now: datetime) -> CycleResult | None:
        """One model's cycle at ``version``; None when another worker already has its slot."""
        started = time.perf_counter()
        start = now - timedelta(minutes=self.settings.window_minutes)
        run_id = None
        try:
            run_id = self.claim(model, now, start)
            if run_id is None:
                log.info(
                    "%s: slot %s already computed by another worker", model, slot_of(now, self.settings.interval_s)
                )
                return None
            target = self.targets.get(self.engine, model, version)
            result = self.measurer.measure(run_id, target, self.thresholds_for(model), now)
            self._store(result, target, now)
        except Exception as exc:
            log.exception("%s: monitoring cycle failed (run %s)", model, run_id)
            result = self._fail(model, version, run_id, now, exc)
        result.elapsed_s = time.perf_counter() - started
        self._act_on_drift(result, now)
        for event in result.events:
            self.notifier.send(event.text)
        return result

    def _act_on_drift(self, result: CycleResult, now: datetime) -> None:
        """Compare the champion with its challenger (the gate decides), then the retrain policy;
        each step's failure is logged and leaves the cycle's result as it is."""
        model = result.model
        try:
            result.comparison = compare.run(
                self.engine, self.settings, self.targets, self.thresholds_for(model), self.costs, model, now
            )
        except Exception:
            log.exception("%s: comparing the champion with its challenger failed", model)
        if result.comparison is not None and result.comparison.event is not None:
            event = result.comparison.event
            self.notifier.send(f"[gate] {event}" if model == DEFAULT_MODEL else f"[gate] {model}: {event}")
        try:
            result.retrain_job = policy.check(self.engine, self.settings, model, result.version, now)
        except Exception:
            log.exception("%s: the retrain policy failed", model)

    def claim(self, model: str, now: datetime, start: datetime) -> int | None:
        values = dict(
            model_name=model,
            slot=slot_of(now, self.settings.interval_s),
            started_at=now,
            window_start=start,
            window_end=now,
            n_rows=0,
            status="running",
            details=self.run_details,
        )
        with self.engine.begin() as conn:
            return _insert_ignoring_conflict(conn, MonitoringRun.__table__, values, ["model_name", "slot"])

    def _conditions(self, result: CycleResult, labels: Mapping[str, str]) -> tuple[list[alerts.Condition], set[str]]:
        conditions: list[alerts.Condition | None] = []
        judged = {"no_traffic", FAILED}  # this cycle succeeded: a failure alert counts a clear cycle
        if result.dataset is not None:
            conditions += alerts.drift_conditions(result.drift, result.dataset, result.score, labels)
            judged |= DRIFT_KINDS
        realized = result.realized or {}
        if self.judges_quality(realized):
            judged.add("performance")
            conditions.append(
                alerts.performance_condition(realized["roc_auc"], self.settings.min_roc_auc, realized["n_rows"])
            )
        if result.had_traffic:
            conditions.append(alerts.no_traffic_condition(result.n_rows, self.settings.window_minutes))
        return alerts.for_model(result.model, [c for c in conditions if c is not None]), judged

    def judges_quality(self, realized: Mapping) -> bool:
        """Enough labels to judge realized performance: WORKER_MIN_LABELS of them, and among them
        WORKER_MIN_POSITIVE_LABELS frauds (a ROC-AUC from three frauds swings by chance alone)."""
        return (
            realized.get("roc_auc") is not None
            and realized.get("n_rows", 0) >= self.settings.min_labels
            and realized.get("n_positive", 0) >= self.settings.min_positive_labels
        )

    def _store(self, result: CycleResult, target: Target, now: datetime) -> None:
        window_start = now - timedelta(minutes=self.settings.window_minutes)
        labels = result.label_window
        label_start = labels.start if labels else now - timedelta(minutes=self.settings.label_window_minutes)
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
                    model_version=target.version,
                    dataset_drift=result.dataset.drifted if result.dataset else None,
                    drift_share=result.dataset.share if result.dataset else None,
                    prediction_drift=result.score.drifted if result.score else None,
                )
            )
            conditions, kinds = self._conditions(result, target.labels)
            result.events = alerts.apply(session, result.model, conditions, kinds, self.settings.resolve_after, now)
            seen = incidents.Seen.measured(
                window_start,
                label_start,
                result.drift,
                result.dataset.share if result.dataset is not None else None,
                (result.realized or {}).get("roc_auc"),
                target.labels,
            )
            incidents.update(session, result.model, seen, now)

    def _fail(self, model: str, version: str | None, run_id: int | None, now: datetime, exc: Exception) -> CycleResult:
        """Record a failed cycle: the run marked failed (with the traceback), the model's
        ``monitoring_failed`` alert held. Each step on its own: the database may be what failed."""
        summary = summary_of(exc)
        result = CycleResult(model, run_id, "failed", version=version, error=summary)
        if run_id is not None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(MonitoringRun)
                        .where(MonitoringRun.id == run_id)
                        .values(
                            status="failed",
                            error="".join(traceback.format_exception(exc))[-4000:],
                            finished_at=datetime.now(UTC),
                            model_version=version,
                        )
                    )
            except Exception:  # noqa: BLE001
                log.warning("%s: could not mark run %s as failed", model, run_id)
        try:
            with Session(self.engine) as session, session.begin():
                condition = alerts.failure_condition(model, summary)
                result.events = alerts.apply(session, model, [condition], {FAILED}, self.settings.resolve_after, now)
                incidents.update(session, model, self._seen_nothing(now), now)
        except Exception:  # noqa: BLE001
            log.warning("%s: could not raise the %s alert", model, FAILED)
        return result

    def _seen_nothing(self, now: datetime) -> incidents.Seen:
        """A failed cycle's view for incidents: its windows, no measurements."""
        return incidents.Seen(
            now - timedelta(minutes=self.settings.window_minutes),
            now - timedelta(minutes=self.settings.label_window_minutes),
        )

    def _retention(self, now: datetime) -> None:
        try:
            retention.purge(
                self.engine, now - timedelta(days=self.settings.retention_days), self.settings.retention_batch
            )
        except Exception:
            log.exception("retention failed; will retry next cycle")
