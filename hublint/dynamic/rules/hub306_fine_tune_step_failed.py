from hublint.dynamic.measure import is_train
from hublint.finding import Severity
from hublint.rule import DynamicRule


class FineTuneStepFailed(DynamicRule):
    id = "HUB306"
    name = "fine-tune-step-failed"
    severity = Severity.ERROR
    summary = (
        "Reports a train graph (the `train` tag set, else the default one; TF2 `training=True`) where "
        "one gradient step on the sum of its outputs plus the regularization losses fails, gives "
        "non-finite values, or leaves a trainable variable without a gradient."
    )
    rationale = (
        "`hub.KerasLayer(..., trainable=True)` and `hub.Module(..., trainable=True)` promise that the "
        "module's trainable variables can be fine-tuned. A variable no gradient reaches (a `stop_gradient`, "
        "an integer cast, a lookup table) is not trained although it is listed as trainable; NaN gradients "
        "destroy the weights on the first step."
    )
    message = "{where}: {problem}"
    fix = "{fix}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  h = tf.stop_gradient(tf.layers.dense(x, 20))  # listed trainable, never trained\n"
        "  hub.add_signature(inputs=x, outputs=tf.layers.dense(h, 10))\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  h = tf.layers.dense(x, 20)\n"
        "  hub.add_signature(inputs=x, outputs=tf.layers.dense(h, 10))\n",
    )

    def check(self, measurement, config):
        runs = [r for r in measurement.runs if r.get("loaded")]
        trains = [r for r in runs if is_train(r)] or [r for r in runs if not r.get("object")][:1]
        for run in trains:
            where = ("__call__(training=True)" if run.get("object")
                     else "the tag set {" + ", ".join(run.get("tag_set", [])) + "}")
            error = (run.get("step_errors") or {}).get("fine-tune")
            record = run.get("fine_tune")
            if error and "ResourceExhausted" not in error:
                yield self.finding(measurement.location(run), where=where, problem=f"the gradient step fails: {error}",
                                   fix="compute tf.gradients of the outputs by hand and fix what fails")
                continue
            if not record:
                continue
            if record.get("non_finite_gradient"):
                names = record["non_finite_gradient"]
                yield self.finding(measurement.location(run, names[0]), where=where,
                                   problem=f"non-finite gradients for {', '.join(names[:5])}",
                                   fix="look for log / division / sqrt of values that reach 0")
            elif record.get("finite") is False:
                yield self.finding(measurement.location(run), where=where,
                                   problem="the objective (the sum of the outputs and the regularization losses) is not finite",
                                   fix="look for log / division / sqrt of values that reach 0")
            if record.get("no_gradient"):
                names = record["no_gradient"]
                yield self.finding(measurement.location(run, names[0]), where=where,
                                   problem=f"{len(names)} trainable variable(s) get no gradient from the outputs: "
                                           f"{', '.join(names[:5])}{', ...' if len(names) > 5 else ''}",
                                   fix="mark them trainable=False, or remove the stop_gradient / cast that cuts them off")
