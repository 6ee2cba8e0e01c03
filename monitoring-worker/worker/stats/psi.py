"""Population Stability Index on the reference bins frozen at training time.

Numeric features use the reference deciles as edges (outer edges minus and
plus infinity, a value equal to an edge goes to the bin above); categorical
and boolean features use their categories, plus one bin for values the
reference never saw. The counting is ``driftwatch_core.reference``'s own, so live
windows are binned exactly like the training reference.

Smoothing: every share (reference and current) is floored at ``EPSILON`` =
1e-4 and renormalised, so an empty bin adds at most |p - q| * ln(1 / EPSILON)
(about 9.2 * |p - q|) and PSI can never exceed 2 * ln(1 / EPSILON), about 18.4.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np

from driftwatch_core.reference import bin_counts, category_counts
from worker.stats.registry import Current, Sketched, StatTest, TestResult, register

EPSILON = 1e-4
UNSEEN = "(unseen)"


def psi_value(reference: np.ndarray, current: np.ndarray) -> float:
    """PSI of two share vectors over the same bins, with the smoothing stated above."""
    p = np.maximum(np.asarray(reference, dtype=float), EPSILON)
    q = np.maximum(np.asarray(current, dtype=float), EPSILON)
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum((q - p) * np.log(q / p)))


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def numeric_bins(edges) -> list[str]:
    """Human-readable labels of the bins ``edges`` make (half-open ``[a, b)``)."""
    if len(edges) == 0:
        return ["all"]
    labels = [f"< {_fmt(edges[0])}"]
    labels += [f"{_fmt(a)} – {_fmt(b)}" for a, b in itertools.pairwise(edges)]
    return [*labels, f"≥ {_fmt(edges[-1])}"]


def numeric_shares(edges, values: np.ndarray) -> np.ndarray:
    counts = bin_counts(edges, values)
    return counts / max(counts.sum(), 1)


def categorical_shares(categories: list[str], values: np.ndarray) -> tuple[np.ndarray, int]:
    """Shares over ``categories`` plus the count of values outside them."""
    counts = category_counts(categories, values)
    total = len(values)
    unseen = total - int(counts.sum())
    return np.append(counts, unseen) / max(total, 1), unseen


def sketched_counts(categories, current: Sketched) -> np.ndarray:
    """Counts over ``categories`` plus the unseen ones, from a summary's counts (matched as
    ``category_counts`` matches values)."""
    counts = current.counts or {}
    known = np.array([counts.get(str(c).lower(), 0) for c in categories], dtype=float)
    return np.append(known, current.n - known.sum())


def _current_shares(reference: Mapping, values: Current) -> np.ndarray:
    """The current shares over the reference's bins (categorical: plus the unseen bin)."""
    if reference["kind"] == "numeric":
        if not isinstance(values, Sketched):
            return numeric_shares(reference["edges"], values)
        assert values.cdf is not None, "a numeric feature's summary has a CDF"
        edges = np.asarray(reference["edges"], dtype=float)
        # share < each edge: a value equal to an edge is in the bin above, as bin_counts puts it
        below = values.cdf(edges, False) if len(edges) else np.array([])
        return np.diff(np.concatenate([[0.0], below, [1.0]])) if values.n else np.zeros(len(edges) + 1)
    if isinstance(values, Sketched):
        return sketched_counts(reference["categories"], values) / max(values.n, 1)
    return categorical_shares(reference["categories"], values)[0]


def histogram(reference: Mapping, values: Current) -> dict:
    """Reference and current shares over the reference's bins, ready to plot."""
    ref = np.asarray(reference["proportions"], dtype=float)
    cur = _current_shares(reference, values)
    if reference["kind"] == "numeric":
        bins = numeric_bins(reference["edges"])
    else:
        bins = [*list(reference["categories"]), UNSEEN]
        ref = np.append(ref, 0.0)
        if cur[-1] == 0:  # no unseen values: no bin for them
            bins, cur, ref = bins[:-1], cur[:-1], ref[:-1]
    return {"bins": bins, "reference": ref.round(6).tolist(), "current": cur.round(6).tolist()}


def psi(reference: Mapping, values: Current) -> TestResult:
    hist = histogram(reference, values)
    return TestResult(statistic=psi_value(hist["reference"], hist["current"]), histogram=hist)


PSI = register(
    StatTest("psi", frozenset({"numeric", "categorical", "boolean"}), "psi_moderate", "high", psi, compute_sketched=psi)
)
