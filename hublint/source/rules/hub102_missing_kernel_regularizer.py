from hublint.finding import Severity
from hublint.rule import SourceRule
from hublint.source import ops


class MissingKernelRegularizer(SourceRule):
    id = "HUB102"
    name = "missing-kernel-regularizer"
    module_graph = True
    severity = Severity.WARNING
    summary = (
        "Reports a layer that creates a kernel (`tf.layers.dense` / `conv*` / `separable_conv*`, "
        "tf-slim / `tf.contrib.layers` `fully_connected` / `conv2d` / ..., Keras `Dense` / `Conv*` / "
        "`SeparableConv*` / `DepthwiseConv2D`) in module code without a kernel regularizer "
        "(`kernel_regularizer`, `weights_regularizer`, `depthwise_regularizer`), where no enclosing "
        "`arg_scope` supplies one. `None` counts as missing; a call that passes `**kwargs` is not judged. "
        "In a TF1 module function a Keras layer's regularizer counts as missing too, unless the module "
        "function adds the losses to the `REGULARIZATION_LOSSES` collection itself."
    )
    rationale = (
        "A module exports its regularization losses in the `regularization_losses` collection, and "
        "consumers who fine-tune it add them to their loss. A kernel without a regularizer has no such "
        "loss: fine-tuning it on a small data set overfits, and the consumer cannot fix that from outside. "
        "Keras layers in TF1 graph mode keep their regularization losses on the layer object "
        "(`layer.losses`), so `hub.create_module_spec` exports none of them."
    )
    message = "{op} creates a kernel without a regularizer ({detail})"
    fix = "{remedy}"
    options = ("scope",)
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  logits = tf.layers.dense(inputs, 10)\n"
        "  hub.add_signature(inputs=inputs, outputs=logits)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "import tf_slim as slim\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  with slim.arg_scope([slim.conv2d], weights_regularizer=None):\n"
        "    net = slim.conv2d(images, 16, [3, 3])\n"
        "  hub.add_signature(inputs=images, outputs=tf.reduce_mean(net, [1, 2]))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  dense = tf.keras.layers.Dense(10, kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hub.add_signature(inputs=inputs, outputs=dense(inputs))\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "\n"
        "def module_fn():\n"
        "  inputs = tf.placeholder(tf.float32, shape=[None, 50])\n"
        "  logits = tf.layers.dense(inputs, 10,\n"
        "                           kernel_regularizer=tf.keras.regularizers.l2(1e-4))\n"
        "  hub.add_signature(inputs=inputs, outputs=logits)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "import tf_slim as slim\n"
        "\n"
        "def module_fn():\n"
        "  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])\n"
        "  with slim.arg_scope([slim.conv2d, slim.fully_connected],\n"
        "                      weights_regularizer=slim.l2_regularizer(4e-5)):\n"
        "    net = slim.conv2d(images, 16, [3, 3])\n"
        "    net = slim.fully_connected(slim.flatten(net), 10)\n"
        "  hub.add_signature(inputs=images, outputs=net)\n"
        "\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, facts, config):
        for call in facts.named(*ops.WEIGHT_LAYERS):
            if not facts.in_scope(call, config) or call.star_kwargs or call.star_args or call.scope_star_kwargs:
                continue
            if len(call.args) > ops.MAX_POSITIONAL_BEFORE_REGULARIZER:
                continue  # one of them may be the regularizer
            keywords = ops.WEIGHT_LAYERS[call.name]
            slim = call.name.startswith("slim.")
            if slim and not call.closed:
                continue  # a caller's arg_scope may supply the regularizer
            detail = self.missing(call, keywords)
            remedy = f"pass {keywords[0]}=tf.keras.regularizers.l2(1e-4) to {call.text}"
            if slim:
                remedy += f" (or set {keywords[0]} in the enclosing slim.arg_scope)"
            if detail is None and call.name.startswith("keras.") and call.in_module_code:
                if not adds_regularization_losses(facts):
                    detail = (
                        f"its {keywords[0]} is not exported: Keras keeps the loss on the layer, "
                        "outside the REGULARIZATION_LOSSES collection hub exports"
                    )
                    remedy = (
                        f"use the tf.layers / tf.compat.v1.layers equivalent of {call.text}, or add the "
                        "layer's losses with tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES, ...)"
                    )
            if detail is None:
                continue
            yield self.finding(call.location, op=call.text, detail=detail, remedy=remedy)

    @staticmethod
    def missing(call, keywords):
        """Why the kernel is unregularized, or None if a regularizer is (or may be) given."""
        explicit_none = []
        for keyword in keywords:
            argument = call.keywords.get(keyword) or call.scope_defaults.get(keyword)
            if argument is None:
                continue
            if argument.is_constant and argument.value is None:
                where = " in the enclosing arg_scope" if keyword not in call.keywords else ""
                explicit_none.append(f"{keyword}=None{where}")
            else:
                return None
        if explicit_none:
            return ", ".join(explicit_none)
        return "no " + " or ".join(keywords)


def adds_regularization_losses(facts) -> bool:
    """Whether module code puts losses into the REGULARIZATION_LOSSES collection by hand."""
    return any(
        "REGULARIZATION_LOSSES" in argument.text or argument.value == "regularization_losses"
        for call in facts.named("tf.add_to_collection", "tf.add_to_collections")
        if call.in_module_code
        for argument in (*call.args[:1], *call.keywords.values())
    )
