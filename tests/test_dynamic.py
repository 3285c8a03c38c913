"""The dynamic pass (``--load``): real TensorFlow in a child process, under both toolchains.

The committed modules go through ``--load`` once per toolchain (TF 2.15.1 and TF 2.21,
Keras 3); the measurements must agree with what the module pass reads statically
(dropout rates, batch-norm momenta, regularization coverage).  Bad modules are
built here by the real TF 2.15 toolchain: one that aborts TensorFlow, one that
never returns, one that allocates without bound, one that writes a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hublint.runner import run
from tests.conftest import EXPORTED, exported_module, run_cli

TOOLCHAINS = {
    "tf-2.15": Path.home() / ".cache" / "hublint" / "tf-toolchain" / "bin" / "python",
    "tf-2.21": Path.home() / ".cache" / "hublint" / "tf-current" / "bin" / "python",
}
#: every committed module goes through --load under every toolchain (TF1 Hub format, TF1
#: SavedModels, TF2 tf.Module / Keras 2 / Keras 3), and gets exactly these HUB3xx findings
MODULES = sorted(path.name for path in EXPORTED.iterdir() if path.is_dir())
EXPECTED = {
    "optimizer_slots_missing": {"HUB301"},  # its train tag set does not restore
    "print_to_file": {"HUB301"},  # HUB213: not run without --trust-module
    "unsafe_ops": {"HUB301"},
}
#: Modules whose inference is measured random or batch dependent, and the module-pass rule that
#: reports the cause: its finding carries the measurement, and HUB303 stays silent (one cause, one finding).
NOT_DETERMINISTIC = {
    "batchnorm_training_in_inference": "HUB206",  # batch statistics at inference: batch dependent
    "dropout_always_on": "HUB204",  # dropout at inference: random
    "tf2_bare": "HUB204",  # dropout, no training argument
    "tf2_module_dropout_at_inference": "HUB204",
}


def toolchain(name: str) -> str:
    python = TOOLCHAINS[name]
    if not python.exists():
        pytest.fail(f"toolchain {name} is missing: {python} (see tests/modules/README.md)")
    return str(python)


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
        digest.update(str(path.stat().st_mode).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("name", sorted(TOOLCHAINS))
def test_load_measures_the_committed_modules(name):
    """One ``--load`` run over MODULES per toolchain (its children share the modules); every check
    below reads that one run, as one pytest test, so that xdist never runs it twice."""
    from hublint import dynamic
    from hublint.config import Config

    options = dynamic.make_options(toolchain(name), timeout=300)
    paths = [str(exported_module(module)) for module in MODULES]
    before = {path: _tree_digest(Path(path)) for path in paths}
    result = run(paths, Config(cache=False, select=("HUB2", "HUB3")), load=options)
    after = {path: _tree_digest(Path(path)) for path in paths}
    assert before == after, "the module directories must never be written"
    assert not result.internal_errors, result.internal_errors
    loaded = (name, result)
    check_every_module_loads_runs_and_fine_tunes(loaded)
    check_inference_randomness_and_batch_dependence(loaded)
    check_measured_entries_have_the_documented_keys(loaded)
    check_static_and_measured_dropout_rates_agree(loaded)
    check_static_and_measured_batchnorm_momenta_agree(loaded)
    check_static_and_measured_regularization_coverage_agree(loaded)
    check_training_flag_inputs_are_fed_true_for_the_train_measurements(loaded)
    check_static_findings_state_the_measured_values(loaded)
    check_the_html_report_shows_measured_next_to_declared(loaded)
    from hublint.dynamic.compare import disagreements

    found = {module: disagreements(result.module_summaries[str(EXPORTED / module)]) for module in MODULES}
    assert not any(found.values()), (name, found)


def _by_module(result, prefix="HUB3"):
    found: dict[str, list] = {}
    for finding in result.findings:
        if finding.rule_id.startswith(prefix):
            found.setdefault(Path(finding.location.module or finding.location.path).name, []).append(finding)
    return found


def check_every_module_loads_runs_and_fine_tunes(loaded):
    name, result = loaded
    found = {module: {f.rule_id for f in findings} for module, findings in _by_module(result).items()}
    messages = [f"{f.location.display()}: {f.rule_id} {f.message}" for f in result.findings
                if f.rule_id.startswith("HUB3") and Path(f.location.module or f.location.path).name not in EXPECTED]
    assert found == EXPECTED, (name, messages)
    for module in MODULES:
        summary = result.module_summaries[str(EXPORTED / module)]
        if "HUB301" in EXPECTED.get(module, ()):
            continue  # not run, or a tag set that does not load: HUB301 says which
        assert summary["measured"] and not summary["measured_status"], (name, module, summary["measured_status"])


def check_inference_randomness_and_batch_dependence(loaded):
    name, result = loaded
    measured = set()
    for module in MODULES:
        entries = result.module_summaries[str(EXPORTED / module)]["measured"]
        if any(e["deterministic"] is False or e["batch_independent"] is False for e in entries
               if e["training"] is not True and "train" not in e["tag_set"]):
            measured.add(module)
    assert measured == set(NOT_DETERMINISTIC), name
    static = _by_module(result, "HUB20")
    for module, rule_id in NOT_DETERMINISTIC.items():
        told = [f.message for f in static.get(module, []) if f.rule_id == rule_id]
        assert told and all("(measured " in message for message in told), (name, module, told)


def test_inference_randomness_without_its_static_rule_is_hub303():
    """With HUB204 off, the measured randomness of dropout at inference is HUB303's to report."""
    from hublint import dynamic
    from hublint.config import Config

    options = dynamic.make_options(toolchain("tf-2.15"), timeout=300)
    path = str(exported_module("dropout_always_on"))
    result = run([path], Config(cache=False, select=("HUB2", "HUB3"), ignore=("HUB204",)), load=options)
    assert not result.internal_errors, result.internal_errors
    hub303 = [f for f in result.findings if f.rule_id == "HUB303"]
    assert len(hub303) == 1 and "different outputs for the same input" in hub303[0].message, result.findings


def check_measured_entries_have_the_documented_keys(loaded):
    _, result = loaded
    keys = {"tag_set", "training", "dropout_rates", "batchnorm_momenta", "regularization", "deterministic",
            "batch_independent"}
    for module in MODULES:
        for entry in result.module_summaries[str(EXPORTED / module)]["measured"]:
            assert keys <= set(entry), entry
            assert isinstance(entry["tag_set"], list) and entry["training"] in (None, True, False)
            assert set(entry["regularization"]) == {"loss", "kernels", "kernels_covered"}


# -- one truth: the static readings and the measurements agree ----------------------------------

def _static(summary: dict, tag_set: list[str]) -> dict:
    return next(m for m in summary["meta_graphs"] if m["tag_set"] == tag_set)


def _call_dropout_disagreement(summary: dict, entry: dict) -> str:
    """TF2 ``__call__`` run: the static readings of the dropouts its trace runs (``entry`` of the
    reading: `__call__` / `__call__(training=T)`) against the rates the run measured — Keras 2
    layers one by one, a hand-made tf.Module's masks in the traced graph.  A layer traced in
    several functions is several readings of one rate: compared as sets, each within the 95%
    bound of a sample.  "" when they agree."""
    call = "`__call__`" if entry["training"] is None else f"`__call__(training={entry['training']})`"
    static = {d["rate"] for d in _static(summary, entry["tag_set"])["dropouts"] if d.get("entry") == call}
    measured = entry["dropout_rates"]
    if all(any(abs(a - b) < 0.03 for b in measured) for a in static) and \
            all(any(abs(a - b) < 0.03 for b in static) for a in measured):
        return ""
    return f"{call}: dropout rates read {sorted(static)}, measured {sorted(measured)}"


def check_static_and_measured_dropout_rates_agree(loaded):
    name, result = loaded
    checked = 0
    for module in MODULES:
        summary = result.module_summaries[str(EXPORTED / module)]
        for entry in summary["measured"]:
            if entry["object"] == "__call__":
                # TF2: Keras 2 layers measured one by one, hand-made tf.Module dropout in the traced graph
                problem = _call_dropout_disagreement(summary, entry)
                assert not problem, (name, module, problem)
                checked += bool(entry["dropout_rates"])
                continue
            if entry["object"]:
                assert not entry["dropout_rates"], (name, module, entry)  # the signatures run: no dropout measured
                continue
            if not entry["dropout_rates"]:
                continue
            static = sorted(d["rate"] for d in _static(summary, entry["tag_set"])["dropouts"])
            measured = sorted(entry["dropout_rates"])
            assert len(static) == len(measured), (name, module, static, measured)
            for want, got in zip(static, measured):
                assert abs(want - got) < 0.03, (name, module, entry["tag_set"], static, measured)
            checked += 1
    # TF1: dropout_train_tags, dropout_always_on, ...; TF2: tf2_reusable, Keras 2, and the hand-made
    # tf.Module dropouts: tf2_bare (__call__) and tf2_module_dropout_at_inference (training=True and False)
    assert checked >= 8, (name, checked)
    for module, runs in (("tf2_bare", [None]), ("tf2_module_dropout_at_inference", [True, False])):
        entries = {e["training"]: e for e in result.module_summaries[str(EXPORTED / module)]["measured"]
                   if e["object"] == "__call__"}
        assert sorted(entries, key=str) == sorted(runs, key=str), (name, module, entries)
        assert all(len(entries[t]["dropout_rates"]) == 1 for t in runs), (name, module, entries)


def check_training_flag_inputs_are_fed_true_for_the_train_measurements(loaded):
    """dropout_cond_training_input's only graph has a boolean input ``is_training`` that decides the
    conds of its dropout and batch norm: the train measurements feed it True (and find the declared
    rate and momentum), the inference checks keep it False (deterministic, batch independent).
    No other committed module has such an input."""
    name, result = loaded
    fed = {module: entry for module in MODULES for entry in result.module_summaries[str(EXPORTED / module)]["measured"]
           if entry.get("training_inputs")}
    assert sorted(fed) == ["dropout_cond_training_input"], (name, fed)
    entry = fed["dropout_cond_training_input"]
    assert entry["training_inputs"] == ["is_training"], (name, entry)
    assert len(entry["dropout_rates"]) == 1 and abs(entry["dropout_rates"][0] - 0.3) < 0.03, (name, entry)
    assert entry["batchnorm_momenta"] == [0.9], (name, entry)
    assert entry["deterministic"] is True and entry["batch_independent"] is True, (name, entry)


def check_static_and_measured_batchnorm_momenta_agree(loaded):
    name, result = loaded
    checked = 0
    for module in MODULES:
        summary = result.module_summaries[str(EXPORTED / module)]
        for entry in summary["measured"]:
            if not entry["batchnorm_momenta"] or entry["training"] is False:
                continue
            static = {round(b["momentum"], 4) for m in summary["meta_graphs"] for b in m["batch_norms"]
                      if b["momentum"] is not None}
            measured = {round(m, 4) for m in entry["batchnorm_momenta"]}
            assert measured <= static, (name, module, entry, static)
            checked += 1
    assert checked >= 3, name  # batchnorm_fused_high_momentum, slim, Keras 2


def check_static_and_measured_regularization_coverage_agree(loaded):
    name, result = loaded
    for module in MODULES:
        summary = result.module_summaries[str(EXPORTED / module)]
        for entry in summary["measured"]:
            static = _static(summary, entry["tag_set"])
            kernels = {v["name"] for v in static["variables"] if v.get("kernel")}
            covered = {v["name"] for v in static["variables"] if v.get("kernel") and v.get("regularization_loss")}
            if entry["object"] == "__call__" and kernels:
                # TF2: the module pass names object paths, the child variable names: compare counts
                measured = entry["regularization"]
                assert len(measured["kernels_covered"]) == len(covered), (name, module, measured, covered)
                continue
            if entry["object"] or not static["regularization_losses"]:
                continue
            assert set(entry["regularization"]["kernels"]) == kernels, (name, module)
            assert set(entry["regularization"]["kernels_covered"]) == covered, (name, module, entry, covered)
    # 1 of 2 kernels covered, measured as read: HUB202 reports it, HUB304 does not repeat it
    partial = result.module_summaries[str(EXPORTED / "dense_partial_reg")]["measured"][0]["regularization"]
    assert partial["kernels_covered"] == ["dense/kernel"] and len(partial["kernels"]) == 2, partial


# -- measured values in the static findings: one cause, one finding ------------------------------

def _messages(result, module: str, rule: str) -> list[str]:
    return [f.message for f in _by_module(result, rule).get(module, [])]


def check_static_findings_state_the_measured_values(loaded):
    name, result = loaded
    # HUB203: the declared rate, then the measured one with its 95% bound and where it was measured
    [keep_prob] = _messages(result, "dropout_keep_prob", "HUB203")
    match = re.fullmatch(r"dropout rate 0\.8 is above the maximum 0\.5 \(measured (0\.\d\d) ± (0\.0\d) "
                         r"in the train graph\)", keep_prob)
    assert match and abs(float(match.group(1)) - 0.8) <= 0.03, (name, keep_prob)
    [always_on] = _messages(result, "dropout_always_on", "HUB203")
    match = re.fullmatch(r"dropout rate 0\.7 is above the maximum 0\.5 \(measured (0\.\d\d) ± 0\.0\d "
                         r"in the default graph\)", always_on)
    assert match and abs(float(match.group(1)) - 0.7) <= 0.03, (name, always_on)
    # HUB205: the momentum solved from one update of the moving statistics
    assert _messages(result, "batchnorm_fused_high_momentum", "HUB205") == [
        "batch-norm momentum 0.999 is above the maximum 0.99 (measured 0.999 on 2 of 2 moving statistics "
        "in the train graph)"], name
    [slim] = _messages(result, "slim_arg_scope", "HUB205")
    assert slim.endswith("in 3 batch norms (measured 0.9997 on 6 of 6 moving statistics in the train graph)"), slim
    [keras] = _messages(result, "tf_keras_model_save_bn_momentum_high", "HUB205")
    assert keras.endswith("(measured 0.999 on 2 of 2 moving statistics with training=True)"), (name, keras)
    # HUB202: the kernel the gradient of the regularization losses does not reach
    assert _messages(result, "dense_partial_reg", "HUB202") == [
        "trainable kernel `dense_1/kernel` (MatMul) has no regularization loss "
        "(measured: no regularization gradient reaches it)"], name
    measured_202 = [m for module in MODULES for m in _messages(result, module, "HUB202") if "(measured" in m]
    assert measured_202 and all(m.endswith("(measured: no regularization gradient reaches it)")
                                for m in measured_202), (name, measured_202)
    # ... and the dynamic rules do not report those causes again (EXPECTED holds no HUB304 / HUB305)
    assert not {"HUB304", "HUB305"} & {f.rule_id for f in result.findings}, name
    # The text report's one line for many kernels says what was measured when all of them say the same
    from hublint.config import Config
    from hublint.report import text_report

    module = str(EXPORTED / "keras2_saved_model_noreg")
    [line] = [line for line in text_report.render(result, Config(cache=False)).splitlines()
              if line.startswith(module) and " HUB202 " in line]
    assert line.endswith("2 trainable kernels have no regularization loss (measured: no regularization "
                         "gradient reaches it): dense/kernel, dense_1/kernel (--verbose lists each)"), (name, line)


def check_the_html_report_shows_measured_next_to_declared(loaded):
    from hublint.config import Config
    from hublint.report import html_report

    name, result = loaded
    page = html_report.render(result, Config(cache=False))
    section = page.split(f"<h3 class=\"mono\">{EXPORTED / 'batchnorm_fused_high_momentum'}</h3>")[1]
    table = section.split("Measured (--load) next to declared")[1].split("</tbody>")[0]
    train = table.split('<td class="mono">{train}</td>')[1].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("</td>")[0] for cell in train.split("<td")[1:]]
    # TensorFlow, dropout declared / measured, momentum declared / measured, coverage declared / measured
    assert cells[1:7] == ["—", "—", "0.999", "0.999", "1 of 1 kernels", "1 of 1 kernels"], (name, cells)
    # the training flag fed True for the train measurements is named where the run is
    section = page.split(f"<h3 class=\"mono\">{EXPORTED / 'dropout_cond_training_input'}</h3>")[1]
    table = section.split("Measured (--load) next to declared")[1].split("</tbody>")[0]
    assert "<td class=\"mono\">{} (default), trained with is_training=True</td>" in table, (name, table)


def test_debug_names_a_disagreement_between_static_reading_and_measurement(tmp_path):
    """A static reading gone wrong (injected here: the module pass reads the dropout of
    dropout_keep_prob as 0.5) is a hublint bug that ``--load --debug`` names; without the
    injection the same run names none."""
    module = str(exported_module("dropout_keep_prob"))
    code = (
        "import sys\n"
        "from hublint.module import show\n"
        "summarize = show.summarize\n"
        "def misread(module):\n"
        "    summary = summarize(module)\n"
        "    if sys.argv[1] == 'inject':\n"
        "        for graph in summary['meta_graphs']:\n"
        "            for dropout in graph['dropouts']:\n"
        "                dropout['rate'] = 0.5\n"
        "    return summary\n"
        "show.summarize = misread\n"
        "from hublint.cli import main\n"
        f"sys.exit(main([{module!r}, '--load', '--debug', '--tf-python', {toolchain('tf-2.15')!r}, '--no-cache',"
        " '--select', 'HUB3', '-q', '--jobs', '1']))\n"
    )
    for mode in ("inject", "as-is"):
        done = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, cwd=tmp_path,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        named = [line for line in done.stderr.splitlines() if "static reading and measurement disagree" in line]
        if mode == "inject":
            assert len(named) == 1 and "(a hublint bug)" in named[0], done.stderr[-2000:]
            match = re.search(r"\{train\}: dropout rates read \[0\.5\], measured \[(0\.\d+)\]", named[0])
            assert match and abs(float(match.group(1)) - 0.8) < 0.03, named
        else:
            assert named == [], named


# -- archives -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(TOOLCHAINS))
def test_measured_dropout_rates_are_the_same_in_every_run(name, tmp_path):
    """Exported random ops carry no seed (TensorFlow draws one per process): the child seeds its
    loaded copy, so the sampled rates, and the messages and fingerprints that state them, do not
    change from one run of hublint to the next (TF1 train graph and TF2 ``__call__`` traces)."""
    modules = [exported_module("dropout_keep_prob"), exported_module("tf2_module_dropout_at_inference")]
    rates = []
    for _ in range(2):
        runs = []
        for module in modules:
            done = run_cli("show", str(module), "--load", "--tf-python", toolchain(name), "--format", "json",
                           cwd=tmp_path)
            assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
            runs.append([entry["dropout_rates"] for entry in json.loads(done.stdout)["measured"]])
        rates.append(runs)
    sampled = [rate for module in rates[0] for entry in module for rate in entry]
    assert len(sampled) >= 3 and all(0.1 < rate < 0.9 for rate in sampled), rates[0]
    assert rates[0] == rates[1]


def _archive(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    import io
    import tarfile
    import zipfile

    if target.suffix == ".zip":
        with zipfile.ZipFile(target, "w") as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
            for name, data in (extra or {}).items():
                archive.writestr(name, data)
        return target
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname=".")
        for name, data in (extra or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return target


def test_load_accepts_archives_and_removes_what_it_extracted(tmp_path):
    """``--load m.tar.gz`` / ``m.zip`` gives the folder's findings, measured on a private extraction
    that is gone afterwards."""
    folder = exported_module("dropout_keep_prob")
    archives = [_archive(folder, tmp_path / "m.tar.gz"), _archive(folder, tmp_path / "m.zip")]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    outputs = {}
    for path in [folder, *archives]:
        done = run_cli(str(path), "--load", "--tf-python", toolchain("tf-2.15"), "--select", "HUB2,HUB3",
                       "--format", "json", "--no-cache", cwd=tmp_path, env=env)
        assert "Traceback" not in done.stderr, done.stderr
        outputs[path] = [(f["rule_id"], f["message"], f.get("tag_set"), f.get("node"))
                         for f in json.loads(done.stdout)["findings"]]
    assert any("(measured 0." in message for _, message, _, _ in outputs[folder]), outputs[folder]
    for archive in archives:
        assert outputs[archive] == outputs[folder], archive
    assert list(scratch.iterdir()) == [], "the extracted modules must be removed"


def test_load_never_runs_an_archive_hub401_refuses(tmp_path):
    folder = exported_module("dense_l2")
    archive = _archive(folder, tmp_path / "evil.tar.gz", {"../escaped.txt": b"written outside"})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    done = run_cli("show", str(archive), "--load", "--tf-python", toolchain("tf-2.15"), "--format", "json",
                   cwd=tmp_path, env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == 2 and "HUB401" in done.stderr, done.stderr  # show refuses it outright
    done = run_cli(str(archive), "--load", "--tf-python", toolchain("tf-2.15"), "--format", "json", "--no-cache",
                   cwd=tmp_path, env={**os.environ, "TMPDIR": str(scratch)})
    report = json.loads(done.stdout)
    rules = {f["rule_id"] for f in report["findings"]}
    assert "HUB401" in rules and not {r for r in rules if r.startswith("HUB3")}, rules
    assert not (tmp_path / "escaped.txt").exists() and list(scratch.iterdir()) == []
    assert "hublint-child" not in done.stderr


# -- bad modules ---------------------------------------------------------------------------------

BAD_PUBLISHER = r'''
import os, sys
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()
out = sys.argv[1]

def export(name, build, tags=("serve",)):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        w = tf.get_variable("w", [4, 2], initializer=tf.ones_initializer())
        y = build(x, w)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            builder = tf.saved_model.Builder(os.path.join(out, name))
            signature = tf.saved_model.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(session, list(tags), signature_def_map={"serving_default": signature})
            builder.save()

def crash(x, w):  # abort() inside TensorFlow: the process dies of SIGABRT
    with tf.control_dependencies([tf.raw_ops.Abort(error_msg="hublint test: abort")]):
        return tf.matmul(x, w)

def hang(x, w):  # a loop whose condition never turns false
    count = tf.while_loop(lambda i: tf.constant(True), lambda i: i + 1, [tf.constant(0)])
    return tf.matmul(x, w) + tf.cast(count, tf.float32)

def grow(x, w):  # doubles a tensor until memory runs out
    return tf.while_loop(lambda t: tf.constant(True), lambda t: tf.concat([t, t], 0), [tf.matmul(x, w)],
                         shape_invariants=[tf.TensorShape([None, 2])])

def write(x, w):  # writes a file named relative to the working directory
    with tf.control_dependencies([tf.io.write_file("hublint-wrote-this.txt", "written")]):
        return tf.matmul(x, w)

def batch_of_one(x, w):  # works for a batch of 1 only
    return tf.reshape(tf.matmul(x, w), [2])

def inert_dropout(x, w):  # the train graph's dropout gets rate 0 unless fed
    rate = tf.placeholder_with_default(0.0, [], name="rate")
    return tf.nn.dropout(tf.matmul(x, w), rate=rate)

def zero_reg(x, w):  # a regularization loss of strength 0
    tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, 0.0 * tf.nn.l2_loss(w))
    return tf.matmul(x, w)

def frozen(x, w):  # w is listed trainable, but no gradient reaches it
    return tf.stop_gradient(tf.matmul(x, w)) * 2.0

def nan_gradient(x, w):  # sqrt at 0: the outputs are finite, the gradient of w is NaN (inf * 0)
    return tf.sqrt(tf.matmul(x, w) * 0.0)

def batch_mean(x, w):  # each example is centred on its batch's mean: it depends on the others
    return tf.matmul(x - tf.reduce_mean(x, 0, keepdims=True), w)

def batch_size_scaled(x, w):  # depends on the batch's size, not on what the other examples hold
    return tf.matmul(x, w) / tf.cast(tf.shape(x)[0], tf.float32)

for name, build in [("crash", crash), ("hang", hang), ("grow", grow), ("write", write),
                    ("batch_of_one", batch_of_one), ("frozen", frozen), ("zero_reg", zero_reg),
                    ("batch_mean", batch_mean), ("batch_size_scaled", batch_size_scaled),
                    ("nan_gradient", nan_gradient)]:
    export(name, build)
export("inert_dropout", inert_dropout, tags=("serve", "train"))
'''


def _publish(script: str, target: Path, folder: Path) -> Path:
    """Run the publisher ``script`` (its text, written to ``folder``) under the real TF 2.15
    toolchain with ``target`` as its argument; ``target``."""
    path = folder / "publish.py"
    path.write_text(script)
    done = subprocess.run([toolchain("tf-2.15"), str(path), str(target)], capture_output=True, text=True,
                          cwd=folder, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return target


@pytest.fixture(scope="module")
def bad_modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_modules")
    return _publish(BAD_PUBLISHER, folder, folder)


def _hub3(result, module: Path) -> list:
    return [f for f in result.findings if f.rule_id.startswith("HUB3") and f.location.path.startswith(str(module))]


def test_crash_hang_and_memory_are_findings_and_the_run_goes_on(bad_modules):
    from hublint import dynamic
    from hublint.config import Config

    options = dynamic.make_options(toolchain("tf-2.15"), timeout=25, memory="3G")
    paths = [str(bad_modules / name) for name in ("crash", "hang", "grow")] + [str(exported_module("dense_l2"))]
    result = run(paths, Config(cache=False, select=("HUB3",)), load=options)
    messages = {Path(p).name: [f.message for f in _hub3(result, Path(p))] for p in paths}
    assert any("crashed (SIGABRT)" in m for m in messages["crash"]), messages
    assert any("did not finish within the --load-timeout" in m for m in messages["hang"]), messages
    assert any("--load-memory" in m for m in messages["grow"]), messages
    assert messages["dense_l2"] == [], messages  # the others cost only themselves
    assert all(f.rule_id == "HUB301" for p in paths[:3] for f in _hub3(result, Path(p)))


def test_signature_dropout_and_gradient_problems_are_measured(bad_modules):
    from hublint import dynamic
    from hublint.config import Config

    names = ("batch_of_one", "inert_dropout", "frozen", "zero_reg", "batch_mean", "batch_size_scaled", "nan_gradient")
    options = dynamic.make_options(toolchain("tf-2.21"), timeout=120)
    result = run([str(bad_modules / name) for name in names], Config(cache=False, select=("HUB3",)), load=options)
    found = {name: [(f.rule_id, f.message) for f in _hub3(result, bad_modules / name)] for name in names}
    assert [rule for rule, _ in found["batch_of_one"]] == ["HUB302"], found
    assert "batch 3" in found["batch_of_one"][0][1]
    assert [rule for rule, _ in found["inert_dropout"]] == ["HUB305"], found
    assert "dropout never drops (measured rate 0" in found["inert_dropout"][0][1]
    assert [rule for rule, _ in found["frozen"]] == ["HUB306"], found
    assert "get no gradient" in found["frozen"][0][1] and "w" in found["frozen"][0][1]
    assert found["zero_reg"] == [("HUB304", "the 1 regularization losses sum to 0")], found
    # Batch dependence: the outputs of a batch of 1 and of 3 differ for both; only batch_mean's
    # differ again when the other examples of a batch of 3 change.
    assert [rule for rule, _ in found["batch_mean"]] == ["HUB303"] and "batch" in found["batch_mean"][0][1], found
    assert found["batch_size_scaled"] == [], found
    assert found["nan_gradient"] == [("HUB306", "the tag set {serve}: non-finite gradients for w")], found


def test_a_module_with_unsafe_ops_is_not_run_without_trust(bad_modules, tmp_path):
    module = bad_modules / "write"
    before = _tree_digest(module)
    done = run_cli(str(module), "--load", "--tf-python", toolchain("tf-2.15"), "--select", "HUB301",
                   "--format", "json", "--no-cache", cwd=tmp_path)
    findings = json.loads(done.stdout)["findings"]
    assert done.returncode == 1 and [f["rule_id"] for f in findings] == ["HUB301"], done.stdout
    assert "not loaded" in findings[0]["message"] and "WriteFile" in findings[0]["message"]
    assert not list(tmp_path.rglob("hublint-wrote-this.txt"))
    assert _tree_digest(module) == before


def test_children_started_before_the_static_passes_are_stopped_and_removed_when_not_needed(
        bad_modules, tmp_path, monkeypatch):
    """The children start importing TensorFlow before the static passes decide what runs: one
    that nothing needs (HUB213 keeps the only module from running) is killed, its folder removed;
    one that measures a module ends on its own, its folder removed too."""
    import tempfile

    from hublint import dynamic
    from hublint.config import Config
    from hublint.dynamic import measure

    started = []
    original = measure.start_children

    def record(count, options):
        children = original(count, options)
        started.extend(children)
        return children

    monkeypatch.setattr(measure, "start_children", record)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    options = dynamic.make_options(toolchain("tf-2.15"), timeout=300)
    unsafe = run([str(bad_modules / "write")], Config(cache=False, select=("HUB301",)), load=options)
    assert [f.rule_id for f in unsafe.findings] == ["HUB301"] and "not loaded" in unsafe.findings[0].message
    assert len(started) == 1 and started[0].process.returncode is not None, started
    assert not list(tmp_path.glob("hublint-load-*"))
    measured = run([str(exported_module("dense_l2"))], Config(cache=False), load=options)
    summary = measured.module_summaries[str(exported_module("dense_l2"))]
    assert summary["measured"] and not summary["measured_status"], summary.get("measured_status")
    assert len(started) == 2 and started[1].process.returncode == 0
    assert not list(tmp_path.glob("hublint-load-*"))


def test_a_trusted_module_runs_in_a_private_folder_that_is_thrown_away(bad_modules, tmp_path):
    """--trust-module runs the graph, WriteFile included; its relative path lands in the child's
    temporary working directory, never in the user's folder or the module's."""
    module = bad_modules / "write"
    before = _tree_digest(module)
    done = run_cli(str(module), "--load", "--trust-module", "--tf-python", toolchain("tf-2.15"),
                   "--select", "HUB3", "--format", "json", "--no-cache", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not list(tmp_path.rglob("hublint-wrote-this.txt"))
    assert not list(bad_modules.rglob("hublint-wrote-this.txt"))
    assert _tree_digest(module) == before


@pytest.fixture(scope="module")
def nan_weights(tmp_path_factory):
    """A copy of dense_l2 whose ``dense/kernel`` holds NaN, saved by the real TF 2.15 toolchain."""
    import shutil

    tmp_path = tmp_path_factory.mktemp("nan")
    module = tmp_path / "nan_weights"
    shutil.copytree(exported_module("dense_l2"), module)
    return _publish(
        "import sys\nimport numpy as np\nimport tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n"
        "path = sys.argv[1]\n"
        "with tf.Graph().as_default(), tf.Session() as s:\n"
        "    tf.saved_model.loader.load(s, [], path)\n"
        "    k = [v for v in tf.global_variables() if v.op.name == 'dense/kernel'][0]\n"
        "    k.load(np.full(k.shape.as_list(), np.nan, np.float32), s)\n"
        "    tf.train.Saver(tf.global_variables()).save(s, path + '/variables/variables', write_meta_graph=False)\n",
        module, tmp_path)


def test_nan_weights_are_measured(nan_weights, tmp_path):
    """HUB307 (the module pass never opens the shards)."""
    _, findings = _cli_json(nan_weights, "--tf-python", toolchain("tf-2.15"), "--select", "HUB307", cwd=tmp_path)
    assert [f["rule_id"] for f in findings] == ["HUB307"], findings
    assert "dense/kernel" in findings[0]["message"] and "1000 non-finite" in findings[0]["message"]


def _child_runs(module, tmp_path, **request):
    """The child's runs on ``module``, run by hand with ``request``'s extra keys."""
    from hublint.dynamic.measure import CHILD

    done = subprocess.run([toolchain("tf-2.15"), "-I", CHILD], input=json.dumps(dict(request, modules=[str(module)])),
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    runs = json.loads(done.stdout.splitlines()[-1])["runs"]
    assert runs and all(run["loaded"] and not run.get("step_errors") for run in runs), runs
    return runs


def test_weights_too_large_to_read_are_checked_in_the_graph_with_the_same_result(nan_weights, tmp_path):
    """The child reads checkpoint tensors up to ``read_limit`` bytes and checks larger ones in each
    tag set's graph: both ways find the same NaN, by the same name."""
    found = {limit: [run["invalid_weights"] for run in _child_runs(nan_weights, tmp_path, read_limit=limit)]
             for limit in (64 << 20, 0)}
    assert found[0] == found[64 << 20], found
    assert found[0][0] == [{"name": "dense/kernel", "nan": 1000, "inf": 0}], found


@pytest.mark.parametrize("module", ["batchnorm_fused_high_momentum", "slim_inplace_updates", "batchnorm_unfused"])
def test_batch_norm_measured_on_the_signature_runs_and_on_runs_of_its_own_agree(module, tmp_path):
    """The moving statistics are read on the default signature's runs unless a check reads them
    too; with ``read_limit`` 0 the in-graph weight checks read every variable, so the batch norms
    are measured on runs of their own: the same momenta, the same regularization coverage."""
    keys = ("batchnorm", "regularization", "update_ops")
    riding, alone = ([{k: run.get(k) for k in keys} for run in _child_runs(exported_module(module), tmp_path, **extra)]
                     for extra in ({}, {"read_limit": 0}))
    assert riding == alone
    assert any(entry["updated"] for run in riding for entry in run["batchnorm"]), riding


KERAS_NOISE_SHAPE = r'''
import sys
import tensorflow as tf
inputs = tf.keras.Input((64, 64, 8))
hidden = tf.keras.layers.Conv2D(8, 1)(inputs)
# One draw per example (EfficientNet's drop-connect): a call on a batch of 3 is 3 draws, not 98,304.
hidden = tf.keras.layers.Dropout(0.2, noise_shape=(None, 1, 1, 1))(hidden)
outputs = tf.keras.layers.Dense(2)(tf.keras.layers.Flatten()(hidden))
tf.saved_model.save(tf.keras.Model(inputs, outputs), sys.argv[1])
'''


def test_a_keras_dropout_with_a_noise_shape_is_measured_on_independent_draws(tmp_path):
    """A Keras 2 dropout whose mask is broadcast (noise_shape) is measured on its mask, sampled in the
    layer's training trace: the declared rate, no 'never drops' (HUB305), no disagreement."""
    from hublint import dynamic
    from hublint.config import Config
    from hublint.dynamic.compare import disagreements

    module = _publish(KERAS_NOISE_SHAPE, tmp_path / "noise_shape", tmp_path)
    for name in sorted(TOOLCHAINS):
        result = run([str(module)], Config(cache=False, select=("HUB2", "HUB3")),
                     load=dynamic.make_options(toolchain(name), timeout=300))
        summary = result.module_summaries[str(module)]
        (train,) = [e for e in summary["measured"] if e["object"] == "__call__" and e["training"] is True]
        assert len(train["dropout_rates"]) == 1 and abs(train["dropout_rates"][0] - 0.2) < 0.03, (name, train)
        assert not [f for f in result.findings if f.rule_id == "HUB305"], (name, result.findings)
        assert disagreements(summary) == [], name


def _cli_json(module, *args, cwd):
    done = run_cli(str(module), "--load", *args, "--format", "json", "--no-cache", cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


# -- the parent process --------------------------------------------------------------------------

def test_hublint_itself_never_imports_tensorflow(tmp_path):
    code = (
        "import sys\n"
        "from hublint.cli import main\n"
        f"rc = main([{str(exported_module('dense_l2'))!r}, '--load', '--tf-python', {toolchain('tf-2.15')!r},"
        " '--no-cache', '-q'])\n"
        "assert rc == 0, rc\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras'))\n"
        "assert not loaded, loaded\n"
        "assert 'hublint.dynamic.measure' in sys.modules\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


def test_load_without_tensorflow_is_a_usage_error(tmp_path):
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        pytest.fail("the test environment must not have TensorFlow: hublint never needs it")
    done = run_cli(str(exported_module("dense_l2")), "--load", cwd=tmp_path)
    assert done.returncode == 2
    assert "hublint[tf]" in done.stderr and "--tf-python" in done.stderr
    options_only = run_cli(str(exported_module("dense_l2")), "--load-timeout", "5", cwd=tmp_path)
    assert options_only.returncode == 2 and "needs --load" in options_only.stderr
    trust_only = run_cli(str(exported_module("dense_l2")), "--trust-module", cwd=tmp_path)
    assert trust_only.returncode == 2 and "--trust-module needs --load" in trust_only.stderr


def test_without_load_no_child_runs_and_the_dynamic_pass_is_not_imported(tmp_path):
    code = (
        "import sys\nfrom hublint.cli import main\n"
        f"main([{str(exported_module('dense_l2'))!r}, '--no-cache', '-q'])\n"
        "assert 'hublint.dynamic.measure' not in sys.modules\nprint('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_show_load_adds_measured_in_json_and_text(tmp_path):
    from hublint.dynamic import render_measured

    module = str(exported_module("batchnorm_fused_high_momentum"))
    done = run_cli("show", module, "--load", "--tf-python", toolchain("tf-2.21"), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout)["measured"]
    train = next(entry for entry in measured if entry["tag_set"] == ["train"])
    assert train["training"] is None and train["batchnorm_momenta"] == [0.999]
    assert train["regularization"]["kernels_covered"] == ["conv2d/kernel"]
    default = next(entry for entry in measured if entry["tag_set"] == [])
    assert default["deterministic"] is True and default["batch_independent"] is True
    text = "\n".join(render_measured(measured))
    assert "Measured (--load):" in text and "batch-norm momenta: 0.999" in text, text


def test_load_options_are_read_and_checked():
    from hublint import dynamic

    assert dynamic.parse_memory("8G") == 8 << 30
    assert dynamic.parse_memory("512MiB") == 512 << 20
    assert dynamic.parse_memory(str(1 << 30)) == 1 << 30
    with pytest.raises(dynamic.LoadUsageError):
        dynamic.parse_memory("lots")
    with pytest.raises(dynamic.LoadUsageError):
        dynamic.make_options(os.devnull + "-missing-python")
