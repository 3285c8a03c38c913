"""JUnit XML, for CI systems that show test reports (``--format junit``).

The convention: one ``<testsuite>`` per linted file or module, holding one
``<testcase>`` named after that path.  The testcase fails when the path has
findings at or above ``fail-on`` (the ones that fail the run); the failure
text lists every such finding as ``line:col ID name [severity] message`` with
its fix.  Findings below ``fail-on`` go to the testcase's ``<system-out>``,
so CI shows them without turning the build red.  An internal error (a
hublint bug) is an ``<error>``.  A clean path is a passing testcase, so the
report also says what was checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hublint.finding import Finding

NAME = "junit"
EXTENSION = "xml"

# Characters XML 1.0 cannot carry at all, even escaped (NUL, most C0 controls, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(result, config, color: bool = False) -> str:
    by_path: dict[str, list[Finding]] = {}
    kinds: dict[str, str] = {}
    for path in result.sources:
        by_path.setdefault(path, [])
        kinds[path] = "source"
    for path in result.modules:
        by_path.setdefault(path, [])
        kinds[path] = "module"
    for finding in result.findings:
        # A finding about one file of a module (variables/variables.index) belongs to the module's testcase.
        module = finding.location.module
        key = module or finding.location.path
        by_path.setdefault(key, []).append(finding)
        kinds.setdefault(key, "module" if module else "source")
    errors: dict[str, list] = {}
    for error in result.internal_errors:
        by_path.setdefault(error.path, [])
        kinds.setdefault(error.path, "source")
        errors.setdefault(error.path, []).append(error)

    threshold = config.fail_severity
    root = ET.Element("testsuites", name="hublint")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for path in sorted(by_path):
        findings = by_path[path]
        failing = [f for f in findings if threshold is not None and f.severity >= threshold]
        passing = [f for f in findings if f not in failing]
        suite = ET.SubElement(root, "testsuite", name=path, tests="1",
                              failures=str(int(bool(failing))), errors=str(int(path in errors)), skipped="0")
        case = ET.SubElement(suite, "testcase", classname=f"hublint.{kinds[path]}", name=path)
        if failing:
            failure = ET.SubElement(case, "failure", type="hublint",
                                    message=_failure_message(failing))
            failure.text = "\n".join(_describe(f) for f in failing)
        for error in errors.get(path, []):
            element = ET.SubElement(case, "error", type="hublint.InternalError", message=error.message)
            element.text = error.traceback
        if passing:
            ET.SubElement(case, "system-out").text = "\n".join(_describe(f) for f in passing)
        totals["tests"] += 1
        totals["failures"] += int(bool(failing))
        totals["errors"] += int(path in errors)
    for key, value in totals.items():
        root.set(key, str(value))
    for element in root.iter():
        element.text = _xml_text(element.text)
        for key, value in element.attrib.items():
            element.set(key, _xml_text(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_text(text: str | None) -> str | None:
    return _NOT_XML.sub("\ufffd", text) if text else text


def _failure_message(findings: list[Finding]) -> str:
    count = len(findings)
    first = findings[0]
    more = f" (and {count - 1} more)" if count > 1 else ""
    return f"{count} finding{'s' if count != 1 else ''}: {first.rule_id} {first.message}{more}"


def _describe(finding: Finding) -> str:
    loc = finding.location
    if loc.line:
        where = f"{loc.line}:{loc.column or 1}"
    else:
        where = loc.display()
    text = f"{where}: {finding.rule_id} {finding.rule_name} [{finding.severity.label}] {finding.message}"
    if finding.fix:
        text += f"\n    fix: {finding.fix}"
    return text
