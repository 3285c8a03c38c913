"""Signatures and unsafe ops judged as a consumer breaks: real modules made the way other projects make them.

HUB209 accepts inputs that feeding loses nothing from (an `Identity` of a placeholder, the features
`ParseExampleV2` decodes, a rank-1 input of fixed size) and warns about inputs computed from variables or
other inputs; only a tensor the graph lacks is an error. HUB213 leaves TensorFlow's own checkpointing
alone (the saver in `saver_def`, a stray `save/`, the `_traced_save` / `_traced_restore` functions and
the save functions of a lookup table) and flags a `tf.print` to a `file://` stream.
"""

from __future__ import annotations

from hublint.config import Config
from hublint.finding import Location, Severity
from hublint.module.reader import load_module
from hublint.registry import get_rule
from hublint.source import lint_text
from tests.module_fixtures import edit_saved_model, findings_of, module_copy, node


def _messages(findings) -> list[str]:
    return [finding.message for finding in findings]


# -- HUB209: what feeding an input loses ------------------------------------------------------

def test_identity_parse_example_and_rank_1_inputs_are_fine(tmp_path):
    path = module_copy("tf1_serving_identity_inputs", tmp_path)
    meta_graph = load_module(str(path)).meta_graphs[0]
    graph = meta_graph.graph
    inputs = {key: graph.tensor_node(info.name).op
              for signature in meta_graph.signatures.values() for key, info in signature.inputs.items()}
    assert inputs["x"] == "Identity" and inputs["x2"] == "Identity", inputs
    assert graph.node(graph.data_inputs(graph.node("x2"))[0]).op == "ParseExampleV2"
    assert [d.size for d in meta_graph.signatures["serving_default"].inputs["offsets"].tensor_shape.dim] == [2]
    assert findings_of(path, "HUB209") == []


def test_parsed_features_are_fine_and_an_input_computed_from_a_variable_is_a_warning(tmp_path):
    findings = findings_of(module_copy("tf1_parse_example_inputs", tmp_path), "HUB209")
    assert [(f.location.node, f.severity) for f in findings] == [("income_scaled", Severity.WARNING)]
    assert findings[0].message == (
        "input `income_scaled` of signature `serving_default` is a Mul computed from variable "
        "`income_scale` and input `income`: feeding it skips that computation")


def test_an_input_computed_from_other_inputs_and_variables(tmp_path):
    path = module_copy("tf1_serving_identity_inputs", tmp_path)

    def expose_y(saved_model):
        signature = saved_model.meta_graphs[0].signature_def["serving_default"]
        signature.inputs["y"].CopyFrom(signature.outputs["y"])

    edit_saved_model(path, expose_y)
    findings = findings_of(path, "HUB209")
    assert _messages(findings) == [
        "input `y` of signature `serving_default` is a AddV2 computed from variables `a`, `b` and inputs "
        "`offsets`, `x`: feeding it skips that computation"]
    assert findings[0].severity == Severity.WARNING


def test_the_walk_follows_edges_not_names(tmp_path):
    # Rewire the Identity `x` to read the variable `a` instead of its placeholder: same names, new structure.
    path = module_copy("tf1_serving_identity_inputs", tmp_path)
    edit_saved_model(path, lambda sm: node(sm.meta_graphs[0], "x").input.__setitem__(0, "a"))
    assert [f.location.node for f in findings_of(path, "HUB209")] == ["x"]


def test_fixed_batch_dimension_only_from_rank_2(tmp_path):
    path = module_copy("tf1_serving_identity_inputs", tmp_path)

    def batch_of_pairs(saved_model):
        shape = saved_model.meta_graphs[0].signature_def["serving_default"].inputs["offsets"].tensor_shape
        del shape.dim[:]
        shape.dim.add(size=4)
        shape.dim.add(size=2)

    edit_saved_model(path, batch_of_pairs)
    findings = findings_of(path, "HUB209")
    assert _messages(findings) == ["input `offsets` of signature `serving_default` has fixed batch dimension 4 (shape [4, 2])"]
    assert findings[0].severity == Severity.WARNING


def test_only_a_missing_tensor_is_an_error(tmp_path):
    path = module_copy("tf1_parse_example_inputs", tmp_path)

    def rename_input(saved_model):
        saved_model.meta_graphs[0].signature_def["eval"].inputs["examples"].name = "no_such_node:0"

    edit_saved_model(path, rename_input)
    by_severity = {}
    for finding in findings_of(path, "HUB209"):
        by_severity.setdefault(finding.severity, []).append(finding.message)
    assert by_severity[Severity.ERROR] == [
        "input `examples` of signature `eval` names tensor 'no_such_node:0', which is not in the graph"]
    assert len(by_severity[Severity.WARNING]) == 1, by_severity


def test_hub_default_signature_problems_are_warnings(tmp_path):
    for name in ("signature_problems", "signature_no_default_output"):
        findings = findings_of(module_copy(name, tmp_path), "HUB209")
        assert findings and {f.severity for f in findings} == {Severity.WARNING}, name


# -- HUB213: TensorFlow's own checkpointing is not unsafe -------------------------------------

def _library_ops(path) -> dict[str, set[str]]:
    graph = load_module(str(path)).meta_graphs[0].graph
    return {name: {n.op for n in body} for name, body in graph.functions.items()}


def test_traced_save_and_restore_of_a_lookup_table_are_not_unsafe(tmp_path):
    path = module_copy("tf2_lookup_table_traced_save", tmp_path)
    library = _library_ops(path)
    traced_save = [ops for name, ops in library.items() if name.startswith("__inference__traced_save_")]
    traced_restore = [ops for name, ops in library.items() if name.startswith("__inference__traced_restore_")]
    assert traced_save and {"SaveV2", "MergeV2Checkpoints", "StringJoin", "ShardedFilename"} <= traced_save[0]
    assert traced_restore and "RestoreV2" in traced_restore[0]
    assert findings_of(path, "HUB213") == []


def test_traced_save_is_recognised_without_saver_def(tmp_path):
    path = module_copy("tf2_lookup_table_traced_save", tmp_path)
    edit_saved_model(path, lambda sm: sm.meta_graphs[0].ClearField("saver_def"))
    assert findings_of(path, "HUB213") == []


def test_traced_save_run_by_a_signature_is_unsafe(tmp_path):
    path = module_copy("tf2_lookup_table_traced_save", tmp_path)
    save_call = load_module(str(path)).meta_graphs[0].proto.saver_def.save_tensor_name

    def signature_runs_the_save(saved_model):
        outputs = saved_model.meta_graphs[0].signature_def["serving_default"].outputs
        outputs["checkpoint"].name = save_call

    edit_saved_model(path, signature_runs_the_save)
    ops = {f.message.split()[0] for f in findings_of(path, "HUB213")}
    assert ops == {"SaveV2", "MergeV2Checkpoints"}, ops


def test_builders_saver_and_a_stray_saver_are_not_unsafe(tmp_path):
    path = module_copy("tf1_serving_identity_inputs", tmp_path)
    meta_graph = load_module(str(path)).meta_graphs[0]
    assert meta_graph.proto.saver_def.restore_op_name == "save_1/restore_all"
    assert {"save/SaveV2", "save/RestoreV2", "save_1/SaveV2", "save_1/RestoreV2"} <= set(meta_graph.graph.nodes)
    assert findings_of(path, "HUB213") == []
    edit_saved_model(path, lambda sm: sm.meta_graphs[0].ClearField("saver_def"))
    assert findings_of(path, "HUB213") == []


def test_a_restore_from_a_constant_path_is_unsafe(tmp_path):
    path = module_copy("tf1_serving_identity_inputs", tmp_path)

    def restore_from_constant(saved_model):
        graph = saved_model.meta_graphs[0].graph_def
        constant = graph.node.add(name="fixed_path", op="Const")
        constant.attr["dtype"].type = 7
        constant.attr["value"].tensor.dtype = 7
        constant.attr["value"].tensor.string_val.append(b"/home/me/model.ckpt")
        node(saved_model.meta_graphs[0], "save/RestoreV2").input[0] = "fixed_path"

    edit_saved_model(path, restore_from_constant)
    assert _messages(findings_of(path, "HUB213")) == [
        "RestoreV2 'save/RestoreV2' reads or writes a checkpoint outside the module's saver"]


def test_print_to_a_file_is_unsafe_and_to_stderr_is_not(tmp_path):
    path = module_copy("print_to_file", tmp_path)
    findings = findings_of(path, "HUB213")
    assert len(findings) == 1 and findings[0].severity == Severity.ERROR
    assert findings[0].message.startswith("PrintV2 ")
    assert "writes to file '/tmp/hublint-print-test.txt'" in findings[0].message

    def print_to_stderr(saved_model):
        for function in saved_model.meta_graphs[0].graph_def.library.function:
            for candidate in function.node_def:
                if candidate.op == "PrintV2":
                    candidate.attr["output_stream"].s = b"stderr"

    edit_saved_model(path, print_to_stderr)
    assert findings_of(path, "HUB213") == []


# -- the severity of one finding ---------------------------------------------------------------

def test_a_finding_may_override_its_rules_severity():
    rule = get_rule("HUB209")
    location = Location(path="m")
    assert rule.finding(location, problem="p", fix="f").severity == rule.severity == Severity.ERROR
    assert rule.finding(location, severity=Severity.WARNING, problem="p", fix="f").severity == Severity.WARNING


def _hub108(body: str) -> list:
    text = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 4])\n"
        f"    {body}\n\n"
        "spec = hub.create_module_spec(module_fn)\n"
    )
    return [f for f in lint_text(text, "publisher.py", Config(select=("HUB108",), cache=False))]


def test_hub108_error_only_without_any_signature():
    assert [f.severity for f in _hub108("y = x * 2")] == [Severity.ERROR]
    assert [f.severity for f in _hub108("hub.add_signature('embed', inputs=x, outputs=x)")] == [Severity.WARNING]
    assert [f.severity for f in _hub108("hub.add_signature(inputs=x, outputs={'embedding': x})")] == [Severity.WARNING]
    assert _hub108("hub.add_signature(inputs=x, outputs=x)") == []
