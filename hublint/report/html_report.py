"""One self-contained HTML page (``--format html``): totals, a chart per rule,
findings grouped by file and by module with source snippets, each module's
summary, and each rule's rationale and fix.

Everything is inline (CSS, SVG, a small script for filtering), so the file
works offline and as a CI artifact.  Without JavaScript every finding is
shown.  The page carries no timestamp unless ``HUBLINT_REPORT_TIMESTAMP=1``,
so the same run gives the same bytes.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass, field

import jinja2
import markupsafe

from hublint import __version__, registry
from hublint.finding import Finding, Severity
from hublint.report import Cause, SourceLines, causes, counts

NAME = "html"
EXTENSION = "html"

TIMESTAMP_ENV = "HUBLINT_REPORT_TIMESTAMP"
SNIPPET_CONTEXT = 2  # lines shown above and below a finding's line
_MAX_SNIPPET_LINE = 240  # characters; longer lines are cut so one minified file cannot bloat the page
_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
_SEVERITY_COLORS = {"error": "#c0392b", "warning": "#b7791f", "info": "#2b6cb0"}


@dataclass
class SnippetLine:
    number: int
    text: str
    is_target: bool


@dataclass
class FindingView:
    finding: Finding
    where: str
    snippet: list[SnippetLine]


@dataclass
class CauseView:
    """One cause (:class:`hublint.report.Cause`): one row, its findings in a ``<details>`` list."""

    cause: Cause
    where: str
    views: list[FindingView]


@dataclass
class Group:
    """The findings of one file or one module."""

    path: str
    kind: str  # "source" or "module"
    findings: list[FindingView] = field(default_factory=list)
    summary: dict | None = None
    #: ``--load``: what was measured next to what the module pass read, one row per run (None: not loaded)
    measured: list["MeasuredRow"] | None = None
    measured_status: str = ""

    @property
    def causes(self) -> list[FindingView | CauseView]:
        """The rows: a finding, or one row for a cause reported on many nodes."""
        views = {id(v.finding): v for v in self.findings}
        rows: list[FindingView | CauseView] = []
        for cause in causes([v.finding for v in self.findings]):
            if cause.count == 1:
                rows.append(views[id(cause.first)])
            else:
                where = _where_location(cause.location, cause.first.location.module)
                rows.append(CauseView(cause, where, [views[id(f)] for f in cause.findings]))
        return rows

    @property
    def by_severity(self) -> dict[str, int]:
        return {label: n for label, n in counts(v.finding for v in self.findings).items() if n}


@dataclass
class MeasuredRow:
    """One measured run (a tag set, or ``__call__`` with ``training``): declared and measured side by side."""

    where: str
    tensorflow: str
    dropout_declared: str
    dropout_measured: str
    momentum_declared: str
    momentum_measured: str
    coverage_declared: str
    coverage_measured: str
    deterministic: bool | None
    batch_independent: bool | None


@dataclass
class RuleView:
    id: str
    name: str
    severity: str
    count: int
    summary: str
    rationale: str
    fix: str  # the rule's fix hint when it reads without a finding's values, else ""
    example: str  # the rule's first "Use instead" example


def render(result, config, color: bool = False) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pretty_key"] = _pretty_key
    env.filters["code_spans"] = _code_spans
    env.filters["tag_set"] = _tag_set
    env.filters["scalar"] = _scalar
    env.tests["mapping"] = lambda value: isinstance(value, dict)
    env.tests["table"] = _is_table
    env.tests["record_list"] = _is_record_list
    env.globals["record_title"] = _record_title
    env.tests["sequence_value"] = lambda value: isinstance(value, (list, tuple))
    env.globals["table_columns"] = _table_columns
    env.globals["coverage"] = _coverage
    template = env.get_template("report.html.j2")
    return template.render(**context(result, config))


def context(result, config) -> dict:
    """Everything the template shows, computed here so the template only lays it out."""
    sources = SourceLines()
    groups: dict[str, Group] = {}
    for path in result.modules:
        summary = result.module_summaries.get(path)
        groups[path] = Group(path, "module", summary=_present_summary(summary, path),
                             measured=_measured_rows(summary), measured_status=(summary or {}).get("measured_status", ""))
    for finding in result.findings:
        loc = finding.location
        module = loc.module
        key = module or loc.path
        if key not in groups:
            groups[key] = Group(key, "module" if module else "source")
        snippet = _snippet(sources.of(loc.path), loc.line) if loc.line and groups[key].kind == "source" else []
        groups[key].findings.append(FindingView(finding, _where(finding, module), snippet))
    files = sorted((g for g in groups.values() if g.kind == "source"), key=lambda g: g.path)
    modules = sorted((g for g in groups.values() if g.kind == "module"), key=lambda g: g.path)
    with_findings = {g.path for g in files}
    clean_files = [path for path in result.sources if path not in with_findings]

    rules = _rule_views(result.findings)
    totals = counts(result.findings)
    timestamp = ""
    if os.environ.get(TIMESTAMP_ENV, "") not in ("", "0"):
        timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "version": __version__,
        "timestamp": timestamp,
        "totals": totals,
        "total": len(result.findings),
        "severities": [s.label for s in sorted(Severity, reverse=True)],
        "colors": _SEVERITY_COLORS,
        "file_count": len(result.sources),
        "module_count": len(result.modules),
        "files": files,
        "modules": modules,
        "clean_files": clean_files,
        "rules": rules,
        "rule_docs": {rule.id: rule for rule in rules},
        "chart": _chart(rules),
        "internal_errors": result.internal_errors,
    }


def _where(finding: Finding, module: str = "") -> str:
    return _where_location(finding.location, module)


def _where_location(loc, module: str = "") -> str:
    if loc.line:
        return f"line {loc.line}, column {loc.column or 1}"
    parts = []
    if module and os.path.normpath(loc.path) != os.path.normpath(module):
        parts.append("file " + os.path.relpath(loc.path, module).replace(os.sep, "/"))
    if loc.tag_set is not None:
        parts.append("tag set " + _tag_set(loc.tag_set))
    if loc.node:
        parts.append(loc.node)
    return " · ".join(parts)


def _rule_views(findings: list[Finding]) -> list[RuleView]:
    tally: dict[str, int] = {}
    example: dict[str, Finding] = {}
    for finding in findings:
        tally[finding.rule_id] = tally.get(finding.rule_id, 0) + 1
        example.setdefault(finding.rule_id, finding)
    views = []
    for rule_id in sorted(tally, key=lambda r: (-tally[r], r)):
        rule = registry.get_rule(rule_id)
        seen = example[rule_id]
        views.append(
            RuleView(
                id=rule_id,
                name=rule.name if rule else seen.rule_name,
                severity=seen.severity.label,
                count=tally[rule_id],
                summary=rule.summary if rule else "",
                rationale=rule.rationale if rule else "",
                fix=rule.fix if rule and "{" not in rule.fix else "",
                example=rule.good[0].rstrip("\n") if rule and rule.good else "",
            )
        )
    return views


def _chart(rules: list[RuleView]) -> dict:
    """Geometry of the findings-per-rule bar chart (horizontal bars, one row per rule)."""
    row, label_width, bar_width = 24, 300, 360
    peak = max((r.count for r in rules), default=1)
    bars = [
        {
            "rule": rule,
            "y": i * row,
            "width": max(2, round(bar_width * rule.count / peak)),
            "color": _SEVERITY_COLORS[rule.severity],
        }
        for i, rule in enumerate(rules)
    ]
    return {"bars": bars, "row": row, "label_width": label_width, "width": label_width + bar_width + 60,
            "height": max(row, row * len(rules))}


def _snippet(lines: list[str], line: int) -> list[SnippetLine]:
    """A few lines around ``line``; none when the file could not be read or is shorter now."""
    if not 0 < line <= len(lines):
        return []
    first, last = max(1, line - SNIPPET_CONTEXT), min(len(lines), line + SNIPPET_CONTEXT)
    return [SnippetLine(n, _cut(lines[n - 1]), n == line) for n in range(first, last + 1)]


def _cut(text: str) -> str:
    text = text.expandtabs(4)
    return text if len(text) <= _MAX_SNIPPET_LINE else text[: _MAX_SNIPPET_LINE - 1] + "…"


def _code_spans(text: str) -> markupsafe.Markup:
    """Escaped ``text`` with its `backtick` spans shown as code."""
    parts = re.split(r"`([^`]+)`", str(text))
    out = markupsafe.Markup("")
    for i, part in enumerate(parts):
        out += markupsafe.Markup("<code>{}</code>").format(part) if i % 2 else markupsafe.escape(part)
    return out


# -- module summaries: a loosely structured dict, shown generically -----------------------


def _pretty_key(key) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _scalar(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]" if value else "none"
    return str(value)


def _tag_set(tags) -> str:
    return "{" + ", ".join(str(t) for t in tags) + "}" if tags else "{} (default)"


def _present_summary(summary, path: str) -> dict | None:
    """The module summary reshaped for reading; the header already names the path."""
    if not isinstance(summary, dict):
        return None
    # ``measured`` has its own table, next to the declared values (:func:`_measured_rows`)
    return {key: _present(value, str(key)) for key, value in summary.items()
            if key not in ("path", "measured", "measured_status")}


def _measured_rows(summary) -> list[MeasuredRow] | None:
    """``--load``: each measured run with the module pass's reading of the same graph; None without ``--load``."""
    if not isinstance(summary, dict) or "measured" not in summary:
        return None
    static = {tuple(m.get("tag_set", ())): m for m in summary.get("meta_graphs", [])}
    rows = []
    for entry in summary["measured"]:
        graph = static.get(tuple(entry["tag_set"]), {})
        where = _tag_set(entry["tag_set"])
        if entry.get("object"):
            where += f" {entry['object']}" + ("" if entry.get("training") is None else f"(training={entry['training']})")
        if entry.get("training_inputs"):
            where += ", trained with " + ", ".join(f"{key}=True" for key in entry["training_inputs"])
        kernels = [v for v in graph.get("variables", []) if v.get("kernel")]
        regularization = entry["regularization"]
        declared_rates = sorted({d["rate"] for d in graph.get("dropouts", []) if d.get("rate") is not None})
        declared_momenta = sorted({b["momentum"] for b in graph.get("batch_norms", []) if b.get("momentum") is not None})
        rows.append(MeasuredRow(
            where=where,
            tensorflow=str(entry.get("tensorflow", "")),
            dropout_declared=", ".join(f"{r:g}" for r in declared_rates) or "—",
            dropout_measured=", ".join(f"{r:.3f}" for r in entry["dropout_rates"]) or "—",
            momentum_declared=", ".join(f"{m:g}" for m in declared_momenta) or "—",
            momentum_measured=", ".join(f"{m:g}" for m in entry["batchnorm_momenta"]) or "—",
            coverage_declared=(f"{sum(1 for v in kernels if v.get('regularization_loss'))} of {len(kernels)} kernels"
                               if kernels else "—"),
            coverage_measured=(f"{len(regularization['kernels_covered'])} of {len(regularization['kernels'])} kernels"
                               if regularization["kernels"] else "—"),
            deterministic=entry.get("deterministic"),
            batch_independent=entry.get("batch_independent"),
        ))
    return rows


def _present(value, key: str = ""):
    """Signatures become one row per tensor, shapes read ``[?, 50]``; everything else is kept."""
    if key.endswith("shape") and (value is None or isinstance(value, list)):
        return _shape(value)
    if isinstance(value, dict):
        if key == "signatures" and value and all(isinstance(v, dict) for v in value.values()):
            return _signature_rows(value)
        return {k: _present(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_present(v, key if not isinstance(v, (dict, list)) else "") for v in value]
    return value


def _shape(shape) -> str:
    if shape is None:
        return "unknown rank"
    return "[" + ", ".join("?" if isinstance(d, int) and d < 0 else str(d) for d in shape) + "]"


def _signature_rows(signatures: dict) -> list[dict]:
    rows = []
    for name, signature in signatures.items():
        for direction in ("inputs", "outputs"):
            tensors = signature.get(direction)
            if not isinstance(tensors, dict):
                continue
            for tensor_key, spec in tensors.items():
                spec = spec if isinstance(spec, dict) else {"name": spec}
                rows.append({
                    "signature": name,
                    "direction": direction[:-1],
                    "key": tensor_key,
                    "dtype": spec.get("dtype"),
                    "shape": _shape(spec.get("shape")) if "shape" in spec else None,
                    "tensor": spec.get("name") or spec.get("type_spec") or spec.get("kind"),
                })
    return rows


def _flat(value) -> bool:
    return not isinstance(value, (dict, list, tuple)) or (
        isinstance(value, (list, tuple)) and not any(isinstance(v, (dict, list, tuple)) for v in value)
    )


def _is_table(value) -> bool:
    """A non-empty list of flat records (scalars and lists of scalars): shown as one table."""
    return _is_record_list(value) and all(_flat(cell) for row in value for cell in row.values())


def _is_record_list(value) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, dict) for v in value)


def _record_title(record: dict, index: int) -> str:
    if "tag_set" in record and isinstance(record["tag_set"], (list, tuple)):
        return "Meta graph with tag set " + _tag_set(record["tag_set"])
    return str(record.get("name") or f"#{index}")


def _table_columns(rows: list[dict]) -> list:
    columns: list = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def _coverage(rows: list[dict]) -> dict | None:
    """Regularization coverage of a variables table: how many kernels have a regularization loss.

    The flag is the first ``regulariz*`` column (a bool, or the loss tensor's name / null);
    with a ``kernel`` column only kernels are counted.
    """
    flag = next((key for key in _table_columns(rows) if "regulariz" in str(key).lower()), None)
    if flag is None:
        return None
    judged = [row for row in rows if flag in row and row.get("kernel", True) is not False]
    covered = sum(1 for row in judged if row[flag])
    total = len(judged)
    if not total:
        return None
    noun = "kernels" if any("kernel" in row for row in rows) else "variables"
    return {"covered": covered, "total": total, "percent": round(100 * covered / total), "noun": noun}
