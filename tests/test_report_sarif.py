"""SARIF output: valid against the official 2.1.0 schema, and what GitHub code scanning needs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from hublint import __version__, registry
from hublint.config import Config
from hublint.finding import Finding, Location, Severity
from hublint.report import get_reporter, sarif_report
from hublint.runner import InternalError, RunResult, run
from tests.conftest import REPO, run_cli
from tests.report_samples import HOSTILE, sample_result

SCHEMA = json.loads((REPO / "hublint" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def validate(document: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Config(cache=False, root=str(tmp_path))


@pytest.fixture
def log(tmp_path, config):
    result = sample_result(tmp_path, config)
    return result, json.loads(sarif_report.render(result, config))


def results_by_uri(document: dict) -> dict[str, list[dict]]:
    table: dict[str, list[dict]] = {}
    for item in document["runs"][0]["results"]:
        uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        table.setdefault(uri, []).append(item)
    return table


def test_the_vendored_schema_is_the_official_one():
    assert SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert len(SCHEMA["definitions"]) == 52


def test_output_is_valid_sarif(log):
    _, document = log
    validate(document)
    assert document["version"] == "2.1.0"


def test_the_validator_rejects_a_broken_log(log):
    _, document = log
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_driver_describes_every_rule(log):
    _, document = log
    driver = document["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("hublint", __version__)
    # The project has no public address yet: link nowhere rather than to a page that does not exist.
    assert "informationUri" not in driver
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids[: len(registry.all_rules())] == [rule.id for rule in registry.all_rules()]
    hub001 = driver["rules"][ids.index("HUB001")]
    assert hub001["name"] == "source-unparsable"
    assert "helpUri" not in hub001  # the full documentation is embedded in help.markdown instead
    assert hub001["defaultConfiguration"]["level"] == "error"
    assert registry.get_rule("HUB001").rationale in hub001["help"]["text"]
    assert hub001["help"]["markdown"].startswith("# HUB001 `source-unparsable`")
    assert hub001["shortDescription"]["text"].endswith(".")


def test_results_point_at_rules_with_mapped_levels(log):
    result, document = log
    results = document["runs"][0]["results"]
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert len(results) == len(result.findings)
    for item, finding in zip(results, result.findings):
        assert item["ruleId"] == finding.rule_id
        assert rules[item["ruleIndex"]]["id"] == finding.rule_id
        assert item["level"] == {"error": "error", "warning": "warning", "info": "note"}[finding.severity.label]
        assert item["message"]["text"].startswith(finding.message)


def test_source_findings_have_relative_uris_and_regions(log):
    _, document = log
    [broken] = results_by_uri(document)["src/broken.py"]
    location = broken["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert location["region"]["startLine"] == 4
    assert location["region"]["startColumn"] >= 1
    # A path named on the command line that does not exist still gets a line for code scanning.
    [missing] = results_by_uri(document)["no_such_file.py"]
    assert missing["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    # A hostile file name is percent-encoded into a URI, not passed through.
    hostile = [uri for uri in results_by_uri(document) if "onerror" in uri]
    assert hostile and all("<" not in uri and '"' not in uri for uri in hostile)


def test_module_findings_are_located_at_saved_model_pb(log):
    _, document = log
    module_results = results_by_uri(document)["export/mod/saved_model.pb"]
    assert sorted(r["ruleId"] for r in module_results) == ["HUB202", "HUB203", "HUB204", "HUB215"]
    hub202 = next(r for r in module_results if r["ruleId"] == "HUB202")
    assert "tag set {train}" in hub202["message"]["text"] and "node dense_1/kernel" in hub202["message"]["text"]
    [logical] = hub202["locations"][0]["logicalLocations"]
    assert logical["name"] == "dense_1/kernel"
    assert logical["fullyQualifiedName"] == "export/mod[train]:dense_1/kernel"
    assert logical["properties"]["tagSet"] == ["train"]
    hub204 = next(r for r in module_results if r["ruleId"] == "HUB204")
    assert "tag set {} (default)" in hub204["message"]["text"]
    assert hub204["locations"][0]["logicalLocations"][0]["name"] == HOSTILE


def test_fingerprints_are_unique_and_survive_lines_added_above(tmp_path, config, log):
    _, before = log
    prints = [r["partialFingerprints"][sarif_report.FINGERPRINT_KEY] for r in before["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)
    broken = tmp_path / "src" / "broken.py"
    broken.write_text('"""A docstring added above."""\n\n' + broken.read_text())
    after = json.loads(sarif_report.render(run(["src"], config), config))
    old = results_by_uri(before)["src/broken.py"][0]
    new = results_by_uri(after)["src/broken.py"][0]
    assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert new["partialFingerprints"] == old["partialFingerprints"]


def test_identical_lines_get_distinct_fingerprints(tmp_path, config):
    finding = Finding(Location("a.py", 1, 1), "HUB001", "source-unparsable", Severity.ERROR, "m")
    twin = Finding(Location("a.py", 2, 1), "HUB001", "source-unparsable", Severity.ERROR, "m")
    (tmp_path / "a.py").write_text("same\nsame\n")
    document = sarif_report.document(RunResult(findings=[finding, twin], sources=["a.py"]), config)
    first, second = (r["partialFingerprints"][sarif_report.FINGERPRINT_KEY] for r in document["runs"][0]["results"])
    assert first != second and first.split(":")[0] == second.split(":")[0]


def test_output_is_deterministic(tmp_path, config, log):
    result, _ = log
    assert sarif_report.render(result, config) == sarif_report.render(result, config)
    assert str(tmp_path) not in sarif_report.render(result, config)


def test_invocation_reports_internal_errors(config):
    clean = sarif_report.document(RunResult(sources=["a.py"]), config)
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True
    broken = RunResult(internal_errors=[InternalError("a.py", "KeyError: 'x'", "Traceback ...")])
    document = sarif_report.document(broken, config)
    validate(document)
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "KeyError" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_unknown_rule_ids_get_a_descriptor(config):
    finding = Finding(Location("m", tag_set=("train",), node="n", module="m"), "HUB299", "from-the-future", Severity.INFO, "x")
    document = sarif_report.document(RunResult(findings=[finding]), config)
    validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert rules[document["runs"][0]["results"][0]["ruleIndex"]]["id"] == "HUB299"


def test_cli_writes_sarif_next_to_other_formats(tmp_path, config):
    assert get_reporter("sarif") is sarif_report
    (tmp_path / "bad.py").write_text("def f(:\n")
    done = run_cli("bad.py", "--no-cache", "--format", "sarif", "--output-json", "out.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    validate(document)
    assert results_by_uri(document)["bad.py"][0]["ruleId"] == "HUB001"
    assert json.loads((tmp_path / "out.json").read_text())["findings"][0]["rule_id"] == "HUB001"


def test_examples_give_valid_sarif(monkeypatch):
    examples = REPO / "examples"
    assert any(examples.glob("*.py")), "examples/ is empty"
    monkeypatch.chdir(REPO)
    config = Config(cache=False, root=str(REPO))
    result = run(["examples"], config)
    document = json.loads(sarif_report.render(result, config))
    validate(document)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert all(uri.startswith("examples/") for uri in uris)
    assert Path("examples").is_dir()


def test_a_finding_about_one_file_of_a_module_points_at_that_file(tmp_path, config):
    (tmp_path / "mod" / "variables").mkdir(parents=True)
    (tmp_path / "mod" / "saved_model.pb").write_bytes(b"\x08\x01")
    index_file = os.path.join("mod", "variables", "variables.index")
    finding = Finding(Location(index_file, node="dense/kernel", module="mod"), "HUB211", "checkpoint-inconsistent",
                      Severity.ERROR, "variable dense/kernel is missing from the checkpoint")
    document = sarif_report.document(RunResult(findings=[finding], modules=["mod"]), config)
    validate(document)
    [item] = document["runs"][0]["results"]
    assert item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "mod/variables/variables.index"
    assert "(module mod, file variables/variables.index, node dense/kernel)" in item["message"]["text"]
    assert item["locations"][0]["logicalLocations"][0]["properties"]["module"] == "mod"
