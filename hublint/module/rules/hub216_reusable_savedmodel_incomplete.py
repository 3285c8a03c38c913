from hublint.finding import Severity
from hublint.rule import ModuleRule


class ReusableSavedmodelIncomplete(ModuleRule):
    id = "HUB216"
    name = "reusable-savedmodel-incomplete"
    severity = Severity.WARNING
    summary = (
        "Reports a TF2 SavedModel whose root object lacks part of the reusable SavedModel "
        "interface: `__call__`, `variables`, `trainable_variables` or `regularization_losses`."
    )
    rationale = (
        "`hub.KerasLayer` and other consumers of a reusable SavedModel call the object and read "
        "these attributes: without `trainable_variables` nothing is fine-tuned, without "
        "`regularization_losses` nothing is regularized, without `__call__` there is nothing to "
        "call but the serving signatures. A `tf.Module` saved as is exposes only its own "
        "attributes; a Keras model exports the full interface."
    )
    message = "the saved object has no {missing}"
    fix = (
        "save a Keras model, or set `obj.variables`, `obj.trainable_variables` and "
        "`obj.regularization_losses` (a list of `tf.function`s) on the object before "
        "`tf.saved_model.save(obj, path)`"
    )
    bad_modules = ("tf2_bare",)
    good_modules = ("tf2_reusable", "dense_noreg")
    bad = (
        "import tensorflow as tf\n\n\n"
        "class Classifier(tf.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.kernel = tf.Variable(tf.random.normal([50, 10]))\n\n"
        "    @tf.function(input_signature=[tf.TensorSpec([None, 50], tf.float32)])\n"
        "    def __call__(self, x):\n"
        "        return tf.matmul(x, self.kernel)\n\n\n"
        "tf.saved_model.save(Classifier(), '/tmp/classifier')\n",
    )
    good = (
        "import tensorflow as tf\n\n"
        "model = tf.keras.Sequential([\n"
        "    tf.keras.layers.Dense(10, kernel_regularizer=tf.keras.regularizers.l2(1e-4)),\n"
        "])\n"
        "model.build([None, 50])\n"
        "tf.saved_model.save(model, '/tmp/classifier')\n",
    )

    def check(self, module, config):
        for meta_graph in module.meta_graphs:
            reusable = meta_graph.facts.reusable
            if reusable is None or not reusable.missing:
                continue
            yield self.finding(
                module.location(meta_graph),
                missing=", ".join(f"`{name}`" for name in reusable.missing),
            )
            return
