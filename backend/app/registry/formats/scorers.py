"""Loaded models that score: positive-class probabilities for a float32 matrix.

``XGBoostScorer`` walks a few rows through the trees as numpy arrays (``app.ml.trees``) and
leaves larger batches to XGBoost's ``inplace_predict``; ``OnnxScorer`` runs onnxruntime and
finds the positive-class column among the model's outputs. Both are safe to share between threads.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xgboost as xgb

from app.ml.trees import MAX_ROWS as TREE_TABLE_ROWS
from app.ml.trees import compile_trees
from app.registry.formats.common import FORMAT_NAMES, ArtifactError

if TYPE_CHECKING:
    import onnxruntime as ort


class Scorer(ABC):
    """A loaded model: positive-class probabilities for a float32 matrix, safe to share between threads."""

    format: str
    n_features: int | None  # input columns the model expects, when the model says
    explainable: bool = False  # exact per-row contributions exist (XGBoost's TreeSHAP)

    @abstractmethod
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class for each row of ``X`` (n, n_features): float64, shape (n,)."""

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-row, per-feature contributions in log-odds, bias last: (n, n_features + 1)."""
        raise NotImplementedError(f"{FORMAT_NAMES[self.format]} has no exact per-row contributions")

    def _probe(self, X: np.ndarray) -> np.ndarray:
        """``predict_proba`` with every check that is too costly for serving (see ``check_inputs``)."""
        return self.predict_proba(X)


class XGBoostScorer(Scorer):
    explainable = True

    def __init__(self, booster: xgb.Booster, fmt: str, *, logitraw: bool, inplace: bool = True) -> None:
        self.format = fmt
        self.n_features = booster.num_features()
        self._booster = booster
        self._logitraw = logitraw
        self._inplace = inplace  # gblinear has no inplace_predict
        # One thread per call: a server process scores a few rows at a time, and an OpenMP team
        # per call costs more than it saves (there are as many server processes as cores).
        booster.set_param({"nthread": 1})
        # A few rows at a time are walked through the trees as numpy arrays (app.ml.trees).
        self._table = compile_trees(booster) if inplace else None
        # DMatrix-based prediction is serialised; inplace_predict is thread-safe.
        self._lock = threading.Lock()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = _as_matrix(X)
        if not len(X):
            return np.empty(0, dtype=np.float64)
        if self._table is not None and len(X) <= TREE_TABLE_ROWS:
            return _sigmoid(self._table.margin(X))  # both objectives: the probability is sigmoid(margin)
        if self._inplace:
            predict_type = "margin" if self._logitraw else "value"
            scores = self._booster.inplace_predict(X, predict_type=predict_type)
        else:
            dmatrix = xgb.DMatrix(X, nthread=1)
            with self._lock:
                scores = self._booster.predict(dmatrix, output_margin=self._logitraw, validate_features=False)
        scores = np.asarray(scores, dtype=np.float64)
        return _sigmoid(scores) if self._logitraw else scores

    def contributions(self, X: np.ndarray) -> np.ndarray:
        dmatrix = xgb.DMatrix(_as_matrix(X), nthread=1)
        with self._lock:
            # The booster's feature names (if trained on a DataFrame) are not the schema's concern.
            return self._booster.predict(dmatrix, pred_contribs=True, validate_features=False)

    def _probe(self, X: np.ndarray) -> np.ndarray:
        contributions = self.contributions(X)
        if contributions.shape != (len(X), X.shape[1] + 1):
            raise ArtifactError(f"XGBoost's contributions have shape {contributions.shape}, not one per feature.")
        return self.predict_proba(X)


ONNX_INPUT_TYPES: dict[str, type[np.floating]] = {"tensor(float)": np.float32, "tensor(double)": np.float64}


class OnnxScorer(Scorer):
    format = "onnx"

    def __init__(self, session: ort.InferenceSession) -> None:
        inputs = session.get_inputs()
        if len(inputs) != 1:
            names = ", ".join(i.name for i in inputs)
            raise ArtifactError(
                f"The ONNX model has {len(inputs)} inputs ({names}); Driftwatch feeds one float matrix of all "
                "the features, so export it with a single input such as FloatTensorType([None, n_features])."
            )
        spec = inputs[0]
        dtype = ONNX_INPUT_TYPES.get(spec.type)
        if dtype is None:
            raise ArtifactError(
                f"The ONNX model's input {spec.name!r} is {spec.type}; Driftwatch feeds a float matrix "
                "(tensor(float) or tensor(double))."
            )
        shape = list(spec.shape or [])
        if len(shape) not in (0, 2):
            raise ArtifactError(
                f"The ONNX model's input {spec.name!r} has {len(shape)} dimensions; Driftwatch feeds a matrix "
                "of rows × features."
            )
        width = shape[1] if len(shape) == 2 else None
        self.n_features = width if isinstance(width, int) and width > 0 else None
        self._session = session
        self._input = spec.name
        self._dtype = dtype
        self._outputs = [o.name for o in session.get_outputs()]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self._score(X, strict=False)

    def _probe(self, X: np.ndarray) -> np.ndarray:
        return self._score(X, strict=True)

    def _score(self, X: np.ndarray, *, strict: bool) -> np.ndarray:
        X = _as_matrix(X)
        if not len(X):
            return np.empty(0, dtype=np.float64)
        outputs = self._session.run(None, {self._input: X.astype(self._dtype, copy=False)})
        return _positive_probability(self._outputs, outputs, strict=strict)


def _as_matrix(X: np.ndarray) -> np.ndarray:
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"expected a matrix of rows × features, got an array of shape {X.shape}")
    return X


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -margin))  # 1 / (1 + e^-m) without overflow


def _positive_probability(names: Sequence[str], outputs: Sequence[Any], *, strict: bool) -> np.ndarray:
    """The positive-class column among an ONNX model's outputs (see the module docstring for the shapes).

    ``strict`` also checks that a two-class output is a distribution, which catches exported logits.
    """
    floats = [(n, v) for n, v in zip(names, outputs, strict=True) if _is_float_array(v)]
    for name, value in floats:
        if value.ndim == 2 and value.shape[1] == 2:
            if strict:
                _check_distribution(name, value.sum(axis=1))
            return value[:, 1].astype(np.float64)
    for name, value in zip(names, outputs, strict=True):
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return _zipmap_probability(name, value, strict=strict)
    columns = [v for _, v in floats if v.ndim == 1 or (v.ndim == 2 and v.shape[1] == 1)]
    if len(columns) == 1:
        return columns[0].reshape(-1).astype(np.float64)
    raise ArtifactError(_output_refusal(names, outputs))


def _zipmap_probability(name: str, rows: list[dict[Any, float]], *, strict: bool) -> np.ndarray:
    classes = list(rows[0])
    if len(classes) != 2:
        raise ArtifactError(_multiclass(len(classes)))
    positive = 1 if 1 in rows[0] else classes[1]
    if strict:
        _check_distribution(name, np.array([sum(row.values()) for row in rows]))
    return np.fromiter((row[positive] for row in rows), dtype=np.float64, count=len(rows))


def _check_distribution(name: str, row_sums: np.ndarray) -> None:
    if not np.allclose(row_sums, 1.0, atol=1e-3):
        raise ArtifactError(
            f"The ONNX model's two-class output {name!r} does not sum to 1 per row, so it is not a pair of "
            "probabilities; export the classifier's probabilities (for PyTorch, apply softmax before export)."
        )


def _output_refusal(names: Sequence[str], outputs: Sequence[Any]) -> str:
    for value in outputs:
        if _is_float_array(value) and value.ndim == 2 and value.shape[1] > 2:
            return _multiclass(value.shape[1])
    described = ", ".join(f"{n}: {_describe_output(v)}" for n, v in zip(names, outputs, strict=True))
    return (
        f"The ONNX model's outputs ({described}) hold no positive-class probability; expected a float tensor "
        "(n, 2), a sequence of {class: probability} maps, or a single probability per row."
    )


def _describe_output(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {value.shape}"
    return type(value).__name__


def _multiclass(n_classes: int) -> str:
    return f"The model is a classifier of {n_classes} classes; Driftwatch serves binary classifiers for now."


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)
