from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.settings import dropout_rate, is_number, op_title, training_flag

# Dropout whose ``training`` argument Keras fills from the learning phase when it is left out:
# in a TF1 module graph that is the inference phase, so a missing flag is judged in module code only.
_LEARNING_PHASE_LAYERS = tuple(name for name in ops.DROPOUT if name.startswith("keras."))


class DropoutNeverActive(SourceRule):
    id = "HUB104"
    name = "dropout-never-active"
    module_graph = True
    severity = Severity.ERROR
    summary = (
        "Reports dropout that does not follow the training flag: `tf.layers.dropout` or a Keras / "
        "`tf.layers` `Dropout` layer called without `training` (or with a constant `training=False`) "
        "in module code, which is a silent no-op; `tf.nn.dropout` applied unconditionally in module "
        "code, or `slim.dropout` / `tf.layers.dropout` with a constant `is_training=True` / "
        "`training=True`, which stay active in the inference graph."
    )
    rationale = (
        "`tf.layers.dropout` defaults to `training=False`: without the flag it never drops anything, "
        "not even in the `train` graph, and the publisher's fine-tuning advice silently does nothing. "
        "The opposite mistake is worse: `tf.nn.dropout` has no flag at all, so outside an `if "
        "is_training:` it drops activations in the default (inference) graph, and every consumer gets "
        "random outputs. Drive dropout by a `training` argument of the module function, set through "
        "`tags_and_args`."
    )
    message = "{op} {problem}"
    fix = "{remedy}"
    options = ("scope",)
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=0.3)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.nn.dropout(hidden, rate=0.3)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)\n"
        "  if is_training:\n"
        "    hidden = tf.nn.dropout(hidden, rate=0.2)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, facts, config):
        for call in facts.named(*ops.DROPOUT):
            if not facts.in_scope(call, config):
                continue
            problem = self.problem(facts, call)
            if problem is None:
                continue
            problem_text, remedy = problem
            yield self.finding(call.location, op=op_title(call), problem=problem_text, remedy=remedy)

    @staticmethod
    def problem(facts, call):
        """(what is wrong, what to change) for one dropout call, or None."""
        training = ops.DROPOUT[call.name].training
        flag_name = training.keyword if training else "training"
        drive = f"pass {flag_name}=is_training, an argument of the module function set to True only for the 'train' tag set"
        if call.name == "tf.nn.dropout":
            reading = dropout_rate(call)
            if reading is not None and reading.parameter and _fixed_in_every_graph(facts, call, reading.parameter):
                reading = dropout_rate(call, defaults=True)
            if call.conditional or reading is None or not is_number(reading.value) or reading.value <= 0:
                return None  # a variable rate or an ``if is_training:`` decides when it drops
            return (
                f"with {reading.describe()} is applied unconditionally: it drops activations in the inference graph too",
                "apply it only when training (if is_training: ...), or use "
                "tf.layers.dropout(..., training=is_training)",
            )
        if training is None:
            return None  # a layer constructor; its application carries the flag
        flag = training_flag(call)
        if flag is None:
            if call.name in _LEARNING_PHASE_LAYERS and call.in_module_code and not call.may_pass(training):
                return (f"is called without {flag_name}: in a module graph it never drops anything", drive)
            return None
        if not flag.is_constant:
            return None
        if not flag.value:
            what = f"is called without {flag_name}" if flag.is_default else f"has {flag.describe()}"
            return (f"{what}: it never drops anything, not even when training", drive)
        if call.conditional:
            return None
        what = f"runs with {flag.describe()}" if not flag.is_default else f"runs with the default {flag_name}=True"
        return (f"{what}: it drops activations in the inference graph too", drive)


def _fixed_in_every_graph(facts, call, parameter: str) -> bool:
    """Whether ``parameter`` of the module function around ``call`` keeps its default in every tag set."""
    specs = [spec for spec in facts.module_specs if call.function in spec.module_functions]
    return bool(specs) and all(
        spec.tag_sets is not None and parameter not in spec.parameters_set for spec in specs
    )
