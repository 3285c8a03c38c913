"""Inline suppression comments.

``x = tf.layers.dense(h, 10)  # hublint: disable=HUB102`` silences the rules it
names on that line (for a statement spread over several lines, on any of
them).  The same comment alone on a line silences them from there to the end
of the enclosing block, or until ``# hublint: enable=...``.
``# hublint: disable-file=...`` anywhere silences them in the whole file.
Rules are named by id or name; no ``=`` list (or ``all``) means every rule.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from hublint import registry
from hublint.finding import Finding, Location

_DIRECTIVE = re.compile(
    r"#\s*hublint\s*:\s*(?P<verb>disable-file|disable|enable)\b\s*(?:=\s*(?P<rules>[\w\-, ]+))?",
    re.IGNORECASE,
)


@dataclass
class Directive:
    verb: str
    rules: frozenset[str] | None  # None: every rule
    line: int
    column: int
    first: int  # first line it covers
    last: int  # last line it covers
    unknown: tuple[str, ...] = ()
    used: bool = False

    def covers(self, finding: Finding) -> bool:
        if self.rules is not None and finding.rule_id not in self.rules:
            return False
        start = finding.location.line
        end = max(finding.location.end_line, start)
        return start <= self.last and end >= self.first


def parse(text: str) -> list[Directive]:
    """Directives in ``text``; an unparsable file has none (it gets HUB001 anyway)."""
    lines = text.splitlines()
    directives: list[Directive] = []
    statement_spans = _logical_line_spans(text)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return directives
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _DIRECTIVE.search(token.string)
        if not match:
            continue
        line, column = token.start
        rules, unknown = _rule_ids(match.group("rules"))
        verb = match.group("verb").lower()
        standalone = not lines[line - 1][:column].strip()
        if verb == "disable-file":
            first, last = 1, len(lines) + 1
        elif verb == "enable":
            first = last = line
        elif standalone:
            first, last = line, _block_end(lines, line, column)
        else:
            first, last = statement_spans.get(line, (line, line))
        directives.append(Directive(verb, rules, line, column + 1, first, last, unknown))
    _apply_enables(directives)
    return [d for d in directives if d.verb != "enable"]


def _rule_ids(text: str | None) -> tuple[frozenset[str] | None, tuple[str, ...]]:
    if text is None or text.strip().lower() in ("", "all"):
        return None, ()
    ids, unknown = set(), []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        rules = registry.get_rules(part)
        if not rules:
            unknown.append(part)
        ids.update(rule.id for rule in rules)
    return frozenset(ids), tuple(unknown)


def _block_end(lines: list[str], line: int, column: int) -> int:
    """Last line of the block a standalone comment at ``column`` sits in."""
    for number in range(line + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
        if indent < column:
            return number - 1
    return len(lines) + 1


def _apply_enables(directives: list[Directive]) -> None:
    for enable in (d for d in directives if d.verb == "enable"):
        for earlier in directives:
            if earlier.verb == "disable" and earlier.line < enable.line <= earlier.last:
                if enable.rules is None or (earlier.rules is not None and earlier.rules <= enable.rules):
                    earlier.last = enable.line


def _logical_line_spans(text: str) -> dict[int, tuple[int, int]]:
    """Map each physical line to the span of the logical line (statement) holding it."""
    spans: dict[int, tuple[int, int]] = {}
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        start = None
        for token in tokens:
            if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            if start is None:
                start = token.start[0]
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                end = token.end[0]
                for number in range(start, end + 1):
                    spans[number] = (start, end)
                start = None
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return spans


def apply(text: str, path: str, findings: list[Finding], report_useless: bool) -> list[Finding]:
    """Drop the findings that comments in ``text`` suppress.

    With ``report_useless``, add a HUB003 finding for each directive that
    suppressed nothing or names an unknown rule.
    """
    if "hublint" not in text:
        return findings
    directives = parse(text)
    kept = []
    for finding in findings:
        covering = [d for d in directives if d.covers(finding)]
        for directive in covering:
            directive.used = True
        if not covering:
            kept.append(finding)
    if report_useless:
        rule = registry.get_rule("HUB003")
        for directive in directives:
            location = Location(path=path, line=directive.line, column=directive.column)
            for name in directive.unknown:
                kept.append(rule.finding(location, what=f"unknown rule {name!r}"))
            if not directive.used and (directive.rules is None or directive.rules):
                names = "every rule" if directive.rules is None else ", ".join(sorted(directive.rules))
                kept.append(rule.finding(location, what=f"nothing to suppress for {names}"))
    return kept
