"""The terminal format: ``path:line:col: ID name [severity] message``, a fix hint, a summary."""

from __future__ import annotations

from hublint.finding import Severity
from hublint.report import counts

NAME = "text"
EXTENSION = "txt"

_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(result, config, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = []
    for finding in result.findings:
        where = paint(finding.location.display(), _BOLD)
        rule = paint(f"{finding.rule_id} {finding.rule_name}", _COLORS[finding.severity])
        lines.append(f"{where}: {rule} [{finding.severity.label}] {finding.message}")
        if finding.fix:
            lines.append(paint(f"    fix: {finding.fix}", _DIM))
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def summary_line(result) -> str:
    scanned = _plural(len(result.sources), "file") + " and " + _plural(len(result.modules), "module")
    if not result.findings:
        return f"No findings in {scanned}."
    parts = ", ".join(_plural(n, label) for label, n in counts(result.findings).items() if n)
    return f"Found {_plural(len(result.findings), 'finding')} ({parts}) in {scanned}."


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")
