"""The pre-commit hooks, end to end with the real ``pre-commit``: a bad file fails the hook, a good one passes.

The hook repository is a commit of the current tree (pre-commit installs hooks from a commit), made
once and shared, with pre-commit's home, by every test here and by both xdist workers: the first
test pays for the hook's virtualenv, the others reuse it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hublint import registry
from tests.conftest import EXPORTED, REPO

PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
if PRE_COMMIT is None:
    pytest.skip("pre-commit is not installed (pip install pre-commit)", allow_module_level=True)

BAD = "import tensorflow.compat.v1 as tf\n\n\ndef module_fn(:\n    pass\n"
GOOD = "import tensorflow.compat.v1 as tf\n\nKEEP_PROB = 0.8\n"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "hublint tests", "GIT_AUTHOR_EMAIL": "tests@hublint.invalid",
    "GIT_COMMITTER_NAME": "hublint tests", "GIT_COMMITTER_EMAIL": "tests@hublint.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **GIT_ENV, "HOME": str(cwd)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A folder every xdist worker of this session sees (the parent of the per-worker temp roots)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="module")
def hook_repo(shared) -> tuple[Path, str]:
    """(path, commit) of a git repository holding the installable part of the current tree."""
    target = shared / "hublint-hook-repo"
    with open(shared / "hublint-hook-repo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".git").is_dir():
            files = git("ls-files", "-co", "--exclude-standard", "--", "hublint", "pyproject.toml", "README.md",
                        ".pre-commit-hooks.yaml", cwd=REPO).splitlines()
            for name in files:
                source = REPO / name
                if source.is_file() and "__pycache__" not in name:
                    (target / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target / name)
            git("init", "-q", cwd=target)
            git("add", ".", cwd=target)
            git("commit", "-q", "-m", "hublint under test", cwd=target)
        return target, git("rev-parse", "HEAD", cwd=target)


@pytest.fixture
def project(tmp_path, hook_repo, shared):
    """A git repository that uses both hooks; returns a function running pre-commit in it."""
    path, rev = hook_repo
    git("init", "-q", cwd=tmp_path)
    (tmp_path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n      - id: hublint\n      - id: hublint-module\n"
    )
    env = {**os.environ, **GIT_ENV, "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(shared / "pre-commit-home"),
           "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}

    def pre_commit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([PRE_COMMIT, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=900)

    pre_commit.path = tmp_path
    pre_commit.env = env
    return pre_commit


def test_python_hook_fails_on_a_bad_file_and_passes_a_good_one(project):
    (project.path / "bad.py").write_text(BAD)
    (project.path / "good.py").write_text(GOOD)
    git("add", ".", cwd=project.path)
    failed = project("run", "hublint", "--files", "bad.py")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "bad.py:4:" in output and "HUB001 source-unparsable [error]" in output
    passed = project("run", "hublint", "--files", "good.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_installed_hook_blocks_a_commit(project):
    installed = project("install")
    assert installed.returncode == 0, installed.stderr
    (project.path / "bad.py").write_text(BAD)
    git("add", "bad.py", cwd=project.path)
    commit = subprocess.run(["git", "commit", "-q", "-m", "bad"], cwd=project.path, env=project.env,
                            capture_output=True, text=True, timeout=900)
    assert commit.returncode != 0
    assert "HUB001" in commit.stdout + commit.stderr
    (project.path / "bad.py").write_text(GOOD)
    git("add", "bad.py", cwd=project.path)
    commit = subprocess.run(["git", "commit", "-q", "-m", "fixed"], cwd=project.path, env=project.env,
                            capture_output=True, text=True, timeout=900)
    assert commit.returncode == 0, commit.stdout + commit.stderr


def test_module_hook_lints_the_folder_of_a_changed_saved_model(project):
    broken = project.path / "export" / "broken_module"
    broken.mkdir(parents=True)
    (broken / "saved_model.pb").write_bytes(b"\xff\xff\xff not a protobuf")
    git("add", ".", cwd=project.path)
    failed = project("run", "hublint-module", "--files", "export/broken_module/saved_model.pb")
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert "export/broken_module" in output and "HUB002" in output
    # Python files are not the module hook's business, nor .pb files under other names.
    (project.path / "bad.py").write_text(BAD)
    (project.path / "export" / "other.pb").write_bytes(b"\xff")
    git("add", ".", cwd=project.path)
    skipped = project("run", "hublint-module", "--files", "bad.py", "export/other.pb")
    assert skipped.returncode == 0 and "no files to check" in skipped.stdout.lower(), skipped.stdout


def test_module_hook_passes_a_clean_module(project):
    clean = sorted({m for r in registry.all_rules() for m in getattr(r, "good_modules", ())}
                   - {m for r in registry.all_rules() for m in getattr(r, "bad_modules", ())})
    built = [name for name in clean if (EXPORTED / name).is_dir()]
    assert built, "no clean test module is committed under tests/modules/exported"
    shutil.copytree(EXPORTED / built[0], project.path / "model")
    git("add", ".", cwd=project.path)
    passed = project("run", "hublint-module", "--files", "model/saved_model.pb")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
