"""hublint's source rules as pylint messages.

    pylint --load-plugins=hublint.pylint_plugin src/

The plugin runs the very rule code of ``hublint`` (:func:`hublint.source.check_tree`)
on the astroid tree pylint has already built, then applies ``# hublint: disable=``
comments (:func:`hublint.source.suppress`), so a file gives the same findings in
both front ends.  ``# pylint: disable=missing-kernel-regularizer`` (or ``=W9102``)
works too: pylint filters the messages itself.

Other files of the project
    A module function's code in another file of the project (``from nets import
    tower``) is judged as the CLI judges it.  pylint reports only on the module it
    checks, so a problem there is reported at the call in the checked file that
    reaches it, the message saying where it is: ``... (in nets/tower.py:5, reached
    through tower(x))``.  The ``# hublint: disable`` comments of that file apply.

Message ids
    ``HUB1nn`` becomes ``<C>91nn`` and ``HUB0nn`` becomes ``<C>99nn``, where the
    category ``<C>`` is the rule's severity: error ``E``, warning ``W``, info ``I``
    (pylint does not count ``I`` messages in its exit status, just as hublint does not
    fail on info findings by default).  So HUB102 is ``W9102``, HUB104 ``E9104``,
    HUB110 ``I9110``, HUB001 ``E9901``.  pylint wants one two-digit checker id per
    checker; 91 holds the source rules, 99 hublint's own messages (90 is taken by
    pylint's docparams extension).  A rule whose findings differ in severity has one
    message per severity: HUB108 is ``E9108`` (no signature at all) and ``W9108`` (only
    named signatures, or no ``default`` output).
Symbols
    The rule names (``missing-kernel-regularizer``).  A name pylint already uses gets
    a ``hublint-`` prefix: HUB003 is ``hublint-useless-suppression``.  A rule's message
    at another severity than its default gets the severity as suffix:
    ``signature-missing-warning``.  ``# hublint: disable=HUB108`` covers both.
Which rules run
    pylint decides: a rule runs when its message is enabled (``--enable`` /
    ``--disable``; rules that hublint keeps off by default start disabled).
    ``ignore`` and ``per-file-ignores`` from ``[tool.hublint]`` still apply.
Syntax errors
    pylint reports a file it cannot parse as its own ``syntax-error`` (E0001) and
    never hands it to plugins; that is hublint's HUB001 under pylint.  HUB001 itself
    is reported only when the resolution gives up on a tree nested too deeply.
Configuration
    Thresholds and scope come from the nearest ``pyproject.toml`` with a
    ``[tool.hublint]`` table (or ``--hublint-config``); the ``--hublint-*`` options
    below override them.  A broken ``[tool.hublint]`` is reported as pylint's
    ``config-parse-error`` (F0011) and hublint's rules skip that file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from astroid import nodes
from pylint.checkers import BaseChecker

from hublint import registry
from hublint.config import Config, ConfigError, load
from hublint.finding import Finding, Location, Severity
from hublint.rule import CoreRule, Rule, SourceRule
from hublint.source import at_entries, check_module, suppress
from hublint.source.parse import Unparsable, decode_source

if TYPE_CHECKING:  # pragma: no cover
    from pylint.lint import PyLinter

CHECKER_NAME = "hublint"
_CATEGORY = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}
_CHECKER_ID = {"0": "99", "1": "91"}  # hundreds digit of the hublint id -> pylint checker id
_TOO_DEEP = "expressions are nested too deeply to analyse"


def pylint_msgid(rule: Rule, severity: Severity | None = None) -> str:
    """The pylint message id of ``rule`` at ``severity``, its default if None (``HUB102`` -> ``W9102``)."""
    number = rule.id.removeprefix("HUB")
    return f"{_CATEGORY[severity or rule.severity]}{_CHECKER_ID[number[0]]}{number[1:]}"


def pylint_messages(rule: Rule) -> dict[Severity, str]:
    """Every pylint message id of ``rule``: one per severity its findings may take."""
    return {severity: pylint_msgid(rule, severity) for severity in (rule.severity, *rule.other_severities)}


def plugin_rules() -> list[Rule]:
    """The rules the plugin reports: source rules and hublint's own (HUB0xx) that live with them.

    Only the source pass's package is imported: pylint never needs the module pass (protobuf).
    """
    return [
        rule
        for rule in registry.rules_of("source")
        if isinstance(rule, (SourceRule, CoreRule)) and rule.id[3] in _CHECKER_ID
    ]


def _message_table(rules: list[Rule], taken_symbols: set[str]) -> dict[str, tuple]:
    table = {}
    for rule in rules:
        symbol = rule.name if rule.name not in taken_symbols else f"hublint-{rule.name}"
        options = {"scope": "line", "default_enabled": rule.enabled_by_default}
        for severity, msgid in pylint_messages(rule).items():
            suffix = "" if severity == rule.severity else f"-{severity.label}"
            table[msgid] = ("%s", symbol + suffix, rule.summary, options)
    return table


class HublintChecker(BaseChecker):
    """Runs hublint's source pass on each module pylint checks."""

    name = CHECKER_NAME
    msgs: dict = {}  # filled per rule by register()
    options = (
        (
            "hublint-config",
            {
                "default": "",
                "type": "string",
                "metavar": "<pyproject.toml>",
                "help": "File to read [tool.hublint] from (default: the nearest pyproject.toml "
                "with that table, from each linted file upwards).",
            },
        ),
        (
            "hublint-scope",
            {
                "default": "",
                "type": "string",
                "metavar": "<module|all>",
                "help": "HUB102-HUB110 on module code only ('module') or on every call site ('all'); "
                "default: [tool.hublint] scope, else 'module'.",
            },
        ),
        (
            "hublint-dropout-rate-max",
            {
                "default": None,
                "type": "float",
                "metavar": "<rate>",
                "help": "HUB103 flags dropout rates above this (default: [tool.hublint], else 0.5).",
            },
        ),
        (
            "hublint-batchnorm-momentum-max",
            {
                "default": None,
                "type": "float",
                "metavar": "<momentum>",
                "help": "HUB105 flags batch-norm momentum / decay above this (default: [tool.hublint], else 0.99).",
            },
        ),
    )

    def __init__(self, linter: "PyLinter") -> None:
        super().__init__(linter)
        self._rule_by_msgid = {msgid: rule for rule in plugin_rules() for msgid in pylint_messages(rule).values()}
        self._configs: dict[str, Config | ConfigError] = {}
        self._enabled_ids: tuple[str, ...] = ()

    def open(self) -> None:
        """Once per run: which rules pylint has enabled, and a fresh config cache."""
        self._configs.clear()
        # A rule runs when any of its messages is enabled; pylint drops the messages that are not.
        self._enabled_ids = tuple(
            sorted({rule.id for msgid, rule in self._rule_by_msgid.items() if self.linter.is_message_enabled(msgid)})
        )

    def visit_module(self, node: nodes.Module) -> None:
        path = node.file
        if not self._enabled_ids or not path:
            return
        config = self._config_for(path)
        if config is None:
            return
        # The text lets check_tree skip the rules that cannot fire on this file, and holds
        # the '# hublint:' comments.
        text = self._source_text(node)
        entries: dict = {}
        try:
            findings, entries, _ = check_module(node, path, config, text)
        except RecursionError:  # astroid recursing on a pathological tree: the file's fault, as in the CLI
            findings = self._too_deep(path, config)
        report_useless = config.is_enabled("HUB003", path)
        if text is not None and (findings or report_useless):
            findings = suppress(findings, path, text, config, report_useless)
        # pylint reports on the module it checks: a problem in another file of the project is shown at
        # the call here that reaches it.
        for finding in sorted(at_entries(findings, path, entries)):
            self._report(finding)

    def _report(self, finding: Finding) -> None:
        location = finding.location
        message = finding.message
        if finding.fix:
            message += f" (fix: {finding.fix})"
        self.add_message(
            pylint_msgid(registry.get_rule(finding.rule_id), finding.severity),
            line=max(location.line, 1),
            args=message,
            col_offset=max(location.column - 1, 0),
            end_lineno=location.end_line or None,
            end_col_offset=max(location.end_column - 1, 0) if location.end_line else None,
        )

    def _too_deep(self, path: str, config: Config) -> list[Finding]:
        if not config.is_enabled("HUB001", path):
            return []
        return [registry.get_rule("HUB001").finding(Location(path=path), reason=_TOO_DEEP)]

    @staticmethod
    def _source_text(node: nodes.Module) -> str | None:
        """The module's text, for ``# hublint:`` comments; None if it cannot be read again."""
        try:
            with node.stream() as stream:
                data = stream.read()
        except (OSError, AttributeError):
            return None
        text = decode_source(data)
        return None if isinstance(text, Unparsable) else text

    def _config_for(self, path: str) -> Config | None:
        """hublint's configuration for ``path``, with pylint choosing the rules; cached per folder."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._configs:
            self._configs[folder] = self._load_config(folder)
        config = self._configs[folder]
        if isinstance(config, ConfigError):
            self.linter.add_message("config-parse-error", line=0, args=f"[tool.hublint]: {config}")
            return None
        return config

    def _load_config(self, folder: str) -> Config | ConfigError:
        options = self.linter.config
        overrides = {
            "scope": options.hublint_scope or None,
            "dropout_rate_max": options.hublint_dropout_rate_max,
            "batchnorm_momentum_max": options.hublint_batchnorm_momentum_max,
        }
        try:
            config = load(options.hublint_config or None, start=folder, **overrides)
            # extend_select is the CLI's way to turn rules on; under pylint, --enable is.
            return config.replace(select=self._enabled_ids, extend_select=(), cache=False)
        except ConfigError as error:
            return error


class HublintCoreMessages(BaseChecker):
    """hublint's own messages (HUB0xx): pylint wants one checker id per checker."""

    name = CHECKER_NAME
    msgs: dict = {}


def register(linter: "PyLinter") -> None:
    """pylint's plugin entry point."""
    taken = {message.symbol for message in linter.msgs_store.messages}
    rules = plugin_rules()
    source = [rule for rule in rules if rule.id[3] == "1"]
    core = [rule for rule in rules if rule.id[3] == "0"]
    checker = HublintChecker(linter)
    checker.msgs = _message_table(source, taken)
    core_messages = HublintCoreMessages(linter)
    core_messages.msgs = _message_table(core, taken)
    linter.register_checker(core_messages)
    linter.register_checker(checker)
