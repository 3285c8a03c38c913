from hublint.finding import Severity
from hublint.rule import ModuleRule


class KernelUnregularized(ModuleRule):
    id = "HUB202"
    name = "kernel-unregularized"
    severity = Severity.WARNING
    summary = (
        "Reports each trainable kernel (a variable read as the weights of a MatMul, convolution, "
        "depthwise or transposed convolution) that no exported regularization loss depends on. "
        "Embeddings read by Gather are not kernels."
    )
    rationale = (
        "The exported `regularization_losses` are all the regularization a consumer gets when "
        "fine-tuning. A kernel they do not cover is fine-tuned without a penalty, usually because "
        "one layer was built without `kernel_regularizer=` while its neighbours have one."
    )
    message = "trainable kernel `{variable}` ({ops}) has no regularization loss"
    fix = (
        "add `kernel_regularizer=` (tf-slim: `weights_regularizer=`) to the layer that creates "
        "`{variable}`"
    )
    bad_modules = ("dense_noreg", "dense_partial_reg", "batchnorm_keras_no_update_ops")
    good_modules = ("dense_l2", "slim_arg_scope", "text_embedding", "dropout_train_tags")
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
            for kernel in meta_graph.facts.unregularized_kernels:
                if kernel.variable in reported:
                    continue
                reported.add(kernel.variable)
                yield self.finding(
                    module.location(meta_graph, kernel.variable),
                    variable=kernel.variable, ops=", ".join(kernel.ops),
                )
