"""What a run imports: never TensorFlow, and a module-only run not even the source pass."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO, exported_module

_PROBE = """
import io, json, sys, contextlib
from hublint.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported_by(*args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args, "--no-cache"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["code"], {name.split(".")[0] for name in result["modules"]}


def test_module_run_imports_neither_tensorflow_nor_astroid():
    code, modules = imported_by(str(exported_module("dense_noreg")))
    assert code == 1  # dense_noreg has unregularized kernels
    assert "tensorflow" not in modules and "astroid" not in modules


def example_scripts() -> list[str]:
    """The shipped example scripts, without examples/module (a module brings the module pass)."""
    return [str(path) for path in sorted((REPO / "examples").glob("*.py"))]


def test_source_run_never_imports_tensorflow():
    code, modules = imported_by(*example_scripts())
    assert code == 1 and "astroid" in modules and "tensorflow" not in modules


def test_source_run_does_not_import_the_module_pass():
    _, modules = imported_by(*example_scripts())
    assert "google" not in modules  # protobuf belongs to the module pass only
