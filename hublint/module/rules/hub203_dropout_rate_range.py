from hublint.finding import Severity
from hublint.rule import ModuleRule


class DropoutRateRange(ModuleRule):
    id = "HUB203"
    name = "dropout-rate-range"
    severity = Severity.WARNING
    summary = (
        "Reports dropout whose rate, read from the graph, is outside the configured range: above "
        "`dropout-rate-max` (default 0.5) or at or below `dropout-rate-min` (default 0). A "
        "`keep_prob` is read as `1 - keep_prob`."
    )
    rationale = (
        "The dropout rate is baked into the exported graph and every consumer fine-tunes with it. "
        "A rate that suited the publisher's large dataset drops most units on a consumer's "
        "problem; a rate of zero is dropout that does nothing but cost time. `keep_prob=0.2` "
        "is a rate of 0.8, an easy mistake when porting TF1 code."
    )
    message = "dropout rate {rate:g} is {problem}"
    #: with ``--load``: the rate the TensorFlow child measured at this dropout (hublint.dynamic.confirm)
    measured_note = " (measured {rate:.2f} ± {ci95:.2f} {where})"
    fix = "set the `rate=` of the dropout at `{node}` within ({low:g}, {high:g}]"
    options = ("dropout-rate-min", "dropout-rate-max")
    bad_modules = ("dropout_always_on", "dropout_keep_prob")
    good_modules = ("dropout_train_tags", "tf2_bare", "tf2_reusable", "dense_noreg")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu)\n"
        "    if is_training:\n"
        "        hidden = tf.nn.dropout(hidden, keep_prob=0.2)  # a rate of 0.8\n"
        "    hub.add_signature(inputs=inputs, outputs=tf.layers.dense(hidden, 10))\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu)\n"
        "    hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)\n"
        "    hub.add_signature(inputs=inputs, outputs=tf.layers.dense(hidden, 10))\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, module, config):
        low, high = config.dropout_rate_min, config.dropout_rate_max
        reported: set[tuple[str, float]] = set()
        for meta_graph in module.meta_graphs:
            for dropout in meta_graph.facts.dropouts:
                if dropout.rate is None or low < dropout.rate <= high:
                    continue
                key = (dropout.node, dropout.rate)  # TF2 traces repeat a layer in several functions
                if key in reported:
                    continue
                reported.add(key)
                if dropout.rate > high:
                    problem = f"above the maximum {high:g}"
                else:
                    problem = f"at or below the minimum {low:g}: the dropout does nothing"
                yield self.finding(
                    module.location(meta_graph, dropout.node),
                    rate=dropout.rate, problem=problem, node=dropout.node, low=low, high=high,
                )

    def measured(self, finding, measured) -> str:
        """``measured_note`` for ``finding``; "" when nothing was measured at its dropout."""
        reading = measured.dropout(finding.location.tag_set, finding.location.node)
        return self.measured_note.format(**reading) if reading else ""
