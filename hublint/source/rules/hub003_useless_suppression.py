from hublint.finding import Severity
from hublint.rule import CoreRule


class UselessSuppression(CoreRule):
    id = "HUB003"
    name = "useless-suppression"
    severity = Severity.INFO
    enabled_by_default = False
    summary = (
        "Reports a `# hublint: disable=...` comment that suppresses no finding, or that names a rule "
        "hublint does not know. Off by default, like pylint's `useless-suppression`."
    )
    rationale = (
        "Suppressions outlive the code they were written for. A stale one hides the next real "
        "finding on that line, and a misspelt rule id suppresses nothing while looking as if it did."
    )
    message = "useless suppression: {what}"
    fix = "delete the comment, or correct the rule id"
    bad = ("import tensorflow as tf  # hublint: disable=HUB102\n",)
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "opt = tf.train.FtrlOptimizer(0.1, l2_regularization_strength=0.1)  # hublint: disable=HUB101\n",
    )
