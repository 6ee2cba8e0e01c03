"""``GET /model``: the fraud champion as training described it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.registry.serving import ServedModel
from app.services.model_service import ModelService
from driftwatch_core.db.models import ModelVersion


def champion_info(champion: ServedModel, trained: ModelService | None, session: Session) -> dict:
    """MODEL_DIR's metadata when the champion is the version trained there; else what the registry
    keeps of it (a retrained or uploaded version): version, times, threshold, metrics, schema, source."""
    if trained is not None and trained.version == champion.version:
        return trained.metadata
    row = session.get(ModelVersion, champion.version)
    metrics = dict(row.metrics or {}) if row is not None else {}
    if "positive_rate" in metrics and "fraud_rate" not in metrics:
        metrics["fraud_rate"] = metrics["positive_rate"]
    complete = {"roc_auc", "pr_auc", "precision", "recall", "f1", "fraud_rate", "n"} <= metrics.keys()
    source = (row.source or {}) if row is not None else {}
    return {
        "version": champion.version,
        "trained_at": row.trained_at.isoformat() if row is not None else None,
        "algorithm": "xgboost" if champion.format.startswith("xgboost") else champion.format,
        "threshold": champion.threshold,
        "metrics": metrics if complete else None,
        "feature_schema": [f.to_dict() for f in champion.schema],
        "params": source.get("params") if isinstance(source.get("params"), dict) else None,
    }
