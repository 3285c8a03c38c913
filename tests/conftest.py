"""Shared fixtures: configurations, running the real CLI, the committed test modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hublint.config import Config

REPO = Path(__file__).resolve().parent.parent
EXPORTED = REPO / "tests" / "modules" / "exported"


def exported_module(name: str) -> Path:
    """A committed test module; a missing one fails the test (it is committed, so it must be there)."""
    path = EXPORTED / name
    if not path.is_dir():
        pytest.fail(f"test module {name!r} is missing (python tests/modules/build.py --only {name})")
    return path


@pytest.fixture
def make_config(tmp_path):
    """``make_config(**fields)``: a Config rooted in tmp_path with the cache off."""

    def make(**fields) -> Config:
        fields.setdefault("cache", False)
        fields.setdefault("root", str(tmp_path))
        return Config(**fields)

    return make


def run_cli(*args: str, cwd: str | os.PathLike | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``hublint`` command (as ``python -m hublint``) and capture its output."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "hublint", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def cli_findings(*args: str, cwd=None) -> tuple[int, list[dict]]:
    """Exit code and JSON findings of a CLI run."""
    done = run_cli(*args, "--format", "json", "--no-cache", cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


@pytest.fixture
def cli():
    return run_cli
