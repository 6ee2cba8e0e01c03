"""Turn transactions into the matrix the booster sees: one column per feature."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from driftwatch_core.features import FEATURES


def encode_rows(rows: Sequence[Mapping]) -> np.ndarray:
    """Encode validated transactions (dicts keyed by feature name) row by row."""
    return np.array([[f.encode(row[f.name]) for f in FEATURES] for row in rows], dtype=np.float32)


def encode_columns(columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Encode a columnar batch (the generator's output) without a Python loop per row."""
    out = []
    for f in FEATURES:
        col = np.asarray(columns[f.name])
        if f.kind == "categorical":
            lookup = {c: i for i, c in enumerate(f.categories)}
            out.append(np.array([lookup[v] for v in col], dtype=np.float32))
        else:
            out.append(col.astype(np.float32))
    return np.column_stack(out)
