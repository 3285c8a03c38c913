"""The terminal format: ``path:line:col: ID name [severity] message``, a fix hint, a summary.

One cause reported for many nodes of a module (54 unregularized kernels) is one line with
the count and the first nodes (:class:`hublint.report.Cause`); ``verbose`` lists each finding.
"""

from __future__ import annotations

from hublint.finding import Severity
from hublint.report import causes, counts

NAME = "text"
EXTENSION = "txt"

_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(result, config, color: bool = False, verbose: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    def line(location, finding, message: str, fix: str) -> None:
        where = paint(location.display(), _BOLD)
        rule = paint(f"{finding.rule_id} {finding.rule_name}", _COLORS[finding.severity])
        lines.append(f"{where}: {rule} [{finding.severity.label}] {message}")
        if fix:
            lines.append(paint(f"    fix: {fix}", _DIM))

    lines: list[str] = []
    for cause in causes(result.findings):
        if cause.count == 1 or verbose:
            for finding in cause.findings:
                line(finding.location, finding, finding.message, finding.fix)
        else:
            line(cause.location, cause.first, f"{cause.summary()} (--verbose lists each)", cause.fix)
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
