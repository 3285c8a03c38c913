from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.facts import location_of
from hublint.source.settings import batchnorm_momentum, is_number, scope_momenta


class BatchnormMomentumHigh(SourceRule):
    id = "HUB105"
    name = "batchnorm-momentum-high"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports batch normalization whose momentum (tf-slim: `decay`) is above "
        "`batchnorm-momentum-max` (default 0.99): set on the call, in `normalizer_params`, in an "
        "`arg_scope`, through the default of a parameter (`batch_norm_decay=0.9997` in tf-slim's arg "
        "scope functions), or by the library default (`slim.batch_norm`: 0.999)."
    )
    rationale = (
        "The moving mean and variance follow the data with a time constant of about "
        "`1 / (1 - momentum)` steps: 1000 steps at 0.999, over 3000 at 0.9997. A consumer fine-tuning "
        "on a small data set or with large batches runs fewer steps than that, so the statistics "
        "used at inference never catch up with the new data. The publisher advice asks for a momentum "
        "small enough to fine-tune with."
    )
    message = "{subject} {how}, above the maximum {maximum}"
    fix = "set {keyword}={suggestion} (or lower) in {where}"
    options = ("batchnorm-momentum-max", "scope")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "import tf_slim as slim\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  net = slim.conv2d(images, 16, [3, 3], normalizer_fn=slim.batch_norm,\n"
        "                    normalizer_params={'is_training': is_training, 'decay': 0.9997},\n"
        "                    weights_regularizer=slim.l2_regularizer(4e-5))\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "import tf_slim as slim\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  net = slim.batch_norm(images, is_training=is_training)  # decay defaults to 0.999\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False):\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  net = tf.layers.batch_normalization(images, momentum=0.99, training=is_training)\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, facts, config):
        maximum = config.batchnorm_momentum_max
        for call in facts.calls:
            if call.name not in ops.BATCH_NORM and call.name not in ops.WEIGHT_LAYERS:
                continue
            if not facts.in_scope(call, config):
                continue
            reading = batchnorm_momentum(facts, call)
            if reading is not None and is_number(reading.value) and reading.value > maximum:
                if call.name in ops.BATCH_NORM:
                    subject, where = f"{call.text} uses", call.text
                else:
                    subject = where = f"the normalizer_params of {call.text}"
                    subject += " set"
                yield self.report(call.location, reading, maximum, subject, where)
        for scope in facts.arg_scopes:
            if not facts.scope_in_scope(scope, config):
                continue
            for reading, node, in_params in scope_momenta(facts, scope):
                if is_number(reading.value) and reading.value > maximum:
                    where = "the normalizer_params of the arg_scope" if in_params else "the arg_scope"
                    subject = "the normalizer_params of this arg_scope set" if in_params else "this arg_scope sets"
                    if reading.parameter:
                        where = f"the default of parameter {reading.parameter}"
                    yield self.report(location_of(node, facts.path), reading, maximum, subject, where)

    def report(self, location, reading, maximum, subject, where):
        return self.finding(
            location,
            subject=subject,
            how=reading.describe(),
            maximum=f"{maximum:g}",
            keyword=reading.keyword,
            suggestion=f"{maximum:g}",
            where=where,
        )
