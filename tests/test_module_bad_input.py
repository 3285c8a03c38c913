"""Bad module directories never produce a traceback: each problem is one HUB002 finding
(or a structural finding), and whatever can still be read is still checked."""

from __future__ import annotations

import builtins
import json
import os

import pytest

from hublint.module.reader import MAX_SAVED_MODEL_BYTES, load_module
from tests.conftest import run_cli
from tests.module_fixtures import lint, module_copy, sparse_file


def _unreadable(path) -> list[str]:
    findings, _ = lint(path)
    return [f.message for f in findings if f.rule_id == "HUB002"]


@pytest.fixture
def opened(monkeypatch):
    """Every path the code under test opens with ``open`` (to prove big files are never read)."""
    paths: list[str] = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        paths.append(os.path.basename(os.fspath(file)) if isinstance(file, (str, os.PathLike)) else str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    return paths


def test_empty_saved_model(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").write_bytes(b"")
    assert _unreadable(path) == ["cannot read the module: saved_model.pb is empty (0 bytes)"]


def test_truncated_saved_model(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    data = (path / "saved_model.pb").read_bytes()
    (path / "saved_model.pb").write_bytes(data[: len(data) // 2])
    messages = _unreadable(path)
    assert len(messages) == 1 and "truncated or not a SavedModel protobuf" in messages[0]


def test_garbage_saved_model(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").write_bytes(b"\xff" * 64)
    messages = _unreadable(path)
    assert len(messages) == 1 and "saved_model.pb" in messages[0]


def test_unknown_module_format(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "tfhub_module.pb").write_bytes(b"\x08\x07")
    assert _unreadable(path) == [
        "cannot read the module: tfhub_module.pb declares format 7; tensorflow_hub reads only format 3"
    ]
    # The graph itself is still read and checked.
    _, summary = lint(path)
    assert summary["meta_graphs"] and summary["meta_graphs"][0]["signatures"]


def test_unknown_required_feature(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "tfhub_module.pb").write_bytes(b"\x08\x03\x12\x0bquantized_8")
    assert _unreadable(path) == [
        "cannot read the module: tfhub_module.pb requires features tensorflow_hub does not know: quantized_8"
    ]


def test_garbage_tfhub_module_pb(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "tfhub_module.pb").write_bytes(b"\x0a\xff\xff")
    messages = _unreadable(path)
    assert len(messages) == 1 and "tfhub_module.pb is not a ModuleDef" in messages[0]


def test_missing_saved_model_in_a_hub_module(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").unlink()
    assert _unreadable(path) == ["cannot read the module: no saved_model.pb: the module has no graph"]


def test_corrupt_variables_index(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "variables" / "variables.index").write_bytes(b"not a table" * 10)
    messages = _unreadable(path)
    assert len(messages) == 1 and "variables/variables.index is corrupt" in messages[0]
    findings, _ = lint(path)
    assert "HUB209" not in {f.rule_id for f in findings}, "the graph is fine and still checked"


def test_missing_variables_folder(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    for child in (path / "variables").iterdir():
        child.unlink()
    (path / "variables").rmdir()
    findings, _ = lint(path)
    assert [f.rule_id for f in findings if f.rule_id in ("HUB002", "HUB211")] == ["HUB211"]


def test_symlink_loops(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    for name in ("variables/variables.index", "saved_model.pb"):
        (path / name).unlink()
        os.symlink(path / name, path / name)  # points at itself
    loop = path / "assets" / "loop"
    os.symlink(loop, loop)
    os.symlink(path / "assets", path / "assets" / "cycle")  # a folder containing itself
    messages = _unreadable(path)
    assert any("saved_model.pb" in m and "symbolic links" in m for m in messages), messages
    assert any("variables.index" in m and "symbolic links" in m for m in messages), messages
    module = load_module(str(path))
    assert module.asset_files["loop"].size is None


def test_saved_model_that_is_a_folder(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").unlink()
    (path / "saved_model.pb").mkdir()
    assert _unreadable(path) == ["cannot read the module: saved_model.pb is not a regular file"]


def test_saved_model_that_is_a_fifo_does_not_block(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").unlink()
    os.mkfifo(path / "saved_model.pb")
    assert _unreadable(path) == ["cannot read the module: saved_model.pb is not a regular file"]


def test_2gb_saved_model_is_rejected_by_size_without_reading_it(tmp_path, opened):
    path = module_copy("dense_l2", tmp_path)
    sparse_file(path / "saved_model.pb", 2 << 30)
    opened.clear()  # only what the linter opens counts, not the test's own setup
    messages = _unreadable(path)
    assert messages == [
        f"cannot read the module: saved_model.pb is {2 << 30} bytes, above the {MAX_SAVED_MODEL_BYTES}-byte "
        "limit of a protobuf message"
    ]
    assert "saved_model.pb" not in opened


def test_2gb_data_shard_is_never_opened(tmp_path, opened):
    path = module_copy("dense_l2", tmp_path)
    shard = next((path / "variables").glob("variables.data-*"))
    sparse_file(shard, 2 << 30)
    opened.clear()
    findings, summary = lint(path)
    assert [f for f in findings if f.rule_id in ("HUB002", "HUB211")] == []
    assert summary["checkpoint"]["total_bytes"] == 2 << 30
    assert shard.name not in opened
    assert "variables.index" in opened  # the recorder does see the files that are read


def test_not_a_directory(tmp_path):
    file = tmp_path / "model.bin"
    file.write_bytes(b"\0")
    assert _unreadable(file) == ["cannot read the module: not a directory"]


def test_cli_reports_a_damaged_module_without_a_traceback(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "saved_model.pb").write_bytes(b"\x12\x05abc")  # a meta graph field cut short
    done = run_cli(str(path), "--format", "json", "--no-cache", "--select", "ALL")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
    rule_ids = [finding["rule_id"] for finding in json.loads(done.stdout)["findings"]]
    assert rule_ids.count("HUB002") == 1
