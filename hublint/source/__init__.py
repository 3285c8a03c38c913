"""The source pass: a static check of publisher Python code.

``lint_file`` reads and parses one file, resolves its facts once
(:func:`hublint.source.facts.collect`) and lets every enabled source rule
judge them.  The pylint plugin calls :func:`check_tree` on the tree pylint
already built, so both front ends run the same rule code.
"""

from __future__ import annotations

import astroid

from hublint import registry, suppression
from hublint.config import Config
from hublint.finding import Finding, Location
from hublint.rule import SourceRule
from hublint.source.parse import Unparsable, check_syntax, parse_source, read_source, release


def source_rules(config: Config, path: str | None = None) -> list[SourceRule]:
    """The source rules enabled for ``path``."""
    return [
        rule
        for rule in registry.rules_of("source")
        if isinstance(rule, SourceRule) and config.is_enabled(rule.id, path)
    ]


def check_tree(tree: astroid.Module, path: str, config: Config, text: str | None = None) -> list[Finding]:
    """Findings of every enabled source rule on a parsed file (no suppression applied).

    With the file's ``text``, rules that cannot fire on it (:meth:`SourceRule.may_fire`) are skipped.
    """
    rules = source_rules(config, path) if text is None else _rules_that_may_fire(text, path, config)
    return _judge(tree, path, config, rules)


def _rules_that_may_fire(text: str, path: str, config: Config) -> list[SourceRule]:
    return [rule for rule in source_rules(config, path) if rule.may_fire(text, config)]


def _judge(tree: astroid.Module, path: str, config: Config, rules: list[SourceRule]) -> list[Finding]:
    from hublint.source.facts import collect

    if not rules:
        return []
    facts = collect(tree, path)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(facts, config))
    return findings


def lint_text(text: str, path: str, config: Config) -> list[Finding]:
    """Lint source ``text`` as if it were the file ``path``; suppression comments apply.

    Most files of a code base (library code, utilities) spell none of the words a
    rule needs to fire; they only get CPython's syntax check, not astroid's much
    slower tree.
    """
    rules = _rules_that_may_fire(text, path, config)
    if rules:
        tree = parse_source(text, path)
        if isinstance(tree, Unparsable):
            return unparsable(path, tree, config)
        try:
            findings = _judge(tree, path, config, rules)
        finally:
            release(tree)
    else:
        problem = check_syntax(text, path)
        if problem is not None:
            return unparsable(path, problem, config)
        findings = []
    findings = suppression.apply(text, path, findings, config.is_enabled("HUB003", path))
    return sorted(findings)


def lint_file(path: str, config: Config) -> list[Finding]:
    """Lint one Python file; problems reading or parsing it become HUB001."""
    text = read_source(path, config.max_file_bytes)
    if isinstance(text, Unparsable):
        return unparsable(path, text, config)
    return lint_text(text, path, config)


def unparsable(path: str, why: Unparsable, config: Config) -> list[Finding]:
    if not config.is_enabled("HUB001", path):
        return []
    rule = registry.get_rule("HUB001")
    return [rule.finding(Location(path=path, line=why.line, column=why.column), reason=why.reason)]
