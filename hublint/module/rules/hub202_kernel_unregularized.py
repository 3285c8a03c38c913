from hublint.finding import Severity
from hublint.rule import ModuleRule


class KernelUnregularized(ModuleRule):
    id = "HUB202"
    name = "kernel-unregularized"
    severity = Severity.WARNING
    summary = (
        "Reports each trainable kernel (a variable read as the weights of a MatMul, convolution, "
        "depthwise or transposed convolution) that no exported regularization loss depends on. "
        "Embeddings read by Gather are not kernels. In a TF2 SavedModel a kernel is a variable its "
        "saved functions read as weights, covered when a function of the saved object's "
        "`regularization_losses` reads it; it is named by its Keras layer or object path "
        "(`dense_1/kernel`, `encoder/w`)."
    )
    rationale = (
        "The exported `regularization_losses` are all the regularization a consumer gets when "
        "fine-tuning. A kernel they do not cover is fine-tuned without a penalty, usually because "
        "one layer was built without `kernel_regularizer=` while its neighbours have one."
    )
    message = "trainable kernel `{variable}` ({ops}) has no regularization loss"
    group_message = "{count} trainable kernels have no regularization loss"
    #: with ``--load``: whether the gradient of the exported losses reaches the kernel (hublint.dynamic.confirm)
    measured_note = " (measured: no regularization gradient reaches it)"
    reached_note = " (measured: a regularization gradient reaches it)"
    fix = (
        "add `kernel_regularizer=` (tf-slim: `weights_regularizer=`) to the layer that creates "
        "`{variable}`{saved_object}"
    )
    bad_modules = ("dense_noreg", "dense_partial_reg", "batchnorm_keras_no_update_ops", "tf2_bare",
                   "keras2_saved_model_noreg", "keras2_model_save_partial_reg", "tf2_module_empty_reg_losses",
                   "tf2_module_with_reg_losses")
    good_modules = ("dense_l2", "slim_arg_scope", "text_embedding", "dropout_train_tags", "tf2_reusable",
                    "keras3_reusable_wrapper", "keras3_export")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu,\n"
        "                             kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "    logits = tf.layers.dense(hidden, 10)  # dense_1/kernel: no regularizer\n"
        "    hub.add_signature(inputs=inputs, outputs=logits)\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    regularizer = tf.keras.regularizers.l2(1e-4)\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu,\n"
        "                             kernel_regularizer=regularizer)\n"
        "    logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)\n"
        "    hub.add_signature(inputs=inputs, outputs=logits)\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, module, config):
        reported: set[str] = set()
        for meta_graph in module.meta_graphs:
            reusable = meta_graph.facts.reusable
            if reusable is not None and reusable.inference_only:
                continue  # an inference-only TF2 export (Keras 3 `model.export()`): HUB216 says what to do
            # A TF2 object made by hand gets its losses as functions on the saved object.
            saved_object = (" or, for a hand-made TF2 object, a function reading it in "
                            "`obj.regularization_losses`") if reusable is not None else ""
            for kernel in meta_graph.facts.unregularized_kernels:
                if kernel.variable in reported:
                    continue
                reported.add(kernel.variable)
                yield self.finding(
                    module.location(meta_graph, kernel.variable),
                    variable=kernel.variable, ops=", ".join(kernel.ops), saved_object=saved_object,
                )

    def measured(self, finding, measured) -> str:
        """``measured_note`` for ``finding``; "" when the kernel's gradient was not measured."""
        covered = measured.kernel_covered(finding.location.tag_set, finding.location.node)
        return "" if covered is None else self.reached_note if covered else self.measured_note
