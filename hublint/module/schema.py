"""The declarations behind :mod:`hublint.module.proto`: TensorFlow's and tensorflow_hub's messages.

Only the fields hublint needs are declared, with TensorFlow's names, numbers
and nesting (checked against TF's own descriptors by
``tests/test_module_reader.py``).  Building FileDescriptorProtos from these
tables costs an import of ``descriptor_pb2`` and some 20 ms, so it happens
only here: ``python -m hublint.module.schema`` writes the serialized files to
``hublint/module/_descriptors.py``, which :mod:`hublint.module.proto` loads,
and ``tests/test_module_proto.py`` checks that file is current.
"""

from __future__ import annotations

import os

from google.protobuf import descriptor_pb2

_FDP = descriptor_pb2.FieldDescriptorProto
_SCALARS = {
    "double": _FDP.TYPE_DOUBLE,
    "float": _FDP.TYPE_FLOAT,
    "int64": _FDP.TYPE_INT64,
    "uint64": _FDP.TYPE_UINT64,
    "int32": _FDP.TYPE_INT32,
    "uint32": _FDP.TYPE_UINT32,
    "fixed32": _FDP.TYPE_FIXED32,
    "sint64": _FDP.TYPE_SINT64,
    "bool": _FDP.TYPE_BOOL,
    "string": _FDP.TYPE_STRING,
    "bytes": _FDP.TYPE_BYTES,
}


# DataType (tensorflow/core/framework/types.proto); each has a _REF twin at +100.
_DATA_TYPES = {
    "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4, "DT_INT16": 5,
    "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9, "DT_BOOL": 10, "DT_QINT8": 11,
    "DT_QUINT8": 12, "DT_QINT32": 13, "DT_BFLOAT16": 14, "DT_QINT16": 15, "DT_QUINT16": 16,
    "DT_UINT16": 17, "DT_COMPLEX128": 18, "DT_HALF": 19, "DT_RESOURCE": 20, "DT_VARIANT": 21,
    "DT_UINT32": 22, "DT_UINT64": 23, "DT_FLOAT8_E5M2": 24, "DT_FLOAT8_E4M3FN": 25, "DT_INT4": 29,
    "DT_UINT4": 30,
}
_DATA_TYPE_VALUES = {**_DATA_TYPES, **{f"{k}_REF": v + 100 for k, v in _DATA_TYPES.items() if v}}


# -- a small declaration language over FileDescriptorProto -------------------------------

def _f(name: str, number: int, kind: str, oneof: str | None = None):
    """A field: ``kind`` is a scalar, ``.pkg.Message``, ``repeated X`` or ``map<K,V>``."""
    return (name, number, kind, oneof)


def _msg(name: str, *fields, nested=(), enums=()):
    return (name, fields, nested, enums)


def _enum(name: str, values: dict[str, int]):
    return (name, values)


def _add_enum(proto, enum) -> None:
    name, values = enum
    proto.name = name
    for value_name, number in values.items():
        proto.value.add(name=value_name, number=number)


def _add_message(proto, message, scope: str, enum_names: set[str]) -> None:
    """Declare ``message`` inside ``scope`` (a package or the full name of the parent message)."""
    name, fields, nested, enums = message
    full_name = f"{scope}.{name}"
    proto.name = name
    for enum in enums:
        _add_enum(proto.enum_type.add(), enum)
    for sub in nested:
        _add_message(proto.nested_type.add(), sub, full_name, enum_names)
    oneofs: list[str] = []
    for field_name, number, kind, oneof in fields:
        field = proto.field.add(name=field_name, number=number, json_name=_json_name(field_name))
        field.label = _FDP.LABEL_OPTIONAL
        if kind.startswith("map<"):
            key, value = kind[4:-1].split(",")
            entry = proto.nested_type.add(name=_camel(field_name) + "Entry")
            entry.options.map_entry = True
            for entry_field, entry_number, entry_kind in (("key", 1, key), ("value", 2, value)):
                sub = entry.field.add(name=entry_field, number=entry_number, json_name=entry_field)
                sub.label = _FDP.LABEL_OPTIONAL
                _set_type(sub, entry_kind, enum_names)
            field.label = _FDP.LABEL_REPEATED
            field.type = _FDP.TYPE_MESSAGE
            field.type_name = f".{full_name}.{entry.name}"
            continue
        if kind.startswith("repeated "):
            field.label = _FDP.LABEL_REPEATED
            kind = kind[len("repeated "):]
        _set_type(field, kind, enum_names)
        if oneof is not None:
            if oneof not in oneofs:
                oneofs.append(oneof)
                proto.oneof_decl.add(name=oneof)
            field.oneof_index = oneofs.index(oneof)


def _set_type(field, kind: str, enum_names: set[str]) -> None:
    if kind in _SCALARS:
        field.type = _SCALARS[kind]
    else:
        field.type = _FDP.TYPE_ENUM if kind in enum_names else _FDP.TYPE_MESSAGE
        field.type_name = kind


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _json_name(name: str) -> str:
    camel = _camel(name)
    return camel[:1].lower() + camel[1:]


# -- tensorflow ---------------------------------------------------------------------------

_T = ".tensorflow."
_TF_ENUMS = {
    _T + "DataType",
    _T + "VariableSynchronization",
    _T + "VariableAggregation",
    _T + "SaverDef.CheckpointFormatVersion",
    _T + "BundleHeaderProto.Endianness",
    _T + "TypeSpecProto.TypeSpecClass",
    _T + "FunctionSpec.JitCompile",
}
_DT = _T + "DataType"
_SHAPE = _T + "TensorShapeProto"
_ATTR = _T + "AttrValue"

_TF_MESSAGES = [
    _msg("TensorShapeProto",
         _f("dim", 2, f"repeated {_SHAPE}.Dim"), _f("unknown_rank", 3, "bool"),
         nested=[_msg("Dim", _f("size", 1, "int64"), _f("name", 2, "string"))]),
    _msg("TensorProto",
         _f("dtype", 1, _DT), _f("tensor_shape", 2, _SHAPE), _f("version_number", 3, "int32"),
         _f("tensor_content", 4, "bytes"), _f("half_val", 13, "repeated int32"),
         _f("float_val", 5, "repeated float"), _f("double_val", 6, "repeated double"),
         _f("int_val", 7, "repeated int32"), _f("string_val", 8, "repeated bytes"),
         _f("scomplex_val", 9, "repeated float"), _f("int64_val", 10, "repeated int64"),
         _f("bool_val", 11, "repeated bool"), _f("dcomplex_val", 12, "repeated double"),
         _f("uint32_val", 16, "repeated uint32"), _f("uint64_val", 17, "repeated uint64"),
         _f("float8_val", 18, "bytes")),
    _msg("NameAttrList", _f("name", 1, "string"), _f("attr", 2, f"map<string,{_ATTR}>")),
    _msg("AttrValue",
         _f("list", 1, f"{_ATTR}.ListValue", "value"), _f("s", 2, "bytes", "value"),
         _f("i", 3, "int64", "value"), _f("f", 4, "float", "value"), _f("b", 5, "bool", "value"),
         _f("type", 6, _DT, "value"), _f("shape", 7, _SHAPE, "value"),
         _f("tensor", 8, _T + "TensorProto", "value"), _f("placeholder", 9, "string", "value"),
         _f("func", 10, _T + "NameAttrList", "value"),
         nested=[_msg("ListValue",
                      _f("s", 2, "repeated bytes"), _f("i", 3, "repeated int64"),
                      _f("f", 4, "repeated float"), _f("b", 5, "repeated bool"),
                      _f("type", 6, f"repeated {_DT}"), _f("shape", 7, f"repeated {_SHAPE}"),
                      _f("tensor", 8, f"repeated {_T}TensorProto"),
                      _f("func", 9, f"repeated {_T}NameAttrList"))]),
    _msg("NodeDef",
         _f("name", 1, "string"), _f("op", 2, "string"), _f("input", 3, "repeated string"),
         _f("device", 4, "string"), _f("attr", 5, f"map<string,{_ATTR}>")),
    _msg("OpDef",
         _f("name", 1, "string"), _f("input_arg", 2, f"repeated {_T}OpDef.ArgDef"),
         _f("output_arg", 3, f"repeated {_T}OpDef.ArgDef"), _f("control_output", 20, "repeated string"),
         _f("attr", 4, f"repeated {_T}OpDef.AttrDef"), _f("summary", 5, "string"),
         _f("description", 6, "string"), _f("is_commutative", 18, "bool"),
         _f("is_aggregate", 16, "bool"), _f("is_stateful", 17, "bool"),
         _f("allows_uninitialized_input", 19, "bool"), _f("is_distributed_communication", 21, "bool"),
         nested=[
             _msg("ArgDef",
                  _f("name", 1, "string"), _f("description", 2, "string"), _f("type", 3, _DT),
                  _f("type_attr", 4, "string"), _f("number_attr", 5, "string"),
                  _f("type_list_attr", 6, "string"), _f("is_ref", 16, "bool")),
             _msg("AttrDef",
                  _f("name", 1, "string"), _f("type", 2, "string"), _f("default_value", 3, _ATTR),
                  _f("description", 4, "string"), _f("has_minimum", 5, "bool"),
                  _f("minimum", 6, "int64"), _f("allowed_values", 7, _ATTR)),
         ]),
    _msg("OpList", _f("op", 1, f"repeated {_T}OpDef")),
    _msg("VersionDef",
         _f("producer", 1, "int32"), _f("min_consumer", 2, "int32"), _f("bad_consumers", 3, "repeated int32")),
    _msg("FunctionDefLibrary",
         _f("function", 1, f"repeated {_T}FunctionDef"), _f("gradient", 2, f"repeated {_T}GradientDef")),
    _msg("FunctionDef",
         _f("signature", 1, _T + "OpDef"), _f("attr", 5, f"map<string,{_ATTR}>"),
         _f("node_def", 3, f"repeated {_T}NodeDef"), _f("ret", 4, "map<string,string>"),
         _f("control_ret", 6, "map<string,string>")),
    _msg("GradientDef", _f("function_name", 1, "string"), _f("gradient_func", 2, "string")),
    _msg("GraphDef",
         _f("node", 1, f"repeated {_T}NodeDef"), _f("versions", 4, _T + "VersionDef"),
         _f("version", 3, "int32"), _f("library", 2, _T + "FunctionDefLibrary")),
    _msg("SaverDef",
         _f("filename_tensor_name", 1, "string"), _f("save_tensor_name", 2, "string"),
         _f("restore_op_name", 3, "string"), _f("max_to_keep", 4, "int32"), _f("sharded", 5, "bool"),
         _f("keep_checkpoint_every_n_hours", 6, "float"),
         _f("version", 7, _T + "SaverDef.CheckpointFormatVersion"),
         enums=[_enum("CheckpointFormatVersion", {"LEGACY": 0, "V1": 1, "V2": 2})]),
    _msg("SaveSliceInfoDef",
         _f("full_name", 1, "string"), _f("full_shape", 2, "repeated int64"),
         _f("var_offset", 3, "repeated int64"), _f("var_shape", 4, "repeated int64")),
    _msg("VariableDef",
         _f("variable_name", 1, "string"), _f("initial_value_name", 6, "string"),
         _f("initializer_name", 2, "string"), _f("snapshot_name", 3, "string"),
         _f("save_slice_info_def", 4, _T + "SaveSliceInfoDef"), _f("is_resource", 5, "bool"),
         _f("trainable", 7, "bool"), _f("synchronization", 8, _T + "VariableSynchronization"),
         _f("aggregation", 9, _T + "VariableAggregation")),
    _msg("CollectionDef",
         _f("node_list", 1, _T + "CollectionDef.NodeList", "kind"),
         _f("bytes_list", 2, _T + "CollectionDef.BytesList", "kind"),
         _f("int64_list", 3, _T + "CollectionDef.Int64List", "kind"),
         _f("float_list", 4, _T + "CollectionDef.FloatList", "kind"),
         _f("any_list", 5, _T + "CollectionDef.AnyList", "kind"),
         nested=[
             _msg("NodeList", _f("value", 1, "repeated string")),
             _msg("BytesList", _f("value", 1, "repeated bytes")),
             _msg("Int64List", _f("value", 1, "repeated int64")),
             _msg("FloatList", _f("value", 1, "repeated float")),
             _msg("AnyList", _f("value", 1, "repeated .google.protobuf.Any")),
         ]),
    # struct.proto: the nested Python values TF2 keeps for function signatures.
    _msg("StructuredValue",
         _f("none_value", 1, _T + "NoneValue", "kind"), _f("float64_value", 11, "double", "kind"),
         _f("int64_value", 12, "sint64", "kind"), _f("string_value", 13, "string", "kind"),
         _f("bool_value", 14, "bool", "kind"), _f("tensor_shape_value", 31, _SHAPE, "kind"),
         _f("tensor_dtype_value", 32, _DT, "kind"),
         _f("tensor_spec_value", 33, _T + "TensorSpecProto", "kind"),
         _f("type_spec_value", 34, _T + "TypeSpecProto", "kind"),
         _f("bounded_tensor_spec_value", 35, _T + "BoundedTensorSpecProto", "kind"),
         _f("list_value", 51, _T + "ListValue", "kind"), _f("tuple_value", 52, _T + "TupleValue", "kind"),
         _f("dict_value", 53, _T + "DictValue", "kind"),
         _f("named_tuple_value", 54, _T + "NamedTupleValue", "kind"),
         _f("tensor_value", 55, _T + "TensorProto", "kind"),
         _f("numpy_value", 56, _T + "TensorProto", "kind")),
    _msg("NoneValue"),
    _msg("ListValue", _f("values", 1, f"repeated {_T}StructuredValue")),
    _msg("TupleValue", _f("values", 1, f"repeated {_T}StructuredValue")),
    _msg("DictValue", _f("fields", 1, f"map<string,{_T}StructuredValue>")),
    _msg("PairValue", _f("key", 1, "string"), _f("value", 2, _T + "StructuredValue")),
    _msg("NamedTupleValue", _f("name", 1, "string"), _f("values", 2, f"repeated {_T}PairValue")),
    _msg("TensorSpecProto", _f("name", 1, "string"), _f("shape", 2, _SHAPE), _f("dtype", 3, _DT)),
    _msg("BoundedTensorSpecProto",
         _f("name", 1, "string"), _f("shape", 2, _SHAPE), _f("dtype", 3, _DT),
         _f("minimum", 4, _T + "TensorProto"), _f("maximum", 5, _T + "TensorProto")),
    _msg("TypeSpecProto",
         _f("type_spec_class", 1, _T + "TypeSpecProto.TypeSpecClass"),
         _f("type_state", 2, _T + "StructuredValue"), _f("type_spec_class_name", 3, "string"),
         _f("num_flat_components", 4, "int32"),
         enums=[_enum("TypeSpecClass", {
             "UNKNOWN": 0, "SPARSE_TENSOR_SPEC": 1, "INDEXED_SLICES_SPEC": 2, "RAGGED_TENSOR_SPEC": 3,
             "TENSOR_ARRAY_SPEC": 4, "DATA_DATASET_SPEC": 5, "DATA_ITERATOR_SPEC": 6,
             "OPTIONAL_SPEC": 7, "PER_REPLICA_SPEC": 8, "VARIABLE_SPEC": 9, "ROW_PARTITION_SPEC": 10,
             "REGISTERED_TYPE_SPEC": 12, "EXTENSION_TYPE_SPEC": 13})]),
    _msg("TensorInfo",
         _f("name", 1, "string", "encoding"),
         _f("coo_sparse", 4, _T + "TensorInfo.CooSparse", "encoding"),
         _f("composite_tensor", 5, _T + "TensorInfo.CompositeTensor", "encoding"),
         _f("dtype", 2, _DT), _f("tensor_shape", 3, _SHAPE),
         nested=[
             _msg("CooSparse",
                  _f("values_tensor_name", 1, "string"), _f("indices_tensor_name", 2, "string"),
                  _f("dense_shape_tensor_name", 3, "string")),
             _msg("CompositeTensor",
                  _f("type_spec", 1, _T + "TypeSpecProto"),
                  _f("components", 2, f"repeated {_T}TensorInfo")),
         ]),
    _msg("SignatureDef",
         _f("inputs", 1, f"map<string,{_T}TensorInfo>"), _f("outputs", 2, f"map<string,{_T}TensorInfo>"),
         _f("method_name", 3, "string"), _f("defaults", 4, f"map<string,{_T}TensorProto>")),
    _msg("AssetFileDef", _f("tensor_info", 1, _T + "TensorInfo"), _f("filename", 2, "string")),
    # trackable_object_graph.proto: the references between objects of a TF2 SavedModel.
    _msg("TrackableObjectGraph",
         _f("nodes", 1, f"repeated {_T}TrackableObjectGraph.TrackableObject"),
         nested=[_msg(
             "TrackableObject",
             _f("children", 1, f"repeated {_T}TrackableObjectGraph.TrackableObject.ObjectReference"),
             _f("attributes", 2, f"repeated {_T}TrackableObjectGraph.TrackableObject.SerializedTensor"),
             _f("slot_variables", 3,
                f"repeated {_T}TrackableObjectGraph.TrackableObject.SlotVariableReference"),
             nested=[
                 _msg("ObjectReference", _f("node_id", 1, "int32"), _f("local_name", 2, "string")),
                 _msg("SerializedTensor",
                      _f("name", 1, "string"), _f("full_name", 2, "string"),
                      _f("checkpoint_key", 3, "string")),
                 _msg("SlotVariableReference",
                      _f("original_variable_node_id", 1, "int32"), _f("slot_name", 2, "string"),
                      _f("slot_variable_node_id", 3, "int32")),
             ])]),
    # saved_object_graph.proto: the TF2 object graph.
    _msg("SavedObjectGraph",
         _f("nodes", 1, f"repeated {_T}SavedObject"),
         _f("concrete_functions", 2, f"map<string,{_T}SavedConcreteFunction>")),
    _msg("SavedObject",
         _f("children", 1, f"repeated {_T}TrackableObjectGraph.TrackableObject.ObjectReference"),
         _f("dependencies", 15, f"repeated {_T}TrackableObjectGraph.TrackableObject.ObjectReference"),
         _f("slot_variables", 3,
            f"repeated {_T}TrackableObjectGraph.TrackableObject.SlotVariableReference"),
         _f("user_object", 4, _T + "SavedUserObject", "kind"),
         _f("asset", 5, _T + "SavedAsset", "kind"),
         _f("function", 6, _T + "SavedFunction", "kind"),
         _f("variable", 7, _T + "SavedVariable", "kind"),
         _f("bare_concrete_function", 8, _T + "SavedBareConcreteFunction", "kind"),
         _f("constant", 9, _T + "SavedConstant", "kind"),
         _f("resource", 10, _T + "SavedResource", "kind"),
         _f("captured_tensor", 12, _T + "CapturedTensor", "kind"),
         _f("saveable_objects", 11, f"map<string,{_T}SaveableObject>"),
         _f("registered_name", 13, "string"), _f("registered_saver", 16, "string")),
    _msg("SavedUserObject",
         _f("identifier", 1, "string"), _f("version", 2, _T + "VersionDef"), _f("metadata", 3, "string")),
    _msg("SavedAsset", _f("asset_file_def_index", 1, "int32")),
    _msg("SavedFunction",
         _f("concrete_functions", 1, "repeated string"), _f("function_spec", 2, _T + "FunctionSpec")),
    _msg("CapturedTensor", _f("name", 1, "string"), _f("concrete_function", 2, "string")),
    _msg("SavedConcreteFunction",
         _f("bound_inputs", 2, "repeated int32"),
         _f("canonicalized_input_signature", 3, _T + "StructuredValue"),
         _f("output_signature", 4, _T + "StructuredValue")),
    _msg("SavedBareConcreteFunction",
         _f("concrete_function_name", 1, "string"), _f("argument_keywords", 2, "repeated string"),
         _f("allowed_positional_arguments", 3, "int64"), _f("function_spec", 4, _T + "FunctionSpec")),
    _msg("SavedConstant", _f("operation", 1, "string")),
    _msg("SavedVariable",
         _f("dtype", 1, _DT), _f("shape", 2, _SHAPE), _f("trainable", 3, "bool"),
         _f("synchronization", 4, _T + "VariableSynchronization"),
         _f("aggregation", 5, _T + "VariableAggregation"), _f("name", 6, "string"),
         _f("device", 7, "string"),
         _f("experimental_distributed_variable_components", 8, f"repeated {_T}SavedVariable")),
    _msg("FunctionSpec",
         _f("fullargspec", 1, _T + "StructuredValue"), _f("is_method", 2, "bool"),
         _f("input_signature", 5, _T + "StructuredValue"),
         _f("jit_compile", 6, _T + "FunctionSpec.JitCompile"),
         enums=[_enum("JitCompile", {"DEFAULT": 0, "ON": 1, "OFF": 2})]),
    _msg("SavedResource", _f("device", 1, "string")),
    _msg("SaveableObject", _f("save_function", 2, "int32"), _f("restore_function", 3, "int32")),
    _msg("MetaGraphDef",
         _f("meta_info_def", 1, _T + "MetaGraphDef.MetaInfoDef"), _f("graph_def", 2, _T + "GraphDef"),
         _f("saver_def", 3, _T + "SaverDef"),
         _f("collection_def", 4, f"map<string,{_T}CollectionDef>"),
         _f("signature_def", 5, f"map<string,{_T}SignatureDef>"),
         _f("asset_file_def", 6, f"repeated {_T}AssetFileDef"),
         _f("object_graph_def", 7, _T + "SavedObjectGraph"),
         nested=[_msg(
             "MetaInfoDef",
             _f("meta_graph_version", 1, "string"), _f("stripped_op_list", 2, _T + "OpList"),
             _f("any_info", 3, ".google.protobuf.Any"), _f("tags", 4, "repeated string"),
             _f("tensorflow_version", 5, "string"), _f("tensorflow_git_version", 6, "string"),
             _f("stripped_default_attrs", 7, "bool"), _f("function_aliases", 8, "map<string,string>"))]),
    _msg("SavedModel",
         _f("saved_model_schema_version", 1, "int64"), _f("meta_graphs", 2, f"repeated {_T}MetaGraphDef")),
    # tensor_bundle.proto: the variables index.
    _msg("BundleHeaderProto",
         _f("num_shards", 1, "int32"), _f("endianness", 2, _T + "BundleHeaderProto.Endianness"),
         _f("version", 3, _T + "VersionDef"),
         enums=[_enum("Endianness", {"LITTLE": 0, "BIG": 1})]),
    _msg("TensorSliceProto",
         _f("extent", 1, f"repeated {_T}TensorSliceProto.Extent"),
         nested=[_msg("Extent", _f("start", 1, "int64"), _f("length", 2, "int64", "has_length"))]),
    _msg("BundleEntryProto",
         _f("dtype", 1, _DT), _f("shape", 2, _SHAPE), _f("shard_id", 3, "int32"), _f("offset", 4, "int64"),
         _f("size", 5, "int64"), _f("crc32c", 6, "fixed32"),
         _f("slices", 7, f"repeated {_T}TensorSliceProto")),
]

_TF_TOP_ENUMS = [
    _enum("DataType", _DATA_TYPE_VALUES),
    _enum("VariableSynchronization", {
        "VARIABLE_SYNCHRONIZATION_AUTO": 0, "VARIABLE_SYNCHRONIZATION_NONE": 1,
        "VARIABLE_SYNCHRONIZATION_ON_WRITE": 2, "VARIABLE_SYNCHRONIZATION_ON_READ": 3}),
    _enum("VariableAggregation", {
        "VARIABLE_AGGREGATION_NONE": 0, "VARIABLE_AGGREGATION_SUM": 1, "VARIABLE_AGGREGATION_MEAN": 2,
        "VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA": 3}),
]

# -- google.protobuf.Any, as in protobuf's any.proto (a well-known type: protobuf adds Pack/Unpack) --

_ANY_FILE = "google/protobuf/any.proto"
_ANY_MESSAGES = [_msg("Any", _f("type_url", 1, "string"), _f("value", 2, "bytes"))]

# -- tensorflow_hub -----------------------------------------------------------------------

_H = ".tensorflow_hub."
_HUB_ENUMS = {_H + "ModuleDef.Format"}
_HUB_MESSAGES = [
    _msg("ModuleDef",
         _f("format", 1, _H + "ModuleDef.Format"), _f("required_features", 2, "repeated string"),
         enums=[_enum("Format", {"FORMAT_UNSPECIFIED": 0, "FORMAT_V3": 3})]),
    _msg("ModuleAttachment", _f("key", 1, "string"), _f("value", 2, "bytes")),
    _msg("ImageModuleInfo",
         _f("default_image_size", 1, _H + "ImageModuleInfo.InputSize"),
         nested=[_msg("InputSize", _f("height", 1, "int32"), _f("width", 2, "int32"))]),
]


def file_descriptors() -> list:
    """The FileDescriptorProtos of the declarations, dependencies first."""
    files = []
    for package, file_name, messages, enums, enum_names in (
        ("google.protobuf", _ANY_FILE, _ANY_MESSAGES, [], set()),
        ("tensorflow", "hublint/tensorflow.proto", _TF_MESSAGES, _TF_TOP_ENUMS, _TF_ENUMS),
        ("tensorflow_hub", "hublint/tensorflow_hub.proto", _HUB_MESSAGES, [], _HUB_ENUMS),
    ):
        file = descriptor_pb2.FileDescriptorProto(name=file_name, package=package, syntax="proto3")
        if files:
            file.dependency.append(_ANY_FILE)
        for enum in enums:
            _add_enum(file.enum_type.add(), enum)
        for message in messages:
            _add_message(file.message_type.add(), message, package, enum_names)
        files.append(file)
    return files


def render() -> str:
    """The source of ``_descriptors.py`` for the current declarations."""
    lines = [
        '"""Serialized FileDescriptorProtos of hublint.module.schema, dependencies first.',
        "",
        "Generated by ``python -m hublint.module.schema``; do not edit.",
        '"""',
        "",
        "FILES = (",
    ]
    for file in file_descriptors():
        data = file.SerializeToString(deterministic=True)
        lines.append(f"    (  # {file.name}")
        lines.extend(f"        {data[i:i + 64]!r}" for i in range(0, len(data), 64))
        lines.append("    ),")
    lines.append(")")
    return "\n".join(lines) + "\n"


GENERATED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_descriptors.py")

if __name__ == "__main__":
    with open(GENERATED, "w", encoding="utf-8") as handle:
        handle.write(render())
    print(f"wrote {GENERATED}")
