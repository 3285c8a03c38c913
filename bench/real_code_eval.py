"""Precision and recall of the source pass on real publisher files (issue 9).

``tests/real_code/expected.json`` records, for public TF Hub publisher files of other
projects, what a careful reader expects hublint to report: rule id and line, with a
reason.  This script lints each saved file on its own (the source pass, ``--format json``,
no cache, default rule selection) and compares:

- a finding is a true positive when an expectation of the same rule lies within
  ``tolerance`` lines (default 2) of it, at its line or one of its ``also`` lines;
  otherwise it is a false positive, unless it matches a ``project_expected`` entry (true
  only when the rest of the project is read, so neither counted nor held against it) or an
  ``allowed`` entry (a judgement call either way);
- an expectation is found (recall) when some finding of its rule lies that close.

Usage::

    python bench/real_code_eval.py                       # tests/real_code/files
    python bench/real_code_eval.py --files /tmp/realcode/files
    PYTHONPATH=/tmp/hublint-before python bench/real_code_eval.py --files ...   # another tree
    python bench/real_code_eval.py --files ... --details                         # list FP / FN

The files themselves are not all in the repository (licences vary): see
``tests/real_code/README.md`` for how to fetch them.  Files that are missing are skipped
and counted in the header.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXPECTED = ROOT / "tests" / "real_code" / "expected.json"
DEFAULT_FILES = ROOT / "tests" / "real_code" / "files"


def lint(python: str, path: Path, cwd: str) -> list[dict]:
    """hublint's findings on one file, as the JSON report lists them."""
    run = subprocess.run(
        [python, "-m", "hublint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, cwd=cwd, env=os.environ.copy(),
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"hublint gave no JSON on {path} (exit {run.returncode}):\n{run.stderr[-2000:]}")
    if report.get("internal_errors"):
        print(f"warning: internal errors on {path.name}: {report['internal_errors']}", file=sys.stderr)
    return report["findings"]


def near(finding_line: int, entry: dict, tolerance: int) -> bool:
    return any(abs(finding_line - line) <= tolerance for line in [entry["line"], *entry.get("also", ())])


def compare(expected_file: dict, findings: list[dict], tolerance: int):
    """(true positives, false positives, found expectations, missed expectations), each a list."""
    tp, fp = [], []
    for finding in findings:
        rule, line = finding["rule_id"], finding["line"]
        if any(e["rule"] == rule and near(line, e, tolerance) for e in expected_file["expected"]):
            tp.append(finding)
        elif any(e["rule"] == rule and near(line, e, tolerance)
                 for e in expected_file.get("project_expected", []) + expected_file.get("allowed", [])):
            continue
        else:
            fp.append(finding)
    found, missed = [], []
    for entry in expected_file["expected"]:
        hit = any(f["rule_id"] == entry["rule"] and near(f["line"], entry, tolerance) for f in findings)
        (found if hit else missed).append(entry)
    return tp, fp, found, missed


def ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:6.1%}" if denominator else "     -"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=Path, default=DEFAULT_FILES, help="folder of the saved files")
    parser.add_argument("--expected", type=Path, default=DEFAULT_EXPECTED)
    parser.add_argument("--python", default=sys.executable, help="interpreter that runs hublint")
    parser.add_argument("--tolerance", type=int, default=None, help="lines either side (default: expected.json's)")
    parser.add_argument("--details", action="store_true", help="list every false positive and missed expectation")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args(argv)

    data = json.loads(args.expected.read_text())
    tolerance = data.get("tolerance", 2) if args.tolerance is None else args.tolerance
    where = subprocess.run([args.python, "-c", "import hublint; print(hublint.__file__)"],
                           capture_output=True, text=True, env=os.environ.copy()).stdout.strip()

    per_rule = defaultdict(lambda: {"tp": 0, "fp": 0, "found": 0, "expected": 0})
    fps, fns, skipped, linted = [], [], [], 0
    with tempfile.TemporaryDirectory() as cwd:  # no pyproject.toml around: default configuration
        for entry in data["files"]:
            path = args.files / entry["file"]
            if not path.exists():
                skipped.append(entry["file"])
                continue
            linted += 1
            findings = lint(args.python, path.resolve(), cwd)
            tp, fp, found, missed = compare(entry, findings, tolerance)
            for f in tp:
                per_rule[f["rule_id"]]["tp"] += 1
            for f in fp:
                per_rule[f["rule_id"]]["fp"] += 1
                fps.append((entry["file"], f))
            for e in found:
                per_rule[e["rule"]]["found"] += 1
            for e in entry["expected"]:
                per_rule[e["rule"]]["expected"] += 1
            fns.extend((entry["file"], e) for e in missed)

    print(f"hublint: {where}")
    print(f"files: {linted} linted, {len(skipped)} missing from {args.files}; tolerance +-{tolerance} lines\n")
    print(f"{'rule':8} {'TP':>4} {'FP':>4} {'precision':>9}   {'found':>5} {'expected':>8} {'recall':>7}")
    rows = {}
    total = {"tp": 0, "fp": 0, "found": 0, "expected": 0}
    total_wo = {"tp": 0, "fp": 0, "found": 0, "expected": 0}
    for rule in sorted(per_rule):
        c = per_rule[rule]
        rows[rule] = dict(c)
        print(f"{rule:8} {c['tp']:4} {c['fp']:4} {ratio(c['tp'], c['tp'] + c['fp']):>9}   "
              f"{c['found']:5} {c['expected']:8} {ratio(c['found'], c['expected']):>7}")
        for key in total:
            total[key] += c[key]
            if rule != "HUB004":
                total_wo[key] += c[key]
    for label, c in (("all", total), ("all-004", total_wo)):
        rows[label] = dict(c)
        print(f"{label:8} {c['tp']:4} {c['fp']:4} {ratio(c['tp'], c['tp'] + c['fp']):>9}   "
              f"{c['found']:5} {c['expected']:8} {ratio(c['found'], c['expected']):>7}")
    if args.details:
        print("\nfalse positives:")
        for name, f in fps:
            print(f"  {name}:{f['line']} {f['rule_id']} {f['message']}")
        print("missed expectations:")
        for name, e in fns:
            print(f"  {name}:{e['line']} {e['rule']} {e['reason']}")
    if args.json:
        args.json.write_text(json.dumps({"hublint": where, "files": linted, "missing": skipped, "rules": rows,
                                         "false_positives": [(n, f["rule_id"], f["line"], f["message"]) for n, f in fps],
                                         "missed": [(n, e["rule"], e["line"], e["reason"]) for n, e in fns]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
