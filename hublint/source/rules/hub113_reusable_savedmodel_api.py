import re

from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import tf2
from hublint.source.facts import location_of

_ATTRIBUTES_FIX = (
    "set {owner}.variables, {owner}.trainable_variables and {owner}.regularization_losses (a list of "
    "tf.functions without arguments, e.g. tf.function(lambda: 1e-4 * tf.nn.l2_loss(kernel), input_signature=[]))"
)
_SHADOW_FIX = (
    "; tf.Module's own variables / trainable_variables are properties, which tf.saved_model.save does not keep "
    "and which cannot be assigned: shadow them with class attributes first (trainable_variables = None)"
)
_WRAPPER_FIX = (
    "wrap the model in a tf.Module with a tf.function __call__(inputs, training=False) returning "
    "model(inputs, training=training), traced for training=True and False, and variables, trainable_variables "
    "and regularization_losses set, then tf.saved_model.save(wrapper, path)"
)
_EXPORT_FIX = {
    "keras": f"keep {{call}} for serving; to publish for fine-tuning, {_WRAPPER_FIX}",
    "tf.keras": (
        f"keep {{call}} for serving; to publish for fine-tuning, {_WRAPPER_FIX} (Keras 3, TF 2.16 and later); "
        "with Keras 2 (tf_keras), tf.saved_model.save(model, path) exports all of it"
    ),
    "tf_keras": (
        "keep {call} for serving; to publish for fine-tuning, tf.saved_model.save(model, path): a Keras 2 model "
        "saved that way exports __call__ with training, variables, trainable_variables and regularization_losses"
    ),
}


#: how publisher code spells a SavedModel save
_SAVES = re.compile(r"saved_model\.save\(|saved_model import[^\n]*\bsave\b")

class ReusableSavedmodelApi(SourceRule):
    id = "HUB113"
    name = "reusable-savedmodel-api"
    severity = Severity.WARNING
    summary = (
        "Reports TF2 publisher code that saves something TF Hub's consumers cannot fine-tune: "
        "`tf.saved_model.save` of a `tf.Module` / `tf.train.Checkpoint` with trainable weights and a "
        "`tf.function` `__call__` that exposes neither `trainable_variables` nor `regularization_losses`; a "
        "saved `__call__` whose training flag is named other than `training` (`is_training`, `trainable`); "
        "and Keras `model.export()` / `ExportArchive.write_out()` in code that publishes for TF Hub (it loads "
        "the exported path with `hub.KerasLayer` / `hub.load`, or the path or file name names TF Hub)."
    )
    rationale = (
        "`hub.KerasLayer` fine-tunes what the loaded object lists in `trainable_variables`, adds its "
        "`regularization_losses` to the loss, and passes the Keras training phase to `__call__` only as "
        "`training=`. `tf.saved_model.save` keeps tracked attributes and `tf.function`s, never properties: "
        "a `tf.Module` saved as is has no `trainable_variables`, so `hub.KerasLayer(..., trainable=True)` "
        "trains nothing (it only logs an error). A flag named `is_training` is never set, so dropout and "
        "batch norm stay in their default mode while the consumer fine-tunes. Keras `model.export()` "
        "(Keras 3, and Keras 2 since 2.13) writes an artifact for serving: a `serve` endpoint traced for "
        "inference, no `__call__`, no `regularization_losses`; `hub.KerasLayer` cannot even call it "
        "without `signature=`, and then refuses `trainable=True`. Objects that are not callable, have no "
        "weights, or whose classes are not all in the file are not judged; neither is a Keras model "
        "given to `tf.saved_model.save`, nor an export that looks meant for serving."
    )
    message = "{subject} {problem}"
    fix = "{remedy}"
    bad = (
        "import tensorflow as tf\n"
        "\n"
        "\n"
        "class Classifier(tf.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.kernel = tf.Variable(tf.random.normal([50, 10]))\n"
        "\n"
        "    @tf.function(input_signature=[tf.TensorSpec([None, 50], tf.float32)])\n"
        "    def __call__(self, x):\n"
        "        return tf.matmul(x, self.kernel)\n"
        "\n"
        "\n"
        "tf.saved_model.save(Classifier(), '/tmp/classifier')\n",
        "import tensorflow as tf\n"
        "\n"
        "\n"
        "class Classifier(tf.Module):\n"
        "    variables = None  # tf.Module's properties, shadowed so that they are saved\n"
        "    trainable_variables = None\n"
        "\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.kernel = tf.Variable(tf.random.normal([50, 10]))\n"
        "        self.variables = [self.kernel]\n"
        "        self.trainable_variables = [self.kernel]\n"
        "        self.regularization_losses = [\n"
        "            tf.function(lambda: 1e-4 * tf.nn.l2_loss(self.kernel), input_signature=[])]\n"
        "\n"
        "    @tf.function\n"
        "    def __call__(self, x, is_training=False):\n"
        "        if is_training:\n"
        "            x = tf.nn.dropout(x, rate=0.2)\n"
        "        return tf.matmul(x, self.kernel)\n"
        "\n"
        "\n"
        "module = Classifier()\n"
        "for flag in (False, True):\n"
        "    module.__call__.get_concrete_function(tf.TensorSpec([None, 50], tf.float32), is_training=flag)\n"
        "tf.saved_model.save(module, '/tmp/classifier')\n",
        "import keras\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "model = keras.Sequential([\n"
        "    keras.Input(shape=(50,)),\n"
        "    keras.layers.Dense(10, kernel_regularizer=keras.regularizers.L2(1e-4)),\n"
        "])\n"
        "model.export('/tmp/classifier')\n"
        "reloaded = hub.KerasLayer('/tmp/classifier', trainable=True)\n",
    )
    good = (
        "import tensorflow as tf\n"
        "\n"
        "\n"
        "class Classifier(tf.Module):\n"
        "    variables = None  # tf.Module's properties, shadowed so that they are saved\n"
        "    trainable_variables = None\n"
        "\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.kernel = tf.Variable(tf.random.normal([50, 10]))\n"
        "        self.variables = [self.kernel]\n"
        "        self.trainable_variables = [self.kernel]\n"
        "        self.regularization_losses = [\n"
        "            tf.function(lambda: 1e-4 * tf.nn.l2_loss(self.kernel), input_signature=[])]\n"
        "\n"
        "    @tf.function\n"
        "    def __call__(self, x, training=False):\n"
        "        if training:\n"
        "            x = tf.nn.dropout(x, rate=0.2)\n"
        "        return tf.matmul(x, self.kernel)\n"
        "\n"
        "\n"
        "module = Classifier()\n"
        "for training in (False, True):\n"
        "    module.__call__.get_concrete_function(tf.TensorSpec([None, 50], tf.float32), training=training)\n"
        "tf.saved_model.save(module, '/tmp/classifier')\n",
        "import keras\n"
        "import tensorflow as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "model = keras.Sequential([\n"
        "    keras.Input(shape=(50,)),\n"
        "    keras.layers.Dense(10, kernel_regularizer=keras.regularizers.L2(1e-4)),\n"
        "])\n"
        "model.export('/tmp/classifier_serving')  # for TF Serving\n"
        "\n"
        "\n"
        "class Reusable(tf.Module):\n"
        "    variables = None\n"
        "    trainable_variables = None\n"
        "\n"
        "    def __init__(self, model):\n"
        "        super().__init__()\n"
        "        self.model = model\n"
        "        self.variables = [v.value for v in model.variables]\n"
        "        self.trainable_variables = [v.value for v in model.trainable_variables]\n"
        "        self.regularization_losses = [\n"
        "            tf.function(lambda: layer.kernel_regularizer(layer.kernel.value), input_signature=[])\n"
        "            for layer in model.layers]\n"
        "\n"
        "    @tf.function\n"
        "    def __call__(self, x, training=False):\n"
        "        return self.model(x, training=training)\n"
        "\n"
        "\n"
        "tf.saved_model.save(Reusable(model), '/tmp/classifier')\n"
        "reloaded = hub.KerasLayer('/tmp/classifier', trainable=True)\n",
    )

    def may_fire(self, text, config):
        # Spares most files the tree: saving a tf.Module / Checkpoint, or a Keras export next to a word for TF Hub
        # (every signal of publishing for TF Hub spells it, but for the file name, which such files spell too).
        # ``tf.saved_model.save(`` (any alias of tf) or ``from tensorflow.saved_model import save``: a bare
        # "saved_model" passed most of Keras' own sources (training.py, base_layer.py) to astroid.
        if _SAVES.search(text) and ("Module" in text or "Checkpoint" in text or "AutoTrackable" in text):
            return True
        return (".export(" in text or ".write_out(" in text) and "keras" in text and tf2.names_tf_hub(text)

    def check(self, facts, config):
        reported: set = set()
        for saved in tf2.saved_objects(facts):
            if saved.call is None:
                continue  # not callable: a serving or checkpoint object, not a reusable SavedModel
            if saved.weights is not None and not saved.exposes_fine_tuning:
                yield self.finding(saved.save.location, **_no_fine_tuning(saved))
            function = saved.call_function
            flag = tf2.training_flag(function) if function is not None else None
            if flag is not None and id(function) not in reported:
                reported.add(id(function))
                yield self.finding(
                    location_of(flag, facts.path),
                    subject=f"__call__ of {saved.title} (saved at line {saved.save.location.line})",
                    problem=(
                        f"takes its training flag as {flag.name}: hub.KerasLayer passes only training=, so a "
                        f"consumer who fine-tunes it runs with {flag.name} at its default"
                    ),
                    remedy=(
                        f"rename {flag.name} to training (a Python bool, default False) and trace __call__ for "
                        "training=True and training=False"
                    ),
                )
        if not any(call.name.startswith("keras.") for call in facts.calls):
            return  # no Keras model is built here: no export to judge, and no tree walk
        tree = facts.calls[0].node.root()  # the facts keep no tree; every call node leads to it
        for export in tf2.keras_exports(facts, tree):
            if not export.reason:
                continue  # an export for serving
            text = export.call.func.as_string()
            yield self.finding(
                location_of(export.call, facts.path),
                subject=f"{text}() writes an inference-only SavedModel",
                problem=(
                    f"(a serve endpoint, no __call__ with training, no regularization_losses), but {export.reason}: "
                    "hub.KerasLayer cannot fine-tune it"
                ),
                remedy=_EXPORT_FIX[export.keras].format(call=f"{text}()"),
            )


def _no_fine_tuning(saved) -> dict:
    hidden = sorted(set(saved.properties) & {"variables", *tf2.FINE_TUNING_ATTRIBUTES})
    note = f" (its {' and '.join(hidden)} propert{'ies are' if len(hidden) > 1 else 'y is'} not saved)" if hidden else ""
    owner = "self" if saved.is_class else saved.title
    remedy = _ATTRIBUTES_FIX.format(owner=owner) + (f" in {saved.title}.__init__" if saved.is_class else " before saving")
    if saved.shadows_properties and not {"variables", "trainable_variables"} <= saved.attributes:
        remedy += _SHADOW_FIX
    return {
        "subject": f"the {saved.title} object saved here" if saved.is_class else f"the object {saved.title} saved here",
        "problem": (
            f"has trainable weights and a __call__ but exposes neither trainable_variables nor "
            f"regularization_losses{note}: hub.KerasLayer(..., trainable=True) fine-tunes nothing and adds no "
            "regularization loss"
        ),
        "remedy": remedy,
    }
