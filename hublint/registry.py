"""The rule registry: every rule hublint knows, looked up by id or name."""

from __future__ import annotations

import functools
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
    seen: dict[str, str] = {}
    for rule in rules:
        for key in (rule.id, rule.name):
            if key in seen:  # a hublint bug, caught by the test suite
                raise RuntimeError(f"duplicate rule key {key!r} ({seen[key]} and {rule.id})")
            seen[key] = rule.id


@functools.cache
def _by_key() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in all_rules():
        table[rule.id.upper()] = rule
        table[rule.name.lower()] = rule
    return table


def get_rule(key: str) -> Rule | None:
    """The rule whose id (``HUB102``) or name (``missing-kernel-regularizer``) is ``key``."""
    return _by_key().get(key.upper()) or _by_key().get(key.lower())


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
        rule = get_rule(selector)
        if rule is not None:
            ids.add(rule.id)
            continue
        upper = selector.upper()
        matched = {r.id for r in all_rules() if upper == "ALL" or r.id.startswith(upper)}
        if not matched:
            raise ValueError(f"unknown rule or prefix {selector!r}")
        ids |= matched
    return ids
