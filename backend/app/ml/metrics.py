"""Classification metrics at a decision threshold, and the threshold a business cost rule picks."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score


def choose_threshold(y: np.ndarray, p: np.ndarray, cost_fp: float, cost_fn: float) -> float:
    """The score cut-off with the lowest total cost of false alarms and missed positives."""
    candidates = np.unique(np.round(p, 4))
    costs = [cost_fp * np.sum((p >= t) & (y == 0)) + cost_fn * np.sum((p < t) & (y == 1)) for t in candidates]
    return round(float(candidates[int(np.argmin(costs))]), 4)


def evaluate(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """ROC-AUC, PR-AUC, and precision, recall and F1 at ``threshold``; the positive share and the row count."""
    decision = p >= threshold
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "precision": float(precision_score(y, decision, zero_division=0)),
        "recall": float(recall_score(y, decision, zero_division=0)),
        "f1": float(f1_score(y, decision, zero_division=0)),
        "positive_rate": float(y.mean()),
        "n": len(y),
    }
