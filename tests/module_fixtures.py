"""Shared helpers of the module-pass tests: copy a real exported module, damage it, lint it.

Every test starts from a module the real TF 2.15.1 / tensorflow-hub 0.15.0
toolchain exported (``tests/modules/exported/<name>``), copies it into the
test's tmp_path and changes exactly what the test is about.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hublint.config import Config
from hublint.module import lint_module, proto
from tests.conftest import exported_module

TOOLCHAIN_PYTHON = Path.home() / ".cache" / "hublint" / "tf-toolchain" / "bin" / "python"


def module_copy(name: str, tmp_path: Path) -> Path:
    """A private copy of committed test module ``name`` (skips the test while it is not built)."""
    source = exported_module(name)
    target = tmp_path / name
    shutil.copytree(source, target, symlinks=True)
    return target


def all_rules_config(**fields) -> Config:
    fields.setdefault("select", ("ALL",))
    fields.setdefault("cache", False)
    return Config(**fields)


def lint(path: os.PathLike | str, **fields):
    """``(findings, summary)`` of the module at ``path`` with every rule enabled."""
    return lint_module(str(path), all_rules_config(**fields))


def findings_of(path: os.PathLike | str, rule_id: str, **fields) -> list:
    findings, _ = lint(path, **fields)
    return [finding for finding in findings if finding.rule_id == rule_id]


def read_saved_model(path: Path):
    return proto.SavedModel.FromString((path / "saved_model.pb").read_bytes())


def write_saved_model(path: Path, saved_model) -> None:
    (path / "saved_model.pb").write_bytes(saved_model.SerializeToString())


def edit_saved_model(path: Path, edit) -> None:
    """Apply ``edit(saved_model)`` to the module's saved_model.pb in place."""
    saved_model = read_saved_model(path)
    edit(saved_model)
    write_saved_model(path, saved_model)


def node(meta_graph_def, name: str):
    """The NodeDef called ``name`` of a MetaGraphDef (fails the test when there is none)."""
    for candidate in meta_graph_def.graph_def.node:
        if candidate.name == name:
            return candidate
    raise AssertionError(f"no node {name!r} in the graph")


def sparse_file(path: Path, size: int) -> None:
    """A file of ``size`` bytes that takes no disk space (a hole)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
