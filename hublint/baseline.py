"""Baselines: accept today's findings, report only new ones.

``hublint --write-baseline FILE`` records every finding of a run; ``hublint --baseline FILE``
(or ``baseline = "FILE"`` in ``[tool.hublint]``) then drops the findings the file holds and
reports the rest.  A finding is known by its *fingerprint*, which leaves the line number out
(the SARIF ``partialFingerprints`` idea, and the same function SARIF uses):

* a source finding: rule, file and the text of its line (whitespace collapsed), so edits
  that move the line keep it known and an edit of the line itself makes it new;
* a module finding: rule, module, the file inside the module it is about, tag set, node
  and message;
* anything else (a file-level HUB001): rule, path and message.

Two identical findings on two identical lines share a fingerprint: the file holds a
count, and a third one is new.  An entry no longer found is *stale*; with
``--extend-select HUB005`` it is reported (only for files and modules the run linted).

The file is versioned JSON, sorted, with paths relative to its own folder and no line
numbers or timestamps: the same findings give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import PurePath
from typing import Callable

from hublint.finding import Finding, Location

FORMAT_VERSION = 1


class BaselineError(ValueError):
    """The baseline file cannot be read or written; the message says why."""


# -- fingerprints (SARIF's partialFingerprints use them too) -------------------------------


def fingerprint_basis(finding: Finding, relative: Callable[[str], str], source_lines) -> str:
    """What identifies ``finding`` across runs, as text; see the module docstring.

    ``relative`` turns a path into the stable form the caller wants (SARIF: relative to the
    working directory; a baseline: relative to its file); ``source_lines`` is a
    :class:`hublint.report.SourceLines`.
    """
    loc = finding.location
    parts = [finding.rule_id]
    if loc.module:
        inner = PurePath(os.path.relpath(os.path.abspath(loc.path), os.path.abspath(loc.module))).as_posix()
        tags = "-" if loc.tag_set is None else ",".join(loc.tag_set)
        parts += [relative(loc.module), inner, tags, loc.node, finding.message]
    elif loc.line:
        lines = source_lines.of(loc.path)
        text = " ".join(lines[loc.line - 1].split()) if 0 < loc.line <= len(lines) else ""
        parts += [relative(loc.path), text or f"line {loc.line}"]
    else:
        parts += [relative(loc.path), finding.message]
    return "\0".join(parts)


def fingerprint(finding: Finding, relative: Callable[[str], str], source_lines) -> str:
    """A short hash of :func:`fingerprint_basis`."""
    return hashlib.sha256(fingerprint_basis(finding, relative, source_lines).encode("utf-8")).hexdigest()[:32]


def relative_to(folder: str) -> Callable[[str], str]:
    """``path`` relative to ``folder`` with ``/`` separators; absolute outside it."""
    base = os.path.abspath(folder)

    def relative(path: str) -> str:
        absolute = os.path.abspath(path)
        try:
            rel = os.path.relpath(absolute, base)
        except ValueError:  # another drive on Windows
            return PurePath(absolute).as_posix()
        return PurePath(absolute if rel.startswith("..") else rel).as_posix()

    return relative


# -- the file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """Findings of one fingerprint: where they are (``path``: the file or module), how many."""

    fingerprint: str
    rule_id: str
    path: str
    count: int
    message: str


def _target(finding: Finding) -> str:
    return finding.location.module or finding.location.path


def entries(findings: list[Finding], baseline_file: str) -> list[Entry]:
    """The baseline entries for ``findings``, sorted."""
    from hublint.report import SourceLines

    relative = relative_to(os.path.dirname(os.path.abspath(baseline_file)))
    sources = SourceLines()
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        key = (relative(_target(finding)), finding.rule_id, fingerprint(finding, relative, sources))
        grouped.setdefault(key, []).append(finding)
    return [
        Entry(fp, rule_id, path, len(items), min(f.message for f in items))
        for (path, rule_id, fp), items in sorted(grouped.items())
    ]


def dumps(items: list[Entry]) -> str:
    document = {
        "version": FORMAT_VERSION,
        "tool": "hublint",
        "findings": [
            {"path": e.path, "rule_id": e.rule_id, "fingerprint": e.fingerprint, "count": e.count,
             "message": e.message}
            for e in items
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write(findings: list[Finding], baseline_file: str) -> int:
    """Write the baseline of ``findings`` to ``baseline_file``; returns the number of findings."""
    try:
        with open(baseline_file, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(dumps(entries(findings, baseline_file)))
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {baseline_file}: {exc.strerror or exc}") from None
    return len(findings)


def read(baseline_file: str) -> list[Entry]:
    try:
        with open(baseline_file, encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {baseline_file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline {baseline_file} is not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        found = document.get("version") if isinstance(document, dict) else None
        raise BaselineError(f"baseline {baseline_file} has version {found!r}; this hublint reads version "
                            f"{FORMAT_VERSION} (write it again with --write-baseline)")
    try:
        return [Entry(str(item["fingerprint"]), str(item["rule_id"]), str(item["path"]), int(item["count"]),
                      str(item.get("message", ""))) for item in document["findings"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"baseline {baseline_file} is malformed: {exc!r}") from None


# -- applying it ----------------------------------------------------------------------------


class Baseline:
    """A baseline file being applied: :meth:`new` passes the findings it does not hold."""

    def __init__(self, baseline_file: str):
        from hublint.report import SourceLines

        self.file = baseline_file
        self.entries = read(baseline_file)
        self._relative = relative_to(os.path.dirname(os.path.abspath(baseline_file)))
        self._sources = SourceLines()
        self._remaining: dict[tuple[str, str, str], int] = {}
        for entry in self.entries:
            key = (entry.path, entry.rule_id, entry.fingerprint)
            self._remaining[key] = self._remaining.get(key, 0) + entry.count

    def new(self, findings: list[Finding]) -> list[Finding]:
        """The findings the baseline does not hold; each call uses up the counts it matched.

        Give it findings sorted (a run's are): the first ones of a fingerprint are the known ones.
        """
        kept = []
        for finding in findings:
            key = (self._relative(_target(finding)), finding.rule_id,
                   fingerprint(finding, self._relative, self._sources))
            if self._remaining.get(key, 0) > 0:
                self._remaining[key] -= 1
            else:
                kept.append(finding)
        return kept

    def stale(self, linted: list[str], config) -> list[Finding]:
        """HUB005 findings for entries of files and modules in ``linted`` that :meth:`new` never met
        (none unless the configuration enables HUB005)."""
        linted_keys = {self._relative(path) for path in linted}
        reported: set[tuple[str, str, str]] = set()
        found = []
        for entry in self.entries:
            key = (entry.path, entry.rule_id, entry.fingerprint)
            missing = self._remaining.get(key, 0)
            if missing <= 0 or entry.path not in linted_keys or key in reported:
                continue
            if not config.is_enabled("HUB005", self.file):
                return []
            from hublint import registry

            reported.add(key)
            times = "" if entry.count == 1 else f" ({missing} of {entry.count} no longer found)"
            found.append(registry.get_rule("HUB005").finding(
                Location(path=self.file), rule_id=entry.rule_id, path=entry.path, message=entry.message, times=times))
        return found


def apply(result, baseline_file: str, config) -> int:
    """Drop from ``result.findings`` those ``baseline_file`` holds; returns how many were dropped.

    Stale entries (for files and modules this run linted) become HUB005 findings when the
    configuration enables that rule.
    """
    baseline = Baseline(baseline_file)
    kept = baseline.new(result.findings)
    dropped = len(result.findings) - len(kept)
    result.findings = sorted(kept + baseline.stale([*result.sources, *result.modules], config))
    return dropped
