"""Delete rows older than RETENTION_DAYS, a small batch per transaction (no long locks).

Predictions (shadow rows are predictions too; labels cascade) and their slot
summaries, runs (their results cascade), resolved alerts and champion-challenger
comparisons go; the model
timeline (``model_events``) and retrain jobs are kept.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, delete, select

from driftwatch_core.db.models import Alert, MonitoringRun, Prediction, PredictionSummary, VersionComparison

log = logging.getLogger(__name__)
MAX_BATCHES_PER_CYCLE = 20  # bounded work per cycle; the rest goes next cycle


def _delete_batches(engine: Engine, table, key, stamp, cutoff: datetime, batch: int, extra=()) -> int:
    deleted = 0
    for _ in range(MAX_BATCHES_PER_CYCLE):
        ids = select(key).where(stamp < cutoff, *extra).limit(batch).scalar_subquery()
        with engine.begin() as conn:
            n = conn.execute(delete(table).where(key.in_(ids))).rowcount
        deleted += n
        if n < batch:
            break
    return deleted


def purge(engine: Engine, cutoff: datetime, batch: int) -> dict[str, int]:
    """Old predictions (labels cascade) and summaries, runs (results cascade), resolved alerts, comparisons."""
    counts = {
        "predictions": _delete_batches(engine, Prediction, Prediction.id, Prediction.created_at, cutoff, batch),
        "prediction_summaries": _delete_batches(
            engine, PredictionSummary, PredictionSummary.id, PredictionSummary.slot_start, cutoff, batch
        ),
        "monitoring_runs": _delete_batches(
            engine, MonitoringRun, MonitoringRun.id, MonitoringRun.started_at, cutoff, batch
        ),
        "alerts": _delete_batches(
            engine, Alert, Alert.id, Alert.updated_at, cutoff, batch, (Alert.status == "resolved",)
        ),
        "version_comparisons": _delete_batches(
            engine, VersionComparison, VersionComparison.id, VersionComparison.computed_at, cutoff, batch
        ),
    }
    if any(counts.values()):
        log.info("retention: deleted %s (older than %s)", counts, cutoff.isoformat())
    return counts
