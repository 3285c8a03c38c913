from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source.settings import is_batch_norm, is_dropout, op_title, training_flag
from hublint.source.values import UNKNOWN, evaluate


class MissingTrainTags(SourceRule):
    id = "HUB107"
    name = "missing-train-tags"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports a `hub.create_module_spec` call whose module function builds dropout or batch norm "
        "driven by a training flag (a variable or parameter as `training` / `is_training`), while "
        "`tags_and_args` has no tag set with `train`, or is missing; or whose `train` tag set gives the "
        "module function the same arguments as the default tag set, so the train graph is the inference graph."
    )
    rationale = (
        "TF Hub builds one graph per entry of `tags_and_args`; consumers get the training behaviour "
        "of dropout and batch norm only from a graph tagged `train` "
        "(`hub.Module(spec, tags={'train'})`). Without one, the training flag the publisher wired up "
        "is never set and fine-tuning runs the inference graph."
    )
    message = "module function {function} {problem}"
    fix = "{remedy}"
    options = ("scope",)
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    bad = bad + (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(mode='infer'):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=0.3, training=(mode == 'train'))\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "mode = 'infer'\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {'mode': mode}), ({'train'}, {'mode': mode})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn,\n"
        "    tags_and_args=[(set(), {'is_training': False}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, facts, config):
        for spec in facts.module_specs:
            if spec.tag_sets is None or not spec.module_functions:
                continue  # tags_and_args is computed, or module_fn is not in this file
            if any("train" in tags for tags in spec.tag_sets):
                yield from self.train_like_default(facts, spec)
                continue
            flagged = next(
                (
                    (call, flag)
                    for call in facts.calls_reached_from(spec)
                    if is_dropout(call) or is_batch_norm(call)
                    for flag in (training_flag(call),)
                    if flag is not None and flag.argument is not None and not flag.is_constant
                ),
                None,
            )
            if flagged is None:
                continue
            call, flag = flagged
            yield self.finding(
                spec.call.location,
                function=spec.module_functions[0].name,
                problem=(
                    f"has a training flag ({op_title(call)}({flag.keyword}={flag.argument.text}) at line "
                    f"{call.location.line}) but no tag set has 'train' ({_describe(spec)})"
                ),
                remedy=_REMEDY.format(flag=flag.argument.parameter or "is_training"),
            )

    def train_like_default(self, facts, spec):
        """A ``train`` tag set whose arguments equal the default tag set's: its graph is the inference graph."""
        default = next((arguments for tags, arguments in spec.entries if not tags), None)
        if default is None or not any(is_dropout(call) or is_batch_norm(call) for call in facts.calls_reached_from(spec)):
            return
        function = spec.module_functions[0]
        for tags, arguments in spec.entries:
            if "train" not in tags or not all(
                _same(_effective(function, arguments, name), _effective(function, default, name))
                for name in {*arguments, *default}
            ):
                continue
            shown = "{" + ", ".join(f"{key!r}: {value.as_string()}" for key, value in arguments.items()) + "}"
            yield self.finding(
                spec.call.location,
                function=function.name,
                problem=(
                    f"gets the same arguments in its 'train' tag set as in the default one ({shown}): "
                    "the train graph is the inference graph"
                ),
                remedy="give the 'train' tag set the argument that turns training on, e.g. {'is_training': True}",
            )
            return


_REMEDY = "pass tags_and_args=[(set(), {{'{flag}': False}}), ({{'train'}}, {{'{flag}': True}})] to hub.create_module_spec"


def _effective(function, arguments, name):
    """The expression a graph's module function gets for parameter ``name``: given, or its default."""
    if name in arguments:
        return arguments[name]
    try:
        return function.args.default_value(name)
    except Exception:  # no such parameter, or no default: the graph fails to build, not judged here
        return None


def _same(a, b) -> bool:
    if a is None or b is None:
        return False
    value_a, value_b = evaluate(a), evaluate(b)
    if value_a is not UNKNOWN and value_b is not UNKNOWN:
        return type(value_a) is type(value_b) and value_a == value_b
    return a.as_string() == b.as_string()


def _describe(spec) -> str:
    if spec.call.argument("tags_and_args", 1) is None:
        return "tags_and_args is missing"
    tag_sets = ", ".join("{" + ", ".join(repr(tag) for tag in sorted(tags)) + "}" if tags else "set()" for tags in spec.tag_sets)
    return f"tag sets: {tag_sets}"
