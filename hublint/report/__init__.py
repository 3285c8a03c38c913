"""Reporters: one module per output format, found by name.

A reporter is a module with ``NAME``, ``EXTENSION`` and
``render(result, config, color=False) -> str``.  Reporters read findings and
module summaries from the :class:`~hublint.runner.RunResult`; they never call
back into the passes.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FORMATS = ("text", "json", "sarif", "html", "junit")


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
