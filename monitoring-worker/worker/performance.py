"""Model performance: realized from delayed labels, estimated from the scores.

Realized: over predictions of the label window that have a label, the usual
metrics (scikit-learn), label coverage (labelled / all predictions in the
window), the median label lag and the business cost of the errors.

Estimated, before labels arrive (confidence-based estimation, as NannyML's
CBPE does): if the scores are calibrated, a prediction with score p is a
fraud with probability p, so the expected confusion matrix is
TP = sum(p * d), FP = sum((1 - p) * d), FN = sum(p * (1 - d)), TN = the rest
for decisions d; the expected ROC curve ranks by score with cumulative
expected positives and negatives, and likewise the PR curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


@dataclass(frozen=True)
class Costs:
    false_positive: float = 50.0
    false_negative: float = 500.0


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


def _confusion_metrics(tp: float, fp: float, fn: float, tn: float, costs: Costs) -> dict:
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": _ratio(tp + tn, tp + fp + fn + tn),
        "false_positives": float(fp),
        "false_negatives": float(fn),
        "cost_total": float(fp * costs.false_positive + fn * costs.false_negative),
    }


def realized(
    scores: np.ndarray,
    decisions: np.ndarray,
    labels: np.ndarray,
    lags_s: np.ndarray,
    n_predictions: float,
    costs: Costs,
) -> dict:
    """Metrics of labelled predictions; ROC/PR-AUC are None when one class is missing."""
    y, d = labels.astype(bool), decisions.astype(bool)
    both_classes = y.any() and not y.all()
    metrics = _confusion_metrics(
        float(np.sum(y & d)),
        float(np.sum(~y & d)),
        float(np.sum(y & ~d)),
        float(np.sum(~y & ~d)),
        costs,
    )
    metrics.update(
        roc_auc=float(roc_auc_score(y, scores)) if both_classes else None,
        pr_auc=float(average_precision_score(y, scores)) if both_classes else None,
        label_coverage=_ratio(len(y), n_predictions),
        label_lag_s=float(np.median(lags_s)) if len(lags_s) else None,
        n_rows=len(y),
    )
    return metrics


def _expected_curves(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative expected positives and negatives, ranking by descending score."""
    p = np.sort(np.clip(scores, 0.0, 1.0))[::-1]
    return np.concatenate([[0.0], np.cumsum(p)]), np.concatenate([[0.0], np.cumsum(1.0 - p)])


def estimated_auc(scores: np.ndarray) -> tuple[float | None, float | None]:
    """Expected ROC-AUC and PR-AUC (average precision) if the scores are calibrated."""
    tp, fp = _expected_curves(scores)
    positives, negatives = tp[-1], fp[-1]
    if positives <= 0 or negatives <= 0:
        return None, None
    roc = float(np.trapezoid(tp / positives, fp / negatives))
    k = np.arange(1, len(scores) + 1)
    ap = float(np.sum((tp[1:] - tp[:-1]) / positives * tp[1:] / k))
    return roc, ap


def estimated(scores: np.ndarray, decisions: np.ndarray, costs: Costs) -> dict:
    p, d = np.clip(scores, 0.0, 1.0), decisions.astype(bool)
    metrics = _confusion_metrics(
        float(np.sum(p * d)),
        float(np.sum((1 - p) * d)),
        float(np.sum(p * ~d)),
        float(np.sum((1 - p) * ~d)),
        costs,
    )
    roc, ap = estimated_auc(scores)
    metrics.update(roc_auc=roc, pr_auc=ap, n_rows=len(p))
    return metrics
