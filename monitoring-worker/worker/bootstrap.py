"""The ROC-AUC difference of two versions on the same labelled rows, with a paired bootstrap interval.

The bootstrap resamples the labelled pairs (at most ``BOOTSTRAP_MAX_ROWS``,
drawn with a fixed seed) with the same weights for both versions: a random
weight per row and resample, Poisson(1) as in the Poisson bootstrap (Hanley
and MacGibbon 2006, a resample drawn with replacement being the same but for
its size) from one random byte each; each resample's ROC-AUC of both
versions is a weighted Mann-Whitney count computed as two sparse-matrix
products per version (no sort per resample).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

BOOTSTRAP_RESAMPLES = 1_000
BOOTSTRAP_MAX_ROWS = 20_000
BOOTSTRAP_SEED = 20_261_201
CONFIDENCE = 0.95
_CHUNK = 100  # resamples per pass: 20,000 rows x 100 float32 weights = 8 MB


#: Bootstrap weights from one random byte: 0..5 with counts 94, 95, 46, 16, 4, 1 of 256, which
#: is Poisson(1) rounded to 1/256 with the mean and the variance kept exactly 1 (what a
#: weighted bootstrap needs of its weights).
_WEIGHTS = np.repeat(np.arange(6, dtype=np.float32), [94, 95, 46, 16, 4, 1])


@dataclass(frozen=True)
class _AucParts:
    """One version's scores as two sparse maps from rows to the unique positive scores:
    ``group`` (positive row -> its score's rank) and ``below`` (negative row -> half at the
    count of positive scores below it, half at the count at or below it)."""

    group: sparse.csr_matrix
    below: sparse.csr_matrix


def _auc_parts(scores: np.ndarray, labels: np.ndarray) -> _AucParts:
    n = len(labels)
    pos, neg = np.flatnonzero(labels), np.flatnonzero(~labels)
    unique = np.unique(scores[pos])
    m = len(unique)
    group = sparse.csr_matrix(
        (np.ones(len(pos), np.float32), (np.searchsorted(unique, scores[pos]), pos)), shape=(m, n)
    )
    lo = np.searchsorted(unique, scores[neg], "left")
    hi = np.searchsorted(unique, scores[neg], "right")  # > lo where a positive ties the negative
    below = sparse.csr_matrix(
        (np.full(2 * len(neg), 0.5, np.float32), (np.concatenate([lo, hi]), np.tile(neg, 2))), shape=(m + 1, n)
    )
    return _AucParts(group, below)


def _weighted_auc(parts: _AucParts, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC under each column of row weights (rows x resamples): the weighted share of
    (positive, negative) pairs the positive outranks, ties counting one half."""
    per_group = parts.group @ weights  # weight of the positives at each unique score
    above = np.zeros((per_group.shape[0] + 1, per_group.shape[1]))
    above[:-1] = np.cumsum(per_group[::-1], axis=0)[::-1]  # weight of positives at or above each
    negatives = parts.below @ weights  # weight of the negatives per position among the positives
    wins = np.einsum("kb,kb->b", above, negatives)
    with np.errstate(invalid="ignore", divide="ignore"):
        return wins / (above[0] * negatives.sum(axis=0))


def auc_difference(
    champion_scores: np.ndarray,
    challenger_scores: np.ndarray,
    labels: np.ndarray,
    resamples: int = BOOTSTRAP_RESAMPLES,
    max_rows: int = BOOTSTRAP_MAX_ROWS,
    seed: int = BOOTSTRAP_SEED,
) -> dict:
    """Challenger's ROC-AUC minus the champion's on the same labelled rows, with a 95%
    percentile interval from a paired bootstrap (the same resampled rows for both versions).
    Above ``max_rows`` rows, a sample of ``max_rows`` (fixed seed) is used for all of it."""
    labels = np.asarray(labels, dtype=bool)
    rng = np.random.default_rng(seed)
    if len(labels) > max_rows:
        keep = np.sort(rng.choice(len(labels), max_rows, replace=False))
        champion_scores, challenger_scores, labels = champion_scores[keep], challenger_scores[keep], labels[keep]
    n = len(labels)
    empty = {"estimate": None, "low": None, "high": None, "confidence": CONFIDENCE, "resamples": 0, "n": n}
    if not labels.any() or labels.all():
        return empty
    champion, challenger = _auc_parts(champion_scores, labels), _auc_parts(challenger_scores, labels)
    ones = np.ones((n, 1), dtype=np.float32)
    estimate = float(_weighted_auc(challenger, ones)[0] - _weighted_auc(champion, ones)[0])
    diffs = []
    buffer = np.empty((n, _CHUNK), dtype=np.float32)
    for done in range(0, resamples, _CHUNK):
        b = min(_CHUNK, resamples - done)
        weights = buffer[:, :b]
        np.take(_WEIGHTS, np.frombuffer(rng.bytes(n * b), dtype=np.uint8).reshape(n, b), out=weights)
        diffs.append(_weighted_auc(challenger, weights) - _weighted_auc(champion, weights))
    draws = np.concatenate(diffs)
    draws = draws[np.isfinite(draws)]  # a resample without one of the classes has no ROC-AUC
    if not len(draws):
        return empty
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return {
        "estimate": estimate,
        "low": float(low),
        "high": float(high),
        "confidence": CONFIDENCE,
        "resamples": len(draws),
        "n": n,
    }
