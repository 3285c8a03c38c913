from hublint.finding import Severity
from hublint.rule import CoreRule


class StaleBaselineEntry(CoreRule):
    id = "HUB005"
    name = "stale-baseline-entry"
    severity = Severity.INFO
    enabled_by_default = False
    summary = (
        "Reports an entry of the `--baseline` file that no finding matches any more: the problem was "
        "fixed, or the line it was on changed. Only files and modules the run linted are judged. Off by "
        "default, like `useless-suppression` (HUB003): enable it with `--extend-select HUB005`."
    )
    rationale = (
        "A baseline entry whose finding is gone is a free pass waiting to be used: the next finding "
        "with the same fingerprint (the same rule on an identical line, or on the same node of a module) "
        "is silently accepted. Keeping the baseline short keeps it honest."
    )
    message = "baseline entry no longer found: {rule_id} in `{path}`: {message}{times}"
    fix = "write the baseline again with `--write-baseline`, or delete the entry"
    bad = (
        "# .hublint-baseline.json holds HUB102 for this line, which now has a regularizer:\n"
        "import tensorflow.compat.v1 as tf\n"
        "hidden = tf.layers.dense(x, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n",
    )
    good = (
        "# the baseline was written again after the fix: it holds no entry for this line\n"
        "import tensorflow.compat.v1 as tf\n"
        "hidden = tf.layers.dense(x, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n",
    )
