"""Many modules: ``--manifest`` lists what to lint, ``--jobs`` lints modules in parallel,
``--format jsonl`` streams one object per file or module, a progress bar only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys

import jsonschema
import pytest

from tests.conftest import REPO, exported_module, run_cli

SCHEMA = json.loads((REPO / "docs" / "json-schema-v1.json").read_text(encoding="utf-8"))
LINE = jsonschema.Draft202012Validator(SCHEMA).evolve(schema=SCHEMA["$defs"]["jsonl_line"])

MODULES = ("dense_noreg", "dense_l2", "tf2_bare", "optimizer_slots_missing", "text_embedding")


@pytest.fixture
def catalogue(tmp_path):
    """Five committed modules and a publisher file under ``catalogue/``, listed by ``lists/manifest.txt``."""
    for name in MODULES:
        shutil.copytree(exported_module(name), tmp_path / "catalogue" / name)
    (tmp_path / "catalogue" / "broken.py").write_text("def f(:\n")
    (tmp_path / "lists").mkdir()
    lines = ["# the catalogue, relative to this file", ""]
    lines += [f"../catalogue/{name}  # a module" for name in MODULES]
    lines += ["", "../catalogue/broken.py"]
    (tmp_path / "lists" / "manifest.txt").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_jsonl_has_one_valid_object_per_target_then_a_summary(catalogue):
    done = run_cli("--manifest", "lists/manifest.txt", "--no-cache", "--format", "jsonl", cwd=catalogue)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    for item in objects:
        LINE.validate(item)  # docs/json-schema-v1.json, $defs/jsonl_line
    targets, summary = objects[:-1], objects[-1]
    # Relative to the manifest's folder, normalized.
    assert sorted(t["path"] for t in targets) == sorted(["catalogue/broken.py"] + [f"catalogue/{n}" for n in MODULES])
    kinds = {t["path"]: t["kind"] for t in targets}
    assert kinds["catalogue/broken.py"] == "source" and kinds["catalogue/dense_noreg"] == "module"
    assert summary["type"] == "summary" and summary["modules"] == 5 and summary["files"] == 1
    assert summary["findings"] == sum(len(t["findings"]) for t in targets)
    by_path = {t["path"]: t for t in targets}
    assert by_path["catalogue/dense_l2"]["findings"] == []
    assert {f["rule_id"] for f in by_path["catalogue/broken.py"]["findings"]} == {"HUB001"}
    assert by_path["catalogue/dense_noreg"]["by_severity"]["warning"] == 3


def test_not_a_terminal_no_progress_bar(catalogue):
    done = run_cli("--manifest", "lists/manifest.txt", "--no-cache", "--format", "jsonl", cwd=catalogue)
    assert done.stderr == ""


def test_a_terminal_gets_a_progress_bar_on_stderr(catalogue):
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "hublint", "--manifest", "lists/manifest.txt", "--no-cache",
                               "--format", "json"], cwd=catalogue, stdout=subprocess.PIPE, stderr=terminal,
                              timeout=300, env={**os.environ, "NO_COLOR": "1"})
        os.close(terminal)
        terminal = None
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if terminal is not None:
            os.close(terminal)
        os.close(controller)
    assert done.returncode == 1
    assert b"6/6 files and modules" in shown and b"[" + b"#" * 30 + b"]" in shown
    json.loads(done.stdout)  # the report on stdout is untouched by the bar


def test_parallel_modules_give_the_same_report(catalogue):
    args = ("--manifest", "lists/manifest.txt", "--no-cache", "--format", "json")
    serial = run_cli(*args, "--jobs", "1", cwd=catalogue)
    parallel = run_cli(*args, "--jobs", "3", cwd=catalogue)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout


def test_manifest_paths_add_to_command_line_paths(catalogue):
    (catalogue / "lists" / "one.txt").write_text("../catalogue/dense_l2\n")
    done = run_cli("catalogue/broken.py", "--manifest", "lists/one.txt", "--no-cache", "--format", "json",
                   cwd=catalogue)
    summary = json.loads(done.stdout)["summary"]
    assert (summary["files"], summary["modules"]) == (1, 1)


def test_missing_entries_and_manifests(catalogue):
    (catalogue / "lists" / "gone.txt").write_text("../catalogue/no_such_module\n")
    done = run_cli("--manifest", "lists/gone.txt", "--no-cache", "--format", "jsonl", cwd=catalogue)
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert objects[0]["kind"] == "other" and objects[0]["findings"][0]["rule_id"] == "HUB001"
    done = run_cli("--manifest", "lists/absent.txt", cwd=catalogue)
    assert done.returncode == 2 and "cannot read manifest" in done.stderr and "Traceback" not in done.stderr


def test_the_stream_leaves_out_what_the_baseline_holds(catalogue):
    args = ("--manifest", "lists/manifest.txt", "--no-cache")
    assert run_cli(*args, "--write-baseline", "b.json", cwd=catalogue).returncode == 0
    (catalogue / "catalogue" / "new.py").write_text("def g(:\n")
    (catalogue / "lists" / "manifest.txt").write_text(
        (catalogue / "lists" / "manifest.txt").read_text() + "../catalogue/new.py\n")
    done = run_cli(*args, "--format", "jsonl", "--baseline", "b.json", cwd=catalogue)
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    with_findings = {o["path"]: [f["rule_id"] for f in o["findings"]] for o in objects[:-1] if o["findings"]}
    assert with_findings == {"catalogue/new.py": ["HUB001"]}
    assert objects[-1]["findings"] == 1 and len(objects) == 8


def test_manifest_lines(tmp_path):
    from hublint import manifest

    (tmp_path / "m.txt").write_text(
        "# a comment\n\n  mods/a  \nmods/b   # why b\nmods/c#3\n/abs/module\nhttps://example.org/m.tar.gz\n  # indented\n")
    base = str(tmp_path)
    assert manifest.read(str(tmp_path / "m.txt")) == [
        f"{base}/mods/a", f"{base}/mods/b", f"{base}/mods/c#3", "/abs/module", "https://example.org/m.tar.gz"]
