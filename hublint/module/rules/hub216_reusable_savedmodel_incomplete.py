from hublint.finding import Severity
from hublint.rule import ModuleRule


class ReusableSavedmodelIncomplete(ModuleRule):
    id = "HUB216"
    name = "reusable-savedmodel-incomplete"
    severity = Severity.WARNING
    summary = (
        "Reports a TF2 SavedModel whose root object lacks part of the reusable SavedModel "
        "interface: `__call__`, `variables`, `trainable_variables` or `regularization_losses`. An "
        "inference-only export (what Keras 3 `model.export()` writes: serving endpoints such as "
        "`serve`, no `__call__`, no training trace, no `regularization_losses`) is said to be one."
    )
    rationale = (
        "`hub.KerasLayer` and other consumers of a reusable SavedModel call the object and read "
        "these attributes: without `trainable_variables` nothing is fine-tuned, without "
        "`regularization_losses` nothing is regularized, without `__call__` there is nothing to "
        "call but the serving signatures. A `tf.Module` saved as is exposes only its own "
        "attributes; a Keras 2 model exports the full interface. Keras 3 `model.export()` writes "
        "an artifact for serving: traced for inference only, so dropout, batch-norm updates, the "
        "`training` argument and the regularizers the model was built with are not in it at all. "
        "Fine-tuning it trains without regularization and with inference-mode batch norm."
    )
    message = "the saved object has no {missing}{why}"
    fix = (
        "{how}set `obj.variables`, `obj.trainable_variables` and `obj.regularization_losses` (a list "
        "of `tf.function`s){call} on {obj} before `tf.saved_model.save(obj, path)`{keras}"
    )
    bad_modules = ("tf2_bare", "keras3_export")
    good_modules = ("tf2_reusable", "dense_noreg", "keras2_dropout_bn_traces", "tf2_module_dropout_at_inference",
                    "tf_keras_model_save_bn_momentum_high")
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
            missing = ", ".join(f"`{name}`" for name in reusable.missing)
            if reusable.inference_only:
                yield self.finding(module.location(meta_graph), missing=missing, **_inference_only(reusable))
            else:
                yield self.finding(module.location(meta_graph), missing=missing, why="",
                                   how="save a Keras 2 model, or ", call="", obj="the object", keras="")
            return


def _inference_only(reusable) -> dict[str, str]:
    """The message and fix fields for an inference-only export (Keras 3 ``model.export()``)."""
    entries = [f"`{name}`" for name in reusable.endpoints] + [
        f"signature `{name}`" for name in reusable.signatures if name not in reusable.endpoints
    ]
    return {
        "why": (
            f": an inference-only export (Keras 3 `model.export()` writes these) with only {', '.join(entries)}, "
            "traced for inference only: no `training` argument and no training trace, so the model's "
            "regularizers, dropout and batch-norm updates are not there to fine-tune with"
        ),
        "how": (
            "keep `model.export()` for serving; to publish for fine-tuning, wrap the model in a `tf.Module` and "
        ),
        "call": (
            " and a `tf.function` `__call__(inputs, training=False)` returning `model(inputs, training=training)`, "
            "traced for `training=True` and `training=False`,"
        ),
        "obj": "it",
        "keras": "; or build the model with Keras 2 (`import tf_keras`) and `tf.saved_model.save(model, path)`",
    }
