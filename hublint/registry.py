"""The rule registry: every rule hublint knows, looked up by id or name.

Ids are unique.  A name is unique within a pass, but the same concern checked
by both passes carries the same name (RULES.md: HUB103 and HUB203 are both
``dropout-rate-range``), so ``--ignore dropout-rate-range`` silences the
concern wherever hublint checks it.

Rules are imported one pass at a time, on first use: a run over modules only
never imports the source pass (astroid and all), which is a third of the
start-up time of ``hublint ./module``.
"""

from __future__ import annotations

import functools
import importlib
from typing import Callable, Iterable

from hublint.rule import Rule, iter_rule_classes

#: pass -> the package holding its rules; the core rules HUB001/HUB003 live with the source pass.
PACKAGES = {"module": "hublint.module.rules", "source": "hublint.source.rules",
            "dynamic": "hublint.dynamic.rules"}


_LOADED: dict[str, tuple[Rule, ...]] = {}  # an import cache, like functools.cache


def rules_of(pass_name: str) -> tuple[Rule, ...]:
    """The rules in the package of ``pass_name``, one instance each, sorted by id."""
    if pass_name not in _LOADED:
        package = importlib.import_module(PACKAGES[pass_name])
        rules = tuple(cls() for cls in iter_rule_classes(package))
        names: dict[str, str] = {}
        for rule in rules:
            if rule.name in names:  # a hublint bug, caught by the test suite
                raise RuntimeError(f"rule name {rule.name!r} used twice in the {pass_name} pass "
                                   f"({names[rule.name]} and {rule.id})")
            names[rule.name] = rule.id
        _LOADED[pass_name] = rules
    return _LOADED[pass_name]


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule of every pass, sorted by id."""
    rules = sorted((rule for name in PACKAGES for rule in rules_of(name)), key=lambda rule: rule.id)
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"duplicate rule ids: {sorted(i for i in set(ids) if ids.count(i) > 1)}")
    return tuple(rules)


def _find(predicate: Callable[[Rule], bool]) -> tuple[Rule, ...]:
    """Rules matching ``predicate``: the passes already imported first, then the others one by one."""
    for name in sorted(PACKAGES, key=lambda name: name not in _LOADED):
        found = tuple(rule for rule in rules_of(name) if predicate(rule))
        if found:
            return found
    return ()


def matches(selector: str, rule: Rule) -> bool:
    """Whether ``selector`` (id, name, id prefix such as ``HUB2``, or ``ALL``) selects ``rule``."""
    selector = selector.strip()
    upper = selector.upper()
    return upper == "ALL" or rule.id.startswith(upper) or rule.name == selector.lower()


def get_rules(key: str) -> tuple[Rule, ...]:
    """The rules an id (``HUB102``) or a name (``dropout-rate-range``: HUB103 and HUB203) denotes."""
    key = key.strip()
    by_id = _find(lambda rule: rule.id == key.upper())
    return by_id or tuple(rule for rule in all_rules() if rule.name == key.lower())


def get_rule(rule_id: str) -> Rule | None:
    """The rule with id ``rule_id`` (or a name that only one rule has)."""
    rules = get_rules(rule_id)
    return rules[0] if len(rules) == 1 else None


def validate(selectors: Iterable[str]) -> None:
    """Raise ``ValueError`` naming the first selector that selects no rule (a typo is an error)."""
    for selector in selectors:
        if selector.strip() and not _find(lambda rule: matches(selector, rule)):
            raise ValueError(f"unknown rule or prefix {selector.strip()!r}")
