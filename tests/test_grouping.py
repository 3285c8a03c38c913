"""One cause, one line: text shows a cause reported on many nodes once with the count,
``--verbose`` lists each; JSON, SARIF, JUnit and the exit code keep every finding."""

from __future__ import annotations

import json

from tests.conftest import exported_module, run_cli

DENSE_NOREG = str(exported_module("dense_noreg"))  # two unregularized kernels: HUB202 twice
SLOTS_MISSING = str(exported_module("optimizer_slots_missing"))  # six variables missing from the checkpoint
FTRL = str(exported_module("ftrl_in_graph"))  # two optimizers applying two different strengths


def lines_of(done, rule_id: str) -> list[str]:
    return [line for line in done.stdout.splitlines() if f" {rule_id} " in line]


def test_a_rule_with_a_group_message_reads_as_one_line_with_the_count():
    done = run_cli(DENSE_NOREG, "--no-cache")
    assert done.returncode == 1
    (line,) = lines_of(done, "HUB202")
    assert line.startswith(f"{DENSE_NOREG}[]: HUB202 kernel-unregularized [warning] ")
    assert line.endswith("2 trainable kernels have no regularization loss: dense/kernel, dense_1/kernel "
                         "(--verbose lists each)")
    assert done.stdout.rstrip().endswith("Found 3 findings (3 warnings) in 0 files and 1 module.")


def test_verbose_lists_each_finding():
    done = run_cli(DENSE_NOREG, "--no-cache", "--verbose")
    assert [line.split(": HUB202")[0] for line in lines_of(done, "HUB202")] == [
        f"{DENSE_NOREG}[]:dense/kernel", f"{DENSE_NOREG}[]:dense_1/kernel"]
    assert "--verbose lists each" not in done.stdout


def test_messages_that_differ_only_in_the_node_are_one_cause():
    done = run_cli(SLOTS_MISSING, "--no-cache")
    (line,) = lines_of(done, "HUB211")
    assert "6 times: variable '…' is not in the checkpoint (key '…') — beta1_power, beta2_power," in line
    assert line.endswith(", ... (--verbose lists each)")  # five nodes named, the rest for --verbose
    assert len(lines_of(run_cli(SLOTS_MISSING, "--no-cache", "-v"), "HUB211")) == 6


def test_different_causes_stay_apart():
    lines = lines_of(run_cli(FTRL, "--no-cache"), "HUB212")
    assert len(lines) == 2  # Ftrl's l1+l2 and ProximalGradientDescent's l2: two optimizers, two causes
    assert "2 times: `ResourceApplyFtrl`" in lines[0] and "4 times: `ResourceApplyProximalGradientDescent`" in lines[1]


def test_source_findings_are_never_grouped(tmp_path):
    (tmp_path / "publish.py").write_text(
        "import tensorflow.compat.v1 as tf\nimport tensorflow_hub as hub\n\n\ndef module_fn():\n"
        "    net = tf.placeholder(tf.float32, [None, 5])\n"
        "    net = tf.layers.dense(net, 10)\n    net = tf.layers.dense(net, 10)\n"
        "    hub.add_signature(inputs=net, outputs=net)\n\n\nspec = hub.create_module_spec(module_fn)\n")
    assert len(lines_of(run_cli(str(tmp_path), "--no-cache"), "HUB102")) == 2  # each line is a place to go to


def test_machine_formats_and_the_exit_code_keep_every_instance(tmp_path):
    done = run_cli(DENSE_NOREG, SLOTS_MISSING, "--no-cache", "--format", "json",
                   "--output-sarif", str(tmp_path / "out.sarif"), "--output-junit", str(tmp_path / "out.xml"),
                   "--output-jsonl", str(tmp_path / "out.jsonl"))
    assert done.returncode == 1
    findings = json.loads(done.stdout)["findings"]
    assert sum(f["rule_id"] == "HUB202" for f in findings) == 2
    assert sum(f["rule_id"] == "HUB211" for f in findings) == 6
    sarif = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    assert len(sarif) == len(findings)
    junit = (tmp_path / "out.xml").read_text()
    assert junit.count("HUB211") >= 6
    jsonl = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert sum(len(item["findings"]) for item in jsonl if item["type"] == "target") == len(findings)
