from hublint.finding import Severity
from hublint.rule import ModuleRule


class RegularizationLossesMissing(ModuleRule):
    id = "HUB201"
    name = "regularization-losses-missing"
    severity = Severity.WARNING
    summary = (
        "Reports a module with trainable kernels (weights of dense or convolution layers) where no "
        "meta graph exports a non-empty `regularization_losses` collection. For a TF2 SavedModel: "
        "variables its functions read as kernels, but no `regularization_losses` attribute on the "
        "saved object or an empty one; kernels are named by object path (`dense_1/kernel`)."
    )
    rationale = (
        "Consumers who fine-tune a module (`hub.Module(..., trainable=True)`, `hub.KerasLayer(..., "
        "trainable=True)`) get exactly the regularization losses the publisher exported, through "
        "`tf.losses.get_regularization_losses()` or the layer's `losses`. Without them the module's "
        "weights are fine-tuned with no penalty at all and overfit small datasets. Keras layers "
        "used inside a TF1 `module_fn` do not add their `kernel_regularizer` losses to the "
        "collection, so a regularized Keras model can still export none."
    )
    message = "{count} trainable kernel(s) ({kernels}) but {where}"
    fix = (
        "pass `kernel_regularizer=` (tf-slim: `weights_regularizer=`) to the layers that create the "
        "kernels, with `tf.layers` / tf-slim layers rather than `tf.keras.layers` inside `module_fn` "
        "(TF2: save a Keras model, or set `obj.regularization_losses` before saving)"
    )
    bad_modules = ("dense_noreg", "batchnorm_keras_no_update_ops", "tf2_bare", "keras2_saved_model_noreg",
                   "tf2_module_empty_reg_losses")
    good_modules = ("dense_l2", "dense_partial_reg", "slim_arg_scope", "dropout_always_on", "tf2_reusable",
                    "text_embedding", "keras2_model_save_partial_reg", "tf2_module_with_reg_losses",
                    "keras3_reusable_wrapper", "keras3_export")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu)\n"
        "    logits = tf.layers.dense(hidden, 10)\n"
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
        # An inference-only TF2 export (Keras 3 `model.export()`) is HUB216's: it has nothing to fine-tune
        # with at all, and "pass `kernel_regularizer=`" would be wrong advice for a model that has one.
        graphs = [(m, m.facts) for m in module.meta_graphs if not _inference_only(m.facts)]
        with_kernels = [(m, f) for m, f in graphs if f.kernels]
        if not with_kernels or any(f.regularization_losses for _, f in graphs):
            return
        meta_graph, facts = with_kernels[0]
        names = [k.variable for k in facts.kernels]
        if facts.reusable is None:
            where = "no meta graph exports a `regularization_losses` collection"
        elif "regularization_losses" in facts.reusable.missing:
            where = "the saved object has no `regularization_losses` attribute"
        else:
            where = "the saved object's `regularization_losses` list is empty"
        yield self.finding(module.location(meta_graph), count=len(names), kernels=_listing(names), where=where)


def _inference_only(facts) -> bool:
    return facts.reusable is not None and facts.reusable.inference_only


def _listing(names, limit: int = 5) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
