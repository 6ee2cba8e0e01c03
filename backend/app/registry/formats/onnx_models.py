"""ONNX models: refused when a tensor lives in an external file, else loaded by onnxruntime."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

from app.registry.formats.common import ArtifactError, reason
from app.registry.formats.scorers import OnnxScorer


def load_onnx(raw: bytes) -> OnnxScorer:
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
            f"The file looks like an ONNX model, but onnxruntime could not load it ({reason(exc)})."
        ) from exc
    return OnnxScorer(session)


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
            f"The file looks like an ONNX model, but its protobuf could not be parsed ({reason(exc)}); "
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
