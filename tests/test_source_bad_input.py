"""Bad source input never costs the run: each bad file is one HUB001 finding, no traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import run_cli

GOOD = "import tensorflow.compat.v1 as tf\nx = tf.constant(1.0)\n"


def lint_tree(folder, *extra):
    done = run_cli(str(folder), "--format", "json", "--no-cache", *extra)
    assert "Traceback" not in done.stderr, done.stderr
    document = json.loads(done.stdout)
    return done, document


def unparsable(document) -> dict[str, str]:
    """file name -> HUB001 message"""
    return {
        os.path.basename(f["path"]): f["message"] for f in document["findings"] if f["rule_id"] == "HUB001"
    }


BAD_FILES = {
    "syntax.py": (b"def module_fn(:\n    pass\n", "syntax error"),
    "python2.py": (b'print "exporting"\n', "Python 2 code?"),
    "latin1_undeclared.py": (b'name = "caf\xe9"\n', "not valid UTF-8"),
    "bad_cookie.py": (b"# -*- coding: klingon -*-\nx = 1\n", "encoding"),
    "nul.py": (b"x = 1\x00\n", "NUL bytes"),
    "deep_parens.py": (b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", "nest"),
    "deep_unary.py": (b"x = " + b"-" * 200000 + b"1\n", "nested too deeply"),
    "deep_binop.py": (b"x = " + b"+".join([b"1"] * 100000) + b"\n", "nested too deeply"),
}


def test_each_bad_file_is_one_finding_and_the_run_goes_on(tmp_path):
    for name, (data, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "declared_latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    done, document = lint_tree(tmp_path)
    found = unparsable(document)
    for name, (_, expected) in BAD_FILES.items():
        assert expected in found.get(name, ""), (name, found.get(name))
    assert "good.py" not in found and "declared_latin1.py" not in found
    assert document["summary"]["files"] == len(BAD_FILES) + 2
    assert done.returncode == 1  # HUB001 is an error


def test_links_that_go_nowhere(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    os.symlink(tmp_path / "missing.py", tmp_path / "broken.py")
    os.symlink(tmp_path / "loop.py", tmp_path / "loop.py")
    loop_dir = tmp_path / "pkg"
    loop_dir.mkdir()
    os.symlink(tmp_path, loop_dir / "back_to_top")  # a folder loop must not hang the walk
    done, document = lint_tree(tmp_path)
    found = unparsable(document)
    assert "No such file or directory" in found["broken.py"]
    assert "symbolic links" in found["loop.py"]
    assert "good.py" not in found


def test_fifo_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    _, document = lint_tree(tmp_path)
    assert "not a regular file" in unparsable(document)["pipe.py"]


def test_huge_file_is_refused_by_size_without_parsing(tmp_path):
    line = b"x = [" + b"1, " * 30 + b"]\n"
    with open(tmp_path / "huge.py", "wb") as handle:
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    (tmp_path / "good.py").write_text(GOOD)
    _, document = lint_tree(tmp_path)
    found = unparsable(document)
    assert "too large" in found["huge.py"] and "max-file-bytes" in found["huge.py"]
    assert "good.py" not in found


def test_missing_path_on_the_command_line(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    done, document = lint_tree(tmp_path, str(tmp_path / "nothere.py"))
    assert unparsable(document) == {"nothere.py": "cannot lint this file: no such file or directory"}
    assert document["summary"]["files"] == 1


def _as_unprivileged(command: list[str]) -> list[str]:
    """Root reads everything; a user namespace takes that power away for the test."""
    if os.geteuid() != 0:
        return command
    if not shutil.which("unshare"):
        pytest.skip("running as root without unshare: cannot make a file unreadable")
    return ["unshare", "--user", *command]


def test_unreadable_file_and_folder(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    secret = tmp_path / "secret.py"
    secret.write_text(GOOD)
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "inside.py").write_text(GOOD)
    secret.chmod(0)
    closed.chmod(0)
    try:
        command = _as_unprivileged([sys.executable, "-m", "hublint", str(tmp_path), "--format", "json", "--no-cache"])
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "NO_COLOR": "1"})
    finally:
        secret.chmod(0o644)
        closed.chmod(0o755)
    assert "Traceback" not in done.stderr, done.stderr
    found = unparsable(json.loads(done.stdout))
    assert "Permission denied" in found["secret.py"]
    assert "cannot read directory: Permission denied" in found["closed"]
    assert "good.py" not in found
