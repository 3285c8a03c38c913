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
    good_modules = ("dense_l2", "text_embedding", "legacy_variables", "tf2_reusable")
    bad = (
        "import shutil\n\n"
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 50])\n"
        "    hub.add_signature(inputs=x, outputs=tf.layers.dense(x, 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n"
        "with tf.Graph().as_default():\n"
        "    module = hub.Module(spec)\n"
        "    with tf.Session() as session:\n"
        "        session.run(tf.global_variables_initializer())\n"
        "        module.export('/tmp/export', session)\n"
        "# Publishes the graph and the index, but not the data shard.\n"
        "shutil.copytree('/tmp/export', '/models/classifier',\n"
        "                ignore=shutil.ignore_patterns('variables.data-*'))\n",
    )
    good = (
        "import shutil\n\n"
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 50])\n"
        "    hub.add_signature(inputs=x, outputs=tf.layers.dense(x, 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n"
        "with tf.Graph().as_default():\n"
        "    module = hub.Module(spec)\n"
        "    with tf.Session() as session:\n"
        "        session.run(tf.global_variables_initializer())\n"
        "        module.export('/tmp/export', session)\n"
        "shutil.copytree('/tmp/export', '/models/classifier')\n",
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
