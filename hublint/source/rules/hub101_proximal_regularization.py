from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.settings import Reading, is_number, read_argument


class ProximalRegularization(SourceRule):
    id = "HUB101"
    name = "proximal-regularization"
    triggers = ("Ftrl", "Proximal")
    severity = Severity.WARNING
    summary = (
        "Reports a proximal optimizer (`tf.train.FtrlOptimizer`, `ProximalGradientDescentOptimizer`, "
        "`ProximalAdagradOptimizer`, Keras `Ftrl`) created with a non-zero `l1_regularization_strength`, "
        "`l2_regularization_strength` or `l2_shrinkage_regularization_strength`. With `allow-linear-l1` "
        "(the default), L1 alone is accepted on the linear part of wide / wide-and-deep estimators."
    )
    rationale = (
        "Regularization done by the optimizer is not part of the graph: it is not exported with the "
        "module, so a consumer who fine-tunes the module trains it without any regularization, and a "
        "strength chosen globally for the publisher's problem is rarely right for the consumer's. "
        "Regularization losses (`kernel_regularizer=`) are exported in `regularization_losses` and "
        "travel with the module. Only L1 on sparse linear models has no good loss-based replacement."
    )
    message = "{optimizer} regularizes in the optimizer ({settings}): not exported with the module"
    fix = (
        "create {optimizer} without {keywords} and regularize the weights with "
        "kernel_regularizer=tf.keras.regularizers.l2(...) on the layers instead"
    )
    options = ("allow-linear-l1",)
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "\n"
        "optimizer = tf.train.FtrlOptimizer(0.05, l1_regularization_strength=0.001,\n"
        "                                   l2_regularization_strength=0.01)\n",
        "import tensorflow as tf\n"
        "\n"
        "optimizer = tf.keras.optimizers.Ftrl(learning_rate=0.1, l2_regularization_strength=1e-3)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "\n"
        "optimizer = tf.train.FtrlOptimizer(0.05)\n"
        "logits = tf.layers.dense(features, 10,\n"
        "                         kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n",
        "import tensorflow as tf\n"
        "\n"
        "# L1 on the sparse linear part of a wide & deep model is fine.\n"
        "estimator = tf.estimator.DNNLinearCombinedClassifier(\n"
        "    linear_feature_columns=wide_columns,\n"
        "    linear_optimizer=tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.5),\n"
        "    dnn_feature_columns=deep_columns, dnn_hidden_units=[100, 50])\n",
    )

    def check(self, facts, config):
        for call in facts.named(*ops.PROXIMAL_OPTIMIZERS):
            optimizer = ops.PROXIMAL_OPTIMIZERS[call.name]
            strengths: list[Reading] = []
            for param in (optimizer.l1, optimizer.l2, optimizer.l2_shrinkage):
                argument = call.argument(param) if param is not None else None
                if argument is None:
                    continue
                reading = read_argument(argument, param.keyword, False, defaults=True)
                if is_number(reading.value) and reading.value != 0:
                    strengths.append(reading)
            if not strengths:
                continue
            l1_only = all(reading.keyword == optimizer.l1.keyword for reading in strengths)
            if config.allow_linear_l1 and l1_only and call.node in facts.linear_optimizers:
                continue
            yield self.finding(
                call.location,
                optimizer=call.text,
                settings=", ".join(reading.describe() for reading in strengths),
                keywords=" and ".join(reading.keyword for reading in strengths),
            )
