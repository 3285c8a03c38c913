"""The committed example reports in reports/ are what ``python -m hublint.report.examples`` makes now."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from hublint.report import examples
from tests.conftest import REPO


def test_example_reports_are_current(tmp_path):
    assert any((REPO / "examples").glob("*.py")), "examples/ is empty"
    done = subprocess.run([sys.executable, "-m", "hublint.report.examples", "--out", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    fresh = {path.name: path.read_text(encoding="utf-8") for path in sorted(tmp_path.iterdir())}
    assert sorted(fresh) == ["example.html", "example.json", "example.sarif"]
    stale = [name for name, text in fresh.items()
             if not (REPO / "reports" / name).is_file()
             or (REPO / "reports" / name).read_text(encoding="utf-8") != text]
    assert not stale, f"reports/ is stale ({', '.join(stale)}): run python -m hublint.report.examples"


def test_example_reports_cover_the_examples():
    rendered = examples.render_all()
    document = json.loads(rendered["example.json"])
    linted = {f["path"].split("/")[0] for f in document["findings"]}
    assert document["summary"]["files"] == len(list((REPO / "examples").glob("*.py")))
    assert linted == {"examples"}  # the scripts and examples/module, nothing else
    assert examples.render_all() == rendered  # deterministic
    sarif_schema = json.loads((REPO / "hublint" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema).validate(json.loads(rendered["example.sarif"]))
    json_schema = json.loads((REPO / "docs" / "json-schema-v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json_schema).validate(document)
