import os

from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source.facts import location_of
from hublint.source.settings import is_batch_norm, op_title, training_fixed_by_callers, training_flag


class BatchnormTrainingFixed(SourceRule):
    id = "HUB106"
    name = "batchnorm-training-fixed"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports batch normalization in module code whose `training` / `is_training` is a constant: "
        "written as `True` / `False`, set by an `arg_scope`, or left to the library default "
        "(`tf.layers.batch_normalization`: False, `slim.batch_norm`: True), or passed as a constant by "
        "module code to the function that builds it (`tower(x, is_training=True)`, in this file or "
        "another file of the project: reported at that call)."
    )
    rationale = (
        "A module's graphs differ by tag set: the default graph must use the moving averages, the "
        "`train` graph must normalize with batch statistics and update the averages. A constant flag "
        "makes both graphs the same, so either fine-tuning never updates the statistics or inference "
        "normalizes each batch by itself and depends on what else is in the batch."
    )
    message = "{op} has a fixed {how}"
    fix = "pass {keyword}=is_training, an argument of the module function set to True only for the 'train' tag set"
    options = ("scope",)
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  net = tf.layers.batch_normalization(images, training=False)\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def tower(net, is_training):\n"
        "  return tf.layers.batch_normalization(net, momentum=0.9, training=is_training)\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  net = tower(images, is_training=True)  # the flag the module function has is never used\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn, [(set(), {}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  net = tf.layers.batch_normalization(images, training=is_training)\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, facts, config):
        for call in facts.calls:
            if not is_batch_norm(call) or not facts.in_scope(call, config) or call.conditional:
                continue
            flag = training_flag(call)
            if flag is not None and not flag.is_constant:
                # ``tower(x, is_training=True)`` in module code, reaching ``is_training=is_training``
                for fixed in training_fixed_by_callers(facts, call):
                    where, here = location_of(call.node, facts.path), location_of(fixed.node, facts.path)
                    place = (f"line {where.line}" if where.path == here.path else
                             f"{os.path.relpath(where.path, os.path.dirname(here.path) or '.')}:{where.line}")
                    yield self.finding(
                        here, op=f"{op_title(call)} ({place}, in {' -> '.join(fixed.path)})",
                        how=f"{fixed.keyword}={fixed.value} passed by this call", keyword=fixed.keyword)
                continue
            if flag is None or not isinstance(flag.value, (bool, int)):
                continue
            if flag.from_arg_scope:
                continue  # reported once, at the arg_scope
            how = f"default {flag.keyword}={flag.value}" if flag.is_default else flag.describe()
            yield self.finding(call.location, op=op_title(call), how=how, keyword=flag.keyword)
        for scope in facts.arg_scopes:
            if "slim.batch_norm" not in scope.ops or not facts.scope_in_scope(scope, config):
                continue
            argument = scope.defaults.get("is_training")
            if argument is not None and argument.is_constant and isinstance(argument.value, (bool, int)):
                yield self.finding(
                    location_of(argument.node, facts.path),
                    op="the arg_scope of slim.batch_norm",
                    how=f"is_training={argument.value}",
                    keyword="is_training",
                )
