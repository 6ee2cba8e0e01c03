"""The loaded model: scoring, SHAP explanations and global importance."""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np
import xgboost as xgb

from driftwatch_core import artifacts
from driftwatch_core.encoding import encode_columns
from driftwatch_core.features import FEATURE_NAMES, FEATURES
from driftwatch_core.generator import TransactionGenerator

GLOBAL_SHAP_ROWS = 2_000


class ModelService:
    """One booster, loaded once from XGBoost JSON, shared by all requests."""

    def __init__(self, paths: artifacts.ArtifactPaths) -> None:
        self.paths = paths
        self.metadata = artifacts.load_metadata(paths)
        self.booster = xgb.Booster()
        self.booster.load_model(str(paths.booster))
        self.booster.set_param({"nthread": 1})
        self.version: str = self.metadata["version"]
        self.threshold: float = float(self.metadata["threshold"])
        # DMatrix-based prediction (SHAP) is serialised; inplace_predict is thread-safe.
        self._lock = threading.Lock()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Fraud probabilities for an encoded matrix, in one vectorised call."""
        return self.booster.inplace_predict(X)

    def margin(self, X: np.ndarray) -> np.ndarray:
        return self.booster.inplace_predict(X, predict_type="margin")

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions, one column per feature plus the bias (base value) last."""
        dmatrix = xgb.DMatrix(X, feature_names=list(FEATURE_NAMES))
        with self._lock:
            return self.booster.predict(dmatrix, pred_contribs=True)

    @cached_property
    def global_importance(self) -> dict[str, float]:
        """Mean |SHAP| per feature over a fixed reference sample, computed once."""
        seed = int(self.metadata.get("seed", 0)) + 1
        batch = TransactionGenerator(seed=seed).sample(GLOBAL_SHAP_ROWS)
        contribs = self.contributions(encode_columns(batch.columns, FEATURES))[:, :-1]
        mean_abs = np.abs(contribs).mean(axis=0)
        return dict(zip(FEATURE_NAMES, (float(v) for v in mean_abs), strict=True))
