"""What an uploaded file is, by its content: one of ``FORMATS``, or a refusal that says what it is.

Pickles (plain, joblib-compressed, or zipped by ``torch.save``) are recognised only to word the
refusal: acceptance is an allow-list, so nothing but content that sniffs as a model format reaches
a loader. Opcodes are decoded by ``pickletools``, never executed.
"""

from __future__ import annotations

import codecs
import io
import pickletools
import zipfile

from app.registry.formats.common import (
    MAX_ARTIFACT_BYTES,
    NO_PICKLES_HINT,
    NOT_A_MODEL,
    PICKLE_REFUSAL,
    ArtifactError,
    size,
)

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
    check_size(raw)
    if _is_pickle(raw):
        raise ArtifactError(f"The file is {PICKLE_REFUSAL}.")
    if raw.startswith(ZIP_MAGICS):
        raise ArtifactError(_zip_refusal(raw))
    fmt = _xgboost_format(raw) or ("onnx" if _looks_like_onnx(raw) else None)
    if fmt is None:
        raise ArtifactError(_not_a_model(raw))
    return fmt


def check_size(raw: bytes) -> None:
    if not raw:
        raise ArtifactError("The file is empty; expected an XGBoost JSON/UBJ booster or an ONNX model.")
    if len(raw) > MAX_ARTIFACT_BYTES:
        raise ArtifactError(
            f"The file is {size(len(raw))}, over the {size(MAX_ARTIFACT_BYTES)} limit for a model file."
        )


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
