from hublint.finding import Severity
from hublint.rule import ModuleRule


class BatchnormTrainingInInferenceGraph(ModuleRule):
    id = "HUB206"
    name = "batchnorm-training-in-inference-graph"
    severity = Severity.ERROR
    summary = (
        "Reports batch norm fixed in training mode (normalizing with the statistics of the current "
        "batch) in the meta graph with the default (empty) tag set. A fused op without an "
        "`is_training` attribute counts as training: exports strip default attributes."
    )
    rationale = (
        "In training mode a prediction depends on the other examples in its batch, and a batch "
        "of one is normalized to zero: inference results change with batch size and composition. "
        "The moving statistics the publisher trained are never used. It happens when "
        "`training=True` is hard-coded or the module function is not given a training flag."
    )
    message = "batch norm `{node}` runs in training mode in the default-tag graph"
    fix = (
        "pass `training=is_training` (tf-slim: `is_training=`) to the batch norm `{layer}` and set "
        "it to True only in the `{{\"train\"}}` entry of `tags_and_args`"
    )
    bad_modules = ("batchnorm_training_in_inference",)
    good_modules = ("batchnorm_fused_ok", "batchnorm_unfused", "slim_arg_scope", "batchnorm_keras_no_update_ops")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    images = tf.placeholder(tf.float32, [None, 224, 224, 3])\n"
        "    net = tf.layers.conv2d(images, 32, 3)\n"
        "    net = tf.layers.batch_normalization(net, training=True)\n"
        "    hub.add_signature(inputs=dict(images=images), outputs=tf.reduce_mean(net, [1, 2]))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    images = tf.placeholder(tf.float32, [None, 224, 224, 3])\n"
        "    net = tf.layers.conv2d(images, 32, 3)\n"
        "    net = tf.layers.batch_normalization(net, training=is_training)\n"
        "    hub.add_signature(inputs=dict(images=images), outputs=tf.reduce_mean(net, [1, 2]))\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, module, config):
        meta_graph = module.meta_graph(())
        if meta_graph is None:
            return
        for batch_norm in meta_graph.facts.training_batch_norms:
            if batch_norm.function:  # TF2 traces: the training trace is chosen by `training`
                continue
            node = batch_norm.node
            yield self.finding(module.location(meta_graph, node), node=node, layer=node.rsplit("/", 1)[0])
