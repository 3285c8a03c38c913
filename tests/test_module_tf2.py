"""TF2 SavedModels: kernels, per-kernel regularization coverage and object paths, on real exports.

Each module below was saved by real TensorFlow (Keras 2 of TF 2.15, Keras 3 of
TF 2.21, hand-made ``tf.Module`` objects).  The module pass finds kernels by
following each saved function's captured variables into the weight ops of the
functions it calls, finds coverage by following each ``regularization_losses``
function back to the variables it reads, and names both by object path.
"""

from __future__ import annotations

import json

import pytest

from hublint.module import lint_module
from hublint.module.analysis.object_graph import ObjectGraph
from hublint.module.reader import load_module
from hublint.module.show import render_text, summarize
from tests.conftest import exported_module, run_cli
from tests.module_fixtures import all_rules_config, edit_saved_model, module_copy

# module -> (kernel -> (ops, the regularization loss covering it or None), HUB201 fires)
EXPECTED = {
    "tf2_reusable": ({
        "dense/kernel": (("MatMul",), "regularization_losses/0"),
        "dense_1/kernel": (("MatMul",), "regularization_losses/1"),
    }, False),
    "tf2_bare": ({
        "hidden_kernel": (("MatMul",), None),
        "output_kernel": (("MatMul",), None),
    }, True),
    "keras2_saved_model_noreg": ({
        "dense/kernel": (("MatMul",), None),
        "dense_1/kernel": (("MatMul",), None),
    }, True),
    "keras2_model_save_partial_reg": ({
        "conv2d/kernel": (("Conv2D",), "regularization_losses/0"),
        "dense/kernel": (("MatMul",), None),
    }, False),
    "tf2_module_empty_reg_losses": ({
        "w": (("MatMul",), None),
    }, True),
    "tf2_module_with_reg_losses": ({
        "encoder/w": (("MatMul",), "regularization_losses/0"),
        "head/w": (("MatMul",), None),
    }, False),
    "keras3_reusable_wrapper": ({
        "sequential/dense/kernel": (("MatMul",), "regularization_losses/0"),
        "sequential/dense_1/kernel": (("MatMul",), "regularization_losses/1"),
    }, False),
}
MODULES = sorted(EXPECTED)


def _meta_graph(name: str):
    module = load_module(str(exported_module(name)))
    (meta_graph,) = module.meta_graphs
    return module, meta_graph


def _findings(path, *rule_ids):
    found, _ = lint_module(str(path), all_rules_config(select=rule_ids))
    return found


@pytest.mark.parametrize("name", MODULES)
def test_kernels_and_which_loss_covers_each(name):
    kernels, _ = EXPECTED[name]
    _, meta_graph = _meta_graph(name)
    facts = meta_graph.facts
    assert {k.variable: k.ops for k in facts.kernels} == {path: ops for path, (ops, _) in kernels.items()}
    covering = {v: loss.tensor for loss in facts.regularization_losses for v in loss.variables}
    assert {path: covering.get(path) for path in kernels} == {path: loss for path, (_, loss) in kernels.items()}
    # Biases, batch-norm parameters and moving statistics are variables, never kernels.
    names = {v.name for v in facts.variables}
    assert set(kernels) < names


@pytest.mark.parametrize("name", MODULES)
def test_findings_name_each_unregularized_kernel_by_its_object_path(name):
    kernels, hub201 = EXPECTED[name]
    found = _findings(exported_module(name), "HUB201", "HUB202")
    unregularized = sorted(path for path, (_, loss) in kernels.items() if loss is None)
    assert sorted(f.location.node for f in found if f.rule_id == "HUB202") == unregularized
    for finding in found:
        if finding.rule_id == "HUB202":
            assert finding.message.startswith(f"trainable kernel `{finding.location.node}` (")
    (summary,) = [f for f in found if f.rule_id == "HUB201"] or [None]
    assert (summary is not None) == hub201
    if summary is not None:
        assert f"{len(kernels)} trainable kernel(s)" in summary.message
        assert all(f"`{path}`" in summary.message for path in kernels)


@pytest.mark.parametrize("name", MODULES)
def test_names_never_are_function_internal(name):
    found = _findings(exported_module(name), "HUB201", "HUB202", "HUB211")
    for finding in found:
        for text in (finding.location.node, finding.message, finding.fix):
            assert "__inference_" not in text and "StatefulPartitionedCall" not in text, finding
    module = load_module(str(exported_module(name)))
    (meta_graph,) = summarize(module)["meta_graphs"]
    named = [v["name"] for v in meta_graph["variables"]]
    named += [o["path"] for o in meta_graph["objects"]] + [v for o in meta_graph["objects"] for v in o["variables"]]
    named += [loss["tensor"] for loss in meta_graph["regularization_losses"]]
    named += [v for loss in meta_graph["regularization_losses"] for v in loss["variables"]]
    assert named and not [n for n in named if "__inference_" in n or "/.ATTRIBUTES" in n]


def test_hub201_says_whether_the_attribute_is_missing_or_empty():
    (missing,) = _findings(exported_module("tf2_bare"), "HUB201")
    assert missing.message.endswith("the saved object has no `regularization_losses` attribute")
    (empty,) = _findings(exported_module("keras2_saved_model_noreg"), "HUB201")
    assert empty.message.endswith("the saved object's `regularization_losses` list is empty")
    (hand_made,) = _findings(exported_module("tf2_module_empty_reg_losses"), "HUB201")
    assert hand_made.message == "1 trainable kernel(s) (`w`) but the saved object's `regularization_losses` list is empty"


def test_inference_only_export_is_left_to_hub216():
    # Keras 3 `model.export()` drops the model's regularizers: "pass kernel_regularizer=" would be wrong advice.
    _, meta_graph = _meta_graph("keras3_export")
    assert meta_graph.facts.kernels, "the kernels are still found"
    assert _findings(exported_module("keras3_export"), "HUB201", "HUB202") == []


def test_show_lists_objects_kernels_and_the_loss_covering_each_through_the_cli():
    path = exported_module("keras2_model_save_partial_reg")
    done = run_cli("show", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    (meta_graph,) = json.loads(done.stdout)["meta_graphs"]
    rows = {v["name"]: v for v in meta_graph["variables"]}
    assert rows["conv2d/kernel"]["kernel"] and rows["conv2d/kernel"]["regularization_loss"] == "regularization_losses/0"
    assert rows["dense/kernel"]["kernel"] and rows["dense/kernel"]["regularization_loss"] is None
    assert not rows["batch_normalization/gamma"]["kernel"]
    assert rows["batch_normalization/moving_mean"]["trainable"] is False
    assert all(row["in_checkpoint"] for row in rows.values())
    objects = {o["path"]: o for o in meta_graph["objects"]}
    assert objects[""]["kind"] == "_tf_keras_sequential"
    assert objects["conv2d"]["variables"] == ["conv2d/kernel", "conv2d/bias"]
    assert objects["dense"]["variables"] == ["dense/kernel", "dense/bias"]
    # Flatten has no variables to name it: the model calls it under its name scope.
    assert sorted(objects) == ["", "batch_normalization", "conv2d", "dense", "flatten"]
    assert meta_graph["regularization_losses"] == [{"tensor": "regularization_losses/0", "variables": ["conv2d/kernel"]}]

    text = run_cli("show", str(path)).stdout
    assert "  Objects (5):" in text
    assert "    regularization_losses/0: reads conv2d/kernel" in text
    (dense_row,) = [line.split() for line in text.splitlines() if line.split()[:1] == ["dense/kernel"]]
    assert dense_row[-2:] == ["yes", "none"]


def test_show_of_a_hand_made_module_names_attributes():
    module = load_module(str(exported_module("tf2_module_with_reg_losses")))
    text = render_text(summarize(module))
    assert "    encoder  object  encoder/w, encoder/b" in text
    assert "    regularization_losses/0: reads encoder/w" in text
    empty = render_text(summarize(load_module(str(exported_module("tf2_module_empty_reg_losses")))))
    assert "  Regularization losses: none" in empty


def test_tf1_summaries_have_no_objects():
    (meta_graph,) = summarize(load_module(str(exported_module("dense_l2"))))["meta_graphs"]
    assert meta_graph["objects"] == []
    assert "Objects" not in render_text(summarize(load_module(str(exported_module("dense_l2")))))


# -- the object graph API ------------------------------------------------------------------

def test_paths_checkpoint_keys_and_readable_names():
    module, meta_graph = _meta_graph("tf2_reusable")
    objects = meta_graph.object_graph
    by_path = {v.path: v for v in objects.variables}
    kernel = by_path["dense_1/kernel"]
    assert objects.path(kernel.node_id) == ("layer_with_weights-1", "kernel")
    assert kernel.checkpoint_key == "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    assert {v.checkpoint_key for v in objects.variables} <= set(module.variables)
    assert [v.checkpoint_key for v in meta_graph.variables] == [v.checkpoint_key for v in objects.variables]
    # Listed twice (``variables/2``, ``layer_with_weights-1/kernel``): the list is not the name.
    assert objects.readable_path(kernel.node_id) == "dense_1/kernel"


def test_captures_calls_and_owners_of_keras_functions():
    _, meta_graph = _meta_graph("tf2_reusable")
    objects = meta_graph.object_graph
    graph = meta_graph.graph
    kernels = {v.path: v.node_id for v in objects.variables}
    traces = objects.attribute_functions("__call__")
    assert len(traces) == 2
    for trace in traces:
        body = graph.functions[trace]
        captured = objects.captured_variables(trace)
        bound = list(objects.functions[trace].bound_inputs)
        assert list(captured) == list(body.arguments[-len(bound):])
        assert list(captured.values()) == bound
        # The trace itself reads no weights: they are in the layers' functions it calls.
        assert not body.with_ops(("MatMul",))
        (call,) = {c.callee for c in objects.callees(trace)}
        assert objects.function_owner(call) == ""
        assert objects.kernel_variables(trace) == {kernels["dense/kernel"]: ("MatMul",),
                                                   kernels["dense_1/kernel"]: ("MatMul",)}
    dense_calls = [f for f in objects.functions if objects.function_owner(f) == "dense"]
    assert dense_calls and all(set(objects.kernel_variables(f)) == {kernels["dense/kernel"]} for f in dense_calls)
    losses = objects.regularization_loss_functions()
    assert [path for path, _ in losses] == ["regularization_losses/0", "regularization_losses/1"]
    assert [objects.variables_read(fs[0]) for _, fs in losses] == [
        frozenset({kernels["dense/kernel"]}), frozenset({kernels["dense_1/kernel"]})]
    layers = {layer.path: layer for layer in objects.layers}
    assert sorted(layers) == ["", "dense", "dense_1", "dropout"]
    assert layers["dense"].kind == "_tf_keras_layer"


def test_a_loss_function_reading_nothing_covers_nothing(tmp_path):
    path = module_copy("tf2_module_with_reg_losses", tmp_path)

    def drop_capture(saved_model):
        functions = saved_model.meta_graphs[0].object_graph_def.concrete_functions
        (name,) = [n for n in functions if "lambda" in n]
        del functions[name].bound_inputs[:]

    edit_saved_model(path, drop_capture)
    found = _findings(path, "HUB201", "HUB202")
    # The list is not empty (no HUB201), but its function reads no variable any more.
    assert sorted(f.location.node for f in found) == ["encoder/w", "head/w"]
    assert {f.rule_id for f in found} == {"HUB202"}


@pytest.mark.parametrize("damage", ["bound_inputs_out_of_range", "child_out_of_range", "function_missing"])
def test_a_damaged_object_graph_gives_findings_not_tracebacks(tmp_path, damage):
    path = module_copy("tf2_module_with_reg_losses", tmp_path)

    def edit(saved_model):
        meta_graph = saved_model.meta_graphs[0]
        graph = meta_graph.object_graph_def
        if damage == "bound_inputs_out_of_range":
            for function in graph.concrete_functions.values():
                function.bound_inputs.append(10_000)
        elif damage == "child_out_of_range":
            graph.nodes[0].children.add(node_id=10_000, local_name="ghost")
            graph.nodes[0].children.add(node_id=-3, local_name="negative")
        else:
            library = meta_graph.graph_def.library.function
            for index in reversed(range(len(library))):
                if "__call__" in library[index].signature.name:
                    del library[index]

    edit_saved_model(path, edit)
    module = load_module(str(path))
    (meta_graph,) = module.meta_graphs
    objects = ObjectGraph(meta_graph.graph)
    summary = summarize(module)
    assert summary["meta_graphs"][0]["objects"]
    kernels = {k.variable for k in meta_graph.facts.kernels}
    if damage == "function_missing":
        assert kernels == set()  # the functions reading them are gone
    elif damage == "bound_inputs_out_of_range":
        assert kernels == set()  # captures no longer line up with the arguments: nothing is claimed
    else:
        assert kernels == {"encoder/w", "head/w"}
        assert objects.kind(10_000) == "" and objects.children(0)[-1] != ("ghost", 10_000)
    run = run_cli(str(path), "--select", "HUB201,HUB202,HUB211", "--no-cache")
    assert "Traceback" not in run.stderr and run.returncode in (0, 1), run.stderr
