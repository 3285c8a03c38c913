"""The child of hublint's dynamic pass: load one module in TensorFlow, run it, measure it.

This script stands alone: the standard library, NumPy and TensorFlow only, never
hublint, so it runs under any interpreter that has TensorFlow (the publisher's
training environment: ``hublint --load --tf-python PYTHON``).  It reads one JSON
object on stdin::

    {"modules": ["/abs/path", ...], "samples": 20000, "read_limit": 67108864}

(``read_limit``: the largest checkpoint tensor, in bytes, checked for NaN / Inf by
reading it; larger ones are checked in the graph.)

imports TensorFlow once, and writes one JSON document per module, one per line, on
stdout as each module is done (TensorFlow's own output goes to stderr)::

    {"module": "/abs/path", "tensorflow": "2.15.1", "format": "tf1" | "tf2",
     "runs": [{"tag_set": [...], "training": null | bool, "object": "" | "__call__",
               "loaded": bool, "error": str, "signatures": [...], "deterministic": bool | null,
               "batch_independent": bool | null, "dropouts": [...], "batchnorm": [...],
               "regularization": {...} | null, "fine_tune": {...} | null, "invalid_weights": [...]}]}

A TF1 Hub module or TF1 SavedModel is loaded per tag set through ``tf.compat.v1``
(graph, session, ``saved_model.loader.load``), which works in every TensorFlow 2
without tensorflow_hub; a TF2 SavedModel through ``tf.saved_model.load``.
Progress lines ``hublint-child: module PATH`` and ``hublint-child: stage ...`` go
to stderr so that the parent can say which module a crash happened in, and where.
"""

import gc
import json
import math
import os
import sys
import traceback

SEED = 1234
#: the values every moving statistic is set to before the two runs that measure batch-norm momentum
HIGH, LOW = 1.0e4, -1.0e4
#: checkpoint tensors up to this size are read to look for NaN / Inf; larger ones are checked in
#: the graph (a copy of a huge embedding would raise the peak memory by its size)
READ_LIMIT = 64 << 20
#: random ops with ``seed`` / ``seed2`` attributes, where the op registry cannot be asked
SEEDED_OPS = {"RandomUniform", "RandomUniformInt", "RandomStandardNormal", "TruncatedNormal", "RandomShuffle",
              "RandomGamma", "RandomPoisson", "RandomPoissonV2", "Multinomial", "ParameterizedTruncatedNormal"}
#: how synthetic inputs are made, tried in turn until a signature runs: (size of unknown
#: dimensions, strings). Small sizes first, 96 when a network needs a bigger image; words
#: for text, then empty strings, which parse as empty tf.Examples (ParseExample inputs).
ATTEMPTS = ((8, "words"), (96, "words"), (8, "empty"))
KERNEL_OPS = {"MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D", "Conv3D", "Conv1D",
              "DepthwiseConv2dNative", "Conv2DBackpropInput", "Conv3DBackpropInputV2"}
PASS_THROUGH = {"Identity", "ReadVariableOp", "Cast", "Enter", "Switch", "Merge", "IdentityN"}


STAGE = [""]


def stage(text):
    STAGE[0] = text
    sys.stderr.write("hublint-child: stage %s\n" % text)
    sys.stderr.flush()


def error_text(exc):
    """The exception's type and its telling line (TensorFlow wraps it in "Graph execution error" and traces)."""
    skip = ("Graph execution error", "Detected at node", "File ", "[[", "Original stack trace", "Traceback")
    lines = [line.strip() for line in str(exc).splitlines()
             if line.strip() and not line.startswith((" ", "\t")) and not line.strip().startswith(skip)]
    return ("%s: %s" % (type(exc).__name__, lines[0] if lines else ""))[:500]


class Exhausted(Exception):
    """Memory ran out (the parent's address-space limit): stop measuring, report it."""


def check_exhausted(exc):
    if isinstance(exc, Exhausted):
        raise exc
    if type(exc).__name__ in ("ResourceExhaustedError", "MemoryError"):
        raise Exhausted(error_text(exc)) from exc


def main():
    # TensorFlow and the module's own ops may print to stdout: keep stdout for our JSON only.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    limit_malloc_arenas()
    stage("import tensorflow")
    import numpy as np
    import tensorflow as tf

    # The request is read once TensorFlow is imported: hublint starts this process before its
    # static passes, which decide what to measure, and the import runs meanwhile.
    request = json.loads(sys.stdin.read() or "{}")

    # TensorFlow's millions of module-level objects live as long as the process: out of the garbage
    # collector's sight, each collection (every few thousand ops built, and the one after each tag
    # set) walks only the graphs' objects.
    gc.freeze()

    samples = int(request.get("samples", 20000))
    read_limit = int(request.get("read_limit", READ_LIMIT))
    modules = request["modules"] if "modules" in request else [request["module"]]
    for path in modules:
        # One line per module, written as soon as it is measured: a crash later costs only its own module.
        sys.stderr.write("hublint-child: module %s\n" % path)
        out.write(json.dumps(measure_module(tf, np, path, samples, read_limit), default=_json_default))
        out.write("\n")
        out.flush()
    # Everything is written: skip the interpreter's and TensorFlow's teardown (its thread pools and
    # graphs take ~1 s to destroy on a large module, and the parent waits for this process to end).
    sys.stderr.flush()
    os._exit(0)


def limit_malloc_arenas():
    """At most two glibc malloc arenas (set before TensorFlow starts its threads).  Each thread of
    TensorFlow's pools otherwise gets an arena of its own, and a backward pass's many large temporary
    tensors, freed in one arena and needed in another, raise the peak memory by ~10% at no gain in
    speed (two arenas: same wall time).  Nothing else changes: a no-op where this is not glibc."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def measure_module(tf, np, path, samples, read_limit=READ_LIMIT):
    result = {"module": path, "tensorflow": tf.__version__, "runs": []}
    tf.random.set_seed(SEED)
    try:
        result["format"] = detect_format(path)
        if result["format"] == "tf1":
            tag_sets = tf1_tag_sets(path)
            trained = [tags for tags in tag_sets if "train" in tags] or tag_sets[:1]
            stage("read checkpoint")
            checked = checkpoint_weights(tf, np, path, read_limit)
            for tags in tag_sets:
                run = Tf1Run(tf, np, path, tags, samples, train=tags in trained, checked_weights=checked).run()
                result["runs"].append(run)
                if checked is None and run["loaded"] and "weights and regularization" not in run.get("step_errors", {}):
                    checked = (run["invalid_weights"], set())  # every tag set restores the same checkpoint
                gc.collect()  # the tag set's graph and session: only one graph in memory at a time
        else:
            result["runs"].extend(Tf2Run(tf, np, path, samples).run())
    except Exhausted as exc:
        result["memory_exhausted"] = "%s (while %s)" % (exc, STAGE[0])
    except Exception as exc:  # the module could not even be inspected
        result["error"] = error_text(exc)
        result["traceback"] = traceback.format_exc()
    return result


def _json_default(value):
    try:
        return value.item()
    except AttributeError:
        return str(value)


def _finite(x):
    return x if x is None or math.isfinite(x) else None


# -- formats ----------------------------------------------------------------------------

def _saved_model(path):
    from tensorflow.core.protobuf import saved_model_pb2

    message = saved_model_pb2.SavedModel()
    pb = os.path.join(path, "saved_model.pb")
    if os.path.exists(pb):
        with open(pb, "rb") as handle:
            message.ParseFromString(handle.read())
    else:
        from google.protobuf import text_format

        with open(os.path.join(path, "saved_model.pbtxt")) as handle:
            text_format.Parse(handle.read(), message)
    return message


def detect_format(path):
    if os.path.exists(os.path.join(path, "tfhub_module.pb")):
        return "tf1"
    message = _saved_model(path)
    if any(len(m.object_graph_def.nodes) for m in message.meta_graphs):
        return "tf2"
    return "tf1"


def tf1_tag_sets(path):
    return [sorted(m.meta_info_def.tags) for m in _saved_model(path).meta_graphs]


def checkpoint_weights(tf, np, path, read_limit):
    """NaN / Inf in the module's checkpoint, read one tensor at a time (no graph ops, no executor:
    ~1,500 ops and a session run on a large network): ``(invalid_weights, unread)``, ``unread`` the
    names of the float tensors too large to read here; None when there is no checkpoint to read
    (every tag set then checks its restored variables in its graph)."""
    try:
        reader = tf.compat.v1.train.NewCheckpointReader(os.path.join(path, "variables", "variables"))
        dtypes, shapes = reader.get_variable_to_dtype_map(), reader.get_variable_to_shape_map()
    except Exception as exc:  # no checkpoint, or one this reader cannot read: the graph restores it
        check_exhausted(exc)
        return None
    invalid, unread = [], set()
    for name in sorted(dtypes):
        dtype = dtypes[name]
        if not dtype.is_floating:
            continue
        if int(np.prod(shapes[name], dtype=np.int64)) * dtype.size > read_limit:
            unread.add(name)
            continue
        value = np.asarray(reader.get_tensor(name), dtype=np.float32 if dtype.size < 4 else None)
        if not np.isfinite(value).all():
            invalid.append({"name": name, "nan": int(np.isnan(value).sum()), "inf": int(np.isinf(value).sum())})
    return invalid, unread


def scalar_sum(tf, tensor):
    """The sum of ``tensor`` as a float32 scalar, with no new op for a float32 scalar (what a
    regularization loss usually is): the gradient of each ``reduce_sum`` costs ~10 ops to build."""
    if tensor.dtype.base_dtype != tf.float32:
        tensor = tf.cast(tensor, tf.float32)
    return tensor if tensor.shape.rank == 0 else tf.reduce_sum(tensor)


class Scalars:
    """Whole-tensor checks as scalars, two ops each: ``tf.reduce_all`` builds its axis constant (or
    a ``Range``) anew for every tensor, ~10 ms of op building each on a network's hundreds of
    variables; here one constant per rank and per dtype serves them all."""

    def __init__(self, tf):
        self.tf, self._vectors, self._zeros = tf, {}, {}

    def _vector(self, values):
        """An int32 constant holding ``values``, built once."""
        values = tuple(values)
        if values not in self._vectors:
            self._vectors[values] = self.tf.constant(list(values), self.tf.int32)
        return self._vectors[values]

    def _reduce(self, op, tensor):
        rank = tensor.shape.rank
        if rank is None:
            return {"All": self.tf.reduce_all, "Any": self.tf.reduce_any}[op](tensor)
        return getattr(self.tf.raw_ops, op)(input=tensor, axis=self._vector(range(rank)))

    def all_finite(self, tensor):
        return self._reduce("All", self.tf.math.is_finite(tensor))

    def any_nonzero(self, tensor):
        dtype = tensor.dtype.base_dtype
        if dtype not in self._zeros:
            self._zeros[dtype] = self.tf.constant(0, dtype)
        return self._reduce("Any", self.tf.raw_ops.NotEqual(x=tensor, y=self._zeros[dtype]))

    def fill(self, variable, value):
        """``variable``'s shape filled with the scalar ``value``."""
        shape = variable.shape
        if not shape.is_fully_defined():
            return self.tf.fill(self.tf.shape(variable), value)
        return self.tf.raw_ops.Fill(dims=self._vector(shape.as_list()), value=value)


def gradients(tf, objective, variables):
    """``tf.gradients`` without colocating each gradient op with its forward op (one CPU: nothing
    to colocate, and the colocation scopes cost a fifth of the time of building the gradients)."""
    return tf.compat.v1.gradients(objective, variables, colocate_gradients_with_ops=False)


# -- synthetic inputs -------------------------------------------------------------------

def synthetic(np, dtype_name, shape, batch, attempt, variant=0):
    """A value for an input of ``dtype_name`` and ``shape`` (None: unknown rank; -1/None dims)."""
    unknown, strings = attempt
    if shape is None:
        shape = [-1]
    dims = []
    for i, d in enumerate(shape):
        if d is None or d < 0:
            dims.append(batch if i == 0 else unknown)
        else:
            dims.append(d)
    rng = np.random.RandomState(SEED + variant)
    if dtype_name == "string" and strings == "empty":
        return np.array([b""] * (int(np.prod(dims)) if dims else 1), dtype=object).reshape(dims)
    if dtype_name == "string":
        words = ["the", "quick", "brown", "fox", "hub", "module", "jumps"]
        flat = [" ".join(rng.choice(words, 3)).encode() for _ in range(int(np.prod(dims)) if dims else 1)]
        return np.array(flat, dtype=object).reshape(dims)
    if dtype_name == "bool":  # a flag (``training``, ``is_training``): off, as at inference
        return np.zeros(dims, dtype=bool)
    if dtype_name.startswith("int") or dtype_name.startswith("uint"):
        return rng.randint(0, 3, size=dims).astype(dtype_name)
    if dtype_name.startswith("float") or dtype_name == "bfloat16" or dtype_name == "half":
        return rng.uniform(-1.0, 1.0, size=dims).astype("float32" if dtype_name == "bfloat16" else dtype_name)
    raise ValueError("no synthetic value for dtype %s" % dtype_name)


def changed_rest(np, value, dtype_name):
    """``value`` with every example but the first replaced (batch independence)."""
    if dtype_name == "string" and value.size and all(v == b"" for v in value.flat):
        return value  # empty tf.Examples: nothing to vary
    other = synthetic(np, dtype_name, list(value.shape), value.shape[0], ATTEMPTS[0], variant=7)
    other = other.reshape(value.shape) if other.size == value.size else other
    changed = value.copy()
    changed[1:] = other[1:]
    return changed


def first_example_is(np, alone, batch):
    """Whether ``alone`` (a batch of 1) is the first example of ``batch``."""
    alone, batch = np.asarray(alone), np.asarray(batch)
    return alone.ndim > 0 and batch.ndim == alone.ndim and len(alone) == 1 and len(batch) > 0 \
        and alone.shape[1:] == batch.shape[1:] and bool(np.array_equal(alone[0], batch[0]))


def first_examples_agree(np, alone, among):
    """Whether every output of a batch of 1 (``alone``) matches the first example of the same
    output of a batch of 3 (``among``), within float tolerance."""
    for key in among:
        a, b = np.asarray(alone[key]), np.asarray(among[key])
        if a.ndim and b.ndim and b.shape[0] == 3 and a.shape[0] == 1 and a.shape[1:] == b.shape[1:]:
            if not same(np, a, b[:1], exact=False):
                return False
    return True


def same(np, a, b, exact=True):
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True)) if exact else bool(np.allclose(a, b, rtol=1e-4, atol=1e-5, equal_nan=True))
    return bool(np.array_equal(a, b))


def shape_ok(declared, actual):
    if declared is None:
        return True
    if len(declared) != len(actual):
        return False
    return all(d is None or d < 0 or d == a for d, a in zip(declared, actual))


def dropout_entry(node, kept, total):
    rate = 1.0 - kept / total if total else None
    half = 1.96 * math.sqrt(rate * (1 - rate) / total) if total else None
    return {"node": node, "rate": rate, "samples": total, "ci95": half}


def momentum_entry(np, variable, up, down):
    """The ``batchnorm`` entry of a moving statistic read after one update from HIGH (``up``) and
    one from LOW (``down``): m solved from ``x' = m * x + (1 - m) * s`` (the median over its
    elements), or not updated when both reads are still where they were set."""
    up, down = np.asarray(up, np.float64), np.asarray(down, np.float64)
    if np.all(up == HIGH) and np.all(down == LOW):
        return {"variable": variable, "updated": False, "momentum": None}
    return {"variable": variable, "updated": True, "momentum": round(float(np.median((up - down) / (HIGH - LOW))), 6)}


def consumers(op, through):
    """Every op that takes an output of ``op``, directly or through ops of the types ``through``."""
    seen, frontier = set(), [op]
    while frontier:
        for out in frontier.pop().outputs:
            for consumer in out.consumers():
                if consumer.name not in seen:
                    seen.add(consumer.name)
                    yield consumer
                    if consumer.type in through:
                        frontier.append(consumer)


# -- dropout masks, found structurally (TF1 graphs, and TF2 traces imported into a graph) ----

RANDOM_OPS = ("RandomUniform", "StatelessRandomUniformV2", "StatelessRandomUniform")


def dropout_masks(graph):
    """(mask op, the random op it is drawn from): the module pass names a dropout by that op."""
    masks = []
    for op in graph.get_operations():
        if op.type in ("GreaterEqual", "Floor"):
            source = random_source(op.inputs[0].op)
            if source is not None:
                masks.append((op, source))
    return masks


def random_source(op, depth=0):
    if op.type in RANDOM_OPS:
        return op.name
    if depth > 4 or op.type not in ("Add", "AddV2", "Mul", "Identity", "Sub", "RealDiv"):
        return None
    for tensor in op.inputs:
        source = random_source(tensor.op, depth + 1)
        if source is not None:
            return source
    return None


def sample_masks(np, session, graph, masks, samples, feeds):
    """The ``dropouts`` entries of ``masks``, all sampled in one run of ``session``: each random op's
    shape input is fed a shape of ``samples`` units (the mask depends only on the rate)."""
    feeds = dict(feeds)
    for _, source in masks:
        shape_input = graph.get_operation_by_name(source).inputs[0]
        dims = shape_input.shape.as_list() if shape_input.shape.rank == 1 else None
        rank = dims[0] if dims and dims[0] is not None else 1
        feeds[shape_input] = np.array([samples] + [1] * (rank - 1), dtype=shape_input.dtype.as_numpy_dtype)
    fetch = [mask.outputs[0] for mask, _ in masks]
    try:
        values = session.run(fetch, feed_dict=feeds)
    except Exception as exc:  # e.g. a mask in an untaken cond branch: each on its own
        check_exhausted(exc)
        values = []
        for tensor in fetch:
            try:
                values.append(session.run(tensor, feed_dict=feeds))
            except Exception as inner:
                check_exhausted(inner)
                values.append(inner)
    entries = []
    for (mask, source), value in zip(masks, values):
        if isinstance(value, Exception):
            entries.append({"node": mask.name, "source": source, "rate": None, "samples": 0,
                            "ci95": None, "error": error_text(value)})
            continue
        value = np.asarray(value, dtype=np.float64)
        entry = dropout_entry(mask.name, float(value.sum()), value.size)
        entry["source"] = source
        entries.append(entry)
    return entries


#: ops that call a library function unconditionally, and how deep ``Tf2Run.traced_dropout`` follows them
CALL_OPS = ("StatefulPartitionedCall", "PartitionedCall")
CALL_DEPTH = 3


def function_graph_def(function_def, library):
    """A GraphDef of the library function ``function_def``'s body (its arguments as placeholders,
    ``library`` for the functions it calls); None where this TensorFlow cannot convert it."""
    try:
        from tensorflow.python.framework.function_def_to_graph import function_def_to_graph_def

        graph_def = function_def_to_graph_def(function_def)[0]
    except Exception as exc:  # a private module: absent or changed in some TensorFlow
        check_exhausted(exc)
        return None
    graph_def.library.CopyFrom(library)
    return graph_def


def seed_random_ops(graph_def):
    """Give every random op that draws a fresh seed per process (``seed`` and ``seed2`` both 0 or,
    as exports strip default values, absent) a fixed one derived from its name: the measured dropout
    rates are then the same in every run of hublint, and the ops still draw new values at every step."""
    import zlib

    seeded = {}

    def takes_seed(op_type):
        if op_type not in seeded:
            try:
                from tensorflow.python.framework import op_def_registry

                names = {attr.name for attr in op_def_registry.get(op_type).attr}
            except Exception:  # an op this TensorFlow does not know, or no registry: the usual ones
                names = {"seed", "seed2"} if op_type in SEEDED_OPS else set()
            seeded[op_type] = {"seed", "seed2"} <= names
        return seeded[op_type]

    for nodes in [graph_def.node] + [function.node_def for function in graph_def.library.function]:
        for node in nodes:
            attrs = node.attr
            if takes_seed(node.op) and attrs["seed"].i == 0 and attrs["seed2"].i == 0:
                attrs["seed"].i = SEED
                attrs["seed2"].i = zlib.crc32(node.name.encode()) or 1


def load_seeded(v1, session, tags, path):
    """``saved_model.loader.load`` of ``tags``, with its random ops seeded (``seed_random_ops``) in
    the loaded copy of the graph: the module's files are not touched."""
    try:
        from tensorflow.python.saved_model import loader_impl

        loader = loader_impl.SavedModelLoader(path)
        meta = loader.get_meta_graph_def_from_tags(tags)  # the very proto ``load`` imports
    except (ImportError, AttributeError):  # a TensorFlow without this private module: unseeded
        return v1.saved_model.loader.load(session, tags, path)
    seed_random_ops(meta.graph_def)
    return loader.load(session, tags)


# -- TF1: one tag set, graph and session ------------------------------------------------

def session_config(v1):
    """No grappler: its passes (constant folding, layout, remapping, ...) run again for every new set
    of fetches and cost seconds per executor on a large network (as much as the run itself), while
    they only make repeated runs faster: each executor here runs a few times.  They never change
    what a graph computes, so the measurements are the same without them."""
    config = v1.ConfigProto()
    config.graph_options.rewrite_options.disable_meta_optimizer = True
    return config


class Tf1Run:
    def __init__(self, tf, np, path, tags, samples, train=False, checked_weights=None):
        """``train``: this tag set is the module's train graph (``train``, else the only one): it
        gets the fine-tune step and the batch-norm measurement.  ``checked_weights``: the
        ``(invalid_weights, unread)`` of the checkpoint every tag set restores (``checkpoint_weights``,
        or another tag set's graph: ``unread`` empty); None: check every variable here."""
        self.tf, self.np, self.path, self.tags, self.samples, self.train = tf, np, path, tags, samples, train
        self.checked_weights = checked_weights
        #: the checks ``weights_and_regularization`` builds, and whether a run has taken them
        self.checks, self.checked = None, True
        #: the batch-norm plan (``prepare_batchnorm``), and its reads after runs from HIGH and LOW
        self.plan, self.moving_after = None, {}
        #: what the default signature's runs fetch besides its outputs (``run_outputs``)
        self.riders = {}
        #: the regularization's gradient per trainable variable and its total, for the fine-tune step
        self.regularization_grads, self.regularization_total = {}, None
        #: the training flags fed True for the train measurements (``training_flags``), once found
        self.flags = None
        self.scalars = Scalars(tf)
        #: (signature, batch) -> (feeds, outputs) of the signatures step's runs (variant 0), reused by
        #: the determinism check and the fine-tune step instead of running the same feeds again
        self.signature_runs = {}
        self.entry = {"tag_set": tags, "training": None, "object": "", "loaded": False, "error": "",
                      "signatures": [], "deterministic": None, "batch_independent": None, "dropouts": [],
                      "batchnorm": [], "regularization": None, "fine_tune": None, "invalid_weights": [],
                      "training_inputs": []}

    def run(self):
        tf = self.tf
        v1 = tf.compat.v1
        stage("load tag set %s" % self.tags)
        self.graph = tf.Graph()
        with self.graph.as_default():
            v1.set_random_seed(SEED)
            self.session = v1.Session(graph=self.graph, config=session_config(v1))
            try:
                meta = load_seeded(v1, self.session, self.tags, self.path)
            except Exception as exc:
                check_exhausted(exc)
                self.entry["error"] = error_text(exc)
                return self.entry
            self.entry["loaded"] = True
            self.meta = meta
            if not meta.collection_def.get("saved_model_main_op") and not meta.collection_def.get("legacy_init_op"):
                # What hub.Module and a MonitoredSession do for a graph without its own init op.
                tables = self.graph.get_collection(v1.GraphKeys.TABLE_INITIALIZERS)
                if tables:
                    self.session.run(tables, feed_dict=self.asset_feeds(meta))
            # Each distinct set of fetches costs TensorFlow a new executor (pruning the graph and
            # creating its kernels: a second or more on a large network), so the steps share them: the
            # checks of the weights and the regularization and the batch-norm updates ride on the
            # default signature's runs (``run_outputs``), one small run samples every dropout mask,
            # and the fine-tune step has one executor.
            steps = [("weights and regularization", self.weights_and_regularization),
                     ("batch norm", self.prepare_batchnorm), ("signatures", self.signatures),
                     ("determinism", self.determinism), ("dropout", self.dropout), ("fine-tune", self.fine_tune),
                     ("batch norm", self.batchnorm)]
            for name, step in steps:
                stage("%s %s" % (name, self.tags))
                try:
                    step()
                except Exception as exc:
                    check_exhausted(exc)
                    self.entry.setdefault("step_errors", {})[name] = error_text(exc)
            if not self.checked:  # no run of the default signature took them
                stage("weights and regularization %s" % self.tags)
                try:
                    self.finish_checks()
                except Exception as exc:
                    check_exhausted(exc)
                    self.entry.setdefault("step_errors", {})["weights and regularization"] = error_text(exc)
            self.session.close()
        return self.entry

    def asset_feeds(self, meta):
        """The module's own files for its asset-path tensors (as the loader feeds its init op)."""
        from tensorflow.core.protobuf import meta_graph_pb2

        assets = list(meta.asset_file_def)
        for item in meta.collection_def["saved_model_assets"].any_list.value if "saved_model_assets" in meta.collection_def else []:
            asset = meta_graph_pb2.AssetFileDef()
            if item.Unpack(asset):
                assets.append(asset)
        return {asset.tensor_info.name: os.path.join(self.path, "assets", asset.filename) for asset in assets
                if asset.tensor_info.name}

    # variables
    def variables(self, trainable=False):
        v1 = self.tf.compat.v1
        key = v1.GraphKeys.TRAINABLE_VARIABLES if trainable else v1.GraphKeys.GLOBAL_VARIABLES
        return list(self.graph.get_collection(key))

    def weights_and_regularization(self):
        """Builds the checks of this step: NaN / Inf in the restored variables that
        ``checkpoint_weights`` could not read, and the regularization losses with the kernels their
        gradient reaches, decided in the graph (no copy of the weights in this process).  They ride
        on the default signature's runs (``run_outputs``): a run of their own would cost one more
        executor, seconds on a large network.  ``finish_checks`` runs them alone if none ran."""
        tf = self.tf
        losses = self.graph.get_collection(tf.compat.v1.GraphKeys.REGULARIZATION_LOSSES)
        floats = [v for v in self.variables() if v.dtype.base_dtype.is_floating]
        if self.checked_weights is None:
            variables = floats
        else:
            self.entry["invalid_weights"] = list(self.checked_weights[0])
            variables = [v for v in floats if v.op.name in self.checked_weights[1]]
        checks = {}
        with self.graph.as_default():
            if variables:
                checks["finite"] = [self.scalars.all_finite(v.value()) for v in variables]
            if losses:
                trainable = self.variables(trainable=True)
                total = tf.add_n([scalar_sum(tf, loss) for loss in losses])
                grads = gradients(tf, total, trainable)
                # Kept for the fine-tune step, whose objective includes the same losses.
                self.regularization_grads = dict(zip(trainable, grads))
                self.regularization_total = total
                kernels = [v for v in trainable if self.is_kernel(v)]
                # The loss, and whether each kernel's gradient has a non-zero entry.
                checks["loss"] = total
                checks["reached"] = [self.scalars.any_nonzero(self.regularization_grads[v])
                                     if self.regularization_grads[v] is not None else tf.constant(False)
                                     for v in kernels]
            else:
                kernels = []
                self.entry["regularization"] = {"losses": 0, "loss": None, "finite": None, "kernels": [],
                                                "kernels_covered": []}
        self.checks = (checks, variables, kernels, len(losses)) if checks else None
        self.checked = not checks
        if checks:
            self.riders["checks"] = checks

    def finish_checks(self, values=None):
        """The entries of ``weights_and_regularization``'s checks, from ``values`` (a run of
        them), else from a run of their own."""
        checks, variables, kernels, losses = self.checks
        self.checked = True
        if values is None:
            values = self.session.run(checks)
        bad = [v for v, ok in zip(variables, values.get("finite", [])) if not ok]
        if bad:
            with self.graph.as_default():
                counts = [(self.tf.reduce_sum(self.tf.cast(self.tf.math.is_nan(v.value()), self.tf.int64)),
                           self.tf.reduce_sum(self.tf.cast(self.tf.math.is_inf(v.value()), self.tf.int64)))
                          for v in bad]
            for variable, (nan, inf) in zip(bad, self.session.run(counts)):
                self.entry["invalid_weights"].append({"name": variable.op.name, "nan": int(nan), "inf": int(inf)})
        if "loss" in values:
            loss = float(values["loss"])
            self.entry["regularization"] = {"losses": losses, "loss": _finite(loss), "finite": math.isfinite(loss),
                                            "kernels": [v.op.name for v in kernels],
                                            "kernels_covered": [v.op.name for v, hit in zip(kernels, values["reached"])
                                                                if hit]}

    # signatures
    def signature_specs(self, name):
        sig = self.meta.signature_def[name]
        inputs, outputs = {}, {}
        for table, target in ((sig.inputs, inputs), (sig.outputs, outputs)):
            for key, info in table.items():
                if info.WhichOneof("encoding") != "name":
                    target[key] = None  # sparse / composite: not synthesized
                    continue
                dtype = self.tf.dtypes.as_dtype(info.dtype).name
                shape = None if info.tensor_shape.unknown_rank else [d.size for d in info.tensor_shape.dim]
                target[key] = (info.name, dtype, shape)
        return inputs, outputs

    def feeds(self, inputs, batch, unknown, variant=0):
        feeds = {}
        for key, spec in sorted(inputs.items()):
            if spec is None:
                raise ValueError("input %r is sparse or composite: not synthesized" % key)
            name, dtype, shape = spec
            tensor_shape = self.graph.get_tensor_by_name(name).shape
            if shape is None and tensor_shape.rank is not None:
                shape = [-1 if d is None else d for d in tensor_shape.as_list()]
            feeds[name] = synthetic(self.np, dtype, shape, batch, unknown, variant)
        return feeds

    def run_signature(self, name, batch, variant=0, start=None):
        """(feeds, outputs dict) with the first unknown-dim size that works."""
        inputs, _ = self.signature_specs(name)
        last = None
        for unknown in ATTEMPTS:
            feeds = self.feeds(inputs, batch, unknown, variant)
            try:
                return feeds, self.run_outputs(name, feeds, start)
            except Exception as exc:
                check_exhausted(exc)
                last = exc
        raise last

    def run_outputs(self, name, feeds, start=None):
        """The outputs of signature ``name`` on ``feeds``.  Every run of the default signature also
        fetches what rides on it (cheap next to the network, and one executor for all):
        ``weights_and_regularization``'s checks, whose values the first run that succeeds gives,
        and the batch-norm plan's reads of the moving statistics after their updates, kept when
        ``start`` set the statistics before the run."""
        _, outputs = self.signature_specs(name)
        fetch = {k: v[0] for k, v in outputs.items() if v is not None}
        riders = self.riders if name == self.default_signature() else {}
        if not riders:
            return self.session.run(fetch, feed_dict=feeds)
        if start is not None and "reads" in riders:
            self.session.run(self.plan["setters"], feed_dict={self.plan["start"]: start})
        values = self.session.run(dict(riders, outputs=fetch), feed_dict=feeds)
        if "checks" in values and not self.checked:
            self.finish_checks(values["checks"])
        if start is not None and "reads" in values:
            self.moving_after[start] = values["reads"]
        return values["outputs"]

    def runnable_signatures(self):
        return sorted(k for k in self.meta.signature_def if not k.startswith("__"))

    def signatures(self):
        for name in self.runnable_signatures():
            _, outputs = self.signature_specs(name)
            record = {"name": name, "ok": True, "error": "", "mismatches": []}
            self.entry["signatures"].append(record)
            for batch in (1, 3):
                start = HIGH if name == self.default_signature() and batch == 1 else None
                try:
                    feeds, values = self.run_signature(name, batch, start=start)
                    self.signature_runs[name, batch] = (feeds, values)
                except Exception as exc:
                    check_exhausted(exc)
                    record.update(ok=False, error="batch %d: %s" % (batch, error_text(exc)))
                    break
                for key, value in sorted(values.items()):
                    _, dtype, shape = outputs[key]
                    value = self.np.asarray(value)
                    actual = "string" if value.dtype.kind in "OSU" else value.dtype.name
                    if actual != dtype or not shape_ok(shape, list(value.shape)):
                        record["mismatches"].append({"output": key, "batch": batch, "declared_dtype": dtype,
                                                     "declared_shape": shape, "dtype": actual,
                                                     "shape": list(value.shape)})

    def default_signature(self):
        names = self.runnable_signatures()
        for name in ("default", "serving_default"):
            if name in names:
                return name
        return names[0] if names else None

    def determinism(self):
        """The same input twice at batch 1 (the signatures step's run and one more); then the first
        example's outputs alone (batch 1) and among two other examples (batch 3, whose first example
        is the same input: ``synthetic`` draws a batch's values in order) must agree.  A difference
        is confirmed at one batch size (the batch of 3 with its other examples changed), since
        kernels may round differently for different batch sizes: batch dependence is then sure."""
        name = self.default_signature()
        if name is None:
            return
        np = self.np
        inputs, _ = self.signature_specs(name)
        feeds, alone = self.signature_runs.get((name, 1)) or self.run_signature(name, 1)
        second = self.run_outputs(name, feeds, start=LOW)  # the same batch as the run from HIGH
        self.entry["deterministic"] = all(same(np, np.asarray(alone[k]), np.asarray(second[k])) for k in alone)
        batch, among = self.signature_runs.get((name, 3)) or self.run_signature(name, 3)
        self.working_feeds = batch  # the dropout's and batch norm's runs start from these
        if all(same(np, np.asarray(feeds[t]), np.asarray(batch[t])) or first_example_is(np, feeds[t], batch[t])
               for t in feeds) and first_examples_agree(np, alone, among):
            self.entry["batch_independent"] = True
            return
        changed = {}
        for tensor, dtype, _ in inputs.values():
            value = batch[tensor]
            changed[tensor] = changed_rest(np, value, dtype) if value.ndim and value.shape[0] == 3 else value
        self.entry["batch_independent"] = first_examples_agree(
            np, {k: np.asarray(v)[:1] for k, v in among.items()}, self.run_outputs(name, changed))

    # dropout: the mask of each dropout, found structurally
    def dropout(self):
        """Every mask sampled in one run: each random op's shape input is fed a shape of ``samples``
        units, so no forward pass of the network is needed (the mask depends only on the rate)."""
        masks = dropout_masks(self.graph)
        if masks:
            feeds = self.training(getattr(self, "working_feeds", {}) or {})
            self.entry["dropouts"].extend(sample_masks(self.np, self.session, self.graph, masks, self.samples, feeds))

    def training(self, feeds):
        """``feeds`` as a consumer who trains this graph feeds it: every training flag
        (``training_flags``) set to True; the inference checks keep them at their synthetic False."""
        return dict(feeds, **{tensor: self.np.array(True) for tensor in self.training_flags().values()})

    def training_flags(self):
        """{input key: tensor name} of the train graph's training flags: the default signature's
        boolean scalar inputs that are the predicate of a ``Switch`` (a TF1 ``cond``: the dropout and
        the training-mode batch norm of ``tf.layers`` / tf-slim given a tensor ``training``),
        directly or through ``Identity`` ops.  Found once; the entry names them."""
        if self.flags is None:
            self.flags = self.find_training_flags() if self.train else {}
            self.entry["training_inputs"] = sorted(self.flags)
        return self.flags

    def find_training_flags(self):
        name = self.default_signature()
        flags = {}
        for key, spec in sorted(self.signature_specs(name)[0].items() if name else ()):
            if spec is None or spec[1] != "bool" or spec[2] not in ([], None):
                continue
            flag = self.graph.get_tensor_by_name(spec[0])
            if flag.shape.rank != 0:
                continue
            chain = {flag.op.name}
            for op in consumers(flag.op, ("Identity",)):
                if op.type == "Identity":
                    chain.add(op.name)
                elif op.type in ("Switch", "RefSwitch") and op.inputs[1].op.name in chain:
                    flags[key] = spec[0]
                    break
        return flags

    # regularization: every loss, and the gradient of their sum per trainable variable
    @staticmethod
    def is_kernel(variable):
        """Whether the variable's value reaches a matmul or convolution (through reads, casts, ...)."""
        return any(op.type in KERNEL_OPS for op in consumers(variable.op, PASS_THROUGH))

    def fine_tune(self):
        """The gradient of (sum of the float outputs + regularization) at batch 1, for every trainable
        variable: whether it exists and is finite, and the objective's value, decided in the graph in
        one run (no copy of the weights or gradients in this process)."""
        tf = self.tf
        trainable = self.variables(trainable=True)
        if not self.train or self.default_signature() is None or not trainable:
            return
        feeds, outputs = {}, []
        for sig in self.runnable_signatures():
            inputs, outs = self.signature_specs(sig)
            ran = self.signature_runs.get((sig, 1))  # the signatures step found these feeds run
            for unknown in ATTEMPTS:
                if ran:
                    f = ran[0]
                else:
                    try:
                        f = self.feeds(inputs, 1, unknown)
                        self.session.run([v[0] for v in outs.values() if v is not None], feed_dict=f)
                    except Exception as exc:
                        check_exhausted(exc)
                        continue
                feeds.update(f)
                outputs += [self.graph.get_tensor_by_name(v[0]) for v in outs.values()
                            if v is not None and v[1].startswith("float")]
                break
        regularization = self.regularization_grads
        with self.graph.as_default():
            terms = [scalar_sum(tf, t) for t in outputs]
            if not terms and not regularization:
                return
            # The regularization's gradients are built already: only the outputs' are new.
            grads = gradients(tf, tf.add_n(terms), trainable) if terms else [None] * len(trainable)
            objective = tf.add_n(terms + ([self.regularization_total] if regularization else []))
        # A variable's gradient is that of the outputs plus that of the regularization.  Each part is
        # checked on its own: their sum would keep every regularization gradient (computed first, as
        # large as its kernel) alive until the backward pass reaches its layer.
        parts = [[g for g in (g, regularization.get(v)) if g is not None] for v, g in zip(trainable, grads)]
        present = [(v, p) for v, p in zip(trainable, parts) if p]
        record = {"objective": None, "no_gradient": [v.op.name for v, p in zip(trainable, parts) if not p],
                  "non_finite_gradient": [], "error": ""}
        self.entry["fine_tune"] = record
        with self.graph.as_default():
            finite = [[self.scalars.all_finite(getattr(g, "values", g)) for g in p] for _, p in present]
        first = self.session.run({"objective": objective, "finite": finite}, feed_dict=self.training(feeds))
        record["objective"] = _finite(float(first["objective"]))
        record["finite"] = math.isfinite(float(first["objective"]))
        record["non_finite_gradient"] = [v.op.name for (v, _), ok in zip(present, first["finite"]) if not all(ok)]

    @staticmethod
    def reaches(tensor, ops):
        """Whether the value of ``tensor`` depends (through inputs or control inputs) on any of ``ops``.
        A fused batch norm in training mode normalizes with its batch's statistics: its output does
        not depend on the moving statistics it also takes (for their running average)."""
        wanted = {op.name for op in ops}
        seen, frontier = set(), [(tensor.op, tensor.value_index)]
        while frontier:
            op, index = frontier.pop()
            inputs = list(op.inputs)
            if index == 0 and op.type.startswith("FusedBatchNorm") and op.get_attr("is_training"):
                inputs, key = inputs[:3], (op.name, 0)  # x, scale, offset
            else:
                key = (op.name, None)
            if key in seen:
                continue
            seen.add(key)
            if op.name in wanted:
                return True
            frontier.extend((t.op, t.value_index) for t in inputs)
            frontier.extend((c, None) for c in op.control_inputs)
        return False

    # batch norm: solve the momentum of every moving statistic that the updates change
    def prepare_batchnorm(self):
        """The ops that set every moving statistic and read it after the updates (None when this tag
        set's batch norms are not measured).  When the default signature's outputs do not depend on
        the statistics (batch norm in training mode) and no check reads them, the reads ride on its
        runs: the batch-1 run from HIGH and the determinism's second run, on the same batch, from
        LOW.  Otherwise ``batchnorm`` measures them in runs of their own, after the other steps."""
        tf = self.tf
        update_ops = self.graph.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        name = self.default_signature()
        moving = [v for v in self.variables() if not v.trainable and v.dtype.base_dtype.is_floating]
        if not moving or name is None or not (self.train or update_ops):
            return  # an inference graph: batch dependence (HUB303) shows batch norm in training mode
        _, outputs = self.signature_specs(name)
        outputs = [self.graph.get_tensor_by_name(v[0]) for v in outputs.values() if v is not None]
        with self.graph.as_default():
            # One scalar sets every moving statistic (one executor for both starts); the reads wait for
            # the updates (and the outputs: tf-slim's updates_collections=None runs them in place).
            start = tf.compat.v1.placeholder(tf.float64, [])
            starts = {}
            for v in moving:
                dtype = v.dtype.base_dtype
                if dtype not in starts:
                    starts[dtype] = tf.cast(start, dtype)
            setters = [v.assign(self.scalars.fill(v, starts[v.dtype.base_dtype]), read_value=False) for v in moving]
            # One op waits for them all: each read then has one control input, not hundreds.
            updated = tf.group(*(list(update_ops) + outputs))
            with tf.control_dependencies([updated]):
                reads = [tf.identity(v.value()) for v in moving]
        self.plan = {"moving": moving, "update_ops": update_ops, "start": start, "setters": setters, "reads": reads}
        checked = {v.op.name for v in (self.checks[1] if self.checks else [])}
        if not checked & {v.op.name for v in moving} and not self.training_flags() and \
                not any(self.reaches(t, [v.op for v in moving]) for t in outputs):
            self.riders["reads"] = reads

    def batchnorm(self):
        plan = self.plan
        if plan is None:
            return
        results = self.moving_after
        if set(results) != {HIGH, LOW}:  # the signature's runs did not take them: runs of their own
            feeds = self.training(getattr(self, "working_feeds", None) or
                                  self.run_signature(self.default_signature(), 3)[0])
            for value in (HIGH, LOW):
                self.session.run(plan["setters"], feed_dict={plan["start"]: value})
                results[value] = self.session.run(plan["reads"], feed_dict=feeds)
        self.batchnorm_results(plan, results)

    def batchnorm_results(self, plan, results):
        self.entry["update_ops"] = len(plan["update_ops"])
        self.entry["batchnorm"].extend(momentum_entry(self.np, variable.op.name, up, down)
                                       for variable, up, down in zip(plan["moving"], results[HIGH], results[LOW]))


# -- TF2: the object, its __call__ for training False / True, every signature ----------

class Tf2Run:
    def __init__(self, tf, np, path, samples):
        self.tf, self.np, self.path, self.samples = tf, np, path, samples

    def entry(self, obj, training):
        return {"tag_set": ["serve"], "training": training, "object": obj, "loaded": True, "error": "",
                "signatures": [], "deterministic": None, "batch_independent": None, "dropouts": [],
                "batchnorm": [], "regularization": None, "fine_tune": None, "invalid_weights": []}

    def run(self):
        tf = self.tf
        tf.random.set_seed(SEED)
        stage("load object")
        try:
            self.obj = tf.saved_model.load(self.path)
        except Exception as exc:
            check_exhausted(exc)
            entry = self.entry("", None)
            entry.update(loaded=False, error=error_text(exc))
            return [entry]
        base = self.entry("signatures", None)  # the object's signatures, no __call__
        runs = [base]
        self.all_variables = self.collect_variables()
        for name, step in (("weights", self.weights), ("signatures", self.signatures)):
            stage(name)
            try:
                step(base)
            except Exception as exc:
                check_exhausted(exc)
                base.setdefault("step_errors", {})[name] = error_text(exc)
        call = getattr(self.obj, "__call__", None)
        concrete = list(getattr(call, "concrete_functions", []) or []) if call is not None else []
        if concrete:
            self.position = self.training_position()
            for training in ((False, True) if self.position is not None else (None,)):
                entry = self.entry("__call__", training)
                runs.append(entry)
                for name, step in (("call", self.call), ("dropout", self.dropout),
                                   ("regularization", self.regularization),
                                   ("fine-tune", self.fine_tune), ("batch norm", self.batchnorm)):
                    stage("%s training=%s" % (name, training))
                    try:
                        step(entry, concrete, training)
                    except Exception as exc:
                        check_exhausted(exc)
                        entry.setdefault("step_errors", {})[name] = error_text(exc)
        return runs

    def training_position(self):
        """Where ``__call__`` takes ``training`` among its positional arguments (None: it does not)."""
        spec = getattr(self.obj.__call__, "function_spec", None)
        argspec = getattr(spec, "fullargspec", None)
        if argspec is None:
            return None
        names = [name for name in argspec.args if name != "self"]
        if "training" in names:
            return names.index("training")
        if "training" in (argspec.kwonlyargs or []):
            return "training"
        return None

    def collect_variables(self):
        """The object's variables (its ``variables`` list when it has one), each named once in
        ``self.names``: the variable's name, or its object path where names repeat
        (two hand-made layers each with a ``w``)."""
        tf = self.tf
        paths = {}
        stack, visited = [(self.obj, "", 0)], set()
        while stack:  # breadth enough for tf.Module / Keras objects; depth-bounded
            value, path, depth = stack.pop(0)
            if id(value) in visited or depth > 8:
                continue
            visited.add(id(value))
            if isinstance(value, tf.Variable):
                paths.setdefault(id(value), (path, value))
                continue
            if isinstance(value, (list, tuple)):
                children = [(str(i), v) for i, v in enumerate(value)]
            elif isinstance(value, dict):
                children = [(str(k), v) for k, v in value.items()]
            elif hasattr(value, "__dict__"):
                children = [(k, v) for k, v in vars(value).items() if not k.startswith("_")]
            else:
                children = []
            stack.extend((v, (path + "/" + k).lstrip("/"), depth + 1) for k, v in children)
        listed = getattr(self.obj, "variables", None)
        if listed is not None and not callable(listed):
            found, seen = [], set()
            for v in listed:
                if id(v) not in seen:
                    seen.add(id(v))
                    found.append(v)
        else:
            found = [v for _, v in paths.values()]
        names = [v.name.split(":")[0] for v in found]
        self.names = {}
        for variable, name in zip(found, names):
            path = paths.get(id(variable), ("", None))[0]
            self.names[id(variable)] = path if names.count(name) > 1 and path else name
        return found

    def name(self, variable):
        return self.names.get(id(variable)) or variable.name.split(":")[0]

    def trainable(self):
        listed = getattr(self.obj, "trainable_variables", None)
        if listed is not None and not callable(listed):
            return list(listed)
        return [v for v in self.all_variables if v.trainable]

    def weights(self, entry):
        np = self.np
        for variable in self.all_variables:
            value = np.asarray(variable.numpy())
            if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
                entry["invalid_weights"].append({"name": self.name(variable),
                                                 "nan": int(np.isnan(value).sum()), "inf": int(np.isinf(value).sum())})

    def spec_value(self, spec, batch, unknown, variant=0):
        tf = self.tf
        if isinstance(spec, tf.TensorSpec):
            shape = None if spec.shape.rank is None else [-1 if d is None else d for d in spec.shape.as_list()]
            return tf.constant(synthetic(self.np, spec.dtype.name, shape, batch, unknown, variant), dtype=spec.dtype)
        raise ValueError("input spec %r is not a dense tensor: not synthesized" % (spec,))

    def signatures(self, entry):
        np = self.np
        for name in sorted(getattr(self.obj, "signatures", {}) or {}):
            function = self.obj.signatures[name]
            record = {"name": name, "ok": True, "error": "", "mismatches": []}
            entry["signatures"].append(record)
            specs = function.structured_input_signature[1]
            declared = function.structured_outputs
            for batch in (1, 3):
                values, last = None, None
                for unknown in ATTEMPTS:
                    try:
                        values = function(**{k: self.spec_value(s, batch, unknown) for k, s in specs.items()})
                        break
                    except Exception as exc:
                        check_exhausted(exc)
                        last = exc
                if values is None:
                    record.update(ok=False, error="batch %d: %s" % (batch, error_text(last)))
                    break
                for key, value in sorted(values.items()):
                    spec = declared.get(key) if isinstance(declared, dict) else None
                    value = np.asarray(value)
                    actual = "string" if value.dtype.kind in "OSU" else value.dtype.name
                    if spec is None:
                        continue
                    shape = None if spec.shape.rank is None else [-1 if d is None else d for d in spec.shape.as_list()]
                    if actual != spec.dtype.name or not shape_ok(shape, list(value.shape)):
                        record["mismatches"].append({"output": key, "batch": batch, "declared_dtype": spec.dtype.name,
                                                     "declared_shape": shape, "dtype": actual,
                                                     "shape": list(value.shape)})

    def call_inputs(self, concrete, training, batch, unknown, variant=0):
        """Arguments for ``__call__`` from the traced signature that has ``training``."""
        tf = self.tf
        for function in self.traced_for(concrete, training):
            args, kwargs = function.structured_input_signature
            flat = tf.nest.flatten((args, kwargs))
            if any(hasattr(s, "shape") and not isinstance(s, tf.TensorSpec) for s in flat):
                continue  # ragged / sparse specs: not synthesized

            def value(spec):
                return self.spec_value(spec, batch, unknown, variant) if isinstance(spec, tf.TensorSpec) else spec

            return tf.nest.map_structure(value, args), tf.nest.map_structure(value, kwargs)
        raise ValueError("no traced __call__ takes training=%s" % training)

    def traced_for(self, concrete, training):
        """The concrete functions of ``__call__`` traced for ``training`` (all of them when it has none)."""
        for function in concrete:
            args, kwargs = function.structured_input_signature
            if isinstance(self.position, int) and training is not None:
                if len(args) <= self.position or args[self.position] is not training:
                    continue
            if self.position == "training" and kwargs.get("training", training) is not training:
                continue
            yield function

    def invoke(self, concrete, training, batch, variant=0):
        last = None
        for unknown in ATTEMPTS:
            try:
                args, kwargs = self.call_inputs(concrete, training, batch, unknown, variant)
                return (args, kwargs), self.flat_outputs(self.obj(*args, **kwargs))
            except Exception as exc:
                check_exhausted(exc)
                last = exc
        raise last

    def flat_outputs(self, outputs):
        return [self.np.asarray(t) for t in self.tf.nest.flatten(outputs)]

    def call(self, entry, concrete, training):
        np = self.np
        (args, kwargs), first = self.invoke(concrete, training, 3)
        second = self.flat_outputs(self.obj(*args, **kwargs))
        entry["deterministic"] = all(same(np, a, b) for a, b in zip(first, second))
        changed_args = self.tf.nest.map_structure(
            lambda t: self.tf.constant(changed_rest(np, t.numpy(), t.dtype.name))
            if hasattr(t, "numpy") and t.shape.rank and t.shape[0] == 3 else t, args)
        third = self.flat_outputs(self.obj(*changed_args, **kwargs))
        entry["batch_independent"] = all(
            same(np, a[:1], b[:1], exact=False) for a, b in zip(first, third) if a.ndim and a.shape[0] == 3)

    def layer_calls(self):
        """Restored Keras 2 layer calls (``layer-N/call_and_return_conditional_losses``) that take
        ``training`` and one dense float input: (object path, call, its arguments for
        ``training=True``, that trace)."""
        tf = self.tf
        found, seen = [], set()
        stack = [(self.obj, "", 0)]
        while stack:
            value, path, depth = stack.pop(0)
            if depth > 6 or id(value) in seen or not hasattr(value, "__dict__"):
                continue
            seen.add(id(value))
            api = vars(value).get("keras_api")
            call = vars(api).get("call_and_return_conditional_losses") if hasattr(api, "__dict__") else None
            if call is not None and path:
                for function in getattr(call, "concrete_functions", []) or []:
                    args, _ = function.structured_input_signature
                    if (len(args) == 2 and isinstance(args[0], tf.TensorSpec) and args[0].dtype.is_floating
                            and args[1] is True):
                        found.append((path, call, args, function))
                        break
            for key, child in vars(value).items():
                if not key.startswith("_") and key != "keras_api" and "UserObject" in type(child).__name__:
                    stack.append((child, (path + "/" + key).lstrip("/"), depth + 1))
        return found

    def dropout(self, entry, concrete, training):
        """TF2, a restored Keras 2 model: a layer that, given ones with ``training=True``, returns
        only 0 and one constant 1 / (1 - rate) and with ``training=False`` its input, is a dropout:
        its rate is measured.  Any other object (a hand-made ``tf.Module``): the dropout masks of
        the ``__call__`` traces this run takes, sampled in the traced graph (:meth:`traced_dropout`)."""
        np, tf = self.np, self.tf
        if getattr(self, "keras_layers", None) is None:
            self.keras_layers = self.layer_calls()
        if not self.keras_layers:
            self.traced_dropout(entry, concrete, training)
            return
        if training is not True:
            return
        for path, call, args, training_trace in self.keras_layers:
            spec = args[0]
            shape = [3 if d is None else d for d in spec.shape.as_list()] if spec.shape.rank else [3]
            ones = tf.ones(shape, spec.dtype)
            rest = list(args[2:])
            try:
                off = np.asarray(tf.nest.flatten(call(ones, False, *rest))[0])
            except Exception as exc:
                check_exhausted(exc)
                continue
            if off.shape != tuple(shape) or not np.all(off == 1):
                continue  # not the identity at inference: no dropout
            # The mask in the layer's training trace, sampled in its graph: ``samples`` independent
            # draws whatever its noise_shape (a per-example mask gives one draw per example of a call).
            traced = [e for e in self.function_masks(training_trace, set()) if e["rate"] is not None]
            if len(traced) == 1:
                entry["dropouts"].append(dict(traced[0], node=path))
                continue
            kept = total = 0
            scale = None
            for _ in range(1000):
                out = np.asarray(tf.nest.flatten(call(ones, True, *rest))[0], np.float64)
                nonzero = out[out != 0]
                if nonzero.size and scale is None:
                    scale = float(nonzero[0])
                if nonzero.size and not np.allclose(nonzero, scale, rtol=1e-5):
                    break  # varies otherwise: not a dropout mask
                kept += nonzero.size
                total += out.size
                if total >= self.samples:
                    break
            if total >= self.samples and scale is not None and scale >= 1:
                entry["dropouts"].append(dropout_entry(path, kept, total))

    def traced_dropout(self, entry, concrete, training):
        """The dropout masks of each ``__call__`` trace for ``training`` (the trace's graph imported
        into a graph of its own, and the functions it calls, through as many call levels as
        :data:`CALL_DEPTH`), each sampled as in a TF1 graph: the random op's shape input fed
        ``samples`` units, the mask fetched.  The feeds cut the graph: no variables, no inputs.
        Branches of ``cond`` / ``while`` are not entered (a mask there may not run)."""
        seen = set()
        for function in self.traced_for(concrete, training):
            entry["dropouts"].extend(self.function_masks(function, seen))

    def function_masks(self, function, seen):
        """The ``dropouts`` entries of the masks in a traced ``function`` and the functions it calls
        (through :data:`CALL_DEPTH` levels), skipping the functions in ``seen``."""
        tf = self.tf
        graph_def = function.graph.as_graph_def()
        library = {f.signature.name: f for f in graph_def.library.function}
        top = function.name.decode() if isinstance(function.name, bytes) else str(function.name)
        pending, entries = [(top, graph_def, 0)], []
        while pending:
            name, body, depth = pending.pop(0)
            if name in seen:
                continue
            seen.add(name)
            seed_random_ops(body)  # a copy of the trace: the loaded object is not changed
            graph = tf.Graph()
            with graph.as_default():
                tf.compat.v1.import_graph_def(body, name="")
            masks = dropout_masks(graph)
            if masks:
                with tf.compat.v1.Session(graph=graph, config=session_config(tf.compat.v1)) as session:
                    found = sample_masks(self.np, session, graph, masks, self.samples, {})
                for item in found:
                    item["function"] = name
                entries.extend(found)
            if depth >= CALL_DEPTH:
                continue
            for node in body.node:
                callee = node.attr["f"].func.name if node.op in CALL_OPS else ""
                if callee in library and callee not in seen:
                    nested = function_graph_def(library[callee], graph_def.library)
                    if nested is not None:
                        pending.append((callee, nested, depth + 1))
        return entries

    def regularization(self, entry, concrete, training):
        tf, np = self.tf, self.np
        functions = getattr(self.obj, "regularization_losses", None)
        trainable = self.trainable()
        kernels = [v for v in trainable if v.shape.rank is not None and v.shape.rank >= 2]
        if not functions:
            entry["regularization"] = {"losses": 0, "loss": None, "finite": None,
                                       "kernels": [self.name(v) for v in kernels], "kernels_covered": []}
            return
        with tf.GradientTape() as tape:
            total = tf.add_n([tf.cast(tf.reduce_sum(f()), tf.float32) for f in functions])
        grads = tape.gradient(total, kernels) if kernels else []
        loss = float(total.numpy())
        covered = [self.name(v) for v, g in zip(kernels, grads)
                   if g is not None and np.any(np.asarray(tf.convert_to_tensor(g)) != 0)]
        entry["regularization"] = {"losses": len(functions), "loss": _finite(loss), "finite": math.isfinite(loss),
                                   "kernels": [self.name(v) for v in kernels], "kernels_covered": covered}

    def fine_tune(self, entry, concrete, training):
        tf, np = self.tf, self.np
        if training is False:
            return
        trainable = self.trainable()
        if not trainable:
            return
        (args, kwargs), _ = self.invoke(concrete, training, 3)
        functions = getattr(self.obj, "regularization_losses", None) or []
        with tf.GradientTape() as tape:
            outputs = [t for t in tf.nest.flatten(self.obj(*args, **kwargs)) if t.dtype.is_floating]
            terms = [tf.reduce_sum(tf.cast(t, tf.float32)) for t in outputs]
            terms += [tf.cast(tf.reduce_sum(f()), tf.float32) for f in functions]
            objective = tf.add_n(terms) if terms else tf.constant(0.0)
        grads = tape.gradient(objective, trainable)
        record = {"objective": _finite(float(objective.numpy())), "finite": math.isfinite(float(objective.numpy())),
                  "no_gradient": [self.name(v) for v, g in zip(trainable, grads) if g is None],
                  "non_finite_gradient": [self.name(v) for v, g in zip(trainable, grads)
                                          if g is not None and not np.all(np.isfinite(np.asarray(tf.convert_to_tensor(g))))],
                  "error": ""}
        entry["fine_tune"] = record

    def batchnorm(self, entry, concrete, training):
        tf, np = self.tf, self.np
        if training is not True:
            return
        moving = [v for v in self.all_variables if not v.trainable and v.dtype.is_floating]
        if not moving:
            return
        (args, kwargs), _ = self.invoke(concrete, training, 3)
        results = {}
        for start in (HIGH, LOW):
            for variable in moving:
                variable.assign(tf.fill(tf.shape(variable), tf.cast(start, variable.dtype)))
            self.obj(*args, **kwargs)
            results[start] = [v.numpy() for v in moving]
        entry["batchnorm"].extend(momentum_entry(np, self.name(variable), up, down)
                                  for variable, up, down in zip(moving, results[HIGH], results[LOW]))


if __name__ == "__main__":
    main()
