"""The reference distribution the monitoring worker compares live traffic with.

Fitted once when a version is registered and stored with it: per numeric feature
the reference deciles as bin edges (outer edges are minus and plus infinity)
with the share of reference rows in each bin, per categorical feature the
category shares, and a sorted sample for the Kolmogorov-Smirnov test. The
model's score gets the same treatment under ``SCORE_NAME``.

``bin_counts`` and ``category_counts`` are the one binning: the monitoring
worker bins live windows with them too, so both sides count alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from driftwatch_core.features import SCORE_NAME, Feature

KS_SAMPLE_SIZE = 5_000
DECILES = np.linspace(0.1, 0.9, 9)


def bin_counts(edges, values) -> np.ndarray:
    """Rows per bin of the sorted ``edges``: ``len(edges) + 1`` bins, the outer ones open,
    a value equal to an edge counted in the bin above."""
    values = np.asarray(values, dtype=float)
    return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)


def category_counts(categories, values) -> np.ndarray:
    """Rows per category (as floats), a value matching when ``str(value).lower()`` equals the
    category's (so ``True`` is ``"true"``, ``"Grocery"`` is ``"grocery"``); nulls and other
    values are not counted."""
    by_label: dict[str, int] = {}
    for label, count in pd.Series(values).value_counts().items():  # a few distinct labels
        key = str(label).lower()
        by_label[key] = by_label.get(key, 0) + int(count)
    return np.array([by_label.get(str(c).lower(), 0) for c in categories], dtype=float)


def numeric_reference(values: np.ndarray, rng: np.random.Generator) -> dict:
    values = np.asarray(values, dtype=float)
    # Ties (integer features) can make deciles coincide; keep each edge once.
    edges = np.unique(np.quantile(values, DECILES))
    counts = bin_counts(edges, values)
    size = min(KS_SAMPLE_SIZE, len(values))
    sample = np.sort(rng.choice(values, size=size, replace=False))
    return {
        "kind": "numeric",
        "edges": edges.tolist(),
        "proportions": (counts / counts.sum()).tolist(),
        "sample": sample.tolist(),
        "n": len(values),
        "mean": float(values.mean()),
        "std": float(values.std()),
    }


def categorical_reference(values: np.ndarray, categories: list[str]) -> dict:
    counts = category_counts(categories, values)
    return {
        "kind": "categorical",
        "categories": categories,
        "proportions": (counts / counts.sum()).tolist(),
        "n": len(values),
    }


def build_reference(
    columns: Mapping[str, np.ndarray],
    scores: np.ndarray,
    seed: int,
    schema: Sequence[Feature],
    score_name: str = SCORE_NAME,
) -> dict:
    """The reference of one model version: every feature of ``schema`` and its score.

    The one function for every model: registration (the demo model's included) and a
    retrain both come through here.
    """
    rng = np.random.default_rng(seed)
    features = {}
    for f in schema:
        if f.kind == "numeric":
            features[f.name] = numeric_reference(columns[f.name], rng)
        elif f.kind == "boolean":
            features[f.name] = categorical_reference(columns[f.name], ["false", "true"])
        else:
            features[f.name] = categorical_reference(columns[f.name], list(f.categories))
    return {"features": features, score_name: numeric_reference(scores, rng), "score_name": score_name}
