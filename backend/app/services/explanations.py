"""Which features matter overall to a version's scores: mean absolute TreeSHAP over its reference rows.

A version keeps a sample of its reference table (``model_versions.reference_table``,
kept at registration); the first ``GLOBAL_SHAP_ROWS`` of it are explained once per
version and process, then cached. One row's explanation is ``LoadedVersion.explain``.
"""

from __future__ import annotations

import io
import threading

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Conflict
from app.serving.versions import LoadedVersion
from driftwatch_core.db.models import ModelVersion
from driftwatch_core.encoding import encode_columns

GLOBAL_SHAP_ROWS = 2_000
_global: dict[str, tuple[int, dict[str, float]]] = {}  # version -> (rows, mean |SHAP| per feature)
_lock = threading.Lock()


def _reference_rows(session: Session, loaded: LoadedVersion) -> pd.DataFrame:
    raw = session.scalar(select(ModelVersion.reference_table).where(ModelVersion.version == loaded.version))
    if not raw:
        raise Conflict(
            f"version {loaded.version} of {loaded.name!r} keeps no reference rows (it was registered before "
            "they were kept): register it again to get its global explanation"
        )
    return pd.read_parquet(io.BytesIO(raw)).head(GLOBAL_SHAP_ROWS)


def global_importance(session: Session, loaded: LoadedVersion) -> dict:
    """Mean absolute SHAP value per feature over the version's reference rows (computed once per version)."""
    with _lock:
        if loaded.version not in _global:
            loaded.explain_check()
            rows = _reference_rows(session, loaded)
            columns = {f.name: rows[f.name].to_numpy() for f in loaded.schema}
            contributions = loaded.scorer.contributions(encode_columns(columns, loaded.schema))[:, :-1]
            mean_abs = np.abs(contributions).mean(axis=0)
            importance = {f.name: float(v) for f, v in zip(loaded.schema, mean_abs, strict=True)}
            _global[loaded.version] = (len(rows), importance)
    n, importance = _global[loaded.version]
    return {"model": loaded.name, "model_version": loaded.version, "sample_size": n, "mean_abs_shap": importance}
