from hublint.finding import Severity
from hublint.rule import ModuleRule


class DropoutInInferenceGraph(ModuleRule):
    id = "HUB204"
    name = "dropout-in-inference-graph"
    severity = Severity.ERROR
    summary = (
        "Reports random dropout that runs unconditionally in the meta graph with the default (empty) "
        "tag set, the graph `hub.Module(spec)` uses for inference. For a TF2 SavedModel: dropout in "
        "its functions while `__call__` takes no `training` argument to turn it off."
    )
    rationale = (
        "Dropout at inference makes every prediction random: the same input gives different "
        "embeddings or logits on each call, and accuracy drops. It happens when `tf.nn.dropout` is "
        "applied unconditionally in `module_fn`, or `training=True` is hard-coded; dropout belongs "
        "in the graph for the `train` tag set only."
    )
    message = "random dropout (rate {rate}) runs at inference in {where}"
    fix = (
        "apply the dropout at `{node}` only for training: "
        "`tf.layers.dropout(x, rate, training=is_training)` with `is_training=True` only in the "
        "`{{\"train\"}}` entry of `tags_and_args` (TF2: a `training` argument of `__call__`)"
    )
    bad_modules = ("dropout_always_on", "tf2_bare")
    good_modules = ("dropout_train_tags", "dropout_keep_prob", "tf2_reusable", "dense_noreg")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu)\n"
        "    hidden = tf.nn.dropout(hidden, rate=0.3)  # also at inference\n"
        "    hub.add_signature(inputs=inputs, outputs=tf.layers.dense(hidden, 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
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
        for meta_graph in module.meta_graphs:
            facts = meta_graph.facts
            if facts.reusable is not None:
                if facts.reusable.has_training_argument:
                    continue
                dropouts = [d for d in facts.active_dropouts if d.function]
                where = "the functions of a `__call__` without a `training` argument"
            elif meta_graph.tag_set == ():
                dropouts = list(facts.active_dropouts)
                where = "the default-tag graph"
            else:
                continue
            reported: set[str] = set()
            for dropout in dropouts:
                if dropout.node in reported:
                    continue
                reported.add(dropout.node)
                yield self.finding(
                    module.location(meta_graph, dropout.node),
                    rate=f"{dropout.rate:g}" if dropout.rate is not None else "not constant",
                    where=where, node=dropout.node,
                )
