from hublint.finding import Severity
from hublint.rule import DynamicRule


class WeightsInvalid(DynamicRule):
    id = "HUB307"
    name = "weights-invalid"
    severity = Severity.ERROR
    summary = "Reports restored variables that hold NaN or Inf values."
    rationale = (
        "A training run that diverged, or an export that wrote uninitialized memory, leaves NaN or Inf "
        "in the checkpoint. The module loads and its signatures run, but every output that reads such a "
        "weight is NaN: the consumer's model is broken from the first step."
    )
    message = "variable {variable} holds {count} non-finite values ({nan} NaN, {inf} Inf){others}"
    fix = "export from a checkpoint taken before training diverged"
    bad = (
        "import numpy as np\n"
        "import tensorflow as tf\n\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(10, input_shape=(50,))])\n"
        "model.layers[0].kernel.assign(np.full((50, 10), np.nan, np.float32))\n"
        "tf.saved_model.save(model, '/tmp/diverged')\n",
    )
    good = (
        "import tensorflow as tf\n\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(10, input_shape=(50,))])\n"
        "tf.saved_model.save(model, '/tmp/fine')\n",
    )

    def check(self, measurement, config):
        reported = set()
        for run in measurement.runs:
            bad = [w for w in run.get("invalid_weights", []) if w["name"] not in reported]
            if not bad:
                continue
            reported.update(w["name"] for w in bad)
            first = bad[0]
            yield self.finding(measurement.location(run, first["name"]), variable=first["name"],
                               count=first["nan"] + first["inf"], nan=first["nan"], inf=first["inf"],
                               others=f" and {len(bad) - 1} more variables do too" if len(bad) > 1 else "")
