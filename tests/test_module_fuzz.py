"""Property: whatever happens to the bytes of a real module's files, ``lint_module`` returns
findings (HUB002 for what it cannot read) and a JSON-able summary; it never raises.

Every reader path takes part: the binary and the text SavedModel, ``tfhub_module.pb``, and
the checkpoint index both as TensorFlow 2.15 writes it and rewritten with Snappy-compressed
blocks (as older TensorFlow builds wrote it)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hublint.finding import Finding
from hublint.rule import ModuleRule
from hublint import registry
from tests.conftest import EXPORTED
from tests.leveldb_table import table_entries, write_table
from tests.module_fixtures import lint

MODULES = ("dense_l2", "text_embedding", "dropout_train_tags", "tf2_reusable", "tf1_saved_model_pbtxt")
FILES = ("saved_model.pb", "saved_model.pbtxt", "tfhub_module.pb", "variables/variables.index")
INDEX = "variables/variables.index"
RULE_IDS = {rule.id for rule in registry.all_rules() if isinstance(rule, ModuleRule)}


def _mutate(data: bytes, mutation) -> bytes:
    kind, position, payload = mutation
    if not data:
        return payload
    at = position % (len(data) + 1)
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        patched = bytearray(data)
        for offset, byte in enumerate(payload or b"\x01"):
            patched[(at + offset) % len(data)] ^= byte or 0x80
        return bytes(patched)
    if kind == "insert":
        return data[:at] + payload + data[at:]
    if kind == "overwrite":
        return data[:at] + payload + data[at + len(payload):]
    return payload  # "replace": the whole file is garbage


mutations = st.tuples(
    st.sampled_from(["truncate", "flip", "insert", "overwrite", "replace"]),
    st.integers(min_value=0, max_value=1 << 20),
    st.binary(min_size=0, max_size=24),
)


@pytest.fixture(scope="module")
def available_modules():
    names = [name for name in MODULES if (EXPORTED / name).is_dir()]
    missing = sorted(set(MODULES) - set(names))
    assert not missing, f"committed test modules are missing: {missing} (python tests/modules/build.py)"
    return names


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(MODULES), block_size=st.sampled_from([48, 256, 4096]),
       steps=st.lists(mutations, min_size=1, max_size=2))
def test_damaged_snappy_blocks_with_valid_checksums_never_raise(name, block_size, steps):
    """Damage inside Snappy-compressed blocks whose CRCs still match: only the decoders can tell."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        shutil.copytree(EXPORTED / name, path)
        index = path / INDEX
        pairs = table_entries(index.read_bytes())

        def damage(stored: bytes) -> bytes:
            for step in steps:
                stored = _mutate(stored, step)
            return stored

        index.write_bytes(write_table(pairs, block_size, "always", damage=damage))
        findings, summary = lint(path)
    assert all(isinstance(finding, Finding) and finding.rule_id in RULE_IDS for finding in findings)
    json.dumps(summary)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), file=st.sampled_from(FILES), steps=st.lists(mutations, min_size=1, max_size=3),
       snappy_blocks=st.sampled_from([None, 64, 4096]))
def test_mutated_module_files_never_raise(available_modules, data, file, steps, snappy_blocks):
    name = data.draw(st.sampled_from(available_modules))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        shutil.copytree(EXPORTED / name, path)
        if snappy_blocks is not None:  # the same index with every block Snappy-compressed
            index = path / INDEX
            index.write_bytes(write_table(table_entries(index.read_bytes()), snappy_blocks, "always"))
        target = path / file
        original = target.read_bytes() if target.exists() else b""
        mutated = original
        for step in steps:
            mutated = _mutate(mutated, step)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(mutated)

        findings, summary = lint(path)

    assert all(isinstance(finding, Finding) and finding.rule_id in RULE_IDS for finding in findings)
    json.dumps(summary)  # the summary stays plain data
    if mutated != original and file != "tfhub_module.pb":
        # Either the damage is reported, or the bytes still decode as a module (protobuf is lenient).
        assert summary["meta_graphs"] or any(f.rule_id == "HUB002" for f in findings)


def _packed(name: str, fmt: str) -> bytes:
    """The committed module ``name`` packed as ``fmt`` in memory (tar members at the root, sorted)."""
    import io
    import tarfile
    import zipfile

    folder = EXPORTED / name
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    buffer = io.BytesIO()
    if fmt == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in files:
                zf.writestr(zipfile.ZipInfo(file.relative_to(folder).as_posix()), file.read_bytes(),
                            zipfile.ZIP_DEFLATED)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz" if fmt == "tar.gz" else "w") as tar:
            for file in files:
                info = tarfile.TarInfo(file.relative_to(folder).as_posix())
                info.size = file.stat().st_size
                tar.addfile(info, io.BytesIO(file.read_bytes()))
    return buffer.getvalue()


ARCHIVE_FORMATS = ("tar.gz", "tar", "zip")
_PACKED = {}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), fmt=st.sampled_from(ARCHIVE_FORMATS), steps=st.lists(mutations, min_size=1, max_size=3))
def test_mutated_archives_never_raise(available_modules, data, fmt, steps):
    """Whatever happens to an archive's bytes (headers, central directory, compressed data), linting
    it gives findings (HUB002 / HUB401 for what cannot be read) and a JSON-able summary, never a traceback."""
    name = data.draw(st.sampled_from(available_modules))
    if (name, fmt) not in _PACKED:
        _PACKED[name, fmt] = _packed(name, fmt)
    mutated = _PACKED[name, fmt]
    for step in steps:
        mutated = _mutate(mutated, step)
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / f"{name}.{fmt}"
        archive.write_bytes(mutated)
        findings, summary = lint(archive)
        assert sorted(p.name for p in Path(folder).iterdir()) == [archive.name], "nothing is extracted"
    assert all(isinstance(finding, Finding) and finding.rule_id in RULE_IDS for finding in findings)
    json.dumps(summary)
    assert summary["meta_graphs"] or any(f.rule_id in ("HUB002", "HUB401") for f in findings)
