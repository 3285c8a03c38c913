import os
import posixpath

from hublint.finding import Severity
from hublint.module.model import ASSET_PLACEHOLDER
from hublint.rule import ModuleRule


class AssetProblem(ModuleRule):
    id = "HUB214"
    name = "asset-problem"
    severity = Severity.WARNING
    summary = (
        "Checks the assets a meta graph names (the `saved_model_assets` collection or "
        "`asset_file_def`): each must be a relative path inside `assets/` that exists there, must not "
        "be a link leading out of the module, and every tensor of `asset_filepaths` must be mapped to "
        "a file."
    )
    rationale = (
        "On load, TensorFlow feeds each asset tensor the path of its file under the module's "
        "`assets/` folder. An absolute path or one that leaves the module points at the publisher's "
        "machine (or anywhere on the consumer's), and a missing file makes table initialization fail "
        "for every consumer."
    )
    message = "{problem}"
    fix = "{fix}"
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_bad_signature",
        "image_feature_vector", "large_constant", "legacy_variables", "optimizer_slots_missing",
        "signature_no_default_output", "signature_problems", "slim_arg_scope", "slim_inplace_updates",
        "text_bad_signature", "text_embedding", "tf2_bare", "tf2_reusable", "unsafe_ops",
    )
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    sentences = tf.placeholder(tf.string, [None])\n"
        "    # A path string: not an asset, so the module keeps pointing at /home/me.\n"
        "    table = tf.lookup.StaticVocabularyTable(tf.lookup.TextFileInitializer(\n"
        "        '/home/me/vocab.txt', tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,\n"
        "        tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), num_oov_buckets=1)\n"
        "    ids = table.lookup(tf.strings.split(sentences).values)\n"
        "    hub.add_signature(inputs=sentences, outputs=tf.cast(ids, tf.float32))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    sentences = tf.placeholder(tf.string, [None])\n"
        "    vocab = tf.constant('/home/me/vocab.txt')\n"
        "    tf.add_to_collection(tf.GraphKeys.ASSET_FILEPATHS, vocab)  # copied into assets/\n"
        "    table = tf.lookup.StaticVocabularyTable(tf.lookup.TextFileInitializer(\n"
        "        vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,\n"
        "        tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), num_oov_buckets=1)\n"
        "    ids = table.lookup(tf.strings.split(sentences).values)\n"
        "    hub.add_signature(inputs=sentences, outputs=tf.cast(ids, tf.float32))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, module, config):
        seen: set[tuple[str, str]] = set()
        for meta_graph in module.meta_graphs:
            for problem, fix, node in self._problems(module, meta_graph):
                if (problem, node) in seen:  # every tag set names the same assets
                    continue
                seen.add((problem, node))
                yield self.finding(module.location(meta_graph, node), problem=problem, fix=fix)

    def _problems(self, module, meta_graph):
        mapped = set()
        for ref in meta_graph.asset_refs:
            node = ref.tensor.split(":")[0]
            mapped.add(node)
            name = ref.filename
            if not name:
                yield ("asset tensor {!r} is mapped to an empty file name".format(ref.tensor),
                       "export the module again; its asset map is damaged", node)
                continue
            if posixpath.isabs(name) or os.path.isabs(name) or (len(name) > 1 and name[1] == ":"):
                yield (f"asset {name!r} is an absolute path, not a file in assets/",
                       "put the file in the `asset_filepaths` collection so the export copies it into assets/",
                       node)
                continue
            normal = posixpath.normpath(name.replace("\\", "/"))
            if normal == ".." or normal.startswith("../"):
                yield (f"asset {name!r} escapes the module's assets/ folder",
                       "export the module again; asset names are file names inside assets/", node)
                continue
            if normal not in module.asset_files or module.asset_files[normal].size is None:
                yield (f"asset file assets/{normal} is missing",
                       "copy the whole exported folder, including assets/", node)
                continue
            target = os.path.realpath(os.path.join(module.path, "assets", normal))
            root = os.path.realpath(os.path.join(module.path, "assets"))
            if os.path.commonpath([target, root]) != root:
                yield (f"asset file assets/{normal} is a link to {target}, outside the module",
                       "copy the file itself into assets/ instead of linking to it", node)
        for tensor in meta_graph.collection_values("asset_filepaths"):
            if not isinstance(tensor, str):
                continue
            node = tensor.split(":")[0]
            if node in mapped:
                continue
            value = meta_graph.graph.const_value(node)
            shown = f" holding {value.decode('utf-8', 'replace')!r}" if isinstance(value, bytes) else ""
            if value == ASSET_PLACEHOLDER:
                shown = ""
            yield (f"asset path tensor {tensor!r}{shown} is not mapped to a file in assets/",
                   "export the module again with hub so that every `asset_filepaths` entry is copied", node)
