from hublint.finding import Severity
from hublint.rule import ModuleRule


class DropoutInInferenceGraph(ModuleRule):
    id = "HUB204"
    name = "dropout-in-inference-graph"
    severity = Severity.ERROR
    summary = (
        "Reports random dropout that runs unconditionally in the meta graph with the default (empty) "
        "tag set, the graph `hub.Module(spec)` uses for inference. For a TF2 SavedModel: dropout in "
        "a function that an inference entry runs (a `training=False` trace, a `__call__` without a "
        "`training` argument, a serving signature); dropout only in `training=True` traces is fine."
    )
    rationale = (
        "Dropout at inference makes every prediction random: the same input gives different "
        "embeddings or logits on each call, and accuracy drops. It happens when `tf.nn.dropout` is "
        "applied unconditionally in `module_fn`, or `training=True` is hard-coded; dropout belongs "
        "in the graph for the `train` tag set only."
    )
    message = "random dropout `{name}` (rate {rate}) runs at inference: {where}"
    measured_note = " (measured {where}: two runs on the same input give different outputs)"
    group_message = "{count} random dropouts run at inference"
    fix = (
        "apply the dropout at `{node}` only for training: "
        "`tf.layers.dropout(x, rate, training=is_training)` with `is_training=True` only in the "
        "`{{\"train\"}}` entry of `tags_and_args` (TF2: give `__call__` a `training` argument and drop out "
        "only when it is true, e.g. Keras `Dropout(rate)(x, training=training)`)"
    )
    bad_modules = ("dropout_always_on", "tf2_bare", "tf2_module_dropout_at_inference")
    good_modules = ("dropout_train_tags", "dropout_keep_prob", "tf2_reusable", "dense_noreg",
                    "keras2_dropout_bn_traces", "keras3_export")
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
                # TF2: the traces reaching each function decide (active_dropouts leaves out
                # dropout that only `training=True` traces run).
                dropouts = [d for d in facts.active_dropouts if d.function]
            elif meta_graph.tag_set == ():
                dropouts = list(facts.active_dropouts)
            else:
                continue
            reported: set[str] = set()
            for dropout in dropouts:
                name = object_name(meta_graph, dropout)
                if name in reported:
                    continue
                reported.add(name)
                yield self.finding(
                    module.location(meta_graph, name),
                    rate=f"{dropout.rate:g}" if dropout.rate is not None else "not constant",
                    where=inference_place(dropout), node=name, name=name,
                )

    def measured(self, finding, measured) -> str:
        """``measured_note`` when ``--load`` saw the symptom in the inference run of the finding's tag set."""
        place = measured.inference_symptom(finding.location.tag_set, "deterministic")
        return self.measured_note.format(where=place) if place else ""


#: Name scopes that ops open inside a dropout or batch-norm call: not part of the user's name.
_INTERNAL_SCOPES = frozenset({"random_uniform", "stateless_random_uniform", "batchnorm", "cond", "dropout_mask"})


def object_name(meta_graph, found) -> str:
    """The layer, object path or name scope a dropout / batch norm belongs to, in the user's words.

    TF1 graphs keep the node's own name (``dropout/random_uniform/RandomUniform`` is where it
    is). In a TF2 SavedModel the node lives in a traced function (``__inference_...``), a name
    no user wrote: the finding names the object whose method the function is (a Keras layer,
    ``encoder``) and the op's name scope inside it (``dropout``).
    """
    if not found.function:
        return found.node
    if getattr(found, "layer", ""):
        return found.layer
    parts = found.node.split("/")[:-1]
    while parts and parts[-1] in _INTERNAL_SCOPES:
        parts.pop()
    scope = "/".join(parts)
    graph = meta_graph.object_graph
    owner = graph.function_owner(found.function) if graph is not None else None
    if owner and scope and owner.rsplit("/", 1)[-1] != scope.split("/")[0]:
        return f"{owner}/{scope}"
    return owner or scope or found.node


def inference_place(found) -> str:
    """Where a dropout or batch norm runs at inference, in the consumer's words."""
    if not found.function:
        return "the default-tag graph runs it"
    if "(training=" in found.entry:
        return f"the {found.entry} trace runs it"
    return f"{found.entry or 'an inference entry'} runs it, without a `training` argument"
