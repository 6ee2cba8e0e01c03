"""Why the model scored a transaction the way it did (TreeSHAP)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ModelDep
from app.schemas.transaction import ExplainOut, GlobalExplainOut, Transaction
from app.services import explanations

router = APIRouter(tags=["explain"])


@router.post("/explain", response_model=ExplainOut)
def explain(transaction: Transaction, model: ModelDep):
    """SHAP contribution of each feature to one transaction's score, in log-odds."""
    return explanations.explain(model, transaction.model_dump())


@router.get("/explain/global", response_model=GlobalExplainOut)
def explain_global(model: ModelDep):
    """Mean absolute SHAP value per feature over a reference sample (computed once)."""
    return explanations.global_importance(model)
