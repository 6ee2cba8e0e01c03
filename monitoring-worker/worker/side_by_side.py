"""Champion and challenger side by side: what one comparison says (no database).

Over the drift window's pairs, per version: the score histogram (10 bins on
[0, 1]), the positive rate, prediction drift (its scores against *its own*
reference, as the cycle judges the score) and estimated performance (CBPE,
``worker.performance.estimated``); and the agreement of the two decisions.
Over the label window's labelled pairs: realized performance, the same rows
for both versions, and the ROC-AUC difference (challenger minus champion) with
its 95% paired bootstrap interval (``worker.bootstrap``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from worker import performance
from worker.bootstrap import auc_difference
from worker.drift import FeatureDrift, evaluate_feature
from worker.pairs import Pairs

HISTOGRAM_EDGES = np.linspace(0.0, 1.0, 11)


def _number(x: Any) -> float | None:
    """A JSON-ready float: None for None and NaN."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _pick(metrics: Mapping[str, Any] | None, keys: tuple[str, ...]) -> dict | None:
    if metrics is None:
        return None
    return {k: (int(metrics[k]) if k == "n_rows" else _number(metrics.get(k))) for k in keys}


def _drift_of(result: FeatureDrift | None) -> dict:
    if result is None:
        return {"psi": None, "ks_statistic": None, "p_value": None, "drifted": None}
    return {
        "psi": _number(result.psi),
        "ks_statistic": _number(result.statistic),
        "p_value": _number(result.p_value),
        "drifted": bool(result.drifted),
    }


@dataclass(frozen=True)
class ScoreReference:
    """What a version's score is judged against: its reference entry (prepared) and thresholds."""

    entry: Mapping[str, Any]
    name: str
    thresholds: Mapping[str, float]


def version_side(
    version: str,
    scores: np.ndarray,
    decisions: np.ndarray,
    n_scored: int,
    labelled_scores: np.ndarray,
    labelled_decisions: np.ndarray,
    labels: np.ndarray,
    reference: ScoreReference | None,
    min_samples: int,
    costs: performance.Costs,
) -> dict:
    """One version's entry of the comparison's details."""
    counts, _ = np.histogram(np.clip(scores, 0.0, 1.0), bins=HISTOGRAM_EDGES)
    drift = None
    if reference is not None and len(scores) >= min_samples:
        drift = evaluate_feature(reference.name, "numeric", reference.entry, scores, reference.thresholds)
    realized = None
    if len(labels):
        metrics = performance.realized(
            labelled_scores, labelled_decisions, labels, np.empty(0), float(len(labels)), costs
        )
        realized = _pick(metrics, ("n_rows", "roc_auc", "precision", "recall", "f1"))
    estimated = None
    if len(scores):
        estimated = _pick(performance.estimated(scores, decisions, costs), ("roc_auc", "precision", "recall", "f1"))
    return {
        "version": version,
        "n_scored": int(n_scored),
        "positive_rate": float(np.mean(decisions)) if len(decisions) else None,
        "score_histogram": {"edges": [float(e) for e in HISTOGRAM_EDGES], "counts": [int(c) for c in counts]},
        "prediction_drift": _drift_of(drift),
        "realized": realized,
        "estimated": estimated,
    }


def describe(
    champion: str,
    challenger: str,
    recent: Pairs,
    labelled: Pairs,
    references: Mapping[str, ScoreReference | None],
    min_samples: int,
    costs: performance.Costs,
    window_start: datetime,
    window_end: datetime,
) -> dict:
    """The comparison's details (without the gate's entry): both versions, agreement, ROC-AUC gain."""
    labels = labelled.labels if labelled.labels is not None else np.zeros(0, dtype=bool)
    sides = {}
    for side, version, scores, decisions, l_scores, l_decisions in (
        (
            "champion",
            champion,
            recent.champion_scores,
            recent.champion_decisions,
            labelled.champion_scores,
            labelled.champion_decisions,
        ),
        (
            "challenger",
            challenger,
            recent.challenger_scores,
            recent.challenger_decisions,
            labelled.challenger_scores,
            labelled.challenger_decisions,
        ),
    ):
        sides[side] = version_side(
            version,
            scores,
            decisions,
            recent.n,
            l_scores,
            l_decisions,
            labels,
            references.get(version),
            min_samples,
            costs,
        )
    agreement = float(np.mean(recent.champion_decisions == recent.challenger_decisions)) if len(recent) else None
    return {
        "window_start": window_start.isoformat(),
        "window_end": window_end.isoformat(),
        **sides,
        "agreement": agreement,
        "auc_diff": auc_difference(labelled.champion_scores, labelled.challenger_scores, labels),
    }
