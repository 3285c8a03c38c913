from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.settings import dropout_rate, is_number


class DropoutRateRange(SourceRule):
    id = "HUB103"
    name = "dropout-rate-range"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports a dropout whose constant rate is outside (`dropout-rate-min`, `dropout-rate-max`] "
        "(default: above 0.5, or 0 and below). `keep_prob` (old `tf.nn.dropout`, `slim.dropout`) is "
        "read as `rate = 1 - keep_prob`; library defaults count (`tf.layers.dropout` 0.5, "
        "`slim.dropout` keep_prob 0.5)."
    )
    rationale = (
        "Consumers fine-tune a module with the dropout its publisher chose. A rate above 0.5 throws "
        "away most activations and makes fine-tuning on a new problem slow and noisy; a rate of 0 is a "
        "dropout that does nothing. A frequent cause is `keep_prob` and `rate` mixed up: "
        "`tf.nn.dropout(x, keep_prob=0.2)` drops 80%."
    )
    message = "dropout rate {rate}{how} is {problem}"
    fix = "use a dropout rate in ({low}, {high}] in {op}{keep_hint}"
    options = ("dropout-rate-min", "dropout-rate-max", "scope")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  if is_training:\n"
        "    hidden = tf.nn.dropout(hidden, keep_prob=0.2)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, facts, config):
        low, high = config.dropout_rate_min, config.dropout_rate_max
        for call in facts.named(*ops.DROPOUT):
            if not facts.in_scope(call, config):
                continue
            reading = dropout_rate(call)
            if reading is None or not is_number(reading.value):
                continue
            rate = reading.value
            if rate > high:
                problem = f"above the maximum {high:g}"
            elif rate <= low:
                problem = "0: this dropout drops nothing" if rate == 0 else f"not above the minimum {low:g}"
            else:
                continue
            keep = reading.keyword == "keep_prob"
            yield self.finding(
                call.location,
                rate=f"{rate:g}",
                how=_how(reading),
                problem=problem,
                low=f"{low:g}",
                high=f"{high:g}",
                op=call.text,
                keep_hint=" (keep_prob is the fraction kept: keep_prob = 1 - rate)" if keep else "",
            )


def _how(reading) -> str:
    """`` (keep_prob=0.2)``; nothing when the rate was written as ``rate=`` right there."""
    plain = reading.keyword == "rate" and not (reading.is_default or reading.parameter or reading.from_arg_scope)
    return "" if plain else f" ({reading.describe()})"
