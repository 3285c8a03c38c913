"""The rule registry: every rule hublint knows, looked up by id or name.

Ids are unique.  A name is unique within a pass, but the same concern checked
by both passes carries the same name (RULES.md: HUB103 and HUB203 are both
``dropout-rate-range``), so ``--ignore dropout-rate-range`` silences the
concern wherever hublint checks it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Iterable

from hublint.rule import Rule, iter_rule_classes


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, one instance each, sorted by id."""
    import hublint.module.rules
    import hublint.source.rules

    rules: list[Rule] = []
    for package in (hublint.source.rules, hublint.module.rules):
        rules.extend(cls() for cls in iter_rule_classes(package))
    rules.sort(key=lambda rule: rule.id)
    _check_unique(rules)
    return tuple(rules)


def _check_unique(rules: Iterable[Rule]) -> None:
    ids: dict[str, Rule] = {}
    names: dict[tuple[str, str], Rule] = {}
    for rule in rules:
        # Duplicates are hublint bugs, caught by the test suite.
        if rule.id in ids:
            raise RuntimeError(f"duplicate rule id {rule.id}")
        pass_of = "module" if rule.kind == "module" else "source"
        if (pass_of, rule.name) in names:
            raise RuntimeError(f"rule name {rule.name!r} used twice in the {pass_of} pass "
                               f"({names[pass_of, rule.name].id} and {rule.id})")
        ids[rule.id] = rule
        names[pass_of, rule.name] = rule


@functools.cache
def _by_key() -> dict[str, tuple[Rule, ...]]:
    table: dict[str, list[Rule]] = defaultdict(list)
    for rule in all_rules():
        table[rule.id.upper()].append(rule)
        table[rule.name.lower()].append(rule)
    return {key: tuple(rules) for key, rules in table.items()}


def get_rules(key: str) -> tuple[Rule, ...]:
    """The rules an id (``HUB102``) or a name (``dropout-rate-range``: HUB103 and HUB203) denotes."""
    key = key.strip()
    return _by_key().get(key.upper()) or _by_key().get(key.lower()) or ()


def get_rule(rule_id: str) -> Rule | None:
    """The rule with id ``rule_id`` (or a name that only one rule has)."""
    rules = get_rules(rule_id)
    return rules[0] if len(rules) == 1 else None


def expand(selectors: Iterable[str]) -> set[str]:
    """Rule ids matched by ids, names, id prefixes (``HUB1``) or ``ALL``.

    Raises ``ValueError`` naming the first selector that matches nothing, so a
    typo in ``--select`` is an error, not a silent no-op.
    """
    ids: set[str] = set()
    for selector in selectors:
        selector = selector.strip()
        if not selector:
            continue
        rules = get_rules(selector)
        if rules:
            ids.update(rule.id for rule in rules)
            continue
        upper = selector.upper()
        matched = {r.id for r in all_rules() if upper == "ALL" or r.id.startswith(upper)}
        if not matched:
            raise ValueError(f"unknown rule or prefix {selector!r}")
        ids |= matched
    return ids
