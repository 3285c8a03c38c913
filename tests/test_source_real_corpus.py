"""The source pass on real publisher files whose licence lets them live in the repository.

``tests/real_code/expected.json`` records, for each public publisher file of the real-code
check (issue 9), what a careful reader expects hublint to report.  The files whose licence
allows it are committed unmodified under ``tests/real_code/files/``; here each of them is
linted on its own, as ``bench/real_code_eval.py`` does, and compared with the record:

- every expectation is found (rule within ``tolerance`` lines of the expected line);
  expectations hublint misses today carry a ``known_miss`` reason and are strict xfails, so
  they fail loudly the day they are fixed and the record must be updated;
- nothing else is reported, apart from ``project_expected`` / ``allowed`` entries.

The expectations are the reader's, not hublint's output: nothing here is copied from a run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, cli_findings

REAL = REPO / "tests" / "real_code"
DATA = json.loads((REAL / "expected.json").read_text(encoding="utf-8"))
TOLERANCE = DATA["tolerance"]
COMMITTED = [entry for entry in DATA["files"] if entry["committed"]]


def _near(line: int, entry: dict) -> bool:
    return any(abs(line - expected) <= TOLERANCE for expected in [entry["line"], *entry.get("also", ())])


_RUNS: dict[str, list[dict]] = {}


def _findings(entry: dict, tmp_path_factory) -> list[dict]:
    """hublint's findings on one committed file, linted alone in an empty folder (default configuration)."""
    name = entry["file"]
    if name not in _RUNS:
        folder = tmp_path_factory.mktemp("real")
        shutil.copy(REAL / "files" / name, folder / name)
        _, findings = cli_findings(name, cwd=folder)
        _RUNS[name] = findings
    return _RUNS[name]


def test_committed_files_are_in_the_record():
    on_disk = {path.name for path in (REAL / "files").glob("*.py")}
    assert on_disk == {entry["file"] for entry in COMMITTED}, "tests/real_code/files and expected.json disagree"
    assert COMMITTED, "no committed real-code file: the offline check would test nothing"


def _expectation_params():
    for entry in COMMITTED:
        for expectation in entry["expected"]:
            marks = ()
            if expectation.get("known_miss"):
                marks = (pytest.mark.xfail(strict=True, reason=expectation["known_miss"]),)
            yield pytest.param(entry, expectation, marks=marks,
                               id=f"{entry['file']}:{expectation['line']}:{expectation['rule']}")


@pytest.mark.parametrize("entry, expectation", list(_expectation_params()))
def test_expected_finding_is_reported(entry, expectation, tmp_path_factory):
    findings = _findings(entry, tmp_path_factory)
    near = [f for f in findings if f["rule_id"] == expectation["rule"] and _near(f["line"], expectation)]
    assert near, f"{expectation['rule']} expected near line {expectation['line']}: {expectation['reason']}"


@pytest.mark.parametrize("entry", COMMITTED, ids=[entry["file"] for entry in COMMITTED])
def test_nothing_else_is_reported(entry, tmp_path_factory):
    findings = _findings(entry, tmp_path_factory)
    accepted = entry["expected"] + entry.get("project_expected", []) + entry.get("allowed", [])
    extra = [
        (f["rule_id"], f["line"], f["message"])
        for f in findings
        if not any(e["rule"] == f["rule_id"] and _near(f["line"], e) for e in accepted)
    ]
    assert extra == [], "findings no reader expects (false positives)"
