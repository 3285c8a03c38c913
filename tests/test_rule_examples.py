"""Every rule's own examples are its first tests: ``bad`` fires, ``good`` does not.

Source and core rules lint their code examples; module rules lint the real
exported modules they name in ``bad_modules`` / ``good_modules``.
"""

from __future__ import annotations

import re

import pytest

from hublint import registry
from hublint.module import lint_module
from hublint.rule import ModuleRule
from hublint.source import lint_text
from tests.conftest import exported_module

RULES = registry.all_rules()
# HUB005 judges a baseline file, not code: its stories are in tests/test_baseline.py.
CODE_RULES = [rule for rule in RULES if not isinstance(rule, ModuleRule) and rule.id != "HUB005"]
MODULE_RULES = [rule for rule in RULES if isinstance(rule, ModuleRule)]


def _cases(rules, attribute):
    return [
        pytest.param(rule, index, id=f"{rule.id}-{attribute}{index}")
        for rule in rules
        for index in range(len(getattr(rule, attribute)))
    ]


@pytest.fixture
def all_rules_config(make_config):
    return make_config(select=("ALL",))


def _ids(findings) -> list[str]:
    return [finding.rule_id for finding in findings]


@pytest.mark.parametrize("rule, index", _cases(CODE_RULES, "bad"))
def test_bad_example_fires(rule, index, all_rules_config):
    findings = lint_text(rule.bad[index], "example.py", all_rules_config)
    assert rule.id in _ids(findings), f"{rule.id} did not fire on its bad example:\n{rule.bad[index]}"


@pytest.mark.parametrize("rule, index", _cases(CODE_RULES, "good"))
def test_good_example_is_clean(rule, index, all_rules_config):
    findings = lint_text(rule.good[index], "example.py", all_rules_config)
    assert rule.id not in _ids(findings), [f.message for f in findings if f.rule_id == rule.id]


@pytest.mark.parametrize("rule, index", _cases(MODULE_RULES, "bad_modules"))
def test_bad_module_fires(rule, index, all_rules_config):
    path = exported_module(rule.bad_modules[index])
    findings, _ = lint_module(str(path), all_rules_config)
    assert rule.id in _ids(findings), f"{rule.id} did not fire on {path}"


@pytest.mark.parametrize("rule, index", _cases(MODULE_RULES, "good_modules"))
def test_good_module_is_clean(rule, index, all_rules_config):
    path = exported_module(rule.good_modules[index])
    findings, _ = lint_module(str(path), all_rules_config)
    assert rule.id not in _ids(findings), [f.message for f in findings if f.rule_id == rule.id]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_is_documented(rule):
    assert re.fullmatch(r"HUB\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), "names are kebab-case"
    for text in (rule.summary, rule.rationale, rule.message):
        assert text and text.strip() == text
    if isinstance(rule, ModuleRule):
        assert rule.bad_modules or rule.bad, f"{rule.id} has no example of what it flags"
    else:
        assert rule.bad and rule.good, f"{rule.id} needs bad and good examples"


def test_ids_are_unique_and_names_unique_within_a_pass():
    ids = [rule.id for rule in RULES]
    assert len(set(ids)) == len(ids)
    for kind in (("source", "core"), ("module",)):
        names = [rule.name for rule in RULES if rule.kind in kind]
        assert len(set(names)) == len(names), kind


def test_a_concern_checked_by_both_passes_shares_its_name():
    from hublint.registry import get_rules

    assert {rule.id for rule in get_rules("dropout-rate-range")} == {"HUB103", "HUB203"}
    assert {rule.id for rule in get_rules("batchnorm-momentum-high")} == {"HUB105", "HUB205"}


def test_rule_ids_match_their_file_names():
    from hublint.docs import source_file

    for rule in RULES:
        assert source_file(rule).rsplit("/", 1)[-1].startswith(rule.id.lower() + "_"), source_file(rule)
