from hublint.finding import Severity
from hublint.rule import ModuleRule


class BatchnormMomentumHigh(ModuleRule):
    id = "HUB205"
    name = "batchnorm-momentum-high"
    severity = Severity.WARNING
    summary = (
        "Reports batch norm whose momentum (tf-slim: `decay`), read from the moving-average update "
        "arithmetic or the fused op's `exponential_avg_factor`, is above `batchnorm-momentum-max` "
        "(default 0.99)."
    )
    rationale = (
        "The moving mean and variance forget old batches at a rate of `1 - momentum`. With 0.999 or "
        "tf-slim's Inception default 0.9997, thousands of steps pass before the statistics reflect "
        "the consumer's data: fine-tuning on a small dataset, or with larger batches, ends before "
        "they catch up and inference uses the publisher's statistics."
    )
    message = "batch-norm momentum {momentum:g} is above the maximum {maximum:g}{where}"
    #: with ``--load``: the momentum solved from one update of the moving statistics (hublint.dynamic.confirm)
    measured_note = " (measured {momentum:g} on {count} of {total} moving statistics {where})"
    inert_note = " (measured: the {total} moving statistics never update {where})"
    fix = "lower `momentum=` (tf-slim: `decay=`) of the batch norm `{layer}`{others} to {maximum:g} or less"
    options = ("batchnorm-momentum-max",)
    bad_modules = ("batchnorm_fused_high_momentum", "batchnorm_unfused", "slim_arg_scope",
                   "tf_keras_model_save_bn_momentum_high")
    good_modules = ("batchnorm_fused_ok", "batchnorm_keras_no_update_ops", "slim_inplace_updates",
                    "batchnorm_training_in_inference", "keras2_dropout_bn_traces")
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "import tf_slim as slim\n\n\n"
        "def module_fn(is_training=False):\n"
        "    images = tf.placeholder(tf.float32, [None, 224, 224, 3])\n"
        "    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,\n"
        "                        normalizer_params={'decay': 0.9997, 'is_training': is_training}):\n"
        "        net = slim.conv2d(images, 32, [3, 3], scope='Conv2d_1a_3x3')\n"
        "    hub.add_signature(inputs=dict(images=images), outputs=tf.reduce_mean(net, [1, 2]))\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n"
        "import tf_slim as slim\n\n\n"
        "def module_fn(is_training=False):\n"
        "    images = tf.placeholder(tf.float32, [None, 224, 224, 3])\n"
        "    with slim.arg_scope([slim.conv2d], normalizer_fn=slim.batch_norm,\n"
        "                        normalizer_params={'decay': 0.99, 'is_training': is_training}):\n"
        "        net = slim.conv2d(images, 32, [3, 3], scope='Conv2d_1a_3x3')\n"
        "    hub.add_signature(inputs=dict(images=images), outputs=tf.reduce_mean(net, [1, 2]))\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, module, config):
        maximum = config.batchnorm_momentum_max
        reported: set[tuple[str, str]] = set()
        for meta_graph in module.meta_graphs:
            facts = meta_graph.facts
            # The layer is the scope of its moving variables (``Conv2d_1a_3x3/BatchNorm``).
            layer_of = {u.batch_norm: _scope(u.variable) for u in facts.moving_average_updates if u.batch_norm}
            # Batch norms, then moving averages of batch statistics no batch norm claimed.
            # TF2: a layer's traces hold ops named plainly (`FusedBatchNormV3`) in several functions; the
            # layer is the scope of the variables its traces capture, one candidate per layer.
            candidates = [((b.layer or b.function, b.node), b.layer or b.node, b.momentum,
                           b.layer or layer_of.get(b.node, _scope(b.node))) for b in facts.batch_norms]
            candidates += [((u.function, u.node), u.node, u.momentum, _scope(u.variable))
                           for u in facts.moving_average_updates if not u.batch_norm]
            # One finding per momentum value and meta graph: tf-slim sets the decay of a whole
            # network in one arg_scope, and 96 copies of one warning would bury everything else.
            by_momentum: dict[float, list[tuple[str, str]]] = {}
            for key, node, momentum, layer in candidates:
                if momentum is None or momentum <= maximum or key in reported:
                    continue
                reported.add(key)
                by_momentum.setdefault(momentum, []).append((node, layer))
            for momentum, batch_norms in by_momentum.items():
                node, layer = batch_norms[0]
                count = len(batch_norms)
                yield self.finding(
                    module.location(meta_graph, node), momentum=momentum, maximum=maximum, layer=layer,
                    where=f" in {count} batch norms" if count > 1 else "",
                    others=f" and the {count - 1} others (in tf-slim, one arg_scope sets them all)" if count > 1 else "",
                )

    def measured(self, finding, measured) -> str:
        """``measured_note`` for ``finding``; "" when no batch norm was measured in its graph."""
        reading = measured.momentum(finding.location.tag_set, finding.location.node)
        if reading is None:
            return ""
        return (self.inert_note if reading["momentum"] is None else self.measured_note).format(**reading)


def _scope(name: str) -> str:
    return name.rsplit("/", 1)[0] if "/" in name else name
