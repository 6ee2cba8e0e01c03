"""Uploaded model artifacts: which formats are accepted, how they load, how they score.

The parts: ``sniffing`` (what a file is, pickles refused), ``boosters`` (XGBoost checked before it
loads, with its ``ubjson`` reader), ``onnx_models`` (no external tensors), ``scorers`` (what a loaded
model does). This module is what the rest of the backend calls: ``load`` and ``check_inputs``.

Accepted, recognised by content (never by file name):

* ``xgboost-json`` and ``xgboost-ubj``: an XGBoost booster saved with ``Booster.save_model``
  (or ``save_raw``) in XGBoost's own JSON or UBJSON format, with a binary objective
  (``binary:logistic``, or ``binary:logitraw`` whose margin is passed through the sigmoid).
* ``onnx``: an ONNX model run by onnxruntime on the CPU (scikit-learn via skl2onnx,
  LightGBM via onnxmltools, PyTorch exports) with one float input matrix and, as output,
  the probability of the positive class: a ``(n, 2)`` float tensor, skl2onnx's
  sequence of ``{class: probability}`` maps (ZipMap), or a single ``(n,)`` / ``(n, 1)``
  probability.

Refused with an ``ArtifactError`` whose message says what the file is and what we expected:
an empty file, one over ``MAX_ARTIFACT_BYTES``, a Python pickle (plain, compressed by joblib,
or zipped by ``torch.save``), an XGBoost booster whose trees do not hold together, an ONNX
model whose tensors live in external files, a multiclass or regression model, and anything else.

Why never pickle: unpickling calls whatever functions the file names, so loading a pickled
"model" runs its author's code on the server. Both accepted formats are data: XGBoost parses
tables of trees, onnxruntime parses a protobuf graph of built-in operators (no custom-operator
library is ever registered). Acceptance is an allow-list, so only content that sniffs as one
of ``FORMATS`` reaches a loader; recognising pickles only words the refusal. ONNX tensors
stored as external data are refused too, because onnxruntime would read them from files on
the server. And XGBoost trusts the indices in the trees it loads (a child index out of range
makes it read outside its memory and crash the process while scoring), so a booster is parsed
and its trees checked here, strictly, before XGBoost sees it.

Loading parses the whole artifact in memory (no temporary files); callers load each version
once and cache the ``Scorer``, which is safe to share between threads.
"""

from __future__ import annotations

import numpy as np

from app.registry.formats.boosters import load_xgboost
from app.registry.formats.common import FORMAT_NAMES, FORMATS, MAX_ARTIFACT_BYTES, ArtifactError, reason
from app.registry.formats.onnx_models import load_onnx
from app.registry.formats.scorers import OnnxScorer, Scorer, XGBoostScorer
from app.registry.formats.sniffing import check_size, sniff

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "MAX_ARTIFACT_BYTES",
    "ArtifactError",
    "OnnxScorer",
    "Scorer",
    "XGBoostScorer",
    "check_inputs",
    "load",
    "sniff",
]


def load(raw: bytes, fmt: str | None = None) -> Scorer:
    """Sniff (unless ``fmt`` is given) and load ``raw`` in memory; every failure is an ``ArtifactError``."""
    if fmt is None:
        fmt = sniff(raw)
    elif fmt not in FORMATS:
        raise ArtifactError(f"Unknown model format {fmt!r}; Driftwatch loads {', '.join(FORMATS)}.")
    else:
        check_size(raw)
    if fmt == "onnx":
        return load_onnx(raw)
    return load_xgboost(raw, fmt)


# --- Checking against the schema ------------------------------------------------------------------


def check_inputs(scorer: Scorer, n_features: int) -> None:
    """Refuse a model whose input width differs from the schema's, or that cannot score a row of zeros
    into one probability (for ONNX: a model that is not a binary classifier or a single-probability output)."""
    if scorer.n_features is not None and scorer.n_features != n_features:
        raise ArtifactError(
            f"The model expects {_count(scorer.n_features, 'input column')} but the schema has "
            f"{_count(n_features, 'feature')}."
        )
    try:
        p = scorer._probe(np.zeros((1, n_features), dtype=np.float32))
    except ArtifactError:
        raise
    except Exception as exc:  # whatever the library raises, the model does not run
        raise ArtifactError(f"The model could not score a row of {n_features} zeros ({reason(exc)}).") from exc
    if p.shape != (1,) or not np.all(np.isfinite(p)) or not np.all((p >= 0) & (p <= 1)):
        shown = np.array2string(np.asarray(p).ravel()[:3], precision=4)
        raise ArtifactError(
            f"The model's output for a row of zeros is {shown}, not one probability in [0, 1]; export the "
            "probability of the positive class, not a score, a logit or a regression value."
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
