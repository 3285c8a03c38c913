from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.facts import location_of
from hublint.source.settings import batchnorm_momentum, is_number, scope_momenta, written_dropout_argument


class HyperparametersHidden(SourceRule):
    id = "HUB110"
    name = "hyperparameters-hidden"
    module_graph = True
    severity = Severity.INFO
    summary = (
        "Reports a dropout rate or batch-norm momentum written as a constant (a literal or a module "
        "constant) in module code, where neither an argument of the module function (set through "
        "`tags_and_args`) nor a signature input controls it."
    )
    rationale = (
        "The right dropout rate and batch-norm momentum depend on the consumer's data: how prone it "
        "is to overfitting, how large the batches are. The publisher advice suggests, for advanced "
        "consumers, a way to control these critical hyperparameters. A constant baked into the graph "
        "leaves them no way but to re-export the module."
    )
    message = "{what} {value} is hard-coded in {where}"
    fix = (
        "make it an argument of {function} set through tags_and_args, or feed it through a signature "
        "input (e.g. tf.placeholder_with_default({value}, []))"
    )
    options = ("scope",)
    bad = (
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
        "    module_fn,\n"
        "    tags_and_args=[(set(), {'is_training': False}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn(is_training=False, dropout_rate=0.3):\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  hidden = tf.layers.dense(inputs, 20, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hidden = tf.layers.dropout(hidden, rate=dropout_rate, training=is_training)\n"
        "  hub.add_signature(inputs=inputs, outputs=hidden)\n"
        "\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn,\n"
        "    tags_and_args=[(set(), {'is_training': False}),\n"
        "                   ({'train'}, {'is_training': True, 'dropout_rate': 0.3})])\n",
    )

    def check(self, facts, config):
        for call in facts.calls:
            if not facts.in_scope(call, config):
                continue
            if call.name in ops.DROPOUT:
                what, reading = "dropout", written_dropout_argument(call)
            elif call.name in ops.BATCH_NORM or call.name in ops.WEIGHT_LAYERS:
                what, reading = "batch-norm", batchnorm_momentum(facts, call)
            else:
                continue
            # Only a constant written in the code: library defaults and parameters are not hard-coded.
            if reading is None or reading.is_default or reading.parameter or not is_number(reading.value):
                continue
            if not reading.argument.is_constant:
                continue
            value = reading.shown if reading.shown is not None else reading.value
            where = _where(call.function, facts)
            yield self.finding(
                call.location,
                what=f"{what} {reading.keyword}",
                value=f"{value:g}",
                where=where,
                function=call.function_name,
            )
        for scope in facts.arg_scopes:
            if not facts.scope_in_scope(scope, config):
                continue
            for reading, node, _ in scope_momenta(facts, scope):
                if reading.argument.is_constant and is_number(reading.value):
                    yield self.finding(
                        location_of(node, facts.path),
                        what=f"batch-norm {reading.keyword}",
                        value=f"{reading.value:g}",
                        where=_where(scope.function, facts),
                        function=scope.function.name if scope.function else "the module function",
                    )


def _where(function, facts) -> str:
    if function is None:
        return "module-level code"
    return f"module function {function.name}" if function in facts.module_code else f"function {function.name}"
