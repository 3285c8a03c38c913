"""Protobuf message classes for the files of an exported module, built without TensorFlow.

TensorFlow's generated ``*_pb2`` modules come only with TensorFlow (seconds
to import, hundreds of MB), so the messages hublint reads are declared here
as descriptors (:mod:`hublint.module.schema`, stored serialized in
``_descriptors.py``) and turned into classes at import time.  Field names, numbers
and nesting are exactly TensorFlow's and tensorflow_hub's (checked against
TF 2.15's descriptors by ``tests/test_module_reader.py``), so code reads like
code written against TF: ``meta_graph.meta_info_def.stripped_op_list.op``,
``node.attr["T"].type``, ``signature.inputs["images"].tensor_shape.dim``.

Only the fields hublint needs are declared; protobuf keeps the rest as
unknown fields, so parsing never loses data or fails on them.

Classes are module attributes with TensorFlow's names (``SavedModel``,
``MetaGraphDef``, ``NodeDef``, ``ModuleDef`` ...); nested messages are
attributes of their parents as in TF (``MetaGraphDef.MetaInfoDef``,
``TensorShapeProto.Dim``, ``OpDef.AttrDef``).  DataType values are module
constants (``DT_FLOAT``); :func:`dtype_name` names any of them.
"""

from __future__ import annotations

from google.protobuf import message
from google.protobuf.internal import api_implementation

from hublint.module._descriptors import FILES

#: Bytes per element of the fixed-size dtypes (strings, resources and variants have none).
DTYPE_SIZES = {1: 4, 2: 8, 3: 4, 4: 1, 5: 2, 6: 1, 8: 8, 9: 8, 10: 1, 11: 1, 12: 1, 13: 4, 14: 2,
               15: 2, 16: 2, 17: 2, 18: 16, 19: 2, 22: 4, 23: 8, 24: 1, 25: 1}


def dtype_name(dtype: int) -> str:
    """TF's short name of a DataType value (``float32``, ``string``, ``float32_ref``)."""
    base, ref = (dtype - 100, "_ref") if dtype > 100 else (dtype, "")
    return _SHORT_DTYPE_NAMES.get(base, f"dtype{dtype}") + (ref if base in _SHORT_DTYPE_NAMES else "")


_SHORT_DTYPE_NAMES = {
    0: "invalid", 1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
    7: "string", 8: "complex64", 9: "int64", 10: "bool", 11: "qint8", 12: "quint8", 13: "qint32",
    14: "bfloat16", 15: "qint16", 16: "quint16", 17: "uint16", 18: "complex128", 19: "float16",
    20: "resource", 21: "variant", 22: "uint32", 23: "uint64", 24: "float8_e5m2", 25: "float8_e4m3fn",
    29: "int4", 30: "uint4",
}


def _make_pool():
    # A private pool: TensorFlow's own descriptors (same full names) can never clash with ours.
    # With upb (protobuf's default) the pool and the classes come straight from its C module:
    # protobuf's descriptor_pool and message_factory cost ~25 ms to import and add nothing here.
    if api_implementation.Type() == "upb":
        upb = api_implementation._c_module
        pool = upb.DescriptorPool()

        def message_class(descriptor):
            return upb.MessageMeta(descriptor.name, (message.Message,), {"DESCRIPTOR": descriptor, "__module__": None})
    else:
        from google.protobuf import descriptor_pool, message_factory

        pool, message_class = descriptor_pool.DescriptorPool(), message_factory.GetMessageClass
    for data in FILES:
        pool.AddSerializedFile(data)
    return pool, message_class


POOL, _MESSAGE_CLASS = _make_pool()


def _message_class(full_name: str):
    return _MESSAGE_CLASS(POOL.FindMessageTypeByName(full_name))


def _export() -> dict:
    # Nested classes are attributes of their parents (protobuf makes them); export the top-level ones.
    return {
        name: _message_class(descriptor.full_name)
        for file_name in ("hublint/tensorflow.proto", "hublint/tensorflow_hub.proto")
        for name, descriptor in POOL.FindFileByName(file_name).message_types_by_name.items()
    }


_CLASSES = _export()
_DATA_TYPE_VALUES = {value.name: value.number for value in POOL.FindEnumTypeByName("tensorflow.DataType").values}
globals().update(_CLASSES)
globals().update(_DATA_TYPE_VALUES)
Any = _message_class("google.protobuf.Any")

__all__ = sorted([*_CLASSES, *_DATA_TYPE_VALUES, "Any", "POOL", "DTYPE_SIZES", "dtype_name"])
