from astroid import nodes

from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops
from hublint.source.facts import Argument
from hublint.source.names import parameter_of
from hublint.source.values import UNKNOWN, evaluate


class PlaceholderFixedBatch(SourceRule):
    id = "HUB109"
    name = "placeholder-fixed-batch"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports a `tf.placeholder` in module code whose shape fixes the batch (first) dimension to a "
        "number: written there, or a parameter of the module function that `tags_and_args` or, where it "
        "does not set it, the parameter's default makes a number. `None` as the first dimension, or no "
        "shape at all, is fine."
    )
    rationale = (
        "Placeholders in a module function become the inputs of its signatures. A fixed batch size "
        "makes the module reject every batch of another size, which consumers only find out when they "
        "feed one. Common signatures require a `None` batch dimension."
    )
    message = "placeholder shape {shape} fixes the batch dimension to {batch}{how}"
    fix = "use None as the first dimension: shape={suggested}"
    options = ("scope",)
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[32, 224, 224, 3])\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(images, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 224, 224, 3])\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(images, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, facts, config):
        for call in facts.named(ops.PLACEHOLDER):
            if not facts.in_scope(call, config):
                continue
            shape = call.argument("shape", 1)
            if shape is None or not isinstance(shape.value, (list, tuple)) or not shape.value:
                continue
            batch, how = shape.value[0], ""
            if batch is UNKNOWN:
                batch, how = _batch_parameter(facts, call, shape)
            if not isinstance(batch, int) or isinstance(batch, bool):
                continue
            if isinstance(shape.node, (nodes.List, nodes.Tuple)):
                rest = [element.as_string() for element in shape.node.elts[1:]]
            else:  # a name bound to a constant shape
                rest = [str(dim) for dim in shape.value[1:]]
            dims = ["None", *rest]
            yield self.finding(
                call.location,
                shape=shape.text,
                batch=batch,
                suggested="[" + ", ".join(dims) + "]",
                how=how,
            )


def _batch_parameter(facts, call, shape):
    """``(batch size, how it was set)`` when the first dimension is a parameter of the module function
    that some graph builds with a number: from ``tags_and_args`` or, where that does not set it, its default."""
    first = shape.node.elts[0] if isinstance(shape.node, (nodes.List, nodes.Tuple)) and shape.node.elts else None
    found = parameter_of(first) if first is not None else None
    if found is None or found[0] is not call.function:
        return UNKNOWN, ""
    name = found[1]
    specs = [spec for spec in facts.module_specs if call.function in spec.module_functions]
    for spec in specs:
        if spec.tag_sets is None or (name in spec.parameters_set and not spec.entries):
            continue  # tags_and_args is computed: the value each graph gets is unknown
        for _, arguments in spec.entries or ((None, {}),):
            if name in arguments:
                value, how = evaluate(arguments[name]), f" ({name}={arguments[name].as_string()} in tags_and_args)"
            else:
                value, how = Argument(first).default_value, f" (the default of parameter {name})"
            if isinstance(value, int) and not isinstance(value, bool):
                return value, how
    return UNKNOWN, ""
