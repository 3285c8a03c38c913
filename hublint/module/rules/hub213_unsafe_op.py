from hublint.finding import Severity
from hublint.module.rules._signatures import PLACEHOLDER_OPS, tensor_names
from hublint.rule import ModuleRule

#: Ops that run Python code the module does not contain.
PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
#: Ops that read or write arbitrary files of the machine the module runs on.
FILE_OPS = frozenset({
    "ReadFile", "WriteFile", "MatchingFiles", "ImmutableConst",
    "WholeFileReader", "WholeFileReaderV2", "TextLineReader", "TextLineReaderV2",
    "TFRecordReader", "TFRecordReaderV2", "FixedLengthRecordReader", "FixedLengthRecordReaderV2",
    "LMDBReader", "TextLineDataset", "TFRecordDataset", "TFRecordDatasetV2",
    "FixedLengthRecordDataset", "FixedLengthRecordDatasetV2", "CSVDataset", "CSVDatasetV2",
    "ExperimentalCSVDataset", "LMDBDataset", "SqlDataset", "ExperimentalSqlDataset",
    "SaveDataset", "SaveDatasetV2", "LoadDataset", "DatasetToTFRecord", "ExperimentalDatasetToTFRecord",
    "CreateSummaryFileWriter", "CreateSummaryDbWriter", "Skipgram",
})
#: Checkpoint ops: fine inside the SavedModel's own saver, nowhere else.
SAVER_OPS = frozenset({"Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice", "MergeV2Checkpoints"})
#: Ops that read the file named by their input ``index``: fine when that file is a module asset.
READS_NAMED_FILE = {"ReadFile": 0, "InitializeTableFromTextFile": 1, "InitializeTableFromTextFileV2": 1}
#: Ops that write where their ``output_stream`` attribute says: stderr, stdout, the log, or ``file://...``.
PRINT_OPS = frozenset({"PrintV2"})
_JUDGED_OPS = PYTHON_OPS | FILE_OPS | SAVER_OPS | PRINT_OPS | frozenset(READS_NAMED_FILE)
#: Collections of ops a consumer runs besides the signatures (initializers, fine-tuning updates).
_RUN_COLLECTIONS = (
    "table_initializer", "saved_model_main_op", "legacy_init_op", "local_init_op", "init_op",
    "update_ops", "train_op", "saved_model_train_op",
)
_CALL_OPS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})


class UnsafeOp(ModuleRule):
    id = "HUB213"
    name = "unsafe-op"
    severity = Severity.ERROR
    summary = (
        "Reports ops in an exported graph (or its functions) that run Python (`PyFunc`, `EagerPyFunc`) "
        "or touch the file system (`ReadFile`, `WriteFile`, `MatchingFiles`, readers and file "
        "datasets, summary writers, `tf.print` to a `file://` stream, `Save*` / `Restore*` outside a "
        "saver). Reading a file that is a module asset is fine, and so is checkpointing: the saver "
        "named in `saver_def`, stray `save_1/` savers, the `_traced_save` / `_traced_restore` "
        "functions `tf.saved_model.save` writes, and the save / restore functions of objects with "
        "custom saving (lookup tables) run only when someone saves or restores variables, with a "
        "file name they pass in."
    )
    rationale = (
        "A consumer loads a module to compute a function of its inputs. A `py_func` needs the "
        "publisher's Python code, which the module does not contain, so it fails everywhere else; "
        "file access reads or writes paths of the consumer's machine, which is wrong at best and a "
        "security problem at worst. Data a module needs belongs in variables or in `assets/`."
    )
    message = "{op} {node!r}{where} {problem}"
    fix = "{fix}"
    bad_modules = ("unsafe_ops", "print_to_file")
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_bad_signature",
        "image_feature_vector", "large_constant", "legacy_variables", "optimizer_slots_missing",
        "signature_no_default_output", "signature_problems", "slim_arg_scope", "slim_inplace_updates",
        "text_bad_signature", "text_embedding", "tf1_parse_example_inputs", "tf1_serving_identity_inputs",
        "tf2_bare", "tf2_lookup_table_traced_save", "tf2_reusable",
    )
    bad = (
        "import numpy as np\n"
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 50])\n"
        "    stats = tf.io.parse_tensor(tf.io.read_file('/home/me/stats.pb'), tf.float32)\n"
        "    clipped = tf.py_func(lambda a: np.clip(a, -3, 3), [x - stats], tf.float32)\n"
        "    hub.add_signature(inputs=x, outputs=tf.layers.dense(clipped, 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import numpy as np\n"
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n"
        "STATS = np.load('/home/me/stats.npy')  # read once, at export time\n\n\n"
        "def module_fn():\n"
        "    x = tf.placeholder(tf.float32, [None, 50])\n"
        "    stats = tf.get_variable('stats', initializer=STATS, trainable=False)\n"
        "    clipped = tf.clip_by_value(x - stats, -3.0, 3.0)\n"
        "    hub.add_signature(inputs=x, outputs=tf.layers.dense(clipped, 10))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, module, config):
        for meta_graph in module.meta_graphs:
            # Most graphs hold none of the judged ops: then the saver is not worth walking.
            judged = [(scope, scope.with_ops(_JUDGED_OPS)) for scope in meta_graph.graph.scopes()]
            if not any(nodes for _, nodes in judged):
                continue
            saver_nodes, saver_functions = _saver_parts(meta_graph)
            assets = _asset_nodes(meta_graph)
            for scope, nodes in judged:
                function = getattr(scope, "name", "")
                if function in saver_functions:
                    continue  # TensorFlow's checkpointing, run only by whoever saves or restores
                for node in nodes:
                    problem = self._problem(scope, node, assets, in_saver=not function and node.name in saver_nodes)
                    if problem is None:
                        continue
                    text, fix = problem
                    yield self.finding(
                        module.location(meta_graph, node.name),
                        op=node.op, node=node.name, where=f" in function {function!r}" if function else "",
                        problem=text, fix=fix,
                    )

    @staticmethod
    def _problem(scope, node, assets, in_saver):
        op = node.op
        if op in PYTHON_OPS:
            return ("runs Python code that is not part of the module",
                    "replace `tf.py_func` / `tf.numpy_function` with TensorFlow ops")
        if op in READS_NAMED_FILE:
            inputs = scope.data_inputs(node)
            index = READS_NAMED_FILE[op]
            source = _through_identity(scope, inputs[index]) if index < len(inputs) else None
            if source is None or source in assets:
                return None
            path = scope.const_value(source)
            if path is None and op != "ReadFile":
                return None  # a file name computed at run time or passed in: not provably outside assets
            shown = f" {path.decode('utf-8', 'replace')!r}" if isinstance(path, bytes) else ""
            return (f"reads file{shown}, which is not a module asset",
                    "bake the data into variables at export time, or ship the file as an asset "
                    "(a string constant in the `asset_filepaths` collection)")
        if op in FILE_OPS:
            return ("touches the file system of the machine that loads the module",
                    "read the data at export time into variables or constants, or ship it as an asset")
        if op in PRINT_OPS:
            stream = scope.attr(node, "output_stream", "stderr")
            if isinstance(stream, bytes):
                stream = stream.decode("utf-8", "replace")
            if not isinstance(stream, str) or not stream.startswith("file://"):
                return None  # stderr, stdout, log(info), ...: the process's own output
            return (f"writes to file {stream[len('file://'):]!r}",
                    "remove the `tf.print(..., output_stream=\"file://...\")` before export, or print to "
                    "stderr (the default)")
        if op in SAVER_OPS and not in_saver:
            return ("reads or writes a checkpoint outside the module's saver",
                    "remove the `tf.train.Saver` from the module function; hub saves the variables itself")
        return None


def _through_identity(scope, name: str) -> str:
    for _ in range(16):
        node = scope.node(name)
        if node is None or node.op not in ("Identity", "Snapshot"):
            return name
        inputs = scope.data_inputs(node)
        if not inputs:
            return name
        name = inputs[0]
    return name


def _asset_nodes(meta_graph) -> frozenset[str]:
    names = [ref.tensor for ref in meta_graph.asset_refs]
    names += [value for value in meta_graph.collection_values("asset_filepaths") if isinstance(value, str)]
    return frozenset(name.split(":")[0].lstrip("^") for name in names)


def _saver_parts(meta_graph) -> tuple[set[str], set[str]]:
    """Top-level nodes and library functions that checkpoint variables, not compute the module.

    Three kinds, each found from the graph's structure: the saver ``saver_def`` names
    (TF1 ``save/``; TF2's calls of ``__inference__traced_save_*`` / ``_traced_restore_*``)
    and everything it reaches; the save / restore functions the object graph lists for
    objects with custom saving (``saveable_objects``: lookup tables); and any other
    saver, such as a stray ``save_1/`` of a second ``tf.train.Saver``: checkpoint ops or
    function calls that no signature or initializer runs and whose file name comes from
    a placeholder, so only a caller who passes a file name runs them.  Whatever a
    consumer runs (signatures, initializers, the object graph's functions) is never
    part of a saver.
    """
    graph = meta_graph.graph
    run_nodes = _run_nodes(meta_graph)
    run_functions = _function_closure(graph, _object_graph_functions(meta_graph, saveable=False)
                                      | {f for name in run_nodes if name in graph.nodes
                                         for f in _called_functions(graph.nodes[name])})
    nodes: set[str] = set()
    functions: set[str] = set(_object_graph_functions(meta_graph, saveable=True))
    saver = meta_graph.proto.saver_def
    roots = [t for t in (saver.save_tensor_name, saver.restore_op_name, saver.filename_tensor_name) if t]
    todo = [root.split(":")[0].lstrip("^") for root in roots]
    while todo:  # control inputs count: restore_all is a NoOp with only control inputs
        name = todo.pop()
        if name in nodes:
            continue
        nodes.add(name)
        node = graph.nodes.get(name)
        if node is None:
            continue
        todo.extend(i.split(":")[0].lstrip("^") for i in node.input)
        functions.update(_called_functions(node))
    candidates = graph.with_ops(SAVER_OPS | _CALL_OPS | frozenset(graph.functions))
    for node in candidates:
        if node.name in nodes or node.name in run_nodes:
            continue
        called = _called_functions(node)
        if (node.op in SAVER_OPS or called) and _file_name_from_placeholder(graph, node):
            nodes.add(node.name)
            functions.update(called)
    return nodes - run_nodes, _function_closure(graph, functions) - run_functions


def _file_name_from_placeholder(graph, node) -> bool:
    """Whether the first input of ``node`` (a checkpoint's file name, a traced save's) is computed from a placeholder."""
    inputs = graph.data_inputs(node)
    if not inputs:
        return False
    found = graph.walk_back(inputs[:1], stop=lambda n: n.op in PLACEHOLDER_OPS)
    return any(getattr(graph.nodes.get(name), "op", None) in PLACEHOLDER_OPS for name in found)


def _run_nodes(meta_graph) -> frozenset[str]:
    """Top-level nodes a consumer runs: what the signatures' outputs and the initializer collections need."""
    starts: list[str] = []
    for signature in meta_graph.signatures.values():
        for info in signature.outputs.values():
            starts.extend(tensor_names(info))
    for key in _RUN_COLLECTIONS:
        starts.extend(v for v in meta_graph.collection_values(key) if isinstance(v, str))
    graph = meta_graph.graph
    seen: set[str] = set()
    todo = [name.split(":")[0].lstrip("^") for name in starts]
    while todo:  # data and control edges: an initializer is a NoOp over control inputs
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        node = graph.nodes.get(name)
        if node is not None:
            todo.extend(i.split(":")[0].lstrip("^") for i in node.input)
    return frozenset(seen)


def _object_graph_functions(meta_graph, saveable: bool) -> set[str]:
    """Functions the TF2 object graph names: the save / restore functions of saveable objects
    (``saveable=True``), or every other function a consumer of the loaded object can call."""
    objects = meta_graph.proto.object_graph_def.nodes
    saver_ids = {ref for obj in objects for saveable_object in obj.saveable_objects.values()
                 for ref in (saveable_object.save_function, saveable_object.restore_function)}
    names: set[str] = set()
    for node_id, obj in enumerate(objects):
        if (node_id in saver_ids) != saveable:
            continue
        kind = obj.WhichOneof("kind")
        if kind == "function":
            names.update(obj.function.concrete_functions)
        elif kind == "bare_concrete_function":
            names.add(obj.bare_concrete_function.concrete_function_name)
    return names


def _function_closure(graph, names: set[str]) -> set[str]:
    """``names`` and every function they call, directly or not."""
    found = set(names)
    pending = list(found)
    while pending:
        body = graph.functions.get(pending.pop())
        if body is None:
            continue
        for node in body:
            for called in _called_functions(node):
                if called not in found:
                    found.add(called)
                    pending.append(called)
    return found


def _called_functions(node) -> set[str]:
    called = set()
    for value in node.attr.values():
        kind = value.WhichOneof("value")
        if kind == "func":
            called.add(value.func.name)
        elif kind == "list":
            called.update(f.name for f in value.list.func)
    return called
