from hublint.finding import Severity
from hublint.rule import ModuleRule


class TrainTagsMissing(ModuleRule):
    id = "HUB207"
    name = "train-tags-missing"
    severity = Severity.WARNING
    summary = (
        "Reports a TF1 Hub module with dropout or batch norm but no meta graph tagged `train`. For "
        "a TF2 SavedModel: dropout or batch norm in its functions while `__call__` has no "
        "`training` argument (an inference-only export without `__call__` is HUB216's)."
    )
    rationale = (
        "Dropout and batch norm behave differently in training and at inference. A TF1 Hub module "
        "offers the training behaviour through a second graph (`tags_and_args` with a "
        "`{\"train\"}` tag set) that consumers select with `hub.Module(..., tags={\"train\"})`; a "
        "TF2 SavedModel through `__call__(inputs, training=...)`. Without it consumers fine-tune "
        "with the inference behaviour (or infer with the training one)."
    )
    message = "{what} but {missing}"
    fix = (
        "export a training graph: `hub.create_module_spec(module_fn, tags_and_args=[(set(), {{}}), "
        "({{\"train\"}}, {{\"is_training\": True}})])` (TF2: give `__call__` a `training` argument)"
    )
    bad_modules = ("dropout_always_on", "batchnorm_training_in_inference", "tf2_bare")
    good_modules = ("dropout_train_tags", "dropout_keep_prob", "slim_arg_scope", "batchnorm_fused_ok",
                    "tf2_reusable", "dense_noreg", "keras2_dropout_bn_traces", "tf2_module_dropout_at_inference",
                    "keras3_export")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu)\n"
        "    hidden = tf.layers.dropout(hidden, rate=0.3, training=True)\n"
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
        if any("train" in m.tag_set for m in module.meta_graphs):
            return
        for meta_graph in module.meta_graphs:
            facts = meta_graph.facts
            reusable = facts.reusable
            if reusable is not None and (reusable.has_training_argument or reusable.inference_only):
                continue  # the object takes `training`, or HUB216 explains the inference-only export
            nodes = [d.node for d in facts.dropouts] + [b.node for b in facts.batch_norms]
            if not nodes:
                continue
            what = " and ".join(
                kind for kind, present in (("dropout", facts.dropouts), ("batch norm", facts.batch_norms)) if present
            )
            missing = ("`__call__` has no `training` argument" if reusable is not None
                       else "no meta graph is tagged `train`")
            yield self.finding(module.location(meta_graph, nodes[0]), what=what, missing=missing)
            return
