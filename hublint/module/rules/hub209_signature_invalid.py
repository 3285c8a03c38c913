from hublint.finding import Severity
from hublint.module.rules._signatures import dims, shape_text, skipped_work, tensor_names
from hublint.rule import ModuleRule


class SignatureInvalid(ModuleRule):
    id = "HUB209"
    name = "signature-invalid"
    severity = Severity.ERROR
    other_severities = (Severity.WARNING,)
    summary = (
        "Checks the signatures of every meta graph. An error: a signature names a tensor the graph "
        "does not have. Warnings: a TF1 Hub module without a `default` signature or `default` output "
        "(as HUB108), an input computed from variables or from another input of the signature (feeding "
        "it skips that computation), and a fixed batch dimension on an input of rank 2 or more. An "
        "input that is an `Identity` of a placeholder, or computed from placeholders and constants "
        "only (the features `tf.io.parse_example` decodes), is fine: feeding it loses nothing."
    )
    rationale = (
        "A signature naming a missing tensor breaks every consumer that calls it. "
        "`hub.Module(spec)(inputs)` calls the `default` signature and returns its `default` output; "
        "without them every consumer must know the publisher's names (some modules do this on purpose, "
        "so it is a warning). Feeding a signature input replaces that tensor, so whatever computed it "
        "does not run: when that reads a variable or another input, the consumer silently skips part "
        "of the model. A fixed batch dimension rejects every other batch size, including the single "
        "examples of serving; a rank-1 input of fixed size (`[2]`) is a vector, not a batch."
    )
    message = "{problem}"
    fix = "{fix}"
    bad_modules = ("signature_problems", "signature_no_default_output", "tf1_parse_example_inputs")
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_bad_signature",
        "image_feature_vector", "large_constant", "legacy_variables", "optimizer_slots_missing",
        "print_to_file", "slim_arg_scope", "slim_inplace_updates", "text_bad_signature",
        "text_embedding", "tf1_serving_identity_inputs", "tf2_bare", "tf2_lookup_table_traced_save",
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
                yield from self._check_default(module, meta_graph, signatures)
            for name in sorted(signatures):
                yield from self._check_tensors(module, meta_graph, name, signatures[name])

    def _check_default(self, module, meta_graph, signatures):
        # Plain SavedModels are called by signature name (TF Serving, `hub.load`): only hub's
        # `module(inputs)` needs `default`.
        if "default" not in signatures:
            names = ", ".join(sorted(signatures)) or "none"
            yield self.finding(
                module.location(meta_graph), severity=Severity.WARNING,
                problem=f"no `default` signature (signatures: {names}): `module(inputs)` fails, "
                "consumers must pass `signature=`",
                fix="call `hub.add_signature(inputs=..., outputs=...)` without a name in the module function",
            )
        elif "default" not in signatures["default"].outputs:
            names = ", ".join(sorted(signatures["default"].outputs)) or "none"
            yield self.finding(
                module.location(meta_graph), severity=Severity.WARNING,
                problem=f"signature `default` has no `default` output (outputs: {names})",
                fix="add the main output under the key 'default' in `hub.add_signature(outputs=...)`",
            )

    def _check_tensors(self, module, meta_graph, name, signature):
        graph = meta_graph.graph
        for key in sorted(signature.inputs):
            info = signature.inputs[key]
            tensors = tensor_names(info)
            missing = [tensor for tensor in tensors if graph.tensor_node(tensor) is None]
            for tensor in missing:
                yield self._missing(module, meta_graph, name, "input", key, tensor)
            if missing or not tensors:
                continue
            skipped = skipped_work(graph, signature, key)
            if skipped is not None:
                yield self._skipped(module, meta_graph, name, key, graph.tensor_node(tensors[0]), skipped)
            shape = dims(info) if info.WhichOneof("encoding") == "name" else None
            if shape and len(shape) >= 2 and shape[0] > 0:
                yield self.finding(
                    module.location(meta_graph, tensors[0].split(":")[0]), severity=Severity.WARNING,
                    problem=f"input `{key}` of signature `{name}` has fixed batch dimension {shape[0]} "
                    f"(shape {shape_text(shape)})",
                    fix="create the placeholder with batch dimension None, e.g. "
                    f"`tf.placeholder(..., shape={shape_text([-1] + shape[1:])})`",
                )
        for key in sorted(signature.outputs):
            for tensor in tensor_names(signature.outputs[key]):
                if graph.tensor_node(tensor) is None:
                    yield self._missing(module, meta_graph, name, "output", key, tensor)

    def _skipped(self, module, meta_graph, name, key, node, skipped):
        sources = []
        if skipped.variables:
            listed = ", ".join(f"`{v}`" for v in skipped.variables)
            sources.append(("variable " if len(skipped.variables) == 1 else "variables ") + listed)
        if skipped.inputs:
            listed = ", ".join(f"`{i}`" for i in skipped.inputs)
            sources.append(("input " if len(skipped.inputs) == 1 else "inputs ") + listed)
        return self.finding(
            module.location(meta_graph, node.name), severity=Severity.WARNING,
            problem=f"input `{key}` of signature `{name}` is a {node.op} computed from "
            f"{' and '.join(sources)}: feeding it skips that computation",
            fix="make the input a placeholder (or an `Identity` of one) and compute from it inside the "
            "graph; expose the computed tensor as an output if consumers need it",
        )

    def _missing(self, module, meta_graph, name, direction, key, tensor):
        return self.finding(
            module.location(meta_graph, tensor), severity=Severity.ERROR,
            problem=f"{direction} `{key}` of signature `{name}` names tensor {tensor!r}, which is not in the graph",
            fix="export the module again; the graph and its signatures are out of step",
        )
