"""SARIF output: valid against the official 2.1.0 schema, and what GitHub code scanning needs."""

from __future__ import annotations

import json
import os
import re
import shutil
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
from tests.test_module_archives import pack
from tests.test_module_remote import http_root  # noqa: F401 - a fixture: a Range-honouring server on 127.0.0.1

SCHEMA = json.loads((REPO / "hublint" / "report" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
EXAMPLE_MODULE = REPO / "examples" / "module"  # exported by examples/module_publisher.py: 5 findings


def _rfc3986() -> tuple[re.Pattern, re.Pattern]:
    """RFC 3986 (appendix A) ``URI`` and ``URI-reference``, spelled out from its grammar."""
    unreserved, pct, sub = r"[A-Za-z0-9\-._~]", r"%[0-9A-Fa-f]{2}", r"[!$&'()*+,;=]"
    pchar = rf"(?:{unreserved}|{pct}|{sub}|[:@])"
    octet = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    h16 = r"[0-9A-Fa-f]{1,4}"
    ipv6 = rf"(?:(?:{h16}:)*(?:{h16}|{octet}(?:\.{octet}){{3}})?(?:::)?(?:{h16}:)*(?:{h16}|{octet}(?:\.{octet}){{3}})?)"
    ip_literal = rf"\[(?:{ipv6}|v[0-9A-Fa-f]+\.(?:{unreserved}|{sub}|:)+)\]"
    host = rf"(?:{ip_literal}|{octet}(?:\.{octet}){{3}}|(?:{unreserved}|{pct}|{sub})*)"
    authority = rf"(?:(?:{unreserved}|{pct}|{sub}|:)*@)?{host}(?::[0-9]*)?"
    segment, segment_nz = rf"{pchar}*", rf"{pchar}+"
    segment_nz_nc = rf"(?:{unreserved}|{pct}|{sub}|@)+"
    abempty = rf"(?:/{segment})*"
    absolute = rf"/(?:{segment_nz}(?:/{segment})*)?"
    query = rf"(?:\?(?:{pchar}|[/?])*)?(?:#(?:{pchar}|[/?])*)?"
    uri = rf"[A-Za-z][A-Za-z0-9+\-.]*:(?://{authority}{abempty}|{absolute}|{segment_nz}(?:/{segment})*|){query}"
    relative = rf"(?://{authority}{abempty}|{absolute}|{segment_nz_nc}(?:/{segment})*|){query}"
    return re.compile(uri), re.compile(rf"(?:{uri}|{relative})")


URI, URI_REFERENCE = _rfc3986()
# jsonschema checks the "uri" / "uri-reference" formats only with an optional package: check them here,
# so that validating against the schema also validates every artifactLocation.uri.
FORMATS = jsonschema.FormatChecker()
FORMATS.checks("uri")(lambda value: not isinstance(value, str) or bool(URI.fullmatch(value)))
FORMATS.checks("uri-reference")(lambda value: not isinstance(value, str) or bool(URI_REFERENCE.fullmatch(value)))


def validate(document: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=FORMATS).validate(document)


def artifact_locations(document: dict) -> list[dict]:
    """Every ``artifactLocation`` in the log, wherever it is."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if "artifactLocation" in value:
                found.append(value["artifactLocation"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return found


def uris_are_well_formed(document: dict) -> list[str]:
    """Validates the log, then: absolute URIs carry no ``uriBaseId``, relative ones are under %SRCROOT%."""
    validate(document)
    locations = artifact_locations(document)
    for location in locations:
        if URI.fullmatch(location["uri"]):
            assert "uriBaseId" not in location, location
        else:
            assert location["uriBaseId"] == "%SRCROOT%", location
    return sorted({location["uri"] for location in locations})


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


# -- URIs: remote modules and archive members (RFC 3986) ---------------------------------


def test_the_uri_formats_are_checked():
    assert URI.fullmatch("https://models.example.org/text%20embedding/saved_model.pb")
    assert URI.fullmatch("gs://bucket/m.tar.gz!/saved_model.pb") and URI.fullmatch("http://[::1]:8080/m")
    assert URI_REFERENCE.fullmatch("m.tar.gz!/variables/variables.index") and not URI.fullmatch("m.tar.gz")
    for bad in ("http://host/my module/", "m%zz/saved_model.pb", "a<b", "http://host/m#x#y", "[draft]/m"):
        assert not URI_REFERENCE.fullmatch(bad), bad
    finding = Finding(Location("a.py", 1, 1), "HUB001", "source-unparsable", Severity.ERROR, "m")
    document = sarif_report.document(RunResult(findings=[finding]), Config(cache=False))
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b.py"
    with pytest.raises(jsonschema.ValidationError, match="uri-reference"):
        validate(document)


def test_archive_members_are_uris_with_their_bang(tmp_path, config):
    """A module in an archive is shown at ``m.tar.gz!/saved_model.pb``; a stray member at its own name,
    percent-encoded where a URI needs it; ``!`` stays as the text report writes it."""
    stray = "old notes #1 [draft] ü%.txt~"  # an editor backup: HUB402
    pack(EXAMPLE_MODULE, tmp_path / "m.tar.gz", extra={stray: b"x"})
    result = run(["m.tar.gz"], config)
    document = json.loads(sarif_report.render(result, config))
    assert uris_are_well_formed(document) == [
        "m.tar.gz!/old%20notes%20%231%20%5Bdraft%5D%20%C3%BC%25.txt~", "m.tar.gz!/saved_model.pb"]
    by_uri = results_by_uri(document)
    assert sorted(r["ruleId"] for r in by_uri["m.tar.gz!/saved_model.pb"]) == [
        "HUB201", "HUB202", "HUB202", "HUB204", "HUB207"]
    [backup] = next(items for uri, items in by_uri.items() if "draft" in uri)
    assert backup["ruleId"] == "HUB402"
    assert "(module m.tar.gz, file old notes #1 [draft] ü%.txt~)" in backup["message"]["text"]


def test_archive_outside_the_working_directory_is_an_absolute_file_uri(tmp_path, config, monkeypatch):
    (tmp_path / "work").mkdir()
    pack(EXAMPLE_MODULE, tmp_path / "m.zip")
    monkeypatch.chdir(tmp_path / "work")
    result = run([str(tmp_path / "m.zip")], config)
    uris = uris_are_well_formed(json.loads(sarif_report.render(result, config)))
    assert uris == [(tmp_path / "m.zip").as_uri() + "!/saved_model.pb"]


def test_remote_modules_keep_absolute_urls(http_root, config):  # noqa: F811 - the fixture
    """Over a real HTTP server: a remote folder is shown at its URL's ``saved_model.pb`` and a remote
    archive at ``URL!/saved_model.pb``; URLs stay absolute (no base), their %XX stay as given."""
    root, base, _ = http_root
    shutil.copytree(EXAMPLE_MODULE, root / "text models" / "m#1")
    pack(EXAMPLE_MODULE, root / "m.tar.gz")
    folder, archive = f"{base}/text%20models/m%231/", f"{base}/m.tar.gz"
    result = run([folder, archive], config)
    assert not result.internal_errors and len(result.modules) == 2
    document = json.loads(sarif_report.render(result, config))
    assert uris_are_well_formed(document) == [f"{base}/m.tar.gz!/saved_model.pb",
                                              f"{base}/text%20models/m%231/saved_model.pb"]
    assert all(len(items) == 5 for items in results_by_uri(document).values())
    logical = document["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]
    assert URI.fullmatch(logical["properties"]["module"])


@pytest.mark.parametrize("module, uri", [
    ("gs://hub-models/text embedding/v2", "gs://hub-models/text%20embedding/v2"),
    ("gs://hub-models/ünïcode/100%/m", "gs://hub-models/%C3%BCn%C3%AFcode/100%25/m"),
    ("https://models.example.org/m%20v2", "https://models.example.org/m%20v2"),
    ("https://user@[::1]:8443/a<b>/m", "https://user@[::1]:8443/a%3Cb%3E/m"),
    ("s3://bucket/my model.tar.gz", "s3://bucket/my%20model.tar.gz"),
])
def test_urls_are_percent_encoded_only_where_a_uri_needs_it(module, uri, config):
    """Findings as the module pass makes them for a URL (no gcsfs or s3fs needed): a meta-graph finding
    is shown at the graph's file, a finding about one file at that file; in an archive, after ``!/``."""
    inside = "!/" if module.endswith(".tar.gz") else "/"
    findings = [
        Finding(Location(module, tag_set=(), node="dense/kernel", module=module), "HUB202", "kernel-unregularized",
                Severity.WARNING, "kernel dense/kernel has no regularization loss"),
        Finding(Location(f"{module}{inside}variables/variables.index", node="dense/kernel", module=module),
                "HUB211", "checkpoint-inconsistent", Severity.ERROR, "variable dense/kernel is not in the checkpoint"),
    ]
    result = RunResult(findings=findings, modules=[module],
                       module_summaries={module: {"path": module, "saved_model_file": "saved_model.pb"}})
    document = sarif_report.document(result, config)
    assert uris_are_well_formed(document) == sorted(
        [f"{uri}{inside}saved_model.pb", f"{uri}{inside}variables/variables.index"])
    graph_finding, index_finding = document["runs"][0]["results"]
    assert f"(module {module}, file variables/variables.index, node dense/kernel)" in index_finding["message"]["text"]
    assert graph_finding["locations"][0]["logicalLocations"][0]["properties"]["module"] == uri
