"""The command line: exit codes, formats, rule docs, usage errors."""

from __future__ import annotations

import json

from hublint import registry
from hublint.runner import run
from tests.conftest import cli_findings, run_cli

CLEAN = "x = 1\n"
BROKEN = "def f(:\n"


def test_exit_0_when_clean_1_with_findings(tmp_path):
    (tmp_path / "ok.py").write_text(CLEAN)
    assert run_cli(str(tmp_path / "ok.py"), "--no-cache").returncode == 0
    (tmp_path / "bad.py").write_text(BROKEN)
    done = run_cli(str(tmp_path), "--no-cache")
    assert done.returncode == 1
    assert f"{tmp_path / 'bad.py'}:1:" in done.stdout and "HUB001 source-unparsable [error]" in done.stdout
    assert "fix:" in done.stdout
    assert done.stdout.rstrip().endswith("in 2 files and 0 modules.")


def test_fail_on_and_exit_zero(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    assert run_cli(str(tmp_path), "--no-cache", "--fail-on", "never").returncode == 0
    assert run_cli(str(tmp_path), "--no-cache", "--exit-zero").returncode == 0
    assert run_cli(str(tmp_path), "--no-cache", "--fail-on", "error").returncode == 1


def test_usage_errors_exit_2_without_traceback(tmp_path):
    for args in (["--select", "HUB9"], ["--format", "yaml"], ["--fail-on", "sometimes"],
                 ["--dropout-rate-max", "lots"], ["--no-such-option"]):
        done = run_cli(str(tmp_path), *args)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr and "error:" in done.stderr, (args, done.stderr)


def test_json_output_to_a_file_and_text_to_stdout(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    out = tmp_path / "out.json"
    done = run_cli(str(tmp_path / "bad.py"), "--no-cache", "--output-json", str(out))
    assert "HUB001" in done.stdout
    document = json.loads(out.read_text())
    assert document["schema_version"] == 1
    assert [f["rule_id"] for f in document["findings"]] == ["HUB001"]


def test_colour_only_when_asked_or_on_a_terminal(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    assert "\033[" not in run_cli(str(tmp_path), "--no-cache").stdout
    assert "\033[" in run_cli(str(tmp_path), "--no-cache", "--color", "always").stdout


def test_quiet_prints_nothing_when_clean(tmp_path):
    (tmp_path / "ok.py").write_text(CLEAN)
    done = run_cli(str(tmp_path), "--no-cache", "-q")
    assert done.returncode == 0 and done.stdout == ""


def test_rules_lists_every_rule_and_documents_one():
    listing = run_cli("rules")
    assert listing.returncode == 0
    for rule in registry.all_rules():
        assert rule.id in listing.stdout and rule.name in listing.stdout
    one = run_cli("rules", "source-unparsable")
    assert one.stdout.startswith("# HUB001 `source-unparsable`") and "## Why is this bad?" in one.stdout
    as_json = json.loads(run_cli("rules", "HUB001", "--format", "json").stdout)
    assert as_json[0]["name"] == "source-unparsable"
    unknown = run_cli("rules", "HUB999")
    assert unknown.returncode == 2 and "unknown rule" in unknown.stderr


def test_the_cache_serves_unchanged_files_and_notices_changes(tmp_path, make_config):
    for index in range(3):
        (tmp_path / f"m{index}.py").write_text(BROKEN if index == 0 else CLEAN)
    config = make_config(cache=True)
    first = run([str(tmp_path)], config)
    second = run([str(tmp_path)], config)
    assert (first.cached_files, second.cached_files) == (0, 3)
    assert second.findings == first.findings
    (tmp_path / "m0.py").write_text(CLEAN + "\n")
    third = run([str(tmp_path)], config)
    assert third.cached_files == 2 and third.findings == []
    assert make_config(cache=True, dropout_rate_max=0.3) != config
    assert run([str(tmp_path)], make_config(cache=True, dropout_rate_max=0.3)).cached_files == 0


def test_parallel_run_equals_serial_run(tmp_path, make_config):
    for index in range(40):
        (tmp_path / f"m{index:02}.py").write_text(BROKEN if index % 3 == 0 else CLEAN)
    serial = run([str(tmp_path)], make_config(jobs=1))
    parallel = run([str(tmp_path)], make_config(jobs=2))
    assert parallel.findings == serial.findings and len(serial.findings) == 14


def test_a_shared_name_documents_and_ignores_both_passes(tmp_path):
    both = run_cli("rules", "dropout-rate-range")
    assert "# HUB103 `dropout-rate-range`" in both.stdout and "# HUB203 `dropout-rate-range`" in both.stdout
    (tmp_path / "m.py").write_text(
        "import tensorflow.compat.v1 as tf\nimport tensorflow_hub as hub\n\n"
        "def module_fn(is_training):\n"
        "    x = tf.placeholder(tf.float32, [None, 4])\n"
        "    y = tf.layers.dropout(x, rate=0.8, training=is_training)\n"
        "    hub.add_signature(inputs=x, outputs=y)\n\n"
        "spec = hub.create_module_spec(module_fn, tags_and_args=[(set(), {'is_training': False}),"
        " ({'train'}, {'is_training': True})])\n"
    )
    _, with_rule = cli_findings(str(tmp_path), "--select", "HUB1")
    _, without = cli_findings(str(tmp_path), "--select", "HUB1", "--ignore", "dropout-rate-range")
    assert "HUB103" in {f["rule_id"] for f in with_rule}
    assert "HUB103" not in {f["rule_id"] for f in without}
