"""pylint with ``hublint.pylint_plugin`` reports what the ``hublint`` command reports.

Every test runs real pylint in a subprocess on real files and compares its
messages, mapped back to hublint ids, with the JSON findings of the CLI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hublint import registry
from hublint.pylint_plugin import plugin_rules, pylint_messages, pylint_msgid
from tests.conftest import REPO, cli_findings

EXAMPLES = REPO / "examples"
RULE_BY_MSGID = {msgid: rule for rule in plugin_rules() for msgid in pylint_messages(rule).values()}
DEFAULT_MSGIDS = sorted(msgid for msgid, rule in RULE_BY_MSGID.items() if rule.enabled_by_default)
# pylint never hands a file it cannot parse to plugins: its syntax-error is HUB001 there.
SYNTAX_ERROR = "E0001"


def run_pylint(*args: str, cwd: Path) -> list[dict]:
    """pylint's JSON messages for a run with the plugin loaded."""
    done = subprocess.run(
        [sys.executable, "-m", "pylint", "--load-plugins=hublint.pylint_plugin", "--output-format=json",
         "--score=n", "--persistent=n", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout or "[]")


def pylint_hublint_findings(*paths: str, cwd: Path, enable=(), extra=()) -> set[tuple[str, int, str]]:
    """(file name, line, hublint id) of a pylint run with only hublint's messages (and syntax-error) on."""
    enabled = ",".join([SYNTAX_ERROR, *DEFAULT_MSGIDS, *enable])
    messages = run_pylint("--disable=all", f"--enable={enabled}", *extra, *paths, cwd=cwd)
    found = set()
    for message in messages:
        msgid = message["message-id"]
        rule_id = "HUB001" if msgid == SYNTAX_ERROR else RULE_BY_MSGID[msgid].id
        found.add((Path(message["path"]).name, message["line"], rule_id))
    return found


def hublint_findings(*paths: str, cwd: Path, extra=()) -> set[tuple[str, int, str]]:
    _, findings = cli_findings(*extra, *paths, cwd=cwd)
    return {(Path(f["path"]).name, f.get("line", 0), f["rule_id"]) for f in findings}


def lines_with(path: Path, text: str) -> list[int]:
    return [number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line]


def add_comment(path: Path, line: int, comment: str) -> None:
    lines = path.read_text().splitlines()
    lines[line - 1] += f"  {comment}"
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A copy of the seed example (two unregularized dense layers) outside the repo's config."""
    target = tmp_path / "seed_module.py"
    shutil.copy(EXAMPLES / "seed_module.py", target)
    return target


# -- the mapping ----------------------------------------------------------------------------


def test_msgids_follow_the_documented_mapping():
    for rule in plugin_rules():
        number = rule.id[3:]
        category = {"error": "E", "warning": "W", "info": "I"}[rule.severity.label]
        checker = {"0": "99", "1": "91"}[number[0]]
        assert pylint_msgid(rule) == f"{category}{checker}{number[1:]}"
    assert pylint_msgid(registry.get_rule("HUB001")) == "E9901"
    # HUB108's findings are errors (no signature) or warnings (named signatures only): one message each.
    assert sorted(pylint_messages(registry.get_rule("HUB108")).values()) == ["E9108", "W9108"]
    assert len(RULE_BY_MSGID) == sum(1 + len(rule.other_severities) for rule in plugin_rules())


def test_every_source_rule_is_a_pylint_message(tmp_path):
    listed = subprocess.run(
        [sys.executable, "-m", "pylint", "--load-plugins=hublint.pylint_plugin", "--list-msgs"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    ).stdout
    for msgid, rule in RULE_BY_MSGID.items():
        symbol = "hublint-useless-suppression" if rule.id == "HUB003" else rule.name
        if msgid != pylint_msgid(rule):
            symbol += "-" + {"E": "error", "W": "warning", "I": "info"}[msgid[0]]
        assert f":{symbol} ({msgid})" in listed


def test_a_finding_keeps_its_severity_under_pylint(tmp_path):
    """HUB108 with no signature at all is an error; with only a named signature a warning (RULES.md)."""
    rule = registry.get_rule("HUB108")
    (tmp_path / "no_signature.py").write_text(rule.bad[0])
    (tmp_path / "named_only.py").write_text(rule.bad[2])
    _, cli = cli_findings(".", cwd=tmp_path)
    expected = {(Path(f["path"]).name, f["line"], f["severity"][0].upper()) for f in cli if f["rule_id"] == "HUB108"}
    assert {(name, kind) for name, _, kind in expected} == {("no_signature.py", "E"), ("named_only.py", "W")}
    messages = run_pylint("--disable=all", "--enable=E9108,W9108", ".", cwd=tmp_path)
    assert {(Path(m["path"]).name, m["line"], m["message-id"][0]) for m in messages} == expected
    assert {m["symbol"] for m in messages} == {"signature-missing", "signature-missing-warning"}
    # pylint's own switch by symbol turns off only that severity's message
    only_errors = run_pylint("--disable=all", "--enable=signature-missing", ".", cwd=tmp_path)
    assert {m["message-id"] for m in only_errors} == {"E9108"}


# -- same findings as the CLI -----------------------------------------------------------------


def test_examples_give_the_same_findings():
    paths = sorted(str(path.relative_to(REPO)) for path in EXAMPLES.glob("*.py"))
    expected = hublint_findings(*paths, cwd=REPO)
    assert expected, "the examples should trigger source rules"
    assert pylint_hublint_findings(*paths, cwd=REPO) == expected


def test_syntax_error_is_pylints_syntax_error(tmp_path):
    (tmp_path / "py2_exporter.py").write_text(
        "import tensorflow_hub as hub\n\n\ndef main():\n    print 'exporting module'\n"
    )
    (tmp_path / "unclosed.py").write_text("def module_fn(:\n    pass\n")
    expected = hublint_findings(".", cwd=tmp_path)
    assert {(name, rule) for name, _, rule in expected} == {("py2_exporter.py", "HUB001"), ("unclosed.py", "HUB001")}
    assert pylint_hublint_findings(".", cwd=tmp_path) == expected


def test_messages_carry_the_message_and_fix(seed_copy):
    _, findings = cli_findings(seed_copy.name, cwd=seed_copy.parent)
    messages = run_pylint("--disable=all", "--enable=missing-kernel-regularizer", seed_copy.name, cwd=seed_copy.parent)
    assert [m["symbol"] for m in messages] == ["missing-kernel-regularizer"] * 2
    for finding, message in zip(findings, messages):
        assert message["message"] == f"{finding['message']} (fix: {finding['fix']})"
        assert (message["line"], message["column"]) == (finding["line"], finding["column"] - 1)


# -- suppression ------------------------------------------------------------------------------


def test_hublint_comment_suppresses_under_pylint(seed_copy):
    first, second = lines_with(seed_copy, "tf.layers.dense(")
    add_comment(seed_copy, first, "# hublint: disable=missing-kernel-regularizer")
    expected = hublint_findings(seed_copy.name, cwd=seed_copy.parent)
    assert expected == {("seed_module.py", second, "HUB102")}
    assert pylint_hublint_findings(seed_copy.name, cwd=seed_copy.parent) == expected


@pytest.mark.parametrize("name", ["missing-kernel-regularizer", "W9102"])
def test_pylint_comment_suppresses(seed_copy, name):
    first, second = lines_with(seed_copy, "tf.layers.dense(")
    add_comment(seed_copy, first, f"# pylint: disable={name}")
    # The CLI does not read pylint's comments: it still reports both layers.
    assert hublint_findings(seed_copy.name, cwd=seed_copy.parent) == {
        ("seed_module.py", first, "HUB102"),
        ("seed_module.py", second, "HUB102"),
    }
    assert pylint_hublint_findings(seed_copy.name, cwd=seed_copy.parent) == {("seed_module.py", second, "HUB102")}


def test_useless_hublint_comment(seed_copy):
    add_comment(seed_copy, lines_with(seed_copy, "hub.add_signature(")[0], "# hublint: disable=HUB109")
    expected = hublint_findings(seed_copy.name, cwd=seed_copy.parent, extra=("--extend-select", "HUB003"))
    assert ("seed_module.py", lines_with(seed_copy, "HUB109")[0], "HUB003") in expected
    found = pylint_hublint_findings(seed_copy.name, cwd=seed_copy.parent, enable=["hublint-useless-suppression"])
    assert found == expected


# -- configuration ----------------------------------------------------------------------------


def test_thresholds_from_pyproject_and_options(tmp_path):
    shutil.copy(EXAMPLES / "dropout_rate_high.py", tmp_path)
    assert "HUB103" in {rule for _, _, rule in pylint_hublint_findings("dropout_rate_high.py", cwd=tmp_path)}
    option = pylint_hublint_findings("dropout_rate_high.py", cwd=tmp_path, extra=["--hublint-dropout-rate-max=0.8"])
    (tmp_path / "pyproject.toml").write_text("[tool.hublint]\ndropout-rate-max = 0.8\n")
    expected = hublint_findings("dropout_rate_high.py", cwd=tmp_path)
    assert "HUB103" not in {rule for _, _, rule in expected}
    assert pylint_hublint_findings("dropout_rate_high.py", cwd=tmp_path) == expected == option


def test_scope_option(tmp_path):
    # The estimator head in model_fn is not module code: only scope=all looks at it.
    shutil.copy(EXAMPLES / "legacy_exporter.py", tmp_path)
    head = ("legacy_exporter.py", lines_with(tmp_path / "legacy_exporter.py", "tf.layers.dense(tower(")[0], "HUB102")
    assert head not in pylint_hublint_findings("legacy_exporter.py", cwd=tmp_path)
    expected = hublint_findings("legacy_exporter.py", cwd=tmp_path, extra=("--scope", "all"))
    assert head in expected
    assert pylint_hublint_findings("legacy_exporter.py", cwd=tmp_path, extra=["--hublint-scope=all"]) == expected


def test_broken_config_is_one_pylint_message(seed_copy):
    (seed_copy.parent / "pyproject.toml").write_text("[tool.hublint]\ndropout-rate-max = 'high'\n")
    messages = run_pylint("--disable=all", f"--enable=config-parse-error,{','.join(DEFAULT_MSGIDS)}", seed_copy.name, cwd=seed_copy.parent)
    assert [m["symbol"] for m in messages] == ["config-parse-error"]
    assert re.search(r"dropout-rate-max", messages[0]["message"])
