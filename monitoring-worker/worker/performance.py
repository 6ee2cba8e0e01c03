"""Model performance: realized from delayed labels, estimated from the scores.

Realized: over predictions of the label window that have a label, the usual
metrics (scikit-learn), label coverage (labelled / all predictions in the
window), the median label lag and the business cost of the errors. The label
window starts at the newest traffic switch when that is later than
WORKER_LABEL_WINDOW_MINUTES ago (``worker.window.label_window``); the cycle
stores why beside the metrics (``window_reason``).

Estimated, before labels arrive (confidence-based estimation, as NannyML's
CBPE does): if the scores are calibrated, a prediction with score p is a
fraud with probability p, so the expected confusion matrix is
TP = sum(p * d), FP = sum((1 - p) * d), FN = sum(p * (1 - d)), TN = the rest
for decisions d; the expected ROC curve ranks by score with cumulative
expected positives and negatives, and likewise the PR curve.

The estimated ROC-AUC carries a band, ``roc_auc_low`` to ``roc_auc_high``: where
90% of the ROC-AUCs fall that labelled traffic like the window's would show if
the scores are calibrated (a parametric bootstrap: ``BAND_RESAMPLES`` times,
resample the scores with replacement, draw each label as a coin with the
score's probability, take the ROC-AUC; fixed seed, so a window always gives the
same band). It is the range a realized ROC-AUC of the model still working would
land in; below it, the labels disagree with the scores (concept drift). A window
of more than ``BAND_MAX_ROWS`` scores is bootstrapped from that many of them
(a tenth of a second): its band is a little wider than it could be, never narrower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

BAND_LEVEL = 0.9  # share of the bootstrap's ROC-AUCs inside the band
BAND_RESAMPLES = 100
BAND_MAX_ROWS = 20_000
BAND_SEED = 20_261_123


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
        n_positive=int(np.sum(y)),
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


def estimated_auc_band(
    scores: np.ndarray, resamples: int = BAND_RESAMPLES, level: float = BAND_LEVEL, seed: int = BAND_SEED
) -> tuple[float | None, float | None]:
    """The ``level`` band of ROC-AUCs that calibrated scores like these would show on their
    labels (see the module's docstring); (None, None) when most draws have a single class.

    Each draw is counts, not rows: how many copies of each distinct score the resample
    holds and how many of them are positive (a binomial); the ROC-AUC of
    such counts is the rank-sum one with ties counted half, so a draw costs O(n)."""
    p = np.clip(np.asarray(scores, dtype=float), 0.0, 1.0)
    if len(p) == 0:
        return None, None
    rng = np.random.default_rng(seed)
    if len(p) > BAND_MAX_ROWS:
        p = rng.choice(p, BAND_MAX_ROWS, replace=False)
    values, group = np.unique(p, return_inverse=True)  # ascending distinct scores
    aucs = []
    for _ in range(resamples):
        copies = np.bincount(rng.integers(0, len(p), len(p)), minlength=len(p))
        positive = rng.binomial(copies, p)
        pos = np.bincount(group, weights=positive, minlength=len(values))
        neg = np.bincount(group, weights=copies - positive, minlength=len(values))
        n_pos, n_neg = pos.sum(), neg.sum()
        if n_pos == 0 or n_neg == 0:
            continue
        below = np.cumsum(neg) - neg  # negatives scored lower than each distinct score
        aucs.append(float(np.sum(pos * (below + 0.5 * neg)) / (n_pos * n_neg)))
    if len(aucs) < resamples / 2:
        return None, None
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(aucs, [tail, 100 - tail])
    return float(low), float(high)


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
    low, high = estimated_auc_band(scores) if roc is not None else (None, None)
    metrics.update(roc_auc=roc, roc_auc_low=low, roc_auc_high=high, pr_auc=ap, n_rows=len(p))
    return metrics
