from hublint.finding import Severity
from hublint.rule import SourceRule


class Tf1HubFormat(SourceRule):
    id = "HUB112"
    name = "tf1-hub-format"
    triggers = ("create_module_spec",)
    severity = Severity.INFO
    enabled_by_default = False
    summary = (
        "Reports each `hub.create_module_spec` call: the module is published in the TF1 Hub format. "
        "Off by default; enable it when you plan the move to TF2."
    )
    rationale = (
        "The TF1 Hub format is only partially supported by TF Hub in TensorFlow 2, and "
        "`tensorflow_hub` 0.16 removed `create_module_spec`, `Module` and `add_signature`: publishing "
        "in it now means pinning `tensorflow-hub<0.16` and a TensorFlow that still runs it. A TF2 "
        "SavedModel (`tf.saved_model.save` of an object with `__call__`, `variables`, "
        "`trainable_variables` and `regularization_losses`) serves TF2 consumers with `hub.load` and "
        "`hub.KerasLayer`."
    )
    message = "{call} exports in the TF1 Hub format, which tensorflow_hub 0.16 and TF2 no longer fully support"
    fix = (
        "consider publishing a reusable TF2 SavedModel with tf.saved_model.save(obj, path) "
        "(obj with __call__(inputs, training=False), variables, trainable_variables, regularization_losses)"
    )
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hub.add_signature(inputs=inputs, outputs=tf.layers.dense(\n"
        "      inputs, 10, kernel_regularizer=tf.keras.regularizers.l2(1e-4)))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow as tf\n"
        "\n"
        "class Embedder(tf.Module):\n"
        "  def __init__(self):\n"
        "    self.dense = tf.keras.layers.Dense(\n"
        "        10, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "\n"
        "  @tf.function(input_signature=[tf.TensorSpec([None, 50], tf.float32)])\n"
        "  def __call__(self, inputs):\n"
        "    return self.dense(inputs)\n"
        "\n"
        "tf.saved_model.save(Embedder(), '/tmp/embedder')\n",
    )

    def check(self, facts, config):
        for spec in facts.module_specs:
            yield self.finding(spec.call.location, call=spec.call.text)
