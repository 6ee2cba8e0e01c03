"""Why the champion scored a transaction the way it did (TreeSHAP), and which features matter overall."""

from __future__ import annotations

import threading

import numpy as np

from app.registry.serving import ServedModel, explain_row
from driftwatch_core.encoding import encode_columns
from driftwatch_core.generator import TransactionGenerator

GLOBAL_SHAP_ROWS = 2_000
_GLOBAL_SEED = 1
_global: dict[str, dict[str, float]] = {}  # version -> mean |SHAP| per feature
_lock = threading.Lock()


def explain(served: ServedModel, row: dict) -> dict:
    """One transaction's score and each feature's SHAP contribution to it, in log-odds."""
    out = explain_row(served, row)
    return {
        "model_version": out["model_version"],
        "fraud_probability": out["score"],
        "base_value": out["base_value"],
        "margin": out["margin"],
        "contributions": out["contributions"],
    }


def global_importance(served: ServedModel) -> dict:
    """Mean absolute SHAP value per feature over a fixed sample of generated transactions (once per version)."""
    with _lock:
        if served.version not in _global:
            batch = TransactionGenerator(seed=_GLOBAL_SEED).sample(GLOBAL_SHAP_ROWS)
            contribs = served.scorer.contributions(encode_columns(batch.columns, served.schema))[:, :-1]
            mean_abs = np.abs(contribs).mean(axis=0)
            _global[served.version] = {f.name: float(v) for f, v in zip(served.schema, mean_abs, strict=True)}
    return {"model_version": served.version, "sample_size": GLOBAL_SHAP_ROWS, "mean_abs_shap": _global[served.version]}
