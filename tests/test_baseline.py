"""Baselines: today's findings are accepted, edits that move lines keep them accepted, a new
problem is exactly what is reported, a fixed one is a stale entry (HUB005, opted in)."""

from __future__ import annotations

import json
import shutil

import pytest

from hublint.config import Config
from hublint.report import sarif_report
from hublint.runner import run
from tests.conftest import cli_findings, exported_module, run_cli

PUBLISHER = """\
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub


def module_fn():
    net = tf.placeholder(tf.float32, [None, 50])
    net = tf.layers.dense(net, 10)
    net = tf.layers.dense(net, 10)
    hidden = tf.layers.dense(net, 20)
    hub.add_signature(inputs=net, outputs=hidden)


spec = hub.create_module_spec(module_fn)
"""
REGULARIZED = "hidden = tf.layers.dense(net, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))"


@pytest.fixture
def project(tmp_path):
    """A publisher file with three HUB102 findings (two on identical lines) and its baseline."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "publish.py").write_text(PUBLISHER)
    done = run_cli("src", "--no-cache", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote 3 finding(s)" in done.stderr
    return tmp_path


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def with_baseline(project, *args) -> tuple[int, list[dict]]:
    return cli_findings("src", "--baseline", "baseline.json", *args, cwd=project)


def test_without_a_baseline_the_findings_are_there(project):
    code, findings = cli_findings("src", cwd=project)
    assert code == 1 and [f["rule_id"] for f in findings] == ["HUB102"] * 3


def test_edits_that_move_lines_report_nothing_new(project):
    source = project / "src" / "publish.py"
    edit(source, "import tensorflow_hub as hub\n", "import tensorflow_hub as hub\n\n# a comment\nRATE = 0.1\n\n")
    edit(source, "    net = tf.placeholder", "    # the input\n    net = tf.placeholder")
    code, findings = with_baseline(project)
    assert (code, findings) == (0, [])
    unbaselined = cli_findings("src", cwd=project)[1]
    assert [f["line"] for f in unbaselined] == [12, 13, 14]  # the lines did move (from 7, 8, 9)


def test_a_new_problem_is_exactly_what_is_reported(project):
    edit(project / "src" / "publish.py", "    hub.add_signature(",
         "    logits = tf.layers.dense(hidden, 5)\n    hub.add_signature(")
    code, findings = with_baseline(project)
    assert code == 1
    assert [(f["rule_id"], f["line"]) for f in findings] == [("HUB102", 10)]


def test_identical_lines_are_counted(project):
    document = json.loads((project / "baseline.json").read_text())
    assert sorted(entry["count"] for entry in document["findings"]) == [1, 2]
    edit(project / "src" / "publish.py", "    hidden = ", "    net = tf.layers.dense(net, 10)\n    hidden = ")
    code, findings = with_baseline(project)
    assert code == 1 and len(findings) == 1  # a third `net = tf.layers.dense(net, 10)`: one is new
    assert findings[0]["rule_id"] == "HUB102"


def test_a_fixed_problem_is_a_stale_entry_only_when_opted_in(project):
    edit(project / "src" / "publish.py", "hidden = tf.layers.dense(net, 20)", REGULARIZED)
    assert with_baseline(project) == (0, [])
    code, findings = with_baseline(project, "--extend-select", "HUB005")
    assert code == 0  # HUB005 is info: below the default --fail-on warning
    assert [(f["rule_id"], f["path"]) for f in findings] == [("HUB005", "baseline.json")]
    assert "HUB102 in `src/publish.py`" in findings[0]["message"]


def test_a_stale_entry_of_a_file_not_linted_is_not_reported(project):
    (project / "other.py").write_text("x = 1\n")
    assert cli_findings("other.py", "--baseline", "baseline.json", "--extend-select", "HUB005",
                        cwd=project) == (0, [])


def test_the_file_is_versioned_sorted_relative_and_byte_stable(project):
    first = (project / "baseline.json").read_bytes()
    document = json.loads(first)
    assert document["version"] == 1 and document["tool"] == "hublint"
    assert {entry["path"] for entry in document["findings"]} == {"src/publish.py"}
    keys = [(e["path"], e["rule_id"], e["fingerprint"]) for e in document["findings"]]
    assert keys == sorted(keys)
    assert str(project) not in first.decode() and "line" not in document["findings"][0]
    # The same run again, and from another working directory: the same bytes.
    run_cli("src", "--no-cache", "--write-baseline", "again.json", cwd=project)
    assert (project / "again.json").read_bytes() == first
    run_cli(".", "--no-cache", "--write-baseline", "../from_src.json", cwd=project / "src")
    assert (project / "from_src.json").read_bytes() == first


def test_baseline_and_sarif_share_one_fingerprint(project, monkeypatch):
    monkeypatch.chdir(project)  # SARIF paths are relative to the working directory, the baseline's to its folder
    config = Config(cache=False, root=str(project))
    sarif = sarif_report.document(run(["src"], config), config)
    prints = {r["partialFingerprints"][sarif_report.FINGERPRINT_KEY].split(":")[0] for r in sarif["runs"][0]["results"]}
    document = json.loads((project / "baseline.json").read_text())
    assert prints == {entry["fingerprint"] for entry in document["findings"]}


def test_the_baseline_can_be_configured(project):
    (project / "pyproject.toml").write_text('[tool.hublint]\nbaseline = "baseline.json"\n')
    assert cli_findings("src", cwd=project) == (0, [])
    (project / "pyproject.toml").write_text('[tool.hublint]\nbaseline = "missing.json"\n')
    done = run_cli("src", cwd=project)
    assert done.returncode == 2 and "cannot read baseline" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("content", ["not json", '{"version": 99, "findings": []}', '{"version": 1}'])
def test_a_bad_baseline_is_a_usage_error(project, content):
    (project / "bad.json").write_text(content)
    done = run_cli("src", "--baseline", "bad.json", cwd=project)
    assert done.returncode == 2 and "baseline" in done.stderr and "Traceback" not in done.stderr


def test_module_findings_are_baselined_by_node(tmp_path):
    shutil.copytree(exported_module("dense_noreg"), tmp_path / "modules" / "dense")
    code, before = cli_findings("modules/dense", cwd=tmp_path)
    assert code == 1 and {f["rule_id"] for f in before} == {"HUB201", "HUB202"}
    assert run_cli("modules/dense", "--no-cache", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    document = json.loads((tmp_path / "b.json").read_text())
    assert {e["path"] for e in document["findings"]} == {"modules/dense"}
    assert cli_findings("modules/dense", "--baseline", "b.json", cwd=tmp_path) == (0, [])

    # A second module is new: exactly its findings are reported.
    shutil.copytree(exported_module("tf2_bare"), tmp_path / "modules" / "bare")
    code, findings = cli_findings("modules", "--baseline", "b.json", cwd=tmp_path)
    assert code == 1 and findings and {f["module"] for f in findings} == {"modules/bare"}

    # The module fixed (re-exported with regularizers): its entries are stale, reported when opted in.
    shutil.rmtree(tmp_path / "modules" / "dense")
    shutil.copytree(exported_module("dense_l2"), tmp_path / "modules" / "dense")
    assert cli_findings("modules/dense", "--baseline", "b.json", cwd=tmp_path) == (0, [])
    code, stale = cli_findings("modules/dense", "--baseline", "b.json", "--extend-select", "HUB005", cwd=tmp_path)
    assert {f["rule_id"] for f in stale} == {"HUB005"}
    assert len(stale) == len(before)
    assert any("HUB202 in `modules/dense`" in f["message"] and "dense_1/kernel" in f["message"] for f in stale)
