"""Turn rows into the matrix a model sees: one float32 column per feature of its schema.

Shared by every service that scores or judges rows of a registered model (the backend
scores with it, tests and the worker encode reference rows the same way)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from driftwatch_core.features import Feature


def encode_rows(rows: Sequence[Mapping], schema: Sequence[Feature]) -> np.ndarray:
    """Encode validated rows (dicts keyed by feature name) row by row."""
    return np.array([[f.encode(row[f.name]) for f in schema] for row in rows], dtype=np.float32)


def encode_columns(columns: Mapping[str, np.ndarray], schema: Sequence[Feature]) -> np.ndarray:
    """Encode a columnar batch (the generator's output, a reference table) without a Python
    loop per row: categories become their index in the schema, booleans 0/1."""
    out = []
    for f in schema:
        col = np.asarray(columns[f.name])
        if f.kind == "categorical":
            lookup = {c: i for i, c in enumerate(f.categories)}
            out.append(np.array([lookup[v] for v in col], dtype=np.float32))
        else:
            out.append(col.astype(np.float32))
    return np.column_stack(out)
