"""One monitoring cycle over every active model, then retention, once.

Per model (``run_model``): claim its slot (``worker.store``), measure its
windows (``worker.measure``), then three steps in one transaction: store the
results, raise alerts (``worker.alerts``), group them into incidents
(``worker.incidents``). What each model is judged against (version, feature
kinds, score name, reference) comes from ``worker.targets``; its windows hold
only the rows that version scored.

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
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from worker import alerts, compare, incidents, performance, policy, retention, store
from worker.config import WorkerSettings
from worker.drift import dataset_rule
from worker.measure import Measurer
from worker.notify import Notifier
from worker.results import CycleReport, CycleResult
from worker.targets import Targets

log = logging.getLogger(__name__)
DRIFT_KINDS = {"feature_drift", "prediction_drift", "dataset_drift"}
FAILED = "monitoring_failed"


def summary_of(exc: BaseException) -> str:
    """An error in one line: its type and the first line of its message (at most 300 characters)."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


class Monitor:
    """Everything a cycle needs, built once: settings, engine, targets, notifier."""

    def __init__(self, settings: WorkerSettings, engine: Engine, notifier: Notifier | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.notifier = notifier or Notifier(None)
        self.targets = Targets()
        self.thresholds = settings.threshold_table()  # every model's: global and per-feature overrides
        self._judged_names: set[str] = set()  # every feature and score name judged by this process
        self._warned_names: set[str] = set()  # per-feature thresholds no model had, logged once
        self.costs = performance.Costs(settings.cost_fp, settings.cost_fn)
        self.measurer = Measurer(engine, settings, self.thresholds, self.costs)
        #: What every run records of the settings it was judged with (fixed per process).
        self.run_details = {
            "thresholds": self.thresholds.defaults,
            "rule": dataset_rule(self.thresholds.defaults["dataset_drift_share"]),
            "costs": {"false_positive": self.costs.false_positive, "false_negative": self.costs.false_negative},
            "window_minutes": settings.window_minutes,
            "min_samples": settings.min_samples,
            "label_window_minutes": settings.label_window_minutes,
        }

    def run_cycle(self, now: datetime | None = None) -> CycleReport:
        """One cycle over every active model, then retention. Raises only when the models
        cannot be listed (the database is down); a model's own failure is in its result."""
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:
            plan = self.targets.plan(conn)
        report = CycleReport({model: self.run_model(model, version, now) for model, version in plan.items()})
        self._retention(now)
        self._check_threshold_names()
        return report

    def _check_threshold_names(self) -> None:
        """Warn, once per name, of per-feature thresholds that no model judged so far has a feature of."""
        self._judged_names |= self.targets.names_in_use()
        unknown = self.thresholds.features - self._judged_names - self._warned_names
        if unknown:
            log.warning(
                "WORKER_THRESHOLDS: no monitored model has a feature named %s (features: %s); use '*' for all",
                ", ".join(repr(name) for name in sorted(unknown)),
                ", ".join(sorted(self._judged_names)) or "none yet",
            )
            self._warned_names |= unknown

    def run_model(self, model: str, version: str, now: datetime) -> CycleResult | None:
        """One model's cycle at ``version``; None when another worker already has its slot."""
        started = time.perf_counter()
        run_id = None
        try:
            window_start = now - timedelta(minutes=self.settings.window_minutes)
            run_id = store.claim(self.engine, model, now, self.settings.interval_s, window_start, self.run_details)
            if run_id is None:
                slot = store.slot_of(now, self.settings.interval_s)
                log.info("%s: slot %s already computed by another worker", model, slot)
                return None
            target = self.targets.get(self.engine, model, version)
            result = self.measurer.measure(run_id, target, now)
            with Session(self.engine) as session, session.begin():
                self.store_results(session, result, now)
                events = self.raise_alerts(session, result, target.labels, now)
                changes = self.group_incidents(session, result, target.labels, now)
            result.events, result.incident_changes = events, changes
        except Exception as exc:
            log.exception("%s: monitoring cycle failed (run %s)", model, run_id)
            result = self.record_failure(model, version, run_id, now, exc)
        result.elapsed_s = time.perf_counter() - started
        for change in result.incident_changes:  # committed: tell the webhook
            self.notifier.incident(change)
        self.act_on_drift(result, now)
        return result

    def _starts(self, result: CycleResult, now: datetime) -> tuple[datetime, datetime]:
        """Where the cycle's drift window and label window start."""
        window_start = now - timedelta(minutes=self.settings.window_minutes)
        if result.label_window is not None:
            return window_start, result.label_window.start
        return window_start, now - timedelta(minutes=self.settings.label_window_minutes)

    def store_results(self, session: Session, result: CycleResult, now: datetime) -> None:
        """Step one: the drift and performance results stored, the run finished."""
        store.store_results(session, result, now, *self._starts(result, now))

    def raise_alerts(
        self, session: Session, result: CycleResult, labels: Mapping[str, str], now: datetime
    ) -> list[alerts.Event]:
        """Step two: the model's alerts opened, held or resolved by what the cycle judged
        (``labels``: each feature's name for people)."""
        conditions, judged = self._conditions(result, labels)
        return alerts.apply(session, result.model, conditions, judged, self.settings.resolve_after, now)

    def group_incidents(
        self, session: Session, result: CycleResult, labels: Mapping[str, str], now: datetime
    ) -> list[incidents.Change]:
        """Step three: the model's new alerts grouped into incidents, its unresolved ones refreshed."""
        seen = incidents.Seen.measured(
            *self._starts(result, now),
            result.drift,
            result.dataset.share if result.dataset is not None else None,
            (result.realized or {}).get("roc_auc"),
            labels,
        )
        return incidents.update(session, result.model, seen, now)

    def _conditions(self, result: CycleResult, labels: Mapping[str, str]) -> tuple[list[alerts.Condition], set[str]]:
        """The conditions that hold and the alert kinds the cycle judged (a failed cycle: its failure only)."""
        if result.status == "failed":
            return [alerts.failure_condition(result.model, result.error or "")], {FAILED}
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
        return [c for c in conditions if c is not None], judged

    def judges_quality(self, realized: Mapping) -> bool:
        """Enough labels to judge realized performance: WORKER_MIN_LABELS of them, and among them
        WORKER_MIN_POSITIVE_LABELS positives (a ROC-AUC from three frauds swings by chance alone)."""
        return (
            realized.get("roc_auc") is not None
            and realized.get("n_rows", 0) >= self.settings.min_labels
            and realized.get("n_positive", 0) >= self.settings.min_positive_labels
        )

    def record_failure(
        self, model: str, version: str | None, run_id: int | None, now: datetime, exc: Exception
    ) -> CycleResult:
        """A failed cycle: its run marked failed (with the traceback), then the same alert and
        incident steps with its failure alone. Each on its own: the database may be what failed."""
        result = CycleResult(model, run_id, "failed", version=version, error=summary_of(exc))
        if run_id is not None:
            try:
                store.mark_failed(self.engine, run_id, version, exc)
            except Exception:  # noqa: BLE001
                log.warning("%s: could not mark run %s as failed", model, run_id)
        try:
            with Session(self.engine) as session, session.begin():
                events = self.raise_alerts(session, result, {}, now)
                changes = self.group_incidents(session, result, {}, now)
            result.events, result.incident_changes = events, changes
        except Exception:  # noqa: BLE001
            log.warning("%s: could not raise the %s alert", model, FAILED)
        return result

    def act_on_drift(self, result: CycleResult, now: datetime) -> None:
        """Compare the champion with its challenger (the gate decides), then the retrain policy;
        each step's failure is logged and leaves the cycle's result as it is."""
        model = result.model
        try:
            result.comparison = compare.run(
                self.engine, self.settings, self.targets, self.thresholds, self.costs, model, now
            )
        except Exception:
            log.exception("%s: comparing the champion with its challenger failed", model)
        if result.comparison is not None and result.comparison.event is not None:
            event = result.comparison.event
            self.notifier.send(f"[gate] {model}: {event}")
        try:
            result.retrain_job = policy.check(self.engine, self.settings, model, result.version, now)
        except Exception:
            log.exception("%s: the retrain policy failed", model)

    def _retention(self, now: datetime) -> None:
        try:
            retention.purge(
                self.engine, now - timedelta(days=self.settings.retention_days), self.settings.retention_batch
            )
        except Exception:
            log.exception("retention failed; will retry next cycle")
