"""The shipped examples report exactly what ``examples/README.md`` says they do.

The README table is the one source of truth: each row names an example and the
rules it triggers (``HUB102 ×2``: twice; ``none``: clean).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_findings

EXAMPLES = REPO / "examples"
_ROW = re.compile(r"^\|\s*\[(?P<file>[\w.]+\.py)\]\([\w.]+\)[^|]*\|\s*(?P<rules>[^|]+?)\s*\|\s*$")
_RULE = re.compile(r"^(?P<id>HUB\d{3})(?:\s*×\s*(?P<count>\d+))?$")


def readme_table() -> dict[str, Counter]:
    """example file name -> Counter of the rule ids the README promises."""
    table: dict[str, Counter] = {}
    for line in (EXAMPLES / "README.md").read_text(encoding="utf-8").splitlines():
        row = _ROW.match(line)
        if not row:
            continue
        expected: Counter = Counter()
        if row["rules"].strip().lower() != "none":
            for part in row["rules"].split(","):
                rule = _RULE.match(part.strip())
                assert rule, f"README: cannot read {part.strip()!r} in the row of {row['file']}"
                expected[rule["id"]] += int(rule["count"] or 1)
        table[row["file"]] = expected
    return table


EXPECTED = readme_table()


@pytest.fixture(scope="module")
def examples_run():
    """One CLI run over the whole folder: exit code and rule-id counts per example."""
    code, findings = cli_findings(str(EXAMPLES), cwd=REPO)
    per_file: dict[str, Counter] = {}
    for finding in findings:
        per_file.setdefault(Path(finding["path"]).name, Counter())[finding["rule_id"]] += 1
    return code, per_file


def test_readme_describes_every_example():
    shipped = {path.name for path in EXAMPLES.glob("*.py")}
    assert shipped == set(EXPECTED), "examples/README.md and examples/*.py disagree"
    assert any(not rules for rules in EXPECTED.values()), "the README names no clean example"


def test_examples_folder_fails(examples_run):
    code, _ = examples_run
    assert code == 1


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_findings_match_readme(example, examples_run):
    _, per_file = examples_run
    assert per_file.get(example, Counter()) == EXPECTED[example]


def test_clean_example_passes():
    code, findings = cli_findings(str(EXAMPLES / "clean_module.py"), cwd=REPO)
    assert findings == []
    assert code == 0
