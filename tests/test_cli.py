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


def test_a_named_path_with_nothing_to_lint_exits_2_and_the_others_are_still_linted(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text("no Python here\n")
    code = tmp_path / "code"
    code.mkdir()
    (code / "bad.py").write_text(BROKEN)
    done = run_cli(str(empty), str(docs), str(code), "--no-cache", "--format", "json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"hublint: error: {empty}: nothing to lint: it holds no Python file and no module directory" in done.stderr
    assert "; it is empty" in done.stderr and "; it holds 1 other file(s)" in done.stderr
    assert [f["rule_id"] for f in json.loads(done.stdout)["findings"]] == ["HUB001"]
    # 2 is an error, not a finding: --exit-zero and --fail-on never do not hide it.
    assert run_cli(str(empty), str(code), "--no-cache", "--exit-zero").returncode == 2
    assert run_cli(str(empty), "--no-cache", "--fail-on", "never").returncode == 2


def test_empty_folders_met_while_walking_and_a_bare_run_are_not_errors(tmp_path):
    (tmp_path / "project" / "data").mkdir(parents=True)
    (tmp_path / "project" / "ok.py").write_text(CLEAN)
    assert run_cli(str(tmp_path / "project"), "--no-cache").returncode == 0
    (tmp_path / "fresh").mkdir()
    bare = run_cli("--no-cache", cwd=tmp_path / "fresh")  # the default "." was not named
    assert bare.returncode == 0 and bare.stderr == ""


def test_a_named_folder_whose_files_are_all_excluded_says_so(tmp_path):
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "out.py").write_text(CLEAN)
    done = run_cli(str(tmp_path / "gen"), "--no-cache", "--extend-exclude", "out.py")
    assert done.returncode == 2
    assert "1 path(s) under it are excluded by the configuration" in done.stderr


def test_a_text_saved_model_is_found_by_folder_and_by_file(tmp_path):
    import shutil

    from tests.conftest import exported_module

    module = tmp_path / "models" / "classifier"
    shutil.copytree(exported_module("tf1_saved_model_pbtxt"), module)
    for named in (tmp_path / "models", module, module / "saved_model.pbtxt"):
        done = run_cli(str(named), "--no-cache", "--select", "ALL")
        assert done.returncode == 0, (named, done.stdout, done.stderr)
        assert done.stdout.strip() == "No findings in 0 files and 1 module.", named
