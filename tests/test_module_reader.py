"""The module reader: protobuf messages, format detection, the checkpoint index, assets, attachments.

Where TensorFlow can say what the right answer is (descriptors, checkpoint
contents), the test asks the real toolchain in a subprocess and compares.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from google.protobuf import descriptor_pb2

from hublint.module import index, proto
from hublint.module.model import SAVED_MODEL, TF1_HUB
from hublint.module.reader import load_module
from tests.module_fixtures import TOOLCHAIN_PYTHON, module_copy

needs_toolchain = pytest.mark.skipif(
    not TOOLCHAIN_PYTHON.exists(), reason=f"the TF toolchain venv is not installed ({TOOLCHAIN_PYTHON})"
)

# Run in the toolchain venv: compare hublint's descriptors (read as FileDescriptorProtos from
# stdin) field by field with TensorFlow's and tensorflow_hub's generated ones.
_COMPARE_DESCRIPTORS = r"""
import json, sys
from google.protobuf import descriptor_pb2, descriptor_pool
from tensorflow.core.protobuf import saved_model_pb2, meta_graph_pb2, saved_object_graph_pb2, struct_pb2
from tensorflow.core.protobuf import trackable_object_graph_pb2, tensor_bundle_pb2, saver_pb2
from tensorflow.core.framework import graph_pb2, function_pb2, variable_pb2, types_pb2, op_def_pb2
from tensorflow_hub import module_def_pb2, module_attachment_pb2, image_module_info_pb2
pool = descriptor_pool.Default()
problems, seen = [], []

def message(proto, full_name):
    seen.append(full_name)
    theirs = pool.FindMessageTypeByName(full_name)
    for field in proto.field:
        other = theirs.fields_by_name.get(field.name)
        if other is None:
            problems.append(f"{full_name}.{field.name}: TensorFlow has no such field")
            continue
        if (other.number, other.type, other.label) != (field.number, field.type, field.label):
            problems.append(f"{full_name}.{field.name}: number/type/label differ")
        target = other.message_type or other.enum_type
        if field.type_name and target.full_name != field.type_name.lstrip("."):
            problems.append(f"{full_name}.{field.name}: type {field.type_name} vs {target.full_name}")
        mine = proto.oneof_decl[field.oneof_index].name if field.HasField("oneof_index") else None
        real = other.containing_oneof.name if other.containing_oneof is not None else None
        if real is not None and real.startswith("_"):
            real = None
        if mine != real:
            problems.append(f"{full_name}.{field.name}: oneof {mine} vs {real}")
    for enum in proto.enum_type:
        enumeration(enum, f"{full_name}.{enum.name}")
    for nested in proto.nested_type:
        message(nested, f"{full_name}.{nested.name}")

def enumeration(proto, full_name):
    theirs = pool.FindEnumTypeByName(full_name)
    for value in proto.value:
        other = theirs.values_by_name.get(value.name)
        if other is None or other.number != value.number:
            problems.append(f"{full_name}.{value.name} = {value.number} differs")

for raw in json.load(sys.stdin):
    file = descriptor_pb2.FileDescriptorProto.FromString(bytes.fromhex(raw))
    for item in file.message_type:
        message(item, f"{file.package}.{item.name}")
    for item in file.enum_type:
        enumeration(item, f"{file.package}.{item.name}")
print(json.dumps({"checked": seen, "problems": problems}))
"""


@needs_toolchain
def test_messages_match_tensorflow_field_for_field():
    files = []
    for name in ("hublint/tensorflow.proto", "hublint/tensorflow_hub.proto"):
        file = descriptor_pb2.FileDescriptorProto()
        proto.POOL.FindFileByName(name).CopyToProto(file)
        files.append(file.SerializeToString().hex())
    done = subprocess.run(
        [str(TOOLCHAIN_PYTHON), "-c", _COMPARE_DESCRIPTORS],
        input=json.dumps(files), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    for name in ("tensorflow.SavedModel", "tensorflow.MetaGraphDef.MetaInfoDef", "tensorflow.OpDef.AttrDef",
                 "tensorflow.SavedObjectGraph", "tensorflow.BundleEntryProto", "tensorflow_hub.ModuleDef",
                 "tensorflow_hub.ImageModuleInfo.InputSize"):
        assert name in result["checked"]


def test_a_real_tfhub_module_pb_is_format_3():
    assert proto.ModuleDef.FromString(b"\x08\x03").format == proto.ModuleDef.FORMAT_V3
    # An unknown format value survives parsing (proto3 open enum), so the reader can name it.
    assert proto.ModuleDef.FromString(b"\x08\x07").format == 7


def test_crc32c_matches_the_standard_check_value():
    assert index.crc32c(b"123456789") == 0xE3069283


def test_tf1_hub_module_is_detected_and_read(tmp_path):
    module = load_module(str(module_copy("dense_l2", tmp_path)))
    assert module.format == TF1_HUB
    assert module.problems == []
    assert module.module_def.format == 3
    assert [meta_graph.tag_set for meta_graph in module.meta_graphs] == [()]
    assert "default" in module.meta_graphs[0].signatures


def test_every_tag_set_becomes_one_meta_graph(tmp_path):
    module = load_module(str(module_copy("dropout_train_tags", tmp_path)))
    assert sorted(meta_graph.tag_set for meta_graph in module.meta_graphs) == [(), ("train",)]
    assert module.meta_graph(("train",)) is not None


def test_tf2_saved_model_is_detected_and_its_variables_have_checkpoint_keys(tmp_path):
    module = load_module(str(module_copy("tf2_reusable", tmp_path)))
    assert module.format == SAVED_MODEL
    assert module.module_def is None
    variables = module.meta_graphs[0].variables
    assert variables, "the object graph lists the Keras variables"
    for variable in variables:
        assert variable.checkpoint_key.endswith("/.ATTRIBUTES/VARIABLE_VALUE")
        assert variable.checkpoint_key in module.variables


def test_a_folder_without_module_files_is_not_a_module(tmp_path):
    (tmp_path / "notes.txt").write_text("not a module")
    module = load_module(str(tmp_path))
    assert module.format is None
    assert "not a module" in module.problems[0].reason


def test_variables_of_the_graph_are_the_checkpoint_keys(tmp_path):
    module = load_module(str(module_copy("legacy_variables", tmp_path)))
    graph_keys = {v.checkpoint_key for meta_graph in module.meta_graphs for v in meta_graph.variables}
    assert graph_keys and graph_keys <= set(module.variables)


_LIST_CHECKPOINT = r"""
import json, sys
import tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1])
dtypes = reader.get_variable_to_dtype_map()
shapes = reader.get_variable_to_shape_map()
print(json.dumps({name: [dtypes[name].as_datatype_enum, list(shapes[name])] for name in shapes}))
"""


@needs_toolchain
@pytest.mark.parametrize("name", ["dense_l2", "text_embedding", "legacy_variables", "tf2_reusable"])
def test_index_reader_agrees_with_tensorflow(name, tmp_path):
    path = module_copy(name, tmp_path)
    done = subprocess.run(
        [str(TOOLCHAIN_PYTHON), "-c", _LIST_CHECKPOINT, str(path / "variables" / "variables")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    expected = json.loads(done.stdout.strip().splitlines()[-1])
    checkpoint = index.read_index(str(path / "variables" / "variables.index"))
    ours = {name: [entry.dtype, list(entry.shape)] for name, entry in checkpoint.entries.items()}
    assert ours == expected
    shard = path / "variables" / index.shard_name(0, checkpoint.num_shards)
    assert max(entry.offset + entry.size for entry in checkpoint.entries.values()) <= shard.stat().st_size


def _rewrite_first_data_block(data: bytes, compression: int) -> bytes:
    """The index with its first data block's compression byte changed and its CRC made valid again."""
    footer = len(data) - 48
    _, _, pos = index._handle(data, footer, len(data) - 8)
    index_offset, index_size, _ = index._handle(data, pos, len(data) - 8)
    index_block = index._block(data, index_offset, index_size, "index")
    _, handle = next(index._entries(index_block, "index"))
    offset, size, _ = index._handle(handle, 0, len(handle))
    patched = bytearray(data)
    patched[offset + size] = compression
    crc = index.masked_crc32c(bytes(patched[offset : offset + size + 1]))
    patched[offset + size + 1 : offset + size + 5] = crc.to_bytes(4, "little")
    return bytes(patched)


def test_a_block_marked_snappy_that_is_not_snappy_is_corrupt(tmp_path):
    path = module_copy("dense_l2", tmp_path) / "variables" / "variables.index"
    data = _rewrite_first_data_block(path.read_bytes(), compression=1)
    with pytest.raises(index.CorruptIndex, match="Snappy"):
        index.parse_index(data)


def test_a_flipped_byte_fails_the_block_checksum(tmp_path):
    path = module_copy("dense_l2", tmp_path) / "variables" / "variables.index"
    data = bytearray(path.read_bytes())
    data[3] ^= 0x40  # inside the first data block
    with pytest.raises(index.CorruptIndex, match="CRC32C"):
        index.parse_index(bytes(data))


def test_image_size_attachment_is_decoded(tmp_path):
    module = load_module(str(module_copy("image_feature_vector", tmp_path)))
    meta_graph = module.meta_graphs[0]
    assert "image_module_info" in meta_graph.attachments
    shape = [d.size for d in meta_graph.signatures["default"].inputs["images"].tensor_shape.dim]
    assert meta_graph.image_size == (shape[1], shape[2])


def test_assets_map_tensors_to_files_in_the_assets_folder(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    module = load_module(str(path))
    refs = module.meta_graphs[0].asset_refs
    assert refs, "the vocabulary is an asset"
    on_disk = {p.name for p in (path / "assets").iterdir()}
    assert {ref.filename for ref in refs} <= on_disk
    assert set(module.asset_files) == on_disk
    assert all(module.asset_files[name].size == (path / "assets" / name).stat().st_size for name in on_disk)


def test_shards_are_listed_with_their_sizes(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    module = load_module(str(path))
    shards = sorted(p.name for p in (path / "variables").glob("variables.data-*"))
    assert sorted(module.shards) == shards
    assert all(module.shards[name] == (path / "variables" / name).stat().st_size for name in shards)


def test_text_format_saved_model_is_read_but_not_for_hub_modules(tmp_path):
    from google.protobuf import text_format

    path = module_copy("tf2_reusable", tmp_path)
    saved_model = proto.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    (path / "saved_model.pb").unlink()
    (path / "saved_model.pbtxt").write_text(text_format.MessageToString(saved_model))
    module = load_module(str(path))
    assert module.problems == []
    assert [m.tag_set for m in module.meta_graphs] == [("serve",)]

    (path / "tfhub_module.pb").write_bytes(b"\x08\x03")  # hub reads only saved_model.pb
    module = load_module(str(path))
    assert [p.reason for p in module.problems] == ["no saved_model.pb: the module has no graph"]
