from hublint.finding import Severity
from hublint.rule import ModuleRule


class ProximalOptimizerExported(ModuleRule):
    id = "HUB212"
    name = "proximal-optimizer-exported"
    severity = Severity.WARNING
    summary = (
        "Reports FTRL and proximal gradient descent / Adagrad optimizer ops (`ApplyFtrl*`, "
        "`ApplyProximal*`, their resource and sparse forms) with a non-zero L1, L2 or L2-shrinkage "
        "strength in an exported graph."
    )
    rationale = (
        "Regularization set through an optimizer's `l1_regularization_strength` / "
        "`l2_regularization_strength` lives only in the publisher's optimizer ops: consumers "
        "fine-tune with their own optimizer and lose it, and strengths chosen globally for the "
        "publisher's problem rarely suit theirs. Regularization losses travel with the module."
    )
    message = "`{op}` node `{node}` applies {strengths}: consumers' optimizers do not"
    fix = (
        "set the optimizer's l1/l2 strengths to 0 and regularize with `kernel_regularizer=` on the "
        "layers instead (L1 on a wide, sparse linear model is the accepted exception)"
    )
    bad_modules = ("ftrl_in_graph",)
    good_modules = ("ftrl_zero_strength", "dense_l2")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    logits = tf.layers.dense(inputs, 1)\n"
        "    if is_training:\n"
        "        labels = tf.placeholder(tf.float32, [None, 1])\n"
        "        loss = tf.losses.sigmoid_cross_entropy(labels, logits)\n"
        "        tf.train.FtrlOptimizer(0.1, l2_regularization_strength=0.01).minimize(loss)\n"
        "    hub.add_signature(inputs=inputs, outputs=logits)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    inputs = tf.placeholder(tf.float32, [None, 50])\n"
        "    logits = tf.layers.dense(inputs, 1, kernel_regularizer=tf.keras.regularizers.l2(0.01))\n"
        "    if is_training:\n"
        "        labels = tf.placeholder(tf.float32, [None, 1])\n"
        "        loss = tf.losses.sigmoid_cross_entropy(labels, logits)\n"
        "        tf.train.FtrlOptimizer(0.1).minimize(loss + tf.losses.get_regularization_loss())\n"
        "    hub.add_signature(inputs=inputs, outputs=logits)\n",
    )

    def check(self, module, config):
        reported: set[str] = set()
        for meta_graph in module.meta_graphs:
            for op in meta_graph.facts.proximal_ops:
                strengths = op.strengths
                if not strengths or op.node in reported:
                    continue
                reported.add(op.node)
                yield self.finding(
                    module.location(meta_graph, op.node),
                    op=op.op, node=op.node,
                    strengths=", ".join(f"{name}={value:g}" for name, value in strengths.items()),
                )
