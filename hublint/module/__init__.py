"""The module pass: inspect an exported TF Hub module or SavedModel without TensorFlow.

``lint_module`` reads the module directory once (:mod:`hublint.module.reader`),
lets every enabled module rule judge it (HUB002 reports the parts that could
not be read; the other rules judge the rest) and returns the summary ``hublint show`` prints.
"""

from __future__ import annotations

import gc

from hublint import registry
from hublint.config import Config
from hublint.finding import Finding
from hublint.rule import ModuleRule

UNREADABLE = "HUB002"
#: Packaging rules (HUB401-HUB403) judge how the files are packed, module or not (an unsafe archive is never read).
PACKAGING = "HUB4"


def module_rules(config: Config, path: str | None = None) -> list[ModuleRule]:
    """The module rules enabled for ``path``."""
    return [
        rule
        for rule in registry.rules_of("module")
        if isinstance(rule, ModuleRule) and config.is_enabled(rule.id, path)
    ]


def lint_module(path: str, config: Config) -> tuple[list[Finding], dict]:
    """Findings of every enabled module rule on the module at ``path``, and its summary."""
    # The pass makes tens of thousands of small objects (protobuf wrappers, edge tuples) that all
    # die with the module; the cyclic collector would only rescan them (~6 ms on a large module).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint_module(path, config)
    finally:
        if collecting:
            gc.enable()


def _lint_module(path: str, config: Config) -> tuple[list[Finding], dict]:
    from hublint.module.reader import load_module
    from hublint.module.show import summarize

    module = load_module(path)
    findings: list[Finding] = []
    for rule in module_rules(config, path):
        # A folder that is not a module at all has nothing to judge but why it cannot be read.
        if module.format is not None or rule.id == UNREADABLE or rule.id.startswith(PACKAGING):
            findings.extend(rule.check(module, config))
    return sorted(findings), summarize(module)

