"""The JSON report matches its documented schema (docs/json-schema-v1.json)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from hublint.config import Config
from hublint.report import json_report
from hublint.runner import InternalError, RunResult, run
from tests.conftest import REPO, run_cli
from tests.report_samples import sample_result

SCHEMA = json.loads((REPO / "docs" / "json-schema-v1.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Config(cache=False, root=str(tmp_path))


def test_the_schema_is_a_valid_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_cli_output_matches_the_schema(tmp_path, config):
    sample_result(tmp_path, config)  # writes the sample files
    done = run_cli("src", "no_such_file.py", "--no-cache", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    VALIDATOR.validate(document)
    assert document["schema_version"] == json_report.SCHEMA_VERSION == 1
    positioned = [f for f in document["findings"] if "line" in f]
    assert positioned and all(f["line"] >= 1 for f in positioned)


def test_module_findings_and_summaries_match_the_schema(tmp_path, config):
    result = sample_result(tmp_path, config)
    result.internal_errors.append(InternalError("src/clean.py", "KeyError: 'x'", "Traceback ..."))
    document = json.loads(json_report.render(result, config))
    VALIDATOR.validate(document)
    module_findings = [f for f in document["findings"] if "node" in f]
    assert {tuple(f["tag_set"]) for f in module_findings} == {("train",), ()}
    assert document["modules"]["export/mod"]["format"] == "tf1-hub"


def test_the_schema_rejects_what_version_1_does_not_allow(tmp_path, config):
    document = json.loads(json_report.render(sample_result(tmp_path, config), config))
    for break_it in (
        lambda d: d.pop("schema_version"),
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["findings"][0].pop("rule_id"),
        lambda d: d["summary"]["by_severity"].pop("info"),
        lambda d: d["findings"][-1].pop("column"),  # a source finding with a line but no column
    ):
        broken = json.loads(json.dumps(document))
        break_it(broken)
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(broken)


def test_examples_match_the_schema(monkeypatch):
    assert any((REPO / "examples").glob("*.py")), "examples/ is empty"
    monkeypatch.chdir(REPO)
    config = Config(cache=False, root=str(REPO))
    VALIDATOR.validate(json.loads(json_report.render(run(["examples"], config), config)))


def test_an_empty_run_matches_the_schema(config):
    VALIDATOR.validate(json.loads(json_report.render(RunResult(), config)))
