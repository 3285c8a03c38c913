from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops


class LegacyExporter(SourceRule):
    id = "HUB111"
    name = "legacy-exporter"
    triggers = ("Exporter",)
    severity = Severity.INFO
    summary = (
        "Reports `tf.estimator.LatestExporter` / `BestExporter` in a file that also builds TF Hub "
        "modules (`hub.create_module_spec`, `hub.Module`, `hub.add_signature`) but never uses "
        "`hub.LatestModuleExporter`."
    )
    rationale = (
        "These exporters write a SavedModel of the whole estimator for serving, not the TF Hub module. "
        "`hub.LatestModuleExporter` exports the module from the latest checkpoint the same way, so "
        "the module stays in step with training without a separate export script."
    )
    message = "{exporter} exports the estimator's SavedModel, not the hub module built in this file"
    fix = "export the module with hub.LatestModuleExporter(name, serving_input_fn) alongside or instead of {exporter}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hub.add_signature(inputs=inputs, outputs=tf.layers.dense(\n"
        "      inputs, 10, kernel_regularizer=tf.keras.regularizers.l2(1e-4)))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n"
        "exporter = tf.estimator.LatestExporter('exporter', serving_input_receiver_fn=None)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hub.add_signature(inputs=inputs, outputs=tf.layers.dense(\n"
        "      inputs, 10, kernel_regularizer=tf.keras.regularizers.l2(1e-4)))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n"
        "exporter = hub.LatestModuleExporter('tf_hub', serving_input_fn=None)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hub.add_signature(inputs=inputs, outputs=tf.layers.dense(\n"
        "      inputs, 10, kernel_regularizer=tf.keras.regularizers.l2(1e-4)))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n"
        "exporters = [hub.LatestModuleExporter('tf_hub', serving_input_fn=None),\n"
        "             tf.estimator.LatestExporter('serving', serving_input_receiver_fn=None)]\n",
    )

    def check(self, facts, config):
        exporters = list(facts.named(*ops.LEGACY_EXPORTERS))
        if not exporters or not facts.builds_hub_modules:
            return
        if any(True for _ in facts.named(ops.MODULE_EXPORTER)):
            return  # the module is exported too; the estimator's SavedModel is an addition
        for call in exporters:
            yield self.finding(call.location, exporter=call.text)
