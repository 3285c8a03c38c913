"""JUnit XML: one suite and testcase per file or module, failing on findings at or above fail-on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hublint.config import Config
from hublint.finding import Finding, Location, Severity
from hublint.report import junit_report
from hublint.runner import InternalError, RunResult
from tests.conftest import run_cli
from tests.report_samples import HOSTILE, HOSTILE_FILE, sample_result


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Config(cache=False, root=str(tmp_path))


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in root.iter("testcase")}


def test_one_suite_and_testcase_per_file_and_module(tmp_path, config):
    result = sample_result(tmp_path, config)
    root = parse(junit_report.render(result, config))
    names = [suite.get("name") for suite in root.iter("testsuite")]
    assert names == sorted(["export/mod", "no_such_file.py", "src/broken.py", "src/clean.py", f"src/{HOSTILE_FILE}"])
    assert root.get("tests") == "5" and root.get("failures") == "4" and root.get("errors") == "0"
    table = cases(root)
    assert table["src/clean.py"].find("failure") is None
    assert table["src/clean.py"].get("classname") == "hublint.source"
    assert table["export/mod"].get("classname") == "hublint.module"
    failure = table["src/broken.py"].find("failure")
    assert failure.get("message").startswith("1 finding: HUB001 cannot lint this file")
    assert failure.text.startswith("4:15: HUB001 source-unparsable [error]")
    assert "fix: fix the file" in failure.text


def test_findings_below_fail_on_go_to_system_out(tmp_path, config):
    result = sample_result(tmp_path, config)
    module = cases(parse(junit_report.render(result, config)))["export/mod"]
    assert module.find("failure").get("message").startswith("3 findings: ")
    assert "HUB215 oversized-constant [info]" in module.find("system-out").text
    assert "HUB215" not in module.find("failure").text
    strict = cases(parse(junit_report.render(result, config.replace(fail_on="error"))))["export/mod"]
    assert strict.find("failure").get("message").startswith("1 finding: HUB204")
    assert "HUB202 kernel-unregularized [warning]" in strict.find("system-out").text
    never = parse(junit_report.render(result, config.replace(fail_on="never")))
    assert never.get("failures") == "0" and not list(never.iter("failure"))


def test_hostile_text_round_trips_and_stays_well_formed(tmp_path, config):
    result = sample_result(tmp_path, config)
    text = junit_report.render(result, config)
    assert "<script>" not in text
    root = parse(text)
    assert f"src/{HOSTILE_FILE}" in cases(root)
    assert HOSTILE in cases(root)["export/mod"].find("failure").text


def test_control_characters_cannot_break_the_xml(config):
    finding = Finding(Location("a.py", 1, 1), "HUB001", "source-unparsable", Severity.ERROR,
                      "cannot lint this file: NUL byte \x00 and escape \x1b[31m", "")
    root = parse(junit_report.render(RunResult(findings=[finding], sources=["a.py"]), config))
    assert "NUL byte \ufffd and escape \ufffd[31m" in root.find(".//failure").text


def test_internal_errors_are_errors(config):
    result = RunResult(sources=["a.py"], internal_errors=[InternalError("a.py", "KeyError: 'x'", "Traceback: ...")])
    root = parse(junit_report.render(result, config))
    error = cases(root)["a.py"].find("error")
    assert error.get("message") == "KeyError: 'x'" and error.text == "Traceback: ..."
    assert root.get("errors") == "1"


def test_cli_output_junit(tmp_path, config):
    (tmp_path / "bad.py").write_text("def f(:\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    done = run_cli("bad.py", "ok.py", "--no-cache", "--output-junit", "report.xml", cwd=tmp_path)
    assert done.returncode == 1
    root = parse((tmp_path / "report.xml").read_text(encoding="utf-8"))
    assert set(cases(root)) == {"bad.py", "ok.py"}
    assert cases(root)["bad.py"].find("failure") is not None


def test_a_finding_about_one_file_of_a_module_belongs_to_the_module(config):
    finding = Finding(Location("mod/variables/variables.index", node="dense/kernel", module="mod"), "HUB211",
                      "checkpoint-inconsistent", Severity.ERROR, "variable dense/kernel is missing")
    root = parse(junit_report.render(RunResult(findings=[finding], modules=["mod"]), config))
    assert list(cases(root)) == ["mod"]
    assert "mod/variables/variables.index:dense/kernel: HUB211" in cases(root)["mod"].find("failure").text
