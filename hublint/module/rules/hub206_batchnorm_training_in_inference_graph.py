from hublint.finding import Severity
from hublint.module.rules.hub204_dropout_in_inference_graph import inference_place, object_name
from hublint.rule import ModuleRule


class BatchnormTrainingInInferenceGraph(ModuleRule):
    id = "HUB206"
    name = "batchnorm-training-in-inference-graph"
    severity = Severity.ERROR
    summary = (
        "Reports batch norm fixed in training mode (normalizing with the statistics of the current "
        "batch) in the meta graph with the default (empty) tag set. A fused op without an "
        "`is_training` attribute counts as training: exports strip default attributes. For a TF2 "
        "SavedModel: training-mode batch norm in a function an inference entry runs (a "
        "`training=False` trace, a `__call__` without `training`, a serving signature)."
    )
    rationale = (
        "In training mode a prediction depends on the other examples in its batch, and a batch "
        "of one is normalized to zero: inference results change with batch size and composition. "
        "The moving statistics the publisher trained are never used. It happens when "
        "`training=True` is hard-coded or the module function is not given a training flag."
    )
    message = "batch norm `{node}` runs in training mode at inference: {where}"
    measured_note = " (measured {where}: an example's output changes when the rest of its batch changes)"
    group_message = "{count} batch norms run in training mode at inference"
    fix = (
        "pass `training=is_training` (tf-slim: `is_training=`) to the batch norm `{layer}` and set "
        "it to True only in the `{{\"train\"}}` entry of `tags_and_args` (TF2: pass `__call__`'s own "
        "`training` argument on to the batch norm)"
    )
    bad_modules = ("batchnorm_training_in_inference",)
    good_modules = ("batchnorm_fused_ok", "batchnorm_unfused", "slim_arg_scope", "batchnorm_keras_no_update_ops",
                    "keras2_dropout_bn_traces", "tf_keras_model_save_bn_momentum_high", "keras3_export")
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
        for meta_graph in module.meta_graphs:
            facts = meta_graph.facts
            if facts.reusable is not None:
                # TF2: the traces reaching each function decide (training_batch_norms leaves out
                # batch norm that only `training=True` traces run).
                norms = [b for b in facts.training_batch_norms if b.function]
            elif meta_graph.tag_set == ():
                # TF1: the top-level graph; library functions of a TF1 graph have no traces to judge.
                norms = [b for b in facts.training_batch_norms if not b.function]
            else:
                continue
            reported: set[str] = set()
            for batch_norm in norms:
                # TF2: point at the layer, not at an op inside one of its traces.
                name = object_name(meta_graph, batch_norm)
                if name in reported:
                    continue
                reported.add(name)
                yield self.finding(module.location(meta_graph, name), node=name,
                                   where=inference_place(batch_norm), layer=name.rsplit("/", 1)[0])

    def measured(self, finding, measured) -> str:
        """``measured_note`` when ``--load`` saw the symptom in the inference run of the finding's tag set."""
        place = measured.inference_symptom(finding.location.tag_set, "batch_independent")
        return self.measured_note.format(where=place) if place else ""
