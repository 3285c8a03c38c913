from hublint.finding import Severity
from hublint.module import proto
from hublint.rule import ModuleRule

#: Keys TF2 writes beside the variables (the object graph of the checkpoint itself).
_BOOKKEEPING_KEYS = frozenset({"_CHECKPOINTABLE_OBJECT_GRAPH"})


class CheckpointInconsistent(ModuleRule):
    id = "HUB211"
    name = "checkpoint-inconsistent"
    severity = Severity.ERROR
    summary = (
        "Compares the variables the meta graphs declare with `variables/variables.index`: a variable "
        "missing from the checkpoint, a dtype or shape that differs, a missing data shard, or an entry "
        "that lies beyond the end of its shard. Only the index is read; shards are checked by size."
    )
    rationale = (
        "Loading restores every graph variable from the checkpoint. A variable the checkpoint lacks, "
        "or stores with another dtype or shape, makes `hub.Module` / `hub.load` fail for every "
        "consumer; a missing or short shard is an incomplete copy or upload of the module."
    )
    message = "{problem}"
    fix = "{fix}"
    bad_modules = ("optimizer_slots_missing",)
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_bad_signature",
        "image_feature_vector", "large_constant", "legacy_variables", "signature_no_default_output",
        "signature_problems", "slim_arg_scope", "slim_inplace_updates", "text_bad_signature",
        "text_embedding", "tf2_bare", "tf2_reusable", "unsafe_ops",
    )
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    features = tf.placeholder(tf.float32, [None, 50])\n"
        "    logits = tf.layers.dense(features, 10)\n"
        "    if is_training:\n"
        "        labels = tf.placeholder(tf.int64, [None], name='labels')\n"
        "        loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)\n"
        "        # Adam's slot variables exist only in the train graph, so the export lacks them.\n"
        "        tf.train.AdamOptimizer().minimize(loss)\n"
        "    hub.add_signature(inputs=features, outputs=logits)\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn(is_training=False):\n"
        "    features = tf.placeholder(tf.float32, [None, 50])\n"
        "    hidden = tf.layers.dropout(features, rate=0.2, training=is_training)\n"
        "    logits = tf.layers.dense(hidden, 10)\n"
        "    # The consumer's code builds the optimizer; the module holds only the model.\n"
        "    hub.add_signature(inputs=features, outputs=logits)\n\n\n"
        "spec = hub.create_module_spec(\n"
        "    module_fn, tags_and_args=[(set(), {}), ({'train'}, {'is_training': True})])\n",
    )

    def check(self, module, config):
        declared = {}
        for meta_graph in module.meta_graphs:
            for variable in meta_graph.variables:
                declared.setdefault(variable.checkpoint_key, (meta_graph, variable))
        if module.index_state == "missing":
            if declared:
                meta_graph, variable = next(iter(declared.values()))
                yield self.finding(
                    module.location(meta_graph, variable.name),
                    problem=f"the graph has {len(declared)} variable(s) but variables/variables.index is missing",
                    fix="copy the whole exported folder, including variables/",
                )
            return
        entries = module.variables
        if entries is None:  # corrupt index: HUB002 says so
            return
        for key, (meta_graph, variable) in declared.items():
            entry = entries.get(key)
            location = module.location(meta_graph, variable.name)
            if entry is None:
                yield self.finding(
                    location,
                    problem=f"variable {variable.name!r} is not in the checkpoint (key {key!r})",
                    fix="export the module again from one session so that the graph and checkpoint match",
                )
                continue
            if variable.dtype and entry.dtype and variable.dtype % 100 != entry.dtype % 100:
                yield self.finding(
                    location,
                    problem=f"variable {variable.name!r} is {proto.dtype_name(variable.dtype % 100)} in the graph "
                    f"but {proto.dtype_name(entry.dtype)} in the checkpoint",
                    fix="export the module again from one session so that the graph and checkpoint match",
                )
            if (
                variable.shape is not None
                and all(d >= 0 for d in variable.shape)
                and not entry.sliced
                and tuple(variable.shape) != entry.shape
            ):
                yield self.finding(
                    location,
                    problem=f"variable {variable.name!r} has shape {list(variable.shape)} in the graph "
                    f"but {list(entry.shape)} in the checkpoint",
                    fix="export the module again from one session so that the graph and checkpoint match",
                )
        yield from self._check_shards(module, entries)

    def _check_shards(self, module, entries):
        names = list(module.shards)
        for name, size in module.shards.items():
            if size is None:
                yield self.finding(
                    module.location(file=f"variables/{name}"),
                    problem=f"checkpoint shard variables/{name} is missing",
                    fix="copy the whole exported folder, including every variables.data-* shard",
                )
        for entry in entries.values():
            if entry.name in _BOOKKEEPING_KEYS or entry.sliced:
                continue
            if not 0 <= entry.shard_id < len(names):
                yield self.finding(
                    module.location(node=entry.name, file="variables/variables.index"),
                    problem=f"variable {entry.name!r} is stored in shard {entry.shard_id}, "
                    f"but the index declares {len(names)} shard(s)",
                    fix="export the module again; the checkpoint index is inconsistent",
                )
                continue
            size = module.shards[names[entry.shard_id]]
            if size is not None and entry.offset + entry.size > size:
                yield self.finding(
                    module.location(node=entry.name, file=f"variables/{names[entry.shard_id]}"),
                    problem=f"variable {entry.name!r} ends at byte {entry.offset + entry.size} of "
                    f"variables/{names[entry.shard_id]}, which has only {size} bytes (truncated shard)",
                    fix="copy the shard again; it was cut short",
                )
