"""Why the model scored a transaction the way it did (TreeSHAP)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ModelDep
from app.ml.encoding import encode_rows
from app.ml.features import FEATURE_NAMES
from app.schemas.transaction import ExplainOut, GlobalExplainOut, Transaction
from app.services.model_service import GLOBAL_SHAP_ROWS

router = APIRouter(tags=["explain"])


@router.post("/explain", response_model=ExplainOut)
def explain(transaction: Transaction, model: ModelDep):
    """SHAP contribution of each feature to one transaction's score, in log-odds."""
    X = encode_rows([transaction.model_dump()])
    contribs = model.contributions(X)[0]
    return {
        "model_version": model.version,
        "fraud_probability": float(model.predict(X)[0]),
        "base_value": float(contribs[-1]),
        "margin": float(model.margin(X)[0]),
        "contributions": dict(zip(FEATURE_NAMES, (float(v) for v in contribs[:-1]), strict=True)),
    }


@router.get("/explain/global", response_model=GlobalExplainOut)
def explain_global(model: ModelDep):
    """Mean absolute SHAP value per feature over a reference sample (computed once)."""
    return {
        "model_version": model.version,
        "sample_size": GLOBAL_SHAP_ROWS,
        "mean_abs_shap": model.global_importance,
    }
