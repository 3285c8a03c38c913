"""TF2 traces: training and inference told apart, and Keras 3 ``model.export()`` recognised.

Keras 2 (and any ``tf.function`` with a python ``training`` argument) saves one
concrete function per value of ``training``; dropout and training-mode batch
norm in the ``training=True`` trace are how training works, not a bug.  Only
what an inference entry reaches (a ``training=False`` trace, a call without
``training``, a serving signature) runs at inference.  Keras 3 ``model.export()``
writes an inference-only artifact: HUB216 says so and what to publish instead.
"""

from __future__ import annotations

import json

import pytest

from hublint.module.analysis import analyze
from hublint.module.analysis.traces import BOTH, INFERENCE, TRAINING, UNREACHED, find_traces
from hublint.module.graph import Graph
from hublint.module.reader import load_module
from tests.conftest import exported_module, run_cli
from tests.module_fixtures import edit_saved_model, findings_of, lint, module_copy


def meta_graph_of(name: str):
    (meta_graph,) = load_module(str(exported_module(name))).meta_graphs
    return meta_graph


def rule_ids(name: str) -> set[str]:
    found, _ = lint(exported_module(name))
    return {f.rule_id for f in found}


# -- the traces -------------------------------------------------------------------------------

def test_each_concrete_function_gets_the_mode_its_training_argument_was_traced_with():
    meta_graph = meta_graph_of("tf2_module_dropout_at_inference")
    traces = find_traces(meta_graph.graph)
    calls = {entry.function: entry for entry in traces.entries if entry.caller.startswith("`__call__")}
    signatures = meta_graph.proto.object_graph_def.concrete_functions
    assert len(calls) == 2
    for function, entry in calls.items():
        (training,) = [v.bool_value for v in signatures[function].canonicalized_input_signature
                       .tuple_value.values[0].tuple_value.values if v.WhichOneof("kind") == "bool_value"]
        assert entry.modes == {TRAINING if training else INFERENCE}
        assert entry.caller == f"`__call__(training={training})`"
        assert entry.training_argument
    # The regularization loss takes no `training`: an inference entry without the argument.
    (loss,) = [e for e in traces.entries if e.caller.startswith("`regularization_losses")]
    assert loss.modes == {INFERENCE} and not loss.training_argument


def test_keras2_dropout_and_batch_norm_of_the_training_trace_are_not_active_at_inference():
    facts = meta_graph_of("keras2_dropout_bn_traces").facts
    assert facts.dropouts and {d.mode for d in facts.dropouts} == {TRAINING}
    assert all("training=True" in d.entry for d in facts.dropouts)
    training = [b for b in facts.batch_norms if b.training]
    inference = [b for b in facts.batch_norms if not b.training]
    assert training and {b.mode for b in training} == {TRAINING}
    assert inference and {b.mode for b in inference} == {INFERENCE}
    assert {b.momentum for b in training} == {0.9}
    assert facts.active_dropouts == () and facts.training_batch_norms == ()


def test_a_function_both_kinds_of_trace_call_is_in_both_modes():
    """Keras traces Dense once (it takes no `training`): the model's training and inference traces share it."""
    graph = meta_graph_of("keras2_dropout_bn_traces").graph
    traces = find_traces(graph)
    shared = [name for name, modes in traces.modes.items() if modes == {TRAINING, INFERENCE}]
    assert shared and all(traces.mode(name) == BOTH for name in shared)
    # Every function of the library runs for some entry, except TF's own save / restore functions
    # (called from the top-level graph, so they are reached as well).
    assert all(traces.mode(name) != UNREACHED for name in graph.functions)


def test_a_tf1_graph_has_no_traces():
    traces = find_traces(meta_graph_of("dense_l2").graph)
    assert traces.entries == () and traces.mode("anything") == ""
    assert {d.mode for d in meta_graph_of("dropout_always_on").facts.dropouts} == {""}


def test_a_trace_recorded_as_inference_makes_its_dropout_and_batch_norm_active(tmp_path):
    """The mode comes from the recorded `training` value: flip it and the same functions run at inference."""
    path = module_copy("keras2_dropout_bn_traces", tmp_path)

    def training_true_recorded_as_false(saved_model):
        for concrete in saved_model.meta_graphs[0].object_graph_def.concrete_functions.values():
            args = concrete.canonicalized_input_signature.tuple_value.values[0].tuple_value.values
            for value in args:
                if value.WhichOneof("kind") == "bool_value":
                    value.bool_value = False

    edit_saved_model(path, training_true_recorded_as_false)
    assert {f.rule_id for f in findings_of(path, "HUB204")} == {"HUB204"}
    (batch_norm,) = findings_of(path, "HUB206")  # one per layer, though two traces hold it
    assert "training mode at inference" in batch_norm.message and "training=False" in batch_norm.message
    assert batch_norm.location.node == "batch_normalization"


def test_a_tensor_training_argument_serves_both_modes():
    """`training` traced as a tensor: the consumer chooses at run time, so both modes reach the function."""
    meta_graph_def = meta_graph_of("tf2_module_dropout_at_inference").proto
    changed = type(meta_graph_def).FromString(meta_graph_def.SerializeToString())
    for concrete in changed.object_graph_def.concrete_functions.values():
        for value in concrete.canonicalized_input_signature.tuple_value.values[0].tuple_value.values:
            if value.WhichOneof("kind") == "bool_value":
                value.tensor_spec_value.dtype = 10  # DT_BOOL
    facts = analyze(changed)
    assert {d.mode for d in facts.dropouts} == {BOTH}
    assert all("training=<tensor>" in d.entry for d in facts.dropouts)
    assert len(facts.active_dropouts) == 2 and facts.reusable.has_training_trace


def test_damaged_object_graphs_give_modes_not_tracebacks():
    meta_graph_def = meta_graph_of("keras2_dropout_bn_traces").proto
    damaged = type(meta_graph_def).FromString(meta_graph_def.SerializeToString())
    functions = list(damaged.object_graph_def.concrete_functions)
    damaged.object_graph_def.concrete_functions[functions[0]].canonicalized_input_signature.Clear()
    damaged.object_graph_def.concrete_functions[functions[1]].canonicalized_input_signature.tuple_value.Clear()
    damaged.object_graph_def.nodes[0].children.add(local_name="__call__", node_id=10**6)
    # A function calling itself: the walk must end.
    body = damaged.graph_def.library.function[0]
    call = body.node_def.add(name="loop", op="PartitionedCall")
    call.attr["f"].func.name = body.signature.name
    facts = analyze(damaged)
    assert isinstance(facts.dropouts, tuple)
    assert find_traces(Graph(damaged)).entries


# -- the rules --------------------------------------------------------------------------------

def test_hub204_dropout_reachable_from_the_training_false_trace():
    (finding,) = findings_of(exported_module("tf2_module_dropout_at_inference"), "HUB204")
    assert "rate 0.25" in finding.message
    assert "the `__call__(training=False)` trace" in finding.message
    for clean in ("keras2_dropout_bn_traces", "tf2_reusable", "keras3_export"):
        assert findings_of(exported_module(clean), "HUB204") == [], clean


@pytest.mark.parametrize("name", ["keras2_dropout_bn_traces", "tf_keras_model_save_bn_momentum_high", "keras3_export"])
def test_hub206_not_for_training_mode_in_training_traces(name):
    assert findings_of(exported_module(name), "HUB206") == []


def test_hub207_tf2_with_a_training_argument_needs_no_train_tag():
    for name in ("keras2_dropout_bn_traces", "tf2_module_dropout_at_inference", "tf_keras_model_save_bn_momentum_high"):
        assert findings_of(exported_module(name), "HUB207") == [], name
    (bare,) = findings_of(exported_module("tf2_bare"), "HUB207")
    assert "`__call__` has no `training` argument" in bare.message


def test_hub205_names_the_keras_layer_not_the_fused_op():
    (finding,) = findings_of(exported_module("tf_keras_model_save_bn_momentum_high"), "HUB205")
    assert finding.message == "batch-norm momentum 0.999 is above the maximum 0.99"
    assert finding.location.node == "batch_normalization"
    assert "`batch_normalization`" in finding.fix
    assert "FusedBatchNormV3" not in finding.fix + finding.message + finding.location.node


def test_keras2_module_with_dropout_and_batch_norm_traces_is_clean():
    assert rule_ids("keras2_dropout_bn_traces") == set()


# -- Keras 3 model.export() ------------------------------------------------------------------

def test_keras3_export_is_recognised_as_inference_only():
    reusable = meta_graph_of("keras3_export").facts.reusable
    assert reusable.inference_only
    assert reusable.endpoints == ("serve",) and "serving_default" in reusable.signatures
    assert not reusable.has_training_trace and not reusable.has_training_argument
    for complete in ("tf2_reusable", "keras2_dropout_bn_traces", "tf2_module_dropout_at_inference"):
        assert not meta_graph_of(complete).facts.reusable.inference_only, complete
    # A tf.Module with `__call__` lacks attributes but is not an export: it is told what to add.
    assert not meta_graph_of("tf2_bare").facts.reusable.inference_only


def test_hub216_explains_the_inference_only_export_and_what_to_publish_instead():
    (finding,) = findings_of(exported_module("keras3_export"), "HUB216")
    assert "inference-only export" in finding.message and "Keras 3 `model.export()`" in finding.message
    assert "`serve`" in finding.message and "no `training` argument" in finding.message
    assert "`regularization_losses`" in finding.message
    assert "`tf.Module`" in finding.fix and "__call__(inputs, training=False)" in finding.fix
    assert "tf_keras" in finding.fix and "tf.saved_model.save" in finding.fix
    (bare,) = findings_of(exported_module("tf2_bare"), "HUB216")
    assert "inference-only" not in bare.message


def test_keras3_export_is_not_told_to_pass_kernel_regularizer():
    found, _ = lint(exported_module("keras3_export"))
    assert {f.rule_id for f in found} == {"HUB216"}
    assert not any("kernel_regularizer" in f.fix for f in found)


# -- hublint show -----------------------------------------------------------------------------

def test_show_lists_dropout_and_batch_norm_with_their_trace():
    path = str(exported_module("keras2_dropout_bn_traces"))
    done = run_cli("show", path)
    assert done.returncode == 0, done.stderr
    dropout_lines = [line for line in done.stdout.splitlines() if line.strip().startswith("Dropout:")]
    assert dropout_lines and all("training trace" in line for line in dropout_lines)
    assert "always active" not in done.stdout
    norms = [line for line in done.stdout.splitlines() if line.strip().startswith("Batch norm:")]
    assert any("training mode, training trace" in line for line in norms)
    assert any("inference mode, inference trace" in line for line in norms)

    summary = json.loads(run_cli("show", path, "--format", "json").stdout)
    (meta_graph,) = summary["meta_graphs"]
    assert {d["mode"] for d in meta_graph["dropouts"]} == {TRAINING}
    assert {b["layer"] for b in meta_graph["batch_norms"] if b["mode"] == TRAINING} == {"batch_normalization"}


def test_show_says_a_dropout_of_an_inference_trace_is_active_at_inference():
    done = run_cli("show", str(exported_module("tf2_module_dropout_at_inference")))
    lines = [line for line in done.stdout.splitlines() if line.strip().startswith("Dropout:")]
    assert any("active at inference, inference trace `__call__(training=False)`" in line for line in lines)
    assert any("training trace `__call__(training=True)`" in line for line in lines)
