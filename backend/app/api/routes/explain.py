"""Why the champion scored a transaction the way it did (TreeSHAP)."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ChampionDep
from app.schemas.transaction import ExplainOut, GlobalExplainOut, Transaction
from app.services import explanations

router = APIRouter(tags=["explain"])


@router.post("/explain", response_model=ExplainOut)
def explain(transaction: Transaction, champion: ChampionDep):
    """SHAP contribution of each feature to one transaction's score by the champion, in log-odds."""
    return explanations.explain(champion, transaction.model_dump())


@router.get("/explain/global", response_model=GlobalExplainOut)
def explain_global(champion: ChampionDep):
    """Mean absolute SHAP value per feature over a reference sample (computed once per version)."""
    return explanations.global_importance(champion)
