"""Uploaded model artifacts: which formats are accepted, how they load, how they score.

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

import codecs
import io
import json
import pickletools
import re
import threading
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import xgboost as xgb
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

from app.registry.trees import MAX_ROWS as TREE_TABLE_ROWS
from app.registry.trees import compile_trees

if TYPE_CHECKING:
    import onnxruntime as ort

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


# --- Sniffing -------------------------------------------------------------------------------------

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
PICKLE_MEMBER_SUFFIXES = (".pkl", ".pickle", ".joblib")
# Leading bytes of formats people upload by mistake, with a hint where one helps.
KNOWN_MAGICS: tuple[tuple[bytes, str, str], ...] = (
    (b"\x1f\x8b", "gzip-compressed data", NO_PICKLES_HINT),
    (b"BZh", "bzip2-compressed data", NO_PICKLES_HINT),
    (b"\xfd7zXZ\x00", "xz-compressed data", NO_PICKLES_HINT),
    (b"\x04\x22\x4d\x18", "lz4-compressed data", NO_PICKLES_HINT),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (such as a Keras .h5 model)", "export the model to ONNX"),
    (b"\x93NUMPY", "a NumPy array file", ""),
    (b"CBM1", "a CatBoost model", "export it with save_model(path, format='onnx')"),
    (b"tree\nversion=", "a LightGBM text model", "convert it to ONNX with onnxmltools"),
)
# UBJSON type markers of an object's first key length; XGBoost writes 'L' (int64).
UBJ_LENGTH_MARKERS = b"iUIlL"
# ModelProto field number -> wire type (0 varint, 2 length-delimited), from onnx.proto.
MODEL_PROTO_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}
SNIFF_BYTES = 4096


def sniff(raw: bytes) -> str:
    """The format of ``raw`` by its content: 'xgboost-json', 'xgboost-ubj' or 'onnx'; else ArtifactError."""
    _check_size(raw)
    if _is_pickle(raw):
        raise ArtifactError(f"The file is {PICKLE_REFUSAL}.")
    if raw.startswith(ZIP_MAGICS):
        raise ArtifactError(_zip_refusal(raw))
    fmt = _xgboost_format(raw) or ("onnx" if _looks_like_onnx(raw) else None)
    if fmt is None:
        raise ArtifactError(_not_a_model(raw))
    return fmt


def _check_size(raw: bytes) -> None:
    if not raw:
        raise ArtifactError("The file is empty; expected an XGBoost JSON/UBJ booster or an ONNX model.")
    if len(raw) > MAX_ARTIFACT_BYTES:
        raise ArtifactError(
            f"The file is {_size(len(raw))}, over the {_size(MAX_ARTIFACT_BYTES)} limit for a model file."
        )


def _size(n: int) -> str:
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _is_pickle(raw: bytes) -> bool:
    # Protocols 2 and later open with PROTO <version>.
    if len(raw) > 1 and raw[0] == 0x80 and 2 <= raw[1] <= 5:
        return True
    # Protocols 0 and 1 have no header: decode (never execute) the opcodes and see if they hold up.
    return raw.endswith(b".") and _decodes_as_pickle(raw)


def _decodes_as_pickle(raw: bytes, enough: int = 64) -> bool:
    try:
        for count, (opcode, _arg, pos) in enumerate(pickletools.genops(io.BytesIO(raw)), start=1):
            if opcode.name == "STOP":
                return pos == len(raw) - 1
            if count >= enough:
                return True
    except ValueError:  # unknown opcode or a malformed argument: not a pickle
        return False
    return False


def _zip_refusal(raw: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = archive.namelist()  # the central directory only; nothing is decompressed
    except Exception:  # noqa: BLE001 - any failure to read the directory means a damaged archive
        return f"The file is a damaged zip archive, {NOT_A_MODEL}."
    pickled = [n for n in names if n.endswith(PICKLE_MEMBER_SUFFIXES) or "data.pkl" in n]
    if pickled:
        return f"The file is {PICKLE_REFUSAL} (the zip archive holds {pickled[0]})."
    return f"The file is a zip archive, {NOT_A_MODEL}."


def _xgboost_format(raw: bytes) -> str | None:
    head = raw[:SNIFF_BYTES]
    if head[:1] != b"{":
        return None
    if head[1:2] and head[1] in UBJ_LENGTH_MARKERS and b"learner" in head[:32]:
        return "xgboost-ubj"
    if head[1:].lstrip().startswith(b'"') and b'"learner"' in head:
        return "xgboost-json"
    return None


def _looks_like_onnx(raw: bytes) -> bool:
    # An ONNX file is a protobuf ModelProto with no magic number, but exporters write fields in
    # number order: ir_version (field 1, a varint) comes first, then another ModelProto field.
    try:
        tag, pos = _varint(raw, 0)
        ir_version, pos = _varint(raw, pos)
        tag2, _ = _varint(raw, pos)
    except IndexError:
        return False
    return tag == 0x08 and 1 <= ir_version <= 100 and MODEL_PROTO_FIELDS.get(tag2 >> 3) == tag2 & 7


def _varint(raw: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 70, 7):
        byte = raw[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
    raise IndexError("varint too long")


def _not_a_model(raw: bytes) -> str:
    head = raw[:SNIFF_BYTES]
    what, hint = _describe(head)
    return f"The file is {what}, {NOT_A_MODEL}" + (f"; {hint}." if hint else ".")


def _describe(head: bytes) -> tuple[str, str]:
    for magic, what, hint in KNOWN_MAGICS:
        if head.startswith(magic):
            return what, hint
    if len(head) > 1 and head[0] == 0x78 and (head[0] << 8 | head[1]) % 31 == 0:
        return "zlib-compressed data", NO_PICKLES_HINT
    if not _is_text(head):
        return "binary data of an unknown kind", ""
    if head.lstrip()[:1] in (b"{", b"["):
        return "a JSON document", (
            "to upload an XGBoost model, save the booster with Booster.save_model('model.json') "
            "(a dump_model tree dump cannot be loaded back)"
        )
    return "text", ""


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut-off last character is fine
    except UnicodeDecodeError:
        return False
    return True


# --- Scorers --------------------------------------------------------------------------------------


class Scorer(ABC):
    """A loaded model: positive-class probabilities for a float32 matrix, safe to share between threads."""

    format: str
    n_features: int | None  # input columns the model expects, when the model says
    explainable: bool = False  # exact per-row contributions exist (XGBoost's TreeSHAP)

    @abstractmethod
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class for each row of ``X`` (n, n_features): float64, shape (n,)."""

    def contributions(self, X: np.ndarray) -> np.ndarray:
        """Per-row, per-feature contributions in log-odds, bias last: (n, n_features + 1)."""
        raise NotImplementedError(f"{FORMAT_NAMES[self.format]} has no exact per-row contributions")

    def _probe(self, X: np.ndarray) -> np.ndarray:
        """``predict_proba`` with every check that is too costly for serving (see ``check_inputs``)."""
        return self.predict_proba(X)


class XGBoostScorer(Scorer):
    explainable = True

    def __init__(self, booster: xgb.Booster, fmt: str, *, logitraw: bool, inplace: bool = True) -> None:
        self.format = fmt
        self.n_features = booster.num_features()
        self._booster = booster
        self._logitraw = logitraw
        self._inplace = inplace  # gblinear has no inplace_predict
        # One thread per call: a server process scores a few rows at a time, and an OpenMP team
        # per call costs more than it saves (there are as many server processes as cores).
        booster.set_param({"nthread": 1})
        # A few rows at a time are walked through the trees as numpy arrays (app.registry.trees).
        self._table = compile_trees(booster) if inplace else None
        # DMatrix-based prediction is serialised; inplace_predict is thread-safe.
        self._lock = threading.Lock()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = _as_matrix(X)
        if not len(X):
            return np.empty(0, dtype=np.float64)
        if self._table is not None and len(X) <= TREE_TABLE_ROWS:
            return _sigmoid(self._table.margin(X))  # both objectives: the probability is sigmoid(margin)
        if self._inplace:
            predict_type = "margin" if self._logitraw else "value"
            scores = self._booster.inplace_predict(X, predict_type=predict_type)
        else:
            dmatrix = xgb.DMatrix(X, nthread=1)
            with self._lock:
                scores = self._booster.predict(dmatrix, output_margin=self._logitraw, validate_features=False)
        scores = np.asarray(scores, dtype=np.float64)
        return _sigmoid(scores) if self._logitraw else scores

    def contributions(self, X: np.ndarray) -> np.ndarray:
        dmatrix = xgb.DMatrix(_as_matrix(X), nthread=1)
        with self._lock:
            # The booster's feature names (if trained on a DataFrame) are not the schema's concern.
            return self._booster.predict(dmatrix, pred_contribs=True, validate_features=False)

    def _probe(self, X: np.ndarray) -> np.ndarray:
        contributions = self.contributions(X)
        if contributions.shape != (len(X), X.shape[1] + 1):
            raise ArtifactError(f"XGBoost's contributions have shape {contributions.shape}, not one per feature.")
        return self.predict_proba(X)


ONNX_INPUT_TYPES: dict[str, type[np.floating]] = {"tensor(float)": np.float32, "tensor(double)": np.float64}


class OnnxScorer(Scorer):
    format = "onnx"

    def __init__(self, session: ort.InferenceSession) -> None:
        inputs = session.get_inputs()
        if len(inputs) != 1:
            names = ", ".join(i.name for i in inputs)
            raise ArtifactError(
                f"The ONNX model has {len(inputs)} inputs ({names}); Driftwatch feeds one float matrix of all "
                "the features, so export it with a single input such as FloatTensorType([None, n_features])."
            )
        spec = inputs[0]
        dtype = ONNX_INPUT_TYPES.get(spec.type)
        if dtype is None:
            raise ArtifactError(
                f"The ONNX model's input {spec.name!r} is {spec.type}; Driftwatch feeds a float matrix "
                "(tensor(float) or tensor(double))."
            )
        shape = list(spec.shape or [])
        if len(shape) not in (0, 2):
            raise ArtifactError(
                f"The ONNX model's input {spec.name!r} has {len(shape)} dimensions; Driftwatch feeds a matrix "
                "of rows × features."
            )
        width = shape[1] if len(shape) == 2 else None
        self.n_features = width if isinstance(width, int) and width > 0 else None
        self._session = session
        self._input = spec.name
        self._dtype = dtype
        self._outputs = [o.name for o in session.get_outputs()]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self._score(X, strict=False)

    def _probe(self, X: np.ndarray) -> np.ndarray:
        return self._score(X, strict=True)

    def _score(self, X: np.ndarray, *, strict: bool) -> np.ndarray:
        X = _as_matrix(X)
        if not len(X):
            return np.empty(0, dtype=np.float64)
        outputs = self._session.run(None, {self._input: X.astype(self._dtype, copy=False)})
        return _positive_probability(self._outputs, outputs, strict=strict)


def _as_matrix(X: np.ndarray) -> np.ndarray:
    X = np.ascontiguousarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"expected a matrix of rows × features, got an array of shape {X.shape}")
    return X


def _sigmoid(margin: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -margin))  # 1 / (1 + e^-m) without overflow


def _positive_probability(names: Sequence[str], outputs: Sequence[Any], *, strict: bool) -> np.ndarray:
    """The positive-class column among an ONNX model's outputs (see the module docstring for the shapes).

    ``strict`` also checks that a two-class output is a distribution, which catches exported logits.
    """
    floats = [(n, v) for n, v in zip(names, outputs, strict=True) if _is_float_array(v)]
    for name, value in floats:
        if value.ndim == 2 and value.shape[1] == 2:
            if strict:
                _check_distribution(name, value.sum(axis=1))
            return value[:, 1].astype(np.float64)
    for name, value in zip(names, outputs, strict=True):
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return _zipmap_probability(name, value, strict=strict)
    columns = [v for _, v in floats if v.ndim == 1 or (v.ndim == 2 and v.shape[1] == 1)]
    if len(columns) == 1:
        return columns[0].reshape(-1).astype(np.float64)
    raise ArtifactError(_output_refusal(names, outputs))


def _zipmap_probability(name: str, rows: list[dict[Any, float]], *, strict: bool) -> np.ndarray:
    classes = list(rows[0])
    if len(classes) != 2:
        raise ArtifactError(_multiclass(len(classes)))
    positive = 1 if 1 in rows[0] else classes[1]
    if strict:
        _check_distribution(name, np.array([sum(row.values()) for row in rows]))
    return np.fromiter((row[positive] for row in rows), dtype=np.float64, count=len(rows))


def _check_distribution(name: str, row_sums: np.ndarray) -> None:
    if not np.allclose(row_sums, 1.0, atol=1e-3):
        raise ArtifactError(
            f"The ONNX model's two-class output {name!r} does not sum to 1 per row, so it is not a pair of "
            "probabilities; export the classifier's probabilities (for PyTorch, apply softmax before export)."
        )


def _output_refusal(names: Sequence[str], outputs: Sequence[Any]) -> str:
    for value in outputs:
        if _is_float_array(value) and value.ndim == 2 and value.shape[1] > 2:
            return _multiclass(value.shape[1])
    described = ", ".join(f"{n}: {_describe_output(v)}" for n, v in zip(names, outputs, strict=True))
    return (
        f"The ONNX model's outputs ({described}) hold no positive-class probability; expected a float tensor "
        "(n, 2), a sequence of {class: probability} maps, or a single probability per row."
    )


def _describe_output(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype} {value.shape}"
    return type(value).__name__


def _multiclass(n_classes: int) -> str:
    return f"The model is a classifier of {n_classes} classes; Driftwatch serves binary classifiers for now."


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)


# --- Loading --------------------------------------------------------------------------------------


def load(raw: bytes, fmt: str | None = None) -> Scorer:
    """Sniff (unless ``fmt`` is given) and load ``raw`` in memory; every failure is an ``ArtifactError``."""
    if fmt is None:
        fmt = sniff(raw)
    elif fmt not in FORMATS:
        raise ArtifactError(f"Unknown model format {fmt!r}; Driftwatch loads {', '.join(FORMATS)}.")
    else:
        _check_size(raw)
    if fmt == "onnx":
        return _load_onnx(raw)
    return _load_xgboost(raw, fmt)


def _load_xgboost(raw: bytes, fmt: str) -> XGBoostScorer:
    # XGBoost trusts the tree arrays it loads (a child index out of range crashes the process when
    # scoring), so the document is parsed and checked here before XGBoost sees it.
    doc = _parse_xgboost(raw, fmt)
    objective = _binary_objective(doc)
    try:
        num_feature = _check_booster(doc)
        kind = doc["learner"]["gradient_booster"]["name"]
    except Malformed as exc:
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but it is malformed ({exc}); it may be damaged or altered."
        ) from exc
    del doc
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
        booster.set_param({"nthread": 1})
        loaded = json.loads(booster.save_config())["learner"]["objective"]["name"]
    except Exception as exc:  # whatever XGBoost raises, the upload does not load
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but XGBoost could not load it ({_reason(exc)})."
        ) from exc
    if loaded != objective or booster.num_features() != num_feature:
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but XGBoost reads it differently from our check."
        )
    return XGBoostScorer(booster, fmt, logitraw=objective == "binary:logitraw", inplace=kind != "gblinear")


def _parse_xgboost(raw: bytes, fmt: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw, object_pairs_hook=_unique_keys) if fmt == "xgboost-json" else Ubjson(raw).document()
    except Exception as exc:  # any parse failure (ValueError, RecursionError, ...) means it does not load
        kind = "JSON" if fmt == "xgboost-json" else "UBJSON"
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but it is not valid {kind} ({_reason(exc)}); "
            "it may be truncated or damaged."
        ) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("learner"), dict):
        raise ArtifactError(f"The file looks like {FORMAT_NAMES[fmt]}, but it has no 'learner' section.")
    return doc


def _binary_objective(doc: dict[str, Any]) -> str:
    learner = doc["learner"]
    try:
        objective = str(learner["objective"]["name"])
        params = learner["learner_model_param"]
        classes = int(params.get("num_class", "0"))
        targets = int(params.get("num_target", "1"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(
            "The XGBoost booster does not say what it predicts (its objective or model parameters are missing)."
        ) from exc
    if objective not in BINARY_OBJECTIVES or classes > 2:
        detail = f" with {classes} classes" if classes > 2 else ""
        raise ArtifactError(
            f"The XGBoost booster's objective is {objective}{detail}; Driftwatch serves binary classifiers "
            f"({' or '.join(BINARY_OBJECTIVES)}) for now."
        )
    if targets != 1:
        raise ArtifactError(f"The XGBoost booster predicts {targets} targets; Driftwatch serves one binary target.")
    return objective


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key could be read one way by our check and the other way by XGBoost.
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return doc


def _load_onnx(raw: bytes) -> OnnxScorer:
    external = _external_tensors(raw)
    if external:
        raise ArtifactError(
            f"The ONNX model keeps tensor {external[0]!r} in an external file, which Driftwatch refuses "
            "(it would be read from the server's disk); save the model with all tensors inside the one file."
        )
    import onnxruntime as ort  # about 60 MB: only in a process that loads an ONNX model

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 4  # fatal only: why an upload does not load goes to the user, not the log
    try:
        session = ort.InferenceSession(raw, sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # whatever onnxruntime raises, the upload does not load
        raise ArtifactError(
            f"The file looks like an ONNX model, but onnxruntime could not load it ({_reason(exc)})."
        ) from exc
    return OnnxScorer(session)


# onnxruntime prefixes: "[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : "; XGBoost: "[18:55:00] src/x.cc:409: ".
LIBRARY_PREFIX = re.compile(r"^(?:\[ONNXRuntimeError\] : \d+ : \w+ : |\[\d\d:\d\d:\d\d\] \S+:\d+: )")
MAX_REASON_CHARS = 300


def _reason(exc: BaseException) -> str:
    """The library's own explanation on one line, without its log prefix or stack trace."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = LIBRARY_PREFIX.sub("", lines[0]) if lines else ""
    reason = re.sub(r"\s+", " ", reason).rstrip(" .:")
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 1] + "…"
    return reason or type(exc).__name__


# --- XGBoost structure check ----------------------------------------------------------------------

MAX_FEATURES = 100_000
MAX_CATEGORY = 1 << 24  # XGBoost keeps a bit per category up to the largest code in a split
DELETED_NODE = 2**31 - 1  # split index XGBoost saves for a node pruned away (a leaf nobody points to)
# Per-node arrays of a tree; the first six have been saved by every XGBoost version with JSON models.
NODE_ARRAYS = ("left_children", "right_children", "parents", "split_indices", "split_conditions", "default_left")
OPTIONAL_NODE_ARRAYS = ("split_type", "sum_hessian", "loss_changes", "base_weights")


class Malformed(ValueError):
    """An XGBoost document whose structure XGBoost would trust but must not (the message says where)."""


def _check_booster(doc: dict[str, Any]) -> int:
    """Check every index XGBoost follows when scoring; return the number of features."""
    try:
        learner = doc["learner"]
        num_feature = int(learner["learner_model_param"]["num_feature"])
        if not 1 <= num_feature <= MAX_FEATURES:
            raise Malformed(f"num_feature is {num_feature}, not between 1 and {MAX_FEATURES}")
        for key in ("feature_names", "feature_types"):
            if len(learner.get(key) or ()) not in (0, num_feature):
                raise Malformed(f"{key} does not have one entry per feature")
        booster = learner["gradient_booster"]
        name = booster["name"]
        if name == "gbtree":
            _check_trees(booster["model"], num_feature)
        elif name == "dart":
            n_trees = _check_trees(booster["gbtree"]["model"], num_feature)
            if len(booster["weight_drop"]) != n_trees:
                raise Malformed("weight_drop does not have one weight per tree")
        elif name == "gblinear":
            if len(booster["model"]["weights"]) != num_feature + 1:
                raise Malformed("the linear weights do not match the number of features")
        else:
            raise Malformed(f"unknown booster {name!r}")
    except (Malformed, ArtifactError):
        raise
    except KeyError as exc:
        raise Malformed(f"no {exc} field") from exc
    except (TypeError, ValueError, IndexError) as exc:
        raise Malformed(str(exc)) from exc
    return num_feature


def _check_trees(model: dict[str, Any], num_feature: int) -> int:
    trees = model["trees"]
    n = len(trees)
    if int(model["gbtree_model_param"]["num_trees"]) != n:
        raise Malformed("num_trees does not match the trees")
    info = _ints(model["tree_info"], "tree_info")
    if len(info) != n or np.any(info != 0):  # one output group: every tree adds to the one margin
        raise Malformed("tree_info does not give every tree to the one output")
    if "iteration_indptr" in model:
        indptr = _ints(model["iteration_indptr"], "iteration_indptr")
        if not len(indptr) or indptr[0] != 0 or indptr[-1] != n or np.any(np.diff(indptr) < 0):
            raise Malformed("iteration_indptr does not split the trees into rounds")
    if any(len(v) for v in (model.get("cats") or {}).values()):
        raise ArtifactError(
            "The XGBoost booster was trained on pandas categorical columns, whose category codes Driftwatch "
            "cannot reproduce; train it on numeric codes (feature type 'c') or export it to ONNX."
        )
    for i, tree in enumerate(trees):
        try:
            _check_tree(tree, num_feature)
        except Malformed as exc:
            raise Malformed(f"tree {i}: {exc}") from exc
    return n


def _check_tree(tree: dict[str, Any], num_feature: int) -> None:
    param = tree["tree_param"]
    nodes = int(param["num_nodes"])
    if nodes < 1 or int(param.get("size_leaf_vector", "1")) > 1:
        raise Malformed("not a tree of scalar leaves")
    for key in NODE_ARRAYS + tuple(k for k in OPTIONAL_NODE_ARRAYS if k in tree):
        if len(tree[key]) != nodes:
            raise Malformed(f"{key} has {len(tree[key])} entries for {nodes} nodes")
    left = _ints(tree["left_children"], "left_children")
    right = _ints(tree["right_children"], "right_children")
    split = _ints(tree["split_indices"], "split_indices")
    parents = _ints(tree["parents"], "parents")
    leaf = left == -1
    if np.any(leaf != (right == -1)):
        raise Malformed("a node has one child")
    deleted = leaf & (split == DELETED_NODE)
    owners = np.tile(np.flatnonzero(~leaf), 2)
    kids = np.concatenate([left[~leaf], right[~leaf]])
    if kids.size and (kids.min() < 1 or kids.max() >= nodes):  # node 0 is the root, nobody's child
        raise Malformed("a child index is out of range")
    expected = (~deleted).astype(np.int64)
    expected[0] = 0
    if np.any(np.bincount(kids, minlength=nodes) != expected) or np.any(parents[kids] != owners):
        raise Malformed("a node has no parent, two parents, or the wrong one")
    # Every node must reach the root through its parents (no loop cut off from the root):
    # pointer doubling follows 2^k parents at round k, so log2(nodes) rounds cover any path.
    up = np.zeros(nodes, dtype=np.int64)
    up[kids] = owners
    for _ in range(nodes.bit_length()):
        up = up[up]
    if np.any(up != 0):
        raise Malformed("part of the tree is not connected to its root")
    if np.any(split[~leaf] < 0) or np.any(split[~leaf] >= num_feature):
        raise Malformed(f"a split uses a feature beyond the {num_feature} the model has")
    _check_categories(tree, ~leaf, nodes)


def _check_categories(tree: dict[str, Any], internal: np.ndarray, nodes: int) -> None:
    kinds = _ints(tree.get("split_type", np.zeros(nodes, dtype=np.int64)), "split_type")
    if np.any((kinds != 0) & (kinds != 1)):
        raise Malformed("a split type is neither numerical nor categorical")
    cat_nodes = _ints(tree.get("categories_nodes", ()), "categories_nodes")
    segments = _ints(tree.get("categories_segments", ()), "categories_segments")
    sizes = _ints(tree.get("categories_sizes", ()), "categories_sizes")
    categories = _ints(tree.get("categories", ()), "categories")
    if not len(cat_nodes) == len(segments) == len(sizes):
        raise Malformed("the category lists disagree in length")
    if not np.array_equal(np.sort(cat_nodes), np.flatnonzero(internal & (kinds == 1))):
        raise Malformed("the categorical splits and their category lists disagree")
    if len(segments) and (segments.min() < 0 or sizes.min() < 0 or (segments + sizes).max() > len(categories)):
        raise Malformed("a category list is out of range")
    if len(categories) and (categories.min() < 0 or categories.max() >= MAX_CATEGORY):
        raise Malformed("a category code is out of range")


def _ints(values: Any, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise Malformed(f"{what} is not a list of integers")
    return array.astype(np.int64)


# UBJSON markers of fixed-size big-endian numbers (https://ubjson.org); XGBoost writes i, l, L and d.
UBJ_NUMBERS = {ord(m): np.dtype(t) for m, t in (("i", "i1"), ("U", "u1"), ("I", ">i2"), ("l", ">i4"), ("L", ">i8"))}
UBJ_NUMBERS |= {ord("d"): np.dtype(">f4"), ord("D"): np.dtype(">f8")}
UBJ_CONSTANTS = {ord("T"): True, ord("F"): False, ord("Z"): None}
UBJ_MAX_DEPTH = 32


class Ubjson:
    """A strict UBJSON reader for XGBoost models: typed numeric arrays become numpy arrays."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._pos = 0

    def document(self) -> Any:
        value = self._value(0)
        if self._pos != len(self._raw):
            raise ValueError(f"unexpected bytes after the document at byte {self._pos}")
        return value

    def _take(self, n: int) -> bytes:
        if n < 0 or self._pos + n > len(self._raw):
            raise ValueError(f"the data ends inside a value at byte {self._pos}")
        chunk = self._raw[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def _peek(self) -> int:
        if self._pos >= len(self._raw):
            raise ValueError(f"the data ends inside a container at byte {self._pos}")
        return self._raw[self._pos]

    def _value(self, depth: int) -> Any:
        marker = self._take(1)[0]
        if marker in UBJ_NUMBERS:
            dtype = UBJ_NUMBERS[marker]
            return np.frombuffer(self._take(dtype.itemsize), dtype)[0].item()
        if marker in UBJ_CONSTANTS:
            return UBJ_CONSTANTS[marker]
        if marker == ord("S"):
            return self._string()
        if marker in (ord("["), ord("{")):
            if depth >= UBJ_MAX_DEPTH:
                raise ValueError(f"containers nested deeper than {UBJ_MAX_DEPTH}")
            return self._array(depth + 1) if marker == ord("[") else self._object(depth + 1)
        raise ValueError(f"unknown UBJSON marker {bytes([marker])!r} at byte {self._pos - 1}")

    def _length(self) -> int:
        marker = self._take(1)[0]
        if marker not in UBJ_NUMBERS or UBJ_NUMBERS[marker].kind == "f":
            raise ValueError(f"a length is not an integer at byte {self._pos - 1}")
        length = int(np.frombuffer(self._take(UBJ_NUMBERS[marker].itemsize), UBJ_NUMBERS[marker])[0])
        if length < 0 or length > len(self._raw) - self._pos:  # every element takes at least one byte
            raise ValueError(f"a length of {length} at byte {self._pos} runs past the end of the data")
        return length

    def _string(self) -> str:
        return self._take(self._length()).decode("utf-8")

    def _header(self) -> tuple[int | None, int | None]:
        kind = count = None
        if self._peek() == ord("$"):
            self._pos += 1
            kind = self._take(1)[0]
            if kind not in UBJ_NUMBERS or self._peek() != ord("#"):
                raise ValueError(f"unsupported typed container at byte {self._pos - 1}")
        if self._peek() == ord("#"):
            self._pos += 1
            count = self._length()
        return kind, count

    def _array(self, depth: int) -> list[Any] | np.ndarray:
        kind, count = self._header()
        if kind is not None and count is not None:
            dtype = UBJ_NUMBERS[kind]
            return np.frombuffer(self._take(count * dtype.itemsize), dtype).astype(dtype.newbyteorder("="))
        if count is not None:
            return [self._value(depth) for _ in range(count)]
        items = []
        while self._peek() != ord("]"):
            items.append(self._value(depth))
        self._pos += 1
        return items

    def _object(self, depth: int) -> dict[str, Any]:
        kind, count = self._header()
        if kind is not None:
            raise ValueError("typed UBJSON objects are not supported")
        result: dict[str, Any] = {}
        while (len(result) < count) if count is not None else (self._peek() != ord("}")):
            key = self._string()
            if key in result:  # could be read one way by our check and the other way by XGBoost
                raise ValueError(f"the key {key!r} appears twice in one object")
            result[key] = self._value(depth)
        if count is None:
            self._pos += 1
        return result


# --- ONNX external data ---------------------------------------------------------------------------

# The parts of onnx.proto on every path from ModelProto to a TensorProto, as (field name, number,
# type; * for repeated), so that protobuf can parse a model and we can find its tensors without
# the onnx package (a development dependency only). Other fields stay unknown bytes, never read.
ONNX_TENSOR_PATHS: dict[str, tuple[tuple[str, int, str], ...]] = {
    "ModelProto": (
        ("graph", 7, "GraphProto"),
        ("training_info", 20, "TrainingInfoProto*"),
        ("functions", 25, "FunctionProto*"),
    ),
    "TrainingInfoProto": (("initialization", 1, "GraphProto"), ("algorithm", 2, "GraphProto")),
    "FunctionProto": (("node", 7, "NodeProto*"), ("attribute_proto", 11, "AttributeProto*")),
    "GraphProto": (
        ("node", 1, "NodeProto*"),
        ("initializer", 5, "TensorProto*"),
        ("sparse_initializer", 15, "SparseTensorProto*"),
    ),
    "NodeProto": (("attribute", 5, "AttributeProto*"),),
    "AttributeProto": (
        ("t", 5, "TensorProto"),
        ("g", 6, "GraphProto"),
        ("tensors", 10, "TensorProto*"),
        ("graphs", 11, "GraphProto*"),
        ("sparse_tensor", 22, "SparseTensorProto"),
        ("sparse_tensors", 23, "SparseTensorProto*"),
    ),
    "SparseTensorProto": (("values", 1, "TensorProto"), ("indices", 2, "TensorProto")),
    # data_location is an enum in onnx.proto (1 = EXTERNAL); int32 is the same on the wire.
    "TensorProto": (
        ("name", 8, "string"),
        ("external_data", 13, "StringStringEntryProto*"),
        ("data_location", 14, "int32"),
    ),
    "StringStringEntryProto": (("key", 1, "string"), ("value", 2, "string")),
}
SCALAR_TYPES = {
    "string": descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
    "int32": descriptor_pb2.FieldDescriptorProto.TYPE_INT32,
}


@cache
def _onnx_model_class() -> type[Message]:
    Field = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="driftwatch_onnx_tensors.proto", package="onnx", syntax="proto2")
    for message_name, fields in ONNX_TENSOR_PATHS.items():
        message = file.message_type.add(name=message_name)
        for field_name, number, type_name in fields:
            repeated = type_name.endswith("*")
            type_name = type_name.rstrip("*")
            field = message.field.add(name=field_name, number=number)
            field.label = Field.LABEL_REPEATED if repeated else Field.LABEL_OPTIONAL
            if type_name in SCALAR_TYPES:
                field.type = SCALAR_TYPES[type_name]
            else:
                field.type = Field.TYPE_MESSAGE
                field.type_name = f".onnx.{type_name}"
    pool = descriptor_pool.DescriptorPool()  # private, so it cannot clash with the onnx package's own
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("onnx.ModelProto"))


def _external_tensors(raw: bytes) -> list[str]:
    """Names of the tensors whose data the model says lives in an external file."""
    try:
        model = _onnx_model_class().FromString(raw)
    except DecodeError as exc:
        raise ArtifactError(
            f"The file looks like an ONNX model, but its protobuf could not be parsed ({_reason(exc)}); "
            "it may be truncated or damaged."
        ) from exc
    return [t.name or "(unnamed)" for t in _tensors(model) if t.data_location or len(t.external_data)]


def _tensors(model: Message) -> Iterator[Any]:
    stack: list[Any] = [model]
    while stack:
        message = stack.pop()
        if message.DESCRIPTOR.name == "TensorProto":
            yield message
            continue
        for _field, value in message.ListFields():
            if isinstance(value, Message):
                stack.append(value)
            else:
                stack.extend(value)


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
        raise ArtifactError(f"The model could not score a row of {n_features} zeros ({_reason(exc)}).") from exc
    if p.shape != (1,) or not np.all(np.isfinite(p)) or not np.all((p >= 0) & (p <= 1)):
        shown = np.array2string(np.asarray(p).ravel()[:3], precision=4)
        raise ArtifactError(
            f"The model's output for a row of zeros is {shown}, not one probability in [0, 1]; export the "
            "probability of the positive class, not a score, a logit or a regression value."
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
