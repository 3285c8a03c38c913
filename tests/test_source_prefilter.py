"""The pre-filter that spares files the astroid tree never changes what hublint finds.

``lint_text`` only builds a tree for files that spell a word some rule needs
(:meth:`SourceRule.may_fire`); here every file is also linted the slow way,
tree and all rules, and the findings must be equal.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from hublint import suppression
from hublint.source import check_tree, lint_text, source_rules
from hublint.source.parse import parse_source, release
from tests.conftest import REPO


def _corpus() -> list[Path]:
    files = sorted((REPO / "examples").glob("*.py")) + sorted((REPO / "tests" / "modules" / "publishers").glob("*.py"))
    spec = importlib.util.find_spec("tf_slim")
    if spec and spec.origin:
        files += sorted(Path(spec.origin).parent.rglob("*.py"))
    return files


def _without_prefilter(text: str, path: str, config):
    tree = parse_source(text, path)
    try:
        findings = check_tree(tree, path, config)  # no text: every enabled rule runs
    finally:
        release(tree)
    return sorted(suppression.apply(text, path, findings, config.is_enabled("HUB003", path)))


@pytest.mark.parametrize("scope", ["module", "all"])
def test_prefilter_finds_exactly_what_the_full_pass_finds(scope, make_config):
    config = make_config(select=("ALL",), scope=scope)
    files = _corpus()
    assert len(files) > 20
    skipped = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if not any(rule.may_fire(text, config) for rule in source_rules(config)):
            skipped += 1
        assert lint_text(text, str(path), config) == _without_prefilter(text, str(path), config), path
    if scope == "module" and len(files) > 100:
        assert skipped > len(files) // 2, "the pre-filter should spare most library files"
