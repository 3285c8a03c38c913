from hublint.finding import Severity
from hublint.module import proto
from hublint.rule import ModuleRule

_CONST_OPS = frozenset({"Const", "HostConst"})


class OversizedConstant(ModuleRule):
    id = "HUB215"
    name = "oversized-constant"
    severity = Severity.INFO
    summary = (
        "Reports constants in the exported graph (or its functions) whose value is larger than "
        "`max-constant-bytes` (default 1 MiB)."
    )
    rationale = (
        "A numpy array passed to `tf.constant` is stored inside `saved_model.pb`: the graph must stay "
        "below protobuf's 2 GB limit, every load parses and copies it, and it cannot be fine-tuned. "
        "Weights belong in variables, which live in the checkpoint and are restored efficiently."
    )
    message = "constant {node!r}{where} holds {size} bytes ({dtype} {shape}), above the limit of {limit} bytes"
    fix = "create it as a variable, e.g. `tf.get_variable(name, initializer=array, trainable=False)`"
    options = ("max-constant-bytes",)
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_bad_signature",
        "image_feature_vector", "large_constant", "legacy_variables", "optimizer_slots_missing",
        "signature_no_default_output", "signature_problems", "slim_arg_scope", "slim_inplace_updates",
        "text_bad_signature", "text_embedding", "tf2_bare", "tf2_reusable", "unsafe_ops",
    )
    bad = (
        "import numpy as np\n"
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n"
        "PROJECTION = np.random.RandomState(0).normal(size=(512, 3000)).astype(np.float32)\n\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 512])\n"
        "    projected = tf.matmul(x, tf.constant(PROJECTION, name='projection'))\n"
        "    hub.add_signature(inputs=x, outputs=tf.layers.dense(projected, 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import numpy as np\n"
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n"
        "PROJECTION = np.random.RandomState(0).normal(size=(512, 3000)).astype(np.float32)\n\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 512])\n"
        "    projection = tf.get_variable('projection', initializer=PROJECTION, trainable=False)\n"
        "    hub.add_signature(inputs=x, outputs=tf.layers.dense(tf.matmul(x, projection), 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, module, config):
        limit = config.max_constant_bytes
        seen: set[tuple[str, str]] = set()
        for meta_graph in module.meta_graphs:
            for scope in meta_graph.graph.scopes():
                function = getattr(scope, "name", "")
                for node in scope.with_ops(_CONST_OPS):
                    if "value" not in node.attr or (function, node.name) in seen:
                        continue
                    tensor = node.attr["value"].tensor
                    # The serialized size, without copying tensor_content into a Python object.
                    size = tensor.ByteSize()
                    if size <= limit:
                        continue
                    seen.add((function, node.name))  # every tag set holds the same constants
                    shape = "<unknown rank>" if tensor.tensor_shape.unknown_rank else \
                        "[" + ", ".join(str(d.size) for d in tensor.tensor_shape.dim) + "]"
                    yield self.finding(
                        module.location(meta_graph, node.name),
                        node=node.name, where=f" in function {function!r}" if function else "",
                        size=size, dtype=proto.dtype_name(tensor.dtype), shape=shape, limit=limit,
                    )
