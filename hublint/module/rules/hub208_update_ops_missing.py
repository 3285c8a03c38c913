from hublint.finding import Severity
from hublint.rule import ModuleRule


class UpdateOpsMissing(ModuleRule):
    id = "HUB208"
    name = "update-ops-missing"
    severity = Severity.WARNING
    summary = (
        "Reports batch norm in training mode in a `train`-tagged meta graph whose moving-average "
        "updates are neither in the `update_ops` collection nor run with the layer's output "
        "(tf-slim's `updates_collections=None`)."
    )
    rationale = (
        "A consumer's training op runs the module's `update_ops` (`tf.control_dependencies("
        "tf.get_collection(tf.GraphKeys.UPDATE_OPS))`); nothing else triggers the moving-average "
        "updates. Missing from the collection, the moving mean and variance never move during "
        "fine-tuning, and inference after fine-tuning uses stale statistics. Keras layers in a TF1 "
        "`module_fn` keep their updates to themselves (`layer.updates`) instead of the collection."
    )
    message = "batch norm `{node}` in the train graph: {problem}"
    fix = (
        "build the batch norm with `tf.layers.batch_normalization` or tf-slim (they add their updates "
        "to `update_ops`), or add a Keras layer's `updates` to `tf.GraphKeys.UPDATE_OPS` in `module_fn`"
    )
    bad_modules = ("batchnorm_keras_no_update_ops",)
    good_modules = ("batchnorm_fused_ok", "batchnorm_unfused", "slim_arg_scope", "slim_inplace_updates",
                    "batchnorm_training_in_inference")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    images = tf.placeholder(tf.float32, [None, 224, 224, 3])\n"
        "    net = tf.keras.layers.Conv2D(32, 3)(images)\n"
        "    net = tf.keras.layers.BatchNormalization()(net, training=is_training)\n"
        "    hub.add_signature(inputs=dict(images=images), outputs=tf.reduce_mean(net, [1, 2]))\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
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
        for meta_graph in module.meta_graphs:
            if "train" not in meta_graph.tag_set:
                continue
            for batch_norm in meta_graph.facts.batch_norms:
                if not batch_norm.training or batch_norm.function:
                    continue
                if not batch_norm.updates:
                    if batch_norm.fused and batch_norm.momentum is not None:
                        continue  # the fused op averages by itself (exponential_avg_factor)
                    problem = "no moving-average update of its statistics"
                elif not batch_norm.updates_in_collection:
                    problem = "its moving-average updates are not in `update_ops`"
                else:
                    continue
                yield self.finding(module.location(meta_graph, batch_norm.node),
                                   node=batch_norm.node, problem=problem)
