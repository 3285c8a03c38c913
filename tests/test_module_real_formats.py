"""Every real SavedModel form the module pass meets reads like TensorFlow reads it.

- Snappy-compressed ``variables.index`` blocks (TF 1.14 and 2.10 wrote them):
  real indexes rewritten with real Snappy blocks, then TensorFlow's own
  reader (``tf.train.load_checkpoint`` in the toolchain) is the judge.
- ``saved_model.pbtxt``, the text form: found, read, and its damage named.
- Files that are not what their name says (Git LFS pointers, HTML pages,
  archives, the other SavedModel form) or lie in the wrong place: the HUB002
  message names the cause.
"""

from __future__ import annotations

import json
import os
import random
import subprocess

import pytest
from google.protobuf import text_format

from hublint.module import index
from hublint.module.index import CorruptIndex, snappy_decompress
from hublint.module.model import SAVED_MODEL
from hublint.module.reader import load_module
from hublint.runner import discover
from tests.leveldb_table import compressed_blocks, snappy, table_entries, varint, write_table
from tests.module_fixtures import TOOLCHAIN_PYTHON, lint, module_copy

PBTXT_MODULE = "tf1_saved_model_pbtxt"
#: Real modules whose index is rewritten with Snappy blocks (TF1 Hub, TF1 and TF2 SavedModels, an asset).
SNAPPY_MODULES = ("legacy_variables", "text_embedding", "tf2_reusable", PBTXT_MODULE)
#: (compression mode, block size): mixed blocks as LevelDB decides, and every block compressed;
#: small blocks give many of them, with restart points and prefix-compressed keys.
SNAPPY_LAYOUTS = (("leveldb", 4096), ("always", 64), ("always", 4096))

LFS_POINTER = (
    b"version https://git-lfs.github.com/spec/v1\n"
    b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    b"size 23954\n"
)

# -- raw Snappy ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 59, 60, 61, 255, 256, 257, 65535, 65536, 65537, 200_000])
@pytest.mark.parametrize("kind", ["random", "repetitive", "checkpoint keys"])
def test_snappy_decoder_inverts_real_snappy(size, kind):
    generator = random.Random(size)
    if kind == "random":  # mostly long literals (60-63 length tags)
        data = bytes(generator.getrandbits(8) for _ in range(size))
    elif kind == "repetitive":  # overlapping copies (offset < length)
        data = (b"ab" * size)[:size]
    else:  # short literals and copies at all distances, as in a real index
        words = [b"module/", b"dense", b"_1", b"/kernel", b"/.ATTRIBUTES/VARIABLE_VALUE", b"\x08\x01\x12\x04"]
        data = b"".join(generator.choice(words) for _ in range(size // 8 + 1))[:size]
    assert snappy_decompress(snappy(data), max_bytes=1 << 30) == data


def test_snappy_decoder_reads_far_copies_with_4_byte_offsets():
    # Snappy writes 2-byte offsets only up to 65535 back; build a copy-4 element by hand.
    head = bytes(range(256)) * 300  # 76800 bytes
    literal = bytearray()
    for start in range(0, len(head), 65536):  # literals with a 2-byte length (tag 61)
        chunk = head[start : start + 65536]
        literal += bytes([61 << 2]) + (len(chunk) - 1).to_bytes(2, "little") + chunk
    copy = bytes([((10 - 1) << 2) | 3]) + (70_000).to_bytes(4, "little")  # 10 bytes from 70000 back
    stream = varint(len(head) + 10) + literal + copy
    assert snappy_decompress(bytes(stream)) == head + head[len(head) - 70_000 : len(head) - 70_000 + 10]


@pytest.mark.parametrize("stream, reason", [
    (b"", "uncompressed length is not a valid varint"),
    (b"\x80\x80\x80\x80\x80\x01", "uncompressed length is not a valid varint"),
    (b"\xff\xff\xff\xff\x7f", "does not fit in 32 bits"),
    (b"\xff\xff\xff\x7f" + b"\0" * 30, "limit"),  # 256 MiB declared: refused before any work
    (b"\x80\x10\x00a", "more than 2 bytes can encode"),  # 2048 bytes from 2
    (b"\x05\x10abc", "literal of 5 bytes runs past the end"),
    (b"\x05\xf4\x01", "literal's length runs past the end"),  # tag 61: 2 length bytes, 1 given
    (b"\x03\x0cabcd", "more than its declared 3 bytes"),
    (b"\x08\x00a\x01\x00", "refers 0 bytes back"),  # offset 0 is invalid
    (b"\x08\x00a\x01\x05", "refers 5 bytes back, outside the 1 bytes"),
    (b"\x08\x00a\x01", "copy's offset runs past the end"),  # copy-1 without its offset byte
    (b"\x08\x00a\x0e\x01", "copy's offset runs past the end"),  # copy-2 with one offset byte
    (b"\x08\x00a\x0f\x01\x00", "copy's offset runs past the end"),  # copy-4 with two offset bytes
    (b"\x08\x00a", "decodes to 1 bytes, not the declared 8"),
    (b"\x02\x00a\x01\x01", "more than its declared 2 bytes"),  # a copy overshoots
])
def test_malformed_snappy_is_one_line_corrupt_index(stream, reason):
    with pytest.raises(CorruptIndex, match=reason) as raised:
        snappy_decompress(stream, max_bytes=1 << 20)
    assert "\n" not in str(raised.value)


def test_declared_size_above_the_block_limit_is_refused_before_decoding():
    data = b"x" * 100_000
    stream = snappy(data)
    assert snappy_decompress(stream) == data
    with pytest.raises(CorruptIndex, match="declares 100000 uncompressed bytes"):
        snappy_decompress(stream, max_bytes=99_999)


def test_mutated_snappy_streams_raise_only_corrupt_index():
    generator = random.Random(7)
    original = snappy(b"".join(generator.choice([b"kernel", b"bias", b"/", b"\x00\x01"]) for _ in range(3000)))
    for _ in range(3000):
        stream = bytearray(original)
        for _ in range(generator.randint(1, 4)):
            stream[generator.randrange(len(stream))] = generator.getrandbits(8)
        stream = bytes(stream[: generator.randint(0, len(stream))] if generator.random() < 0.3 else stream)
        try:
            snappy_decompress(stream)
        except CorruptIndex:
            pass


# -- Snappy-compressed checkpoint indexes, judged by TensorFlow ----------------------------

# Run in the toolchain: a checkpoint with many variables of several dtypes and shared name
# prefixes (many index blocks), as tf.train.Checkpoint writes it.
_WRITE_MANY_VARIABLES = r"""
import sys
import tensorflow as tf
variables = {}
for number in range(240):
    part = ("encoder", "decoder", "head")[number % 3]
    dtype = (tf.float32, tf.int64, tf.float64, tf.bool)[number % 4]
    variables["%s_layer_%03d_kernel" % (part, number)] = tf.Variable(tf.zeros([number % 5 + 1, 3], dtype))
variables["vocabulary"] = tf.Variable(tf.constant(["a", "bb", "ccc"]))
tf.train.Checkpoint(**variables).write(sys.argv[1])
"""

# Run in the toolchain: every variable of each checkpoint prefix, with dtype, shape and a digest
# of its values (so a rewritten index must still point at the right bytes of the data shard).
_READ_CHECKPOINTS = r"""
import hashlib, json, sys
import tensorflow as tf
result = {}
for prefix in sys.argv[1:]:
    reader = tf.train.load_checkpoint(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    listing = {}
    for name, shape in reader.get_variable_to_shape_map().items():
        value = reader.get_tensor(name)
        digest = hashlib.sha256(repr(getattr(value, "tolist", lambda: value)()).encode()).hexdigest()
        listing[name] = [dtypes[name].as_datatype_enum, list(shape), digest]
    result[prefix] = listing
print(json.dumps(result))
"""


def _toolchain(script: str, *args: str) -> str:
    assert TOOLCHAIN_PYTHON.exists(), f"the TF toolchain is not installed ({TOOLCHAIN_PYTHON})"
    done = subprocess.run([str(TOOLCHAIN_PYTHON), "-c", script, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _rewrite_index(index_file, compression: str, block_size: int) -> bytes:
    data = write_table(table_entries(index_file.read_bytes()), block_size, compression)
    index_file.write_bytes(data)
    return data


@pytest.fixture(scope="module")
def snappy_checkpoints(tmp_path_factory):
    """Real indexes rewritten with Snappy blocks, and what TensorFlow reads from them and the originals.

    ``{"cases": [(module name or None, layout, prefix, original prefix, index bytes)], "tensorflow": {...}}``
    """
    root = tmp_path_factory.mktemp("snappy")
    many = root / "many" / "original" / "checkpoint"
    many.parent.mkdir(parents=True)
    _toolchain(_WRITE_MANY_VARIABLES, str(many))
    cases = []
    for name in SNAPPY_MODULES:
        original = module_copy(name, root / "original")
        for layout in SNAPPY_LAYOUTS:
            path = module_copy(name, root / f"{layout[0]}-{layout[1]}")
            data = _rewrite_index(path / "variables" / "variables.index", *layout)
            cases.append((name, layout, path / "variables" / "variables", original / "variables" / "variables", data))
    for layout in (("leveldb", 4096), ("always", 256)):
        prefix = root / "many" / f"{layout[0]}-{layout[1]}" / "checkpoint"
        prefix.parent.mkdir()
        for shard in many.parent.glob("checkpoint.data-*"):
            (prefix.parent / shard.name).write_bytes(shard.read_bytes())
        (prefix.parent / "checkpoint.index").write_bytes((many.parent / "checkpoint.index").read_bytes())
        data = _rewrite_index(prefix.parent / "checkpoint.index", *layout)
        cases.append((None, layout, prefix, many, data))
    prefixes = sorted({str(p) for case in cases for p in (case[2], case[3])})
    return {"cases": cases, "tensorflow": json.loads(_toolchain(_READ_CHECKPOINTS, *prefixes))}


def test_tensorflow_reads_the_snappy_indexes_as_the_originals(snappy_checkpoints):
    tensorflow = snappy_checkpoints["tensorflow"]
    for name, layout, prefix, original, data in snappy_checkpoints["cases"]:
        # LevelDB's rule keeps a block plain when Snappy saves less than 1/8: small indexes may stay so.
        assert compressed_blocks(data) > 0 or layout[0] == "leveldb", (name, layout)
        assert tensorflow[str(prefix)] == tensorflow[str(original)], (name, layout)
    many = [case for case in snappy_checkpoints["cases"] if case[0] is None]
    assert all(len(tensorflow[str(case[2])]) > 200 for case in many)
    assert all(compressed_blocks(case[4]) > 0 for case in many), "LevelDB's rule compresses these blocks"
    assert any(compressed_blocks(case[4]) > 10 for case in many), "many blocks, most of them compressed"


def test_hublint_reads_what_tensorflow_reads_from_snappy_indexes(snappy_checkpoints):
    tensorflow = snappy_checkpoints["tensorflow"]
    for name, layout, prefix, _, data in snappy_checkpoints["cases"]:
        ours = {key: [entry.dtype, list(entry.shape)] for key, entry in index.parse_index(data).entries.items()}
        theirs = {key: value[:2] for key, value in tensorflow[str(prefix)].items()}
        assert ours == theirs, (name, layout)


def _finding_keys(path):
    findings, _ = lint(path)
    return sorted((f.rule_id, f.message, f.location.node, os.path.relpath(f.location.path, path)) for f in findings)


def test_modules_with_snappy_indexes_lint_like_the_originals(snappy_checkpoints):
    for name, layout, prefix, original, _ in snappy_checkpoints["cases"]:
        if name is None:
            continue
        module = prefix.parent.parent
        keys = _finding_keys(module)
        assert "HUB002" not in {key[0] for key in keys}, (name, layout, keys)
        assert keys == _finding_keys(original.parent.parent), (name, layout)
        assert load_module(str(module)).index_state == "ok"


def test_a_damaged_snappy_block_names_the_block(tmp_path):
    path = module_copy("legacy_variables", tmp_path)
    index_file = path / "variables" / "variables.index"
    data = bytearray(_rewrite_index(index_file, "always", 4096))
    # Make the first element's copy reach before the start of the output; keep the CRC valid,
    # so that only the Snappy decoder can tell (a CRC over garbage is what a buggy writer makes).
    footer = len(data) - 48
    _, _, pos = index._handle(bytes(data), footer, len(data) - 8)
    index_offset, index_size, _ = index._handle(bytes(data), pos, len(data) - 8)
    _, handle = next(index._entries(index._block(bytes(data), index_offset, index_size, "index"), "index"))
    offset, size, _ = index._handle(handle, 0, len(handle))
    _, start = index._varint(bytes(data), offset, offset + size)
    data[start : start + 3] = b"\x01\x09\x00"  # a copy-1 element of 4 bytes from 9 back, at output 0
    data[offset + size + 1 : offset + size + 5] = index.masked_crc32c(bytes(data[offset : offset + size + 1])).to_bytes(
        4, "little")
    index_file.write_bytes(bytes(data))
    messages = [f.message for f in lint(path)[0] if f.rule_id == "HUB002"]
    assert messages == [
        "cannot read the module: variables/variables.index is corrupt: the Snappy-compressed data block at offset "
        f"{offset} is damaged: a copy refers 9 bytes back, outside the 0 bytes decoded so far"
    ]


# -- saved_model.pbtxt ----------------------------------------------------------------------


def test_the_text_form_module_is_read_with_no_findings(tmp_path):
    path = module_copy(PBTXT_MODULE, tmp_path)
    assert sorted(p.name for p in path.iterdir()) == ["saved_model.pbtxt", "variables"]
    module = load_module(str(path))
    assert module.format == SAVED_MODEL and module.problems == [] and module.index_state == "ok"
    assert [m.tag_set for m in module.meta_graphs] == [("serve",)]
    assert set(module.meta_graphs[0].signatures) == {"serving_default"}
    assert lint(path)[0] == []


def test_the_text_form_lints_like_the_binary_form(tmp_path):
    from hublint.module import proto

    text = module_copy(PBTXT_MODULE, tmp_path / "text")
    binary = module_copy(PBTXT_MODULE, tmp_path / "binary")
    saved_model = text_format.Parse((binary / "saved_model.pbtxt").read_text(), proto.SavedModel())
    (binary / "saved_model.pbtxt").unlink()
    (binary / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    _, text_summary = lint(text)
    _, binary_summary = lint(binary)
    assert text_summary["meta_graphs"] == binary_summary["meta_graphs"]
    assert lint(text)[0] == [] and lint(binary)[0] == []


def test_discovery_finds_the_text_form(tmp_path, make_config):
    path = module_copy(PBTXT_MODULE, tmp_path / "models")
    config = make_config()
    for named in (tmp_path, path, path / "saved_model.pbtxt"):
        targets, problems = discover([str(named)], config)
        assert [(t.path, t.kind) for t in targets] == [(str(path), "module")], named
        assert problems == []


def test_a_binary_saved_model_named_pbtxt_says_rename_it(tmp_path):
    from hublint.module import proto

    path = module_copy(PBTXT_MODULE, tmp_path)
    saved_model = text_format.Parse((path / "saved_model.pbtxt").read_text(), proto.SavedModel())
    (path / "saved_model.pbtxt").write_bytes(saved_model.SerializeToString())
    assert _unreadable(path) == [
        "cannot read the module: saved_model.pbtxt is a binary SavedModel protobuf, not text: TensorFlow reads it "
        "only as saved_model.pb, rename it"
    ]


def test_binary_garbage_named_pbtxt(tmp_path):
    path = module_copy(PBTXT_MODULE, tmp_path)
    (path / "saved_model.pbtxt").write_bytes(bytes(range(256)) * 4)
    assert _unreadable(path) == [
        "cannot read the module: saved_model.pbtxt is binary data, not a SavedModel in text format (1024 bytes)"
    ]


@pytest.mark.parametrize("fraction", [0.02, 0.5, 0.999])
def test_a_truncated_pbtxt_says_truncated(tmp_path, fraction):
    path = module_copy(PBTXT_MODULE, tmp_path)
    text = (path / "saved_model.pbtxt").read_bytes()
    (path / "saved_model.pbtxt").write_bytes(text[: int(len(text) * fraction)])
    messages = _unreadable(path)
    assert len(messages) == 1 and "saved_model.pbtxt is truncated: it ends inside an unfinished message" in messages[0]


def test_a_text_saved_model_named_pb_says_rename_it(tmp_path):
    path = module_copy("tf2_reusable", tmp_path)
    from hublint.module import proto

    saved_model = proto.SavedModel.FromString((path / "saved_model.pb").read_bytes())
    (path / "saved_model.pb").write_text(text_format.MessageToString(saved_model))
    assert _unreadable(path) == [
        "cannot read the module: saved_model.pb holds a SavedModel in text format, which TensorFlow reads only "
        "from saved_model.pbtxt: rename it"
    ]


# -- files that are not what their name says, or not where TensorFlow looks -----------------


@pytest.fixture
def opened_files(monkeypatch):
    """Names of the files opened with ``open`` while the test runs."""
    import builtins

    names: list[str] = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        names.append(os.path.basename(os.fspath(file)) if isinstance(file, (str, os.PathLike)) else str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    return names


def _unreadable(path) -> list[str]:
    return [f.message for f in lint(path)[0] if f.rule_id == "HUB002"]


@pytest.mark.parametrize("module, file", [
    ("dense_l2", "saved_model.pb"),
    ("dense_l2", "tfhub_module.pb"),
    ("dense_l2", "variables/variables.index"),
    ("dense_l2", "variables/variables.data-00000-of-00001"),
    (PBTXT_MODULE, "saved_model.pbtxt"),
])
def test_git_lfs_pointers_say_git_lfs_pull(tmp_path, module, file):
    path = module_copy(module, tmp_path)
    (path / file).write_bytes(LFS_POINTER)
    messages = _unreadable(path)
    assert f"cannot read the module: {file} is a Git LFS pointer, not the file: run `git lfs pull`" in messages
    assert not any("truncated" in m or "corrupt" in m for m in messages), messages


@pytest.mark.parametrize("file", ["saved_model.pb", "variables/variables.index"])
@pytest.mark.parametrize("content, cause", [
    (b"", "is empty (0 bytes)"),
    (b"\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n",
     "is an HTML page, not the file: the download saved a web page (an error or a login page?)"),
    (b"\x1f\x8b\x08\x00" + b"\0" * 40, "is gzip-compressed data (an archive?), not the file: extract it first"),
    (b"PK\x03\x04" + b"\0" * 40, "is a zip archive, not the file: extract it first"),
])
def test_files_that_are_something_else_say_what_they_are(tmp_path, file, content, cause):
    path = module_copy("dense_l2", tmp_path)
    (path / file).write_bytes(content)
    assert _unreadable(path) == [f"cannot read the module: {file} {cause}"]


def test_plain_text_saved_model_pb_says_it_is_text(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").write_text("404: Not Found\n")
    messages = _unreadable(path)
    assert messages == ["cannot read the module: saved_model.pb is text, not a binary SavedModel protobuf "
                        "(it starts b'404: Not Found\\n')"]


@pytest.mark.parametrize("module, graph", [("tf2_reusable", "saved_model.pb"), (PBTXT_MODULE, "saved_model.pbtxt")])
def test_checkpoint_beside_the_graph_says_move_it(tmp_path, module, graph):
    path = module_copy(module, tmp_path)
    for file in (path / "variables").iterdir():
        file.rename(path / file.name)
    (path / "variables").rmdir()
    findings, _ = lint(path)
    messages = [f.message for f in findings if f.rule_id in ("HUB002", "HUB211")]
    assert messages == [
        f"cannot read the module: variables.index lies beside {graph} instead of under variables/, where "
        "TensorFlow looks for it: move variables.index and the variables.data-* shards into a variables/ folder"
    ]


def test_a_shard_beside_the_graph_says_move_it(tmp_path):
    path = module_copy("tf2_reusable", tmp_path)
    shard = next((path / "variables").glob("variables.data-*"))
    shard.rename(path / shard.name)
    messages = _unreadable(path)
    assert messages == [f"cannot read the module: {shard.name} lies beside the graph instead of under variables/, "
                        "where TensorFlow looks for it: move it into variables/"]


def test_a_small_real_shard_is_not_mistaken_for_a_pointer(tmp_path, opened_files):
    path = module_copy("image_bad_signature", tmp_path)
    shard = next((path / "variables").glob("variables.data-*"))
    assert shard.stat().st_size <= 1024, "small enough to be looked at"
    assert _unreadable(path) == []
    assert shard.name in opened_files


def test_a_named_folder_with_a_checkpoint_but_no_graph_says_so(tmp_path, make_config):
    path = module_copy("tf2_reusable", tmp_path / "models")
    (path / "saved_model.pb").unlink()
    (path / "fingerprint.pb").unlink(missing_ok=True)
    targets, _ = discover([str(path)], make_config())
    assert [(t.path, t.kind) for t in targets] == [(str(path), "module")]
    # Met during a walk, a folder without a graph is no module: only a folder named explicitly is judged.
    assert discover([str(tmp_path / "models")], make_config())[0] == []
    assert _unreadable(path) == [
        "cannot read the module: no saved_model.pb, saved_model.pbtxt or tfhub_module.pb: the folder holds a "
        "checkpoint (variables/variables.index) but not the graph that goes with it"
    ]


def test_a_truncated_index_says_it_may_be_truncated(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    index_file = path / "variables" / "variables.index"
    index_file.write_bytes(index_file.read_bytes()[:-20])
    assert _unreadable(path) == [
        "cannot read the module: variables/variables.index is corrupt: the file does not end with the table "
        "magic number: it is truncated, or not a checkpoint index"
    ]
