from hublint.finding import Severity
from hublint.module.rules._signatures import PLACEHOLDER_OPS, dims, shape_text, tensor_names
from hublint.rule import ModuleRule


class SignatureInvalid(ModuleRule):
    id = "HUB209"
    name = "signature-invalid"
    severity = Severity.ERROR
    summary = (
        "Checks the signatures of every meta graph of a TF1 Hub module: a `default` signature must "
        "exist and have a `default` output, inputs must be placeholders without a fixed batch "
        "dimension, and every tensor a signature names must exist in the graph. In a TF2 SavedModel "
        "(where `hub.load` calls the object, not a signature) only the last two checks apply."
    )
    rationale = (
        "`hub.Module(spec)(inputs)` calls the `default` signature and returns its `default` output; "
        "without them every consumer must know the publisher's names. An input that is not a "
        "placeholder cannot be fed (hub feeds the signature's input tensors, so the graph computing "
        "it is skipped), and a fixed batch dimension rejects every other batch size, including the "
        "single examples of serving."
    )
    message = "{problem}"
    fix = "{fix}"
    bad_modules = ("signature_problems", "signature_no_default_output")
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_bad_signature",
        "image_feature_vector", "large_constant", "legacy_variables", "optimizer_slots_missing",
        "slim_arg_scope", "slim_inplace_updates", "text_bad_signature", "text_embedding", "tf2_bare",
        "tf2_reusable", "unsafe_ops",
    )
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    features = tf.placeholder(tf.float32, [8, 50])  # fixed batch size\n"
        "    logits = tf.layers.dense(features, 10)\n"
        "    hub.add_signature('embed', inputs=features, outputs={'logits': logits})\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    features = tf.placeholder(tf.float32, [None, 50])\n"
        "    logits = tf.layers.dense(features, 10)\n"
        "    hub.add_signature(inputs=features, outputs={'default': logits})\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, module, config):
        for meta_graph in module.meta_graphs:
            signatures = meta_graph.signatures
            if module.is_tf1_hub:
                if "default" not in signatures:
                    names = ", ".join(sorted(signatures)) or "none"
                    yield self.finding(
                        module.location(meta_graph),
                        problem=f"no `default` signature (signatures: {names})",
                        fix="call `hub.add_signature(inputs=..., outputs=...)` without a name in the module function",
                    )
                elif "default" not in signatures["default"].outputs:
                    names = ", ".join(sorted(signatures["default"].outputs)) or "none"
                    yield self.finding(
                        module.location(meta_graph),
                        problem=f"signature `default` has no `default` output (outputs: {names})",
                        fix="add the main output under the key 'default' in `hub.add_signature(outputs=...)`",
                    )
            for name in sorted(signatures):
                yield from self._check_tensors(module, meta_graph, name, signatures[name])

    def _check_tensors(self, module, meta_graph, name, signature):
        graph = meta_graph.graph
        for key in sorted(signature.inputs):
            info = signature.inputs[key]
            for tensor in tensor_names(info):
                node = graph.tensor_node(tensor)
                if node is None:
                    yield self._missing(module, meta_graph, name, "input", key, tensor)
                elif node.op not in PLACEHOLDER_OPS:
                    yield self.finding(
                        module.location(meta_graph, node.name),
                        problem=f"input `{key}` of signature `{name}` is a {node.op}, not a placeholder",
                        fix="pass the `tf.placeholder` itself to `hub.add_signature(inputs=...)` and "
                        "preprocess inside the module function",
                    )
            shape = dims(info) if info.WhichOneof("encoding") == "name" else None
            if shape and shape[0] > 0:
                yield self.finding(
                    module.location(meta_graph, tensor_names(info)[0].split(":")[0]),
                    problem=f"input `{key}` of signature `{name}` has fixed batch dimension {shape[0]} "
                    f"(shape {shape_text(shape)})",
                    fix="create the placeholder with batch dimension None, e.g. "
                    f"`tf.placeholder(..., shape={shape_text([-1] + shape[1:])})`",
                )
        for key in sorted(signature.outputs):
            for tensor in tensor_names(signature.outputs[key]):
                if graph.tensor_node(tensor) is None:
                    yield self._missing(module, meta_graph, name, "output", key, tensor)

    def _missing(self, module, meta_graph, name, direction, key, tensor):
        return self.finding(
            module.location(meta_graph, tensor),
            problem=f"{direction} `{key}` of signature `{name}` names tensor {tensor!r}, which is not in the graph",
            fix="export the module again; the graph and its signatures are out of step",
        )
