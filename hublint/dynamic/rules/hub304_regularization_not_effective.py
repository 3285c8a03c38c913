from hublint.dynamic.confirm import reported_statically
from hublint.finding import Severity
from hublint.rule import DynamicRule


class RegularizationNotEffective(DynamicRule):
    id = "HUB304"
    name = "regularization-not-effective"
    severity = Severity.WARNING
    summary = (
        "Reports exported regularization losses (`REGULARIZATION_LOSSES`, TF2 `regularization_losses`) "
        "that evaluate to a non-finite value or to zero, and trainable kernels whose gradient of the "
        "losses' sum is zero: the measured coverage, kernel by kernel. A module that exports no "
        "regularization loss at all is HUB201's, and a kernel the module pass already reports "
        "unregularized is HUB202's (the measurement confirms it; it is not reported twice)."
    )
    rationale = (
        "A consumer who fine-tunes adds the module's regularization losses to its own loss, trusting "
        "them to keep the publisher's weight decay. A loss that is NaN ruins the fine-tuning, a loss of "
        "zero (a regularizer with strength 0, a loss computed from a constant) does nothing, and a "
        "kernel that the losses do not reach is fine-tuned without any decay."
    )
    message = "{what}"
    fix = "{fix}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  h = tf.layers.dense(x, 20, kernel_regularizer=tf.keras.regularizers.l2(0.0))\n"
        "  hub.add_signature(inputs=x, outputs=tf.layers.dense(h, 10))\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 50])\n"
        "  l2 = tf.keras.regularizers.l2(1e-4)\n"
        "  h = tf.layers.dense(x, 20, kernel_regularizer=l2)\n"
        "  hub.add_signature(inputs=x, outputs=tf.layers.dense(h, 10, kernel_regularizer=l2))\n",
    )

    def check(self, measurement, config):
        seen = set()
        # Kernels the module pass reports (HUB202, which states the measurement) are not reported twice.
        static_uncovered = {v["name"] for m in measurement.summary.get("meta_graphs", []) for v in m["variables"]
                            if v.get("kernel") and not v.get("regularization_loss")
                            } if reported_statically("HUB202", config, measurement.path) else set()
        for run in measurement.runs:
            regularization = run.get("regularization") or {}
            if not run.get("loaded") or not regularization.get("losses"):
                continue  # no loss exported at all: HUB201 / HUB216 say so
            location = measurement.location(run)
            if regularization.get("finite") is False:
                yield self.finding(location, what=f"the {regularization['losses']} regularization losses sum to a "
                                                  "non-finite value (NaN or Inf)",
                                   fix="check the regularizers' strengths and the weights they read")
                continue
            if regularization.get("loss") == 0:
                yield self.finding(location, what=f"the {regularization['losses']} regularization losses sum to 0",
                                   fix="give the regularizers a non-zero strength")
                continue
            missing = [k for k in regularization.get("kernels", []) if k not in regularization.get("kernels_covered", [])]
            # Kernels the module pass already reports (HUB202) are not reported twice: the
            # measurement confirms them (and --debug names any disagreement).
            missing = [k for k in missing if k not in static_uncovered]
            if run.get("object") and len(missing) <= len(static_uncovered):
                missing = []  # TF2: the module pass names object paths, the child variable names
            key = tuple(missing)
            if missing and key not in seen:
                seen.add(key)
                covered = len(regularization["kernels_covered"])
                yield self.finding(location,
                                   what=f"measured: the regularization losses have no gradient for {len(missing)} of "
                                        f"{covered + len(missing)} kernels ({', '.join(missing[:5])}"
                                        f"{', ...' if len(missing) > 5 else ''})",
                                   fix="give every weight layer a kernel regularizer")
