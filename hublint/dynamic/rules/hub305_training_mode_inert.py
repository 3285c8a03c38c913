from hublint.dynamic.confirm import pair_dropouts, reported_statically
from hublint.dynamic.measure import is_train
from hublint.finding import Severity
from hublint.rule import DynamicRule


class TrainingModeInert(DynamicRule):
    id = "HUB305"
    name = "training-mode-inert"
    severity = Severity.WARNING
    summary = (
        "Reports a train tag set / `training=True` that does nothing it should: dropout that the graph "
        "declares never drops a unit (measured rate 0, or outputs that never vary), or batch-norm moving "
        "statistics that do not change when the update ops (TF1 `update_ops`, or in-place updates run "
        "with the outputs; TF2 a `training=True` call) run on a batch."
    )
    rationale = (
        "Consumers fine-tune in the train graph to get the publisher's regularization: dropout at the "
        "declared rate and batch-norm statistics that follow their data. A training mode that is wired "
        "wrongly (a rate fed as 0, a keep probability of 1, updates connected to nothing) silently trains "
        "without them."
    )
    message = "{where}: {problem}"
    fix = "{fix}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(training=False):\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  h = tf.layers.dense(x, 20)\n"
        "  h = tf.nn.dropout(h, keep_prob=1.0)  # never drops\n"
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
        static = {tuple(m["tag_set"]): m for m in measurement.summary.get("meta_graphs", [])}
        for run in measurement.runs:
            if not run.get("loaded") or not is_train(run):
                continue
            declared = static.get(tuple(run.get("tag_set", [])), {})
            where = ("__call__(training=True)" if run.get("object")
                     else "the tag set {" + ", ".join(run.get("tag_set", [])) + "}")
            measured = [d for d in run.get("dropouts", []) if d.get("rate") is not None]
            # A dropout read statically at rate <= dropout-rate-min is HUB203's, which states the measured rate.
            by_hub203 = ({id(m) for reading, m in pair_dropouts(declared.get("dropouts", []), measured)
                          if reading.get("rate") is not None and reading["rate"] <= config.dropout_rate_min}
                         if reported_statically("HUB203", config, measurement.path) else set())
            inert = [d["node"] for d in measured if d["rate"] == 0 and id(d) not in by_hub203]
            if inert:
                yield self.finding(measurement.location(run, inert[0]), where=where,
                                   problem=f"dropout never drops (measured rate 0 over "
                                           f"{measured[0]['samples']} units at {', '.join(inert)})",
                                   fix="check the rate / keep probability the train graph gets")
            elif declared.get("dropouts") and not measured and run.get("deterministic") is True:
                yield self.finding(measurement.location(run), where=where,
                                   problem=f"the graph declares {len(declared['dropouts'])} dropout op(s), but the "
                                           "outputs never vary between runs",
                                   fix="make the dropout depend on the training flag the train graph sets")
            norms = run.get("batchnorm", [])
            expects_updates = (run.get("update_ops") or run.get("object")) and declared.get("batch_norms")
            # A momentum of 1 read statically is HUB205's cause (statistics that never move), which states this.
            frozen = reported_statically("HUB205", config, measurement.path) and any(
                (b.get("momentum") or 0) >= 1 for b in declared.get("batch_norms", []))
            if norms and expects_updates and not frozen and not any(b.get("updated") for b in norms):
                yield self.finding(measurement.location(run), where=where,
                                   problem=f"batch-norm statistics never update ({len(norms)} moving variables "
                                           "unchanged after the update ops ran)",
                                   fix="connect the moving-average updates to update_ops (or the outputs)")
