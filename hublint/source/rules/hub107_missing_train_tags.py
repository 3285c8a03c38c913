from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source.settings import is_batch_norm, is_dropout, op_title, training_flag


class MissingTrainTags(SourceRule):
    id = "HUB107"
    name = "missing-train-tags"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports a `hub.create_module_spec` call whose module function builds dropout or batch norm "
        "driven by a training flag (a variable or parameter as `training` / `is_training`), while "
        "`tags_and_args` has no tag set with `train`, or is missing."
    )
    rationale = (
        "TF Hub builds one graph per entry of `tags_and_args`; consumers get the training behaviour "
        "of dropout and batch norm only from a graph tagged `train` "
        "(`hub.Module(spec, tags={'train'})`). Without one, the training flag the publisher wired up "
        "is never set and fine-tuning runs the inference graph."
    )
    message = "module function {function} has a training flag ({example}) but no tag set has 'train' ({tags})"
    fix = (
        "pass tags_and_args=[(set(), {{'{flag}': False}}), ({{'train'}}, {{'{flag}': True}})] "
        "to hub.create_module_spec"
    )
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
                example=f"{op_title(call)}({flag.keyword}={flag.argument.text}) at line {call.location.line}",
                tags=_describe(spec),
                flag=flag.argument.parameter or "is_training",
            )


def _describe(spec) -> str:
    if spec.call.argument("tags_and_args", 1) is None:
        return "tags_and_args is missing"
    tag_sets = ", ".join("{" + ", ".join(repr(tag) for tag in sorted(tags)) + "}" if tags else "set()" for tags in spec.tag_sets)
    return f"tag sets: {tag_sets}"
