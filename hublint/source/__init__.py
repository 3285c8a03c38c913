"""The source pass: a static check of publisher Python code.

``lint_file`` reads and parses one file, resolves its facts once
(:func:`hublint.source.facts.collect`) and lets every enabled source rule
judge them.  The pylint plugin calls :func:`check_tree` on the tree pylint
already built, so both front ends run the same rule code.

A file that builds hub modules is judged with the code it reaches in the other
files of its project (:mod:`hublint.source.project`).  A problem in another file
is reported where it is, in that file (the CLI: once per run, however many
module functions reach it; suppression comments of that file apply).  pylint
can only report on the module it checks, so the plugin reports it at the call
in the checked file that reaches it (:func:`at_entries`).
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, NamedTuple

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


class Checked(NamedTuple):
    """The findings on one file, and for each other file of the project they are in, the node of the
    checked file through which its code is reached."""

    findings: list[Finding]
    entries: Mapping[str, object]
    imports: tuple = ()  # what the file imports (project.imports_of), when its tree was read


def check_tree(tree: astroid.Module, path: str, config: Config, text: str | None = None) -> list[Finding]:
    """Findings of every enabled source rule on a parsed file (no suppression applied).

    With the file's ``text``, rules that cannot fire on it (:meth:`SourceRule.may_fire`) are skipped.
    Findings in other files of the project that the file's module code reaches are located there.
    """
    return check_module(tree, path, config, text).findings


def check_module(tree: astroid.Module, path: str, config: Config, text: str | None = None) -> Checked:
    """Like :func:`check_tree`, with the entries into the other files (for :func:`at_entries`)."""
    rules = source_rules(config, path) if text is None else _rules_that_may_fire(text, path, config)
    return _judge(tree, path, config, rules)


def _rules_that_may_fire(text: str, path: str, config: Config) -> list[SourceRule]:
    return [rule for rule in source_rules(config, path) if rule.may_fire(text, config)]


def _judge(tree: astroid.Module, path: str, config: Config, rules: list[SourceRule]) -> Checked:
    from hublint.source.facts import collect

    if not rules:
        return Checked([], {})
    facts = collect(tree, path)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(facts, config))
    return Checked(findings, facts.entries, facts.imports)


def suppress(findings: list[Finding], path: str, text: str, config: Config, report_useless: bool) -> list[Finding]:
    """``findings`` without those that ``# hublint: disable`` comments silence: the linted file's own
    comments for its findings (and HUB003 for useless ones), each other file's for the findings in it."""
    here = [finding for finding in findings if finding.location.path == path]
    result = suppression.apply(text, path, here, report_useless) if here or report_useless else []
    elsewhere: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.location.path != path:
            elsewhere.setdefault(finding.location.path, []).append(finding)
    for other, found in elsewhere.items():
        other_text = read_source(other, config.max_file_bytes)
        result.extend(found if isinstance(other_text, Unparsable) else suppression.apply(other_text, other, found, False))
    return result


def at_entries(findings: list[Finding], path: str, entries: Mapping[str, object]) -> list[Finding]:
    """Findings in other files moved to the node of ``path`` that reaches them, the message saying where
    the problem is: what a front end that reports on one file at a time (pylint) can show."""
    from hublint.source.facts import location_of

    moved = []
    for finding in findings:
        entry = entries.get(finding.location.path) if finding.location.path != path else None
        if entry is None:
            moved.append(finding)
            continue
        where = f"{finding.location.path}:{finding.location.line}"
        moved.append(dataclasses.replace(
            finding,
            location=location_of(entry, path),
            message=f"{finding.message} (in {where}, reached through {entry.as_string()[:60]})",
        ))
    return moved


def lint_text(text: str, path: str, config: Config) -> list[Finding]:
    """Lint source ``text`` as if it were the file ``path``; suppression comments apply.

    Most files of a code base (library code, utilities) spell none of the words a
    rule needs to fire; they only get CPython's syntax check, not astroid's much
    slower tree.
    """
    return _lint_text(text, path, config)[0]


def _lint_text(text: str, path: str, config: Config) -> tuple[list[Finding], tuple | None]:
    """The findings, and what the file imports when a rule may fire on it (None: no rule may)."""
    rules = _rules_that_may_fire(text, path, config)
    imports = None
    if rules:
        tree = parse_source(text, path)
        if isinstance(tree, Unparsable):
            return unparsable(path, tree, config), None
        try:
            findings, _, imports = _judge(tree, path, config, rules)
        finally:
            release(tree)
    else:
        problem = check_syntax(text, path)
        if problem is not None:
            return unparsable(path, problem, config), None
        findings = []
    findings = suppress(findings, path, text, config, config.is_enabled("HUB003", path))
    return sorted(findings), imports


def lint_file(path: str, config: Config) -> list[Finding]:
    """Lint one Python file; problems reading or parsing it become HUB001."""
    return lint_file_in_project(path, config)[0]


def lint_file_in_project(path: str, config: Config) -> tuple[list[Finding], dict[str, str | None]]:
    """Lint one Python file, and say which files of its project its findings may depend on: those it
    imports, transitively, with their content digests (:func:`hublint.source.project.imported_files`),
    when a rule may fire on it; a file no rule can fire on depends on nothing else."""
    text = read_source(path, config.max_file_bytes)
    if isinstance(text, Unparsable):
        return unparsable(path, text, config), {}
    findings, imports = _lint_text(text, path, config)
    if imports is None:
        return findings, {}
    from hublint.source.project import imported_files

    return findings, imported_files(path, imports)


def unparsable(path: str, why: Unparsable, config: Config) -> list[Finding]:
    if not config.is_enabled("HUB001", path):
        return []
    rule = registry.get_rule("HUB001")
    return [rule.finding(Location(path=path, line=why.line, column=why.column), reason=why.reason)]
