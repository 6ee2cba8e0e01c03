"""XGBoost as Driftwatch trains it: one set of default parameters for the demo model and retrains."""

from __future__ import annotations

import numpy as np
import xgboost as xgb

PARAMS = {
    "objective": "binary:logistic",
    "eval_metric": "auc",
    "tree_method": "hist",
    "max_depth": 4,
    "learning_rate": 0.05,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "min_child_weight": 5,
    "nthread": 2,
}
NUM_ROUNDS = 300


def fit_booster(
    X: np.ndarray, y: np.ndarray, names: list[str], *, seed: int, params: dict | None = None, rounds: int = NUM_ROUNDS
) -> xgb.Booster:
    """A binary classifier fitted on ``X`` (encoded by the schema) and 0/1 labels ``y``."""
    dtrain = xgb.DMatrix(X, label=y, feature_names=names)
    return xgb.train({**PARAMS, **(params or {}), "seed": seed}, dtrain, num_boost_round=rounds)
