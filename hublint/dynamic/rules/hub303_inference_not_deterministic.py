from hublint.dynamic.confirm import explained_statically
from hublint.dynamic.measure import is_inference
from hublint.finding import Severity
from hublint.rule import DynamicRule


class InferenceNotDeterministic(DynamicRule):
    id = "HUB303"
    name = "inference-not-deterministic"
    severity = Severity.ERROR
    summary = (
        "Reports inference (the default tag set, or `training=False`) that gives different outputs for "
        "the same input, or where an example's output changes when the other examples of its batch "
        "change: measured by running the default signature / `__call__` twice on one batch of 3, then "
        "with examples 2 and 3 replaced. Where the module pass already reported the cause in that tag "
        "set (HUB204 dropout at inference, HUB206 batch norm in training mode), that finding carries the "
        "measurement instead."
    )
    rationale = (
        "Consumers expect a module to be a function at inference: the same image gets the same "
        "embedding, whatever else is in the batch. Dropout that is active at inference makes outputs "
        "random; batch norm left in training mode normalizes with the statistics of the current batch, "
        "so an example's output depends on its neighbours and on the batch size."
    )
    message = "{where} {problem}"
    fix = "{fix}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  h = tf.layers.dense(x, 20)\n"
        "  h = tf.nn.dropout(h, rate=0.3)  # active in every graph\n"
        "  hub.add_signature(inputs=x, outputs=tf.layers.dense(h, 10))\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(training=False):\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  h = tf.layers.dense(x, 20)\n"
        "  h = tf.layers.dropout(h, rate=0.3, training=training)\n"
        "  hub.add_signature(inputs=x, outputs=tf.layers.dense(h, 10))\n",
    )

    def check(self, measurement, config):
        for run in measurement.runs:
            if not run.get("loaded") or not is_inference(run):
                continue
            where = _where(run)
            tag_set = run.get("tag_set", ())
            # Dropout at inference (HUB204) and batch norm in training mode (HUB206) are the usual
            # causes; when the module pass reported them here, their messages carry this measurement.
            if run.get("deterministic") is False and not explained_statically(
                    "HUB204", tag_set, measurement.static_findings):
                yield self.finding(measurement.location(run), where=where,
                                   problem="gives different outputs for the same input (measured: two runs differ)",
                                   fix="make dropout and other randomness depend on the training flag")
            elif run.get("deterministic") is not False and run.get("batch_independent") is False \
                    and not explained_statically("HUB206", tag_set, measurement.static_findings):
                yield self.finding(measurement.location(run), where=where,
                                   problem="gives an example a different output when the other examples of its "
                                           "batch change (batch norm in training mode?)",
                                   fix="build the inference graph with batch norm in inference mode "
                                       "(training=False / is_training=False)")


def _where(run: dict) -> str:
    if run.get("object"):
        return "__call__" + ("" if run.get("training") is None else f"(training={run['training']})")
    return "the tag set {" + ", ".join(run.get("tag_set", [])) + "}"
