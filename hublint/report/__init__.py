"""Reporters: one module per output format, found by name.

A reporter is a module with ``NAME``, ``EXTENSION`` and
``render(result, config, color=False) -> str``.  Reporters read findings and
module summaries from the :class:`~hublint.runner.RunResult`; they never call
back into the passes.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FORMATS = ("text", "json", "jsonl", "sarif", "html", "junit")


def get_reporter(name: str) -> ModuleType:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    return importlib.import_module(f"hublint.report.{name}_report")


def counts(findings) -> dict[str, int]:
    """Number of findings per severity label, most severe first."""
    from hublint.finding import Severity

    totals = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for finding in findings:
        totals[finding.severity.label] += 1
    return totals


class SourceLines:
    """Lines of the files findings point at, each file read once; an unreadable file has none."""

    def __init__(self):
        self._files: dict[str, list[str]] = {}

    def of(self, path: str) -> list[str]:
        if path not in self._files:
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    self._files[path] = handle.read().splitlines()
            except (OSError, ValueError):  # missing, unreadable, a folder, a NUL in the path
                self._files[path] = []
        return self._files[path]


# -- one cause, one line ----------------------------------------------------------------------

#: Nodes a grouped line names before "..." (``--verbose`` and the HTML report list them all).
GROUP_NODES_SHOWN = 5


#: how a message states what the dynamic pass measured (hublint.dynamic.confirm)
MEASURED = " (measured"


class Cause:
    """Findings that report one cause: one rule, one module (file of it, tag set), one severity,
    and the same message but for the node it names (``kernel `dense/kernel` has no ...``).

    A rule whose per-node messages carry details that do not make a different cause (HUB202
    names each kernel's ops) declares ``group_message`` (``{count} trainable kernels have no
    regularization loss``): then one rule in one module and tag set is one cause.  Source
    findings are never grouped: each points at a line a reader (or an editor) goes to.
    Text and HTML show a cause with two or more findings once; JSON, SARIF, JUnit and the
    exit code keep every finding.
    """

    def __init__(self, findings: list):
        self.findings = findings

    @property
    def first(self):
        return self.findings[0]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def nodes(self) -> list[str]:
        return [f.location.node for f in self.findings]

    @property
    def location(self):
        """Where the whole cause is: the module (and tag set), without a node."""
        from dataclasses import replace

        return replace(self.first.location, node="")

    @property
    def message(self) -> str:
        """The cause in one sentence, without the list of nodes."""
        rule = _rule(self.first.rule_id)
        if rule is not None and getattr(rule, "group_message", ""):
            return rule.group_message.format(count=self.count) + self.measured
        return f"{self.count} times: {_masked(self.first)}"

    @property
    def measured(self) -> str:
        """What ``--load`` measured, when every finding of the cause says the same (`` (measured: ...)``)."""
        notes = {f.message[f.message.rfind(MEASURED):] if MEASURED in f.message else "" for f in self.findings}
        return notes.pop() if len(notes) == 1 else ""

    def summary(self, shown: int = GROUP_NODES_SHOWN) -> str:
        """The message and the first ``shown`` nodes."""
        names = self.nodes[:shown]
        more = ", ..." if self.count > shown else ""
        rule = _rule(self.first.rule_id)
        separator = ": " if rule is not None and getattr(rule, "group_message", "") else " — "
        return f"{self.message}{separator}{', '.join(names)}{more}"

    @property
    def fix(self) -> str:
        fixes = {f.fix for f in self.findings}
        if len(fixes) == 1:
            return self.first.fix
        return f"(for `{self.first.location.node}`; likewise for each) {self.first.fix}" if self.first.fix else ""


def _rule(rule_id: str):
    from hublint import registry

    return registry.get_rule(rule_id)


def _masked(finding) -> str:
    node = finding.location.node
    return finding.message.replace(node, "…") if node else finding.message


def _cause_key(finding):
    loc = finding.location
    if not (loc.module and loc.node):
        return None
    rule = _rule(finding.rule_id)
    text = "" if rule is not None and getattr(rule, "group_message", "") else _masked(finding)
    return (finding.rule_id, loc.module, loc.path, loc.tag_set, finding.severity, text)


def causes(findings) -> list[Cause]:
    """``findings`` (in order) as causes: each in the place of its first finding."""
    out: list[Cause] = []
    by_key: dict = {}
    for finding in findings:
        key = _cause_key(finding)
        if key is None:
            out.append(Cause([finding]))
        elif key in by_key:
            by_key[key].findings.append(finding)
        else:
            by_key[key] = Cause([finding])
            out.append(by_key[key])
    return out
