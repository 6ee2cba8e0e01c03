"""What every part of reading an uploaded model shares: the accepted formats, the size limit,
the one error a refused upload raises, and a library's error reduced to one readable line."""

from __future__ import annotations

import re

FORMATS = ("xgboost-json", "xgboost-ubj", "onnx")
MAX_ARTIFACT_BYTES = 64 * 1024 * 1024

FORMAT_NAMES = {
    "xgboost-json": "an XGBoost JSON booster",
    "xgboost-ubj": "an XGBoost UBJ booster",
    "onnx": "an ONNX model",
}
BINARY_OBJECTIVES = ("binary:logistic", "binary:logitraw")

NOT_A_MODEL = "not an XGBoost JSON/UBJ booster or an ONNX model"
PICKLE_REFUSAL = (
    "a Python pickle: refused, because loading a pickle runs code; export the model to ONNX or XGBoost JSON/UBJ"
)
NO_PICKLES_HINT = "a compressed joblib dump holds a pickle, which Driftwatch never loads"


class ArtifactError(ValueError):
    """The uploaded file is not a model we can load; str(exc) is a user-facing sentence saying what it is
    and what we expected."""


def size(n: int) -> str:
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


# onnxruntime prefixes: "[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : "; XGBoost: "[18:55:00] src/x.cc:409: ".
LIBRARY_PREFIX = re.compile(r"^(?:\[ONNXRuntimeError\] : \d+ : \w+ : |\[\d\d:\d\d:\d\d\] \S+:\d+: )")
MAX_REASON_CHARS = 300


def reason(exc: BaseException) -> str:
    """The library's own explanation on one line, without its log prefix or stack trace."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = LIBRARY_PREFIX.sub("", lines[0]) if lines else ""
    reason = re.sub(r"\s+", " ", reason).rstrip(" .:")
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 1] + "…"
    return reason or type(exc).__name__
