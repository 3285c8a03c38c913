from astroid import nodes

from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops


class PlaceholderFixedBatch(SourceRule):
    id = "HUB109"
    name = "placeholder-fixed-batch"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports a `tf.placeholder` in module code whose shape fixes the batch (first) dimension to a "
        "number. `None` as the first dimension, or no shape at all, is fine."
    )
    rationale = (
        "Placeholders in a module function become the inputs of its signatures. A fixed batch size "
        "makes the module reject every batch of another size, which consumers only find out when they "
        "feed one. Common signatures require a `None` batch dimension."
    )
    message = "placeholder shape {shape} fixes the batch dimension to {batch}"
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
            batch = shape.value[0]
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
            )
