"""Findings: the plain data that passes produce and reporters read."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``>=`` means "at least as bad"."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


@functools.total_ordering
@dataclass(frozen=True)
class Location:
    """Where a finding is.

    Source findings have ``path`` (a Python file) with a 1-based ``line`` and
    ``column``.  Module findings name the ``module`` directory they are about;
    ``path`` is that directory, or the file in it the finding is about (a
    damaged ``variables/variables.index``), and ``tag_set`` / ``node`` name the
    meta graph and the graph node or variable.
    """

    path: str
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    tag_set: tuple[str, ...] | None = None
    node: str = ""
    module: str = ""

    def sort_key(self) -> tuple:
        # tag_set None (a source finding, or the module as a whole) sorts before any tag set.
        tags = () if self.tag_set is None else (1, self.tag_set)
        return (self.path, self.line, self.column, tags, self.node, self.end_line, self.end_column)

    def __lt__(self, other: "Location") -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def display(self) -> str:
        """``file:line:col`` for source, ``module[tags]:node`` for modules."""
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        text = self.path
        if self.tag_set is not None:
            text += "[" + ",".join(self.tag_set) + "]"
        if self.node:
            text += ":" + self.node
        return text


@dataclass(frozen=True, order=True)
class Finding:
    """One problem hublint found.  Immutable; sorts by location, then rule."""

    location: Location
    rule_id: str
    rule_name: str = field(compare=False)
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    fix: str = field(default="", compare=False)

    def to_dict(self) -> dict:
        loc = self.location
        out = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity.label,
            "message": self.message,
            "fix": self.fix,
            "path": loc.path,
        }
        if loc.line:
            out.update(line=loc.line, column=loc.column, end_line=loc.end_line, end_column=loc.end_column)
        if loc.tag_set is not None:
            out["tag_set"] = list(loc.tag_set)
        if loc.node:
            out["node"] = loc.node
        if loc.module:
            out["module"] = loc.module
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        tag_set = data.get("tag_set")
        location = Location(
            path=data["path"],
            line=data.get("line", 0),
            column=data.get("column", 0),
            end_line=data.get("end_line", 0),
            end_column=data.get("end_column", 0),
            tag_set=tuple(tag_set) if tag_set is not None else None,
            node=data.get("node", ""),
            module=data.get("module", ""),
        )
        return cls(
            location=location,
            rule_id=data["rule_id"],
            rule_name=data["rule_name"],
            severity=Severity.parse(data["severity"]),
            message=data["message"],
            fix=data.get("fix", ""),
        )
