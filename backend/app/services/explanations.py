"""Why the model scored a transaction the way it did (TreeSHAP), and which features matter overall."""

from __future__ import annotations

from app.ml.encoding import encode_rows
from app.services.model_service import GLOBAL_SHAP_ROWS, ModelService
from driftwatch_core.features import FEATURE_NAMES


def explain(model: ModelService, row: dict) -> dict:
    """One transaction's score and each feature's SHAP contribution to it, in log-odds."""
    X = encode_rows([row])
    contribs = model.contributions(X)[0]
    return {
        "model_version": model.version,
        "fraud_probability": float(model.predict(X)[0]),
        "base_value": float(contribs[-1]),
        "margin": float(model.margin(X)[0]),
        "contributions": dict(zip(FEATURE_NAMES, (float(v) for v in contribs[:-1]), strict=True)),
    }


def global_importance(model: ModelService) -> dict:
    """Mean absolute SHAP value per feature over the model's reference sample."""
    return {
        "model_version": model.version,
        "sample_size": GLOBAL_SHAP_ROWS,
        "mean_abs_shap": model.global_importance,
    }
