"""JSON Lines (``--format jsonl``): one JSON object per linted file or module, then a summary.

Made for catalogues of thousands of modules: on stdout (or ``--output``) each object is
written as soon as its file or module is done, so a consumer can read the stream while
the run goes on; the order is the order they finish.  Objects are documented in
``docs/json-format.md``; the findings in them are those of ``--format json``.
"""

from __future__ import annotations

import json

from hublint import __version__
from hublint.report import counts
from hublint.report.json_report import SCHEMA_VERSION

NAME = "jsonl"
EXTENSION = "jsonl"


def target_object(kind: str, path: str, findings) -> dict:
    """One file (``kind`` "source"), module ("module") or other path ("other": a path that
    does not exist, the baseline file) and its findings."""
    return {
        "type": "target",
        "kind": kind,
        "path": path,
        "by_severity": counts(findings),
        "findings": [finding.to_dict() for finding in findings],
    }


def summary_object(result) -> dict:
    return {
        "type": "summary",
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "hublint", "version": __version__},
        "files": len(result.sources),
        "modules": len(result.modules),
        "findings": len(result.findings),
        "by_severity": counts(result.findings),
        "internal_errors": [{"path": e.path, "message": e.message} for e in result.internal_errors],
    }


def line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _target_of(finding) -> str:
    return finding.location.module or finding.location.path


def _target_lines(result, findings, written: set[str]) -> list[str]:
    """Objects for the targets not in ``written`` (which they join), in the order of the result."""
    by_target: dict[str, list] = {}
    for finding in findings:
        by_target.setdefault(_target_of(finding), []).append(finding)
    lines = []
    for kind, paths in (("source", result.sources), ("module", result.modules)):
        for path in paths:
            if path not in written:
                written.add(path)
                lines.append(line(target_object(kind, path, by_target.get(path, []))))
    for path, items in by_target.items():
        if path not in written:
            written.add(path)
            lines.append(line(target_object("other", path, items)))
    return lines


def render(result, config, color: bool = False) -> str:
    """The whole run at once (``--output-jsonl FILE``, or with ``--load``)."""
    return "".join(_target_lines(result, result.findings, set())) + line(summary_object(result))


class Stream:
    """A run listener (:func:`hublint.runner.run`) that writes each target's object as it is done.

    ``keep`` filters a target's findings first (a baseline's ``new``).  :meth:`finish` writes
    what only the whole run knows: targets the passes never reached (a missing path, HUB005 on
    the baseline file) and the summary.
    """

    def __init__(self, handle, keep=None):
        self.handle = handle
        self.keep = keep
        self.written: set[str] = set()

    def start(self, total: int) -> None:
        pass

    def done(self, kind: str, path: str, findings) -> None:
        if self.keep is not None:
            findings = self.keep(findings)
        self.written.add(path)
        self.handle.write(line(target_object(kind, path, findings)))
        self.handle.flush()

    def finish(self, result) -> None:
        leftover = [f for f in result.findings if _target_of(f) not in self.written]
        self.handle.write("".join(_target_lines(result, leftover, self.written)) + line(summary_object(result)))
        self.handle.flush()
