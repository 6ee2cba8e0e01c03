"""Why a model scored a row the way it did, and which features matter overall (TreeSHAP)."""

from __future__ import annotations

from typing import Any

from app.api.deps import RuntimeDep, SessionDep
from app.api.scoped import ModelName, ModelRoutes
from app.schemas.scoring import GlobalExplanationOut, RowExplanationOut, RowIn
from app.services import explanations

router = ModelRoutes(tags=["explain"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No model of that name (or it has no version yet)."},
    409: {"description": "The version keeps no reference rows to explain over."},
    503: {"description": "The model registry has not been read yet; retry after Retry-After seconds."},
}


@router.model_post("/explain", response_model=RowExplanationOut, responses=_RESPONSES)
def explain(name: ModelName, row: RowIn, runtime: RuntimeDep):
    """TreeSHAP contribution of each feature to one row's score by the champion, in log-odds (XGBoost
    models; others answer 422 saying why)."""
    champion = runtime.champion(name)
    return champion.explain(champion.validate_row(row.root))


@router.model_get("/explain/global", response_model=GlobalExplanationOut, responses=_RESPONSES)
def explain_global(name: ModelName, runtime: RuntimeDep, session: SessionDep):
    """Mean absolute SHAP value per feature over the champion's reference rows (computed once per version)."""
    return explanations.global_importance(session, runtime.champion(name))
