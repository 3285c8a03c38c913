"""The committed test modules are what the real toolchain makes.

Rebuilds every module from its publisher script with the real TF Hub toolchain
(tensorflow-cpu 2.15.1 + tensorflow-hub 0.15.0, in its own virtual environment)
and checks that hublint finds exactly the same on the rebuilt modules as on
the committed ones: the test modules in tests/modules/exported/ and the example
modules build.py lists in EXAMPLE_MODULES (examples/module/).  It takes minutes
(installing TensorFlow), so it runs when HUBLINT_REBUILD_MODULES=1 —
scripts/check.sh, and so CI, sets it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hublint.config import Config
from hublint.module import lint_module
from tests.conftest import EXPORTED, REPO

pytestmark = pytest.mark.skipif(
    os.environ.get("HUBLINT_REBUILD_MODULES") != "1",
    reason="rebuilding modules installs TensorFlow; set HUBLINT_REBUILD_MODULES=1 (scripts/check.sh does)",
)


def example_modules() -> dict[str, Path]:
    """build.py's example modules (examples/module/, ...): target name -> committed folder."""
    spec = importlib.util.spec_from_file_location("hublint_build", REPO / "tests" / "modules" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return {name: Path(folder) for name, (_, folder) in build.EXAMPLE_MODULES.items()}


def comparable(module_dir) -> list[tuple]:
    config = Config(select=("ALL",), cache=False, max_constant_bytes=64 * 1024)
    findings, _ = lint_module(str(module_dir), config)
    prefix = str(module_dir)
    return sorted(
        (f.rule_id, f.location.tag_set, f.location.node, f.message.replace(prefix, "<module>"))
        for f in findings
    )


def test_rebuilt_modules_have_the_same_findings(tmp_path):
    out = tmp_path / "exported"
    done = subprocess.run(
        [sys.executable, str(REPO / "tests" / "modules" / "build.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=3600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    committed = {p.name: p for p in EXPORTED.iterdir() if p.is_dir()}
    examples = example_modules()
    assert examples and not set(examples) & set(committed)
    assert all(folder.is_dir() for folder in examples.values()), "an example module is not committed"
    committed.update(examples)
    rebuilt = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert committed and rebuilt == sorted(committed)
    for name, folder in sorted(committed.items()):
        assert comparable(out / name) == comparable(folder), name
