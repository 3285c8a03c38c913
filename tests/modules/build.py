#!/usr/bin/env python3
"""Build the real TF Hub test modules used by hublint's module-pass tests.

Usage:
  python tests/modules/build.py [--out DIR] [--venv DIR] [--only NAME]...

Targets: every publisher in tests/modules/publishers/ (NAME.py exports
tests/modules/exported/NAME/) and the example modules of EXAMPLE_MODULES (a
script in examples/ exports a folder of examples/). With --out DIR every
target is built into DIR/NAME instead.

Steps, each printed as it happens:
  1. Make sure the virtual environment of each toolchain a publisher needs
     exists (see TOOLCHAINS), with its exact pins; it is created (or its
     packages reinstalled) only when missing or at other versions:
     - tf-2.15-hub (default, ~/.cache/hublint/tf-toolchain): Python 3.11,
       tensorflow-cpu 2.15.1, tensorflow-hub 0.15.0, tf-slim 1.1.0, numpy
       1.26.4: the last hub release with the TF1 API. A small import-time fix
       that tf-slim 1.1.0 needs on TF 2.15 is installed into it (TOOLCHAIN_FIX).
     - tf-2.21 (~/.cache/hublint/tf-current): tensorflow 2.21.0, Keras 3,
       tf-keras 2.21.0: the TensorFlow consumers use today, for TF2 exports.
     A publisher picks its toolchain with a line `# hublint-toolchain: NAME`.
  2. Run every publisher (or only the ones named with --only) in its own
     subprocess of its toolchain's Python, with a timeout, exporting to a
     temporary directory that replaces the target's folder on success.
  3. Load every module built with its toolchain's TensorFlow (each tag set of
     a TF1 Hub module through hub.Module, a TF1 SavedModel through the
     tf.compat.v1 loader, TF2 SavedModels through tf.saved_model.load), print
     its signatures, and run them on small synthetic inputs unless the graph
     has ops that touch the file system or run Python.
  4. Write OUT/TOOLCHAIN.json with the versions used (full builds only).

Only PyPI is needed. The script is idempotent: running it again rebuilds the
modules in place and reuses the venvs. Exit status is non-zero on any failure.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PUBLISHERS_DIR = os.path.join(HERE, "publishers")
DEFAULT_OUT = os.path.join(HERE, "exported")
# Modules shipped with the examples, so that `hublint examples/` (the README's
# first command) shows the module pass too: target name -> (publisher script,
# committed folder). Built, verified and compared like the test modules.
EXAMPLE_MODULES = {
    "example_module": (os.path.join(REPO, "examples", "module_publisher.py"),
                       os.path.join(REPO, "examples", "module")),
}
CACHE_DIR = os.path.join(os.path.expanduser("~"), ".cache", "hublint")
DEFAULT_VENV = os.path.join(CACHE_DIR, "tf-toolchain")
PYTHON_VERSION = (3, 11)


class Toolchain(object):
  """One pinned TensorFlow installation that publishers run in."""

  def __init__(self, name, venv, pins, recorded, fix, about):
    self.name = name
    self.venv = venv
    self.pins = pins  # exact pins: distribution name -> version
    self.recorded = recorded  # recorded in TOOLCHAIN.json, left to pip
    self.fix = fix  # whether the tf-slim import fix is installed
    self.about = about


# A publisher names its toolchain in a line `# hublint-toolchain: NAME`;
# without one it runs in the TF1 Hub publisher toolchain.
TF1_HUB_TOOLCHAIN = "tf-2.15-hub"
TOOLCHAINS = {
    # The last TensorFlow Hub release with the TF1 API (create_module_spec,
    # hub.Module) and the TensorFlow it still imports on.
    TF1_HUB_TOOLCHAIN: Toolchain(
        TF1_HUB_TOOLCHAIN, DEFAULT_VENV,
        {"tensorflow-cpu": "2.15.1", "tensorflow-hub": "0.15.0",
         "tf-slim": "1.1.0", "numpy": "1.26.4"},
        ["protobuf", "keras"], True,
        "TF1 Hub format, tf-slim, Keras 2 (tf.keras of TF 2.15)"),
    # The consumer's TensorFlow today: Keras 3 as `keras`, Keras 2 as
    # `tf_keras`. tf-keras requires the `tensorflow` distribution (not
    # tensorflow-cpu); its Linux wheel runs on the CPU without CUDA extras.
    "tf-2.21": Toolchain(
        "tf-2.21", os.path.join(CACHE_DIR, "tf-current"),
        {"tensorflow": "2.21.0", "tf-keras": "2.21.0", "keras": "3.15.1",
         "numpy": "2.4.6"},
        ["protobuf", "h5py"], False,
        "TF2 SavedModels with Keras 3 and tf-keras"),
}
_TOOLCHAIN_LINE = re.compile(r"^# hublint-toolchain: *(\S+) *$", re.M)

PUBLISHER_TIMEOUT = 300  # seconds per publisher
VERIFY_TIMEOUT = 900  # seconds for loading all modules
PIP_TIMEOUT = 1800

# Ops that read or write files or run Python: the verification step loads
# modules that have them but does not run their signatures.
UNSAFE_OPS = frozenset([
    "ReadFile", "WriteFile", "MatchingFiles", "PyFunc", "PyFuncStateless",
    "EagerPyFunc", "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2",
    "RestoreSlice", "ImmutableConst", "FixedLengthRecordReaderV2",
    "TFRecordReaderV2", "TextLineReaderV2", "WholeFileReaderV2",
])

# Modules built to fail loading in one tag set, as a real publisher mistake
# would: name -> (tags, text the error must contain, rule). The verification
# step reports these failures as expected and fails if they do not happen.
EXPECTED_LOAD_FAILURES = {
    "optimizer_slots_missing": (frozenset(["train"]), "not found in",
                                "HUB211"),
}

TOOLCHAIN_FIX_MODULE = "_hublint_toolchain_fix"
TOOLCHAIN_FIX = '''\
"""hublint toolchain fix: make tf-slim 1.1.0 work on TensorFlow 2.15.

Written into this venv by hublint's tests/modules/build.py and loaded at
startup by _hublint_toolchain_fix.pth. tf-slim 1.1.0, its last release, uses
two TensorFlow internals that TF 2.15 no longer has (tf-slim issue #24):

* tensorflow.python.layers.normalization lazily imports
  tf_keras.legacy_tf_layers.normalization, which no tf_keras wheel for TF 2.15
  ships: slim.batch_norm on 2-D inputs (and tf-slim nets such as inception_v3)
  fail with ModuleNotFoundError. Keras 2.15, installed with TF 2.15, has the
  same module as keras.src.legacy_tf_layers.normalization: use that.
* tensorflow.python.framework.ops.Tensor moved to
  tensorflow.python.framework.tensor.Tensor: slim's smart_cond (fused batch
  norm) fails with AttributeError. Restore the alias.

Each patch applies only when the name is missing and changes nothing else.
"""
import importlib.abc
import importlib.machinery
import sys


def _patch_normalization(module):
  try:
    import tf_keras.legacy_tf_layers.normalization  # noqa: F401
    return
  except ImportError:
    pass
  from tensorflow.python.util import lazy_loader
  module.normalization = lazy_loader.LazyLoader(
      "normalization", module.__dict__,
      "keras.src.legacy_tf_layers.normalization")


def _patch_ops(module):
  tensor = sys.modules.get("tensorflow.python.framework.tensor")
  if not hasattr(module, "Tensor") and tensor is not None:
    module.Tensor = tensor.Tensor


_PATCHES = {
    "tensorflow.python.layers.normalization": _patch_normalization,
    "tensorflow.python.framework.ops": _patch_ops,
}


class _Finder(importlib.abc.MetaPathFinder):

  def find_spec(self, fullname, path, target=None):
    patch = _PATCHES.get(fullname)
    if patch is None:
      return None
    spec = importlib.machinery.PathFinder.find_spec(fullname, path)
    if spec is None or spec.loader is None:
      return spec
    original_exec_module = spec.loader.exec_module

    def exec_module(module):
      original_exec_module(module)
      patch(module)

    spec.loader.exec_module = exec_module
    return spec


if not any(type(f).__module__ == __name__ for f in sys.meta_path):
  sys.meta_path.insert(0, _Finder())
'''
TOOLCHAIN_FIX_PTH = "import %s\n" % TOOLCHAIN_FIX_MODULE


class BuildError(Exception):
  pass


def log(message):
  print("[build] " + message, flush=True)


def subprocess_env():
  env = dict(os.environ)
  env["TF_CPP_MIN_LOG_LEVEL"] = "2"
  env["CUDA_VISIBLE_DEVICES"] = ""
  env["PYTHONDONTWRITEBYTECODE"] = "1"
  env["PYTHONHASHSEED"] = "0"
  env.pop("PYTHONPATH", None)
  env.pop("TF_USE_LEGACY_KERAS", None)
  return env


# ---------------------------------------------------------------------------
# Toolchain venv
# ---------------------------------------------------------------------------

def venv_python(venv):
  return os.path.join(venv, "bin", "python")


def find_base_python(requested):
  candidates = [requested] if requested else [sys.executable, "python3.11"]
  for candidate in candidates:
    path = candidate if os.path.sep in candidate else shutil.which(candidate)
    if not path:
      continue
    try:
      out = subprocess.run(
          [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
          capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
      continue
    if tuple(int(p) for p in out.strip().split(".")) == PYTHON_VERSION:
      return path
  raise BuildError(
      "need Python %d.%d to create the toolchain venv (tensorflow-cpu 2.15.1 "
      "has no wheels for other versions); pass it with --python" %
      PYTHON_VERSION)


_PROBE = r"""
import json, sys
from importlib import metadata
names = sys.argv[1:]
versions = {}
for name in names:
  try:
    versions[name] = metadata.version(name)
  except metadata.PackageNotFoundError:
    versions[name] = None
versions["python"] = "%d.%d.%d" % sys.version_info[:3]
print(json.dumps(versions))
"""


def probe_versions(python, toolchain):
  names = list(toolchain.pins) + toolchain.recorded
  try:
    out = subprocess.run([python, "-c", _PROBE] + names, capture_output=True,
                         text=True, timeout=120, check=True,
                         env=subprocess_env()).stdout
  except (OSError, subprocess.SubprocessError):
    return None
  return json.loads(out)


def site_packages(python):
  return subprocess.run(
      [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
      capture_output=True, text=True, timeout=60, check=True).stdout.strip()


def install_toolchain_fix(python):
  purelib = site_packages(python)
  files = {
      os.path.join(purelib, TOOLCHAIN_FIX_MODULE + ".py"): TOOLCHAIN_FIX,
      os.path.join(purelib, TOOLCHAIN_FIX_MODULE + ".pth"): TOOLCHAIN_FIX_PTH,
  }
  for path, content in files.items():
    try:
      with open(path) as f:
        if f.read() == content:
          continue
    except OSError:
      pass
    log("writing toolchain fix %s" % path)
    with open(path, "w") as f:
      f.write(content)


def ensure_venv(toolchain, base_python, venv=None):
  venv = venv or toolchain.venv
  pins = toolchain.pins
  python = venv_python(venv)
  if os.path.exists(python):
    versions = probe_versions(python, toolchain)
    if versions is None:
      raise BuildError("%s exists but its Python does not run; remove the "
                       "directory or choose another with --venv" % venv)
    major_minor = tuple(int(p) for p in versions["python"].split(".")[:2])
    if major_minor != PYTHON_VERSION:
      raise BuildError("%s has Python %s, need %d.%d; remove it or choose "
                       "another with --venv" %
                       ((venv, versions["python"]) + PYTHON_VERSION))
    wrong = {n: versions.get(n) for n, v in pins.items()
             if versions.get(n) != v}
    if not wrong:
      log("reusing %s venv %s (%s)" % (toolchain.name, venv, ", ".join(
          "%s %s" % (n, versions[n]) for n in pins)))
      if toolchain.fix:
        install_toolchain_fix(python)
      return versions
    log("venv %s has %s; installing the pinned versions" % (venv, wrong))
  else:
    base = find_base_python(base_python)
    log("creating toolchain venv %s with %s" % (venv, base))
    os.makedirs(os.path.dirname(venv) or ".", exist_ok=True)
    run_checked([base, "-m", "venv", venv], "creating the venv", timeout=300)
  requirements = ["%s==%s" % item for item in pins.items()]
  log("pip install %s" % " ".join(requirements))
  start = time.time()
  run_checked([python, "-m", "pip", "install", "--disable-pip-version-check",
               "--no-input", "--progress-bar", "off"] + requirements,
              "installing the toolchain with pip", timeout=PIP_TIMEOUT)
  versions = probe_versions(python, toolchain)
  wrong = {n: versions.get(n) for n, v in pins.items() if versions.get(n) != v}
  if wrong:
    raise BuildError("after pip install the venv still has %s" % wrong)
  log("%s installed in %.0f s" % (toolchain.name, time.time() - start))
  if toolchain.fix:
    install_toolchain_fix(python)
  return versions


def run_checked(cmd, what, timeout):
  try:
    proc = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, env=subprocess_env())
  except subprocess.TimeoutExpired:
    raise BuildError("%s timed out after %d s: %s" % (what, timeout,
                                                      " ".join(cmd)))
  except OSError as e:
    raise BuildError("%s failed: %s" % (what, e))
  if proc.returncode != 0:
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
    raise BuildError("%s failed (exit %d): %s\n%s" % (
        what, proc.returncode, " ".join(cmd), textwrap.indent(tail, "    ")))
  return proc


# ---------------------------------------------------------------------------
# Publishers
# ---------------------------------------------------------------------------

def list_publishers():
  """Every target's name: the test publishers, then the example modules."""
  names = sorted(name[:-3] for name in os.listdir(PUBLISHERS_DIR)
                 if name.endswith(".py") and not name.startswith("_"))
  clash = set(names) & set(EXAMPLE_MODULES)
  if clash:
    raise BuildError("publisher names also used by EXAMPLE_MODULES: %s" %
                     ", ".join(sorted(clash)))
  return names + sorted(EXAMPLE_MODULES)


def publisher_script(name):
  if name in EXAMPLE_MODULES:
    return EXAMPLE_MODULES[name][0]
  return os.path.join(PUBLISHERS_DIR, name + ".py")


def target_folder(name, out):
  """Where a target is written: OUT/<name> with --out, else where committed."""
  if out is None:
    return EXAMPLE_MODULES[name][1] if name in EXAMPLE_MODULES else \
        os.path.join(DEFAULT_OUT, name)
  return os.path.join(out, name)


def publisher_toolchain(name):
  """The toolchain a publisher asks for with `# hublint-toolchain: NAME`."""
  with open(publisher_script(name)) as f:
    match = _TOOLCHAIN_LINE.search(f.read())
  chosen = match.group(1) if match else TF1_HUB_TOOLCHAIN
  if chosen not in TOOLCHAINS:
    raise BuildError("publisher %s asks for unknown toolchain %r (known: %s)"
                     % (name, chosen, ", ".join(sorted(TOOLCHAINS))))
  return chosen


def build_one(python, name, target, timeout):
  """Runs one publisher into `target`; returns (name, seconds, error)."""
  script = publisher_script(name)
  workdir = tempfile.mkdtemp(prefix=".%s." % name,
                             dir=os.path.dirname(target))
  export_dir = os.path.join(workdir, "module")
  start = time.time()
  try:
    try:
      proc = subprocess.run([python, "-B", script, export_dir],
                            capture_output=True, text=True, timeout=timeout,
                            env=subprocess_env(), cwd=workdir)
    except subprocess.TimeoutExpired:
      return name, time.time() - start, "timed out after %d s" % timeout
    if proc.returncode != 0:
      tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
      return name, time.time() - start, "exit %d\n%s" % (
          proc.returncode, textwrap.indent(tail, "    "))
    if not any(os.path.exists(os.path.join(export_dir, f))
               for f in ("saved_model.pb", "saved_model.pbtxt")):
      return name, time.time() - start, "no saved_model.pb(txt) was written"
    drop_empty_folders(export_dir)
    if os.path.exists(target):
      shutil.rmtree(target)
    os.rename(export_dir, target)
    return name, time.time() - start, None
  finally:
    shutil.rmtree(workdir, ignore_errors=True)


def drop_empty_folders(module_dir):
  """Removes empty folders (hub always writes `assets/`): git cannot hold them,
  so a fresh checkout of a committed module would differ from the built one."""
  for root, dirs, files in os.walk(module_dir, topdown=False):
    if root != module_dir and not os.listdir(root):
      os.rmdir(root)


def dir_size(path):
  total = 0
  for root, _, files in os.walk(path):
    for f in files:
      total += os.path.getsize(os.path.join(root, f))
  return total


# ---------------------------------------------------------------------------
# Verification (runs inside the venv: `build.py --_verify DIR...`)
# ---------------------------------------------------------------------------

def _synthetic_value(np, tf, info):
  dtype = tf.dtypes.as_dtype(info.dtype)
  dims = [d.size for d in info.tensor_shape.dim]
  if info.tensor_shape.unknown_rank:
    dims = [2]
  shape = [2 if (i == 0 and d < 0) else (4 if d < 0 else d)
           for i, d in enumerate(dims)]
  if dtype == tf.string:
    words = np.array([b"the cat sat on the mat", b"hub module"] * 8,
                     dtype=object)
    return np.resize(words, shape) if shape else words[0]
  if dtype.is_floating:
    return np.random.RandomState(0).uniform(size=shape).astype(
        dtype.as_numpy_dtype)
  if dtype.is_integer:
    return np.zeros(shape, dtype.as_numpy_dtype)
  if dtype == tf.bool:
    return np.zeros(shape, bool)
  return None


def _fmt_info(tf, info):
  if info.WhichOneof("encoding") != "name":
    return info.WhichOneof("encoding")
  dims = ("?" if info.tensor_shape.unknown_rank else
          "[%s]" % ",".join("None" if d.size < 0 else str(d.size)
                            for d in info.tensor_shape.dim))
  return "%s %s (%s)" % (tf.dtypes.as_dtype(info.dtype).name, dims, info.name)


def _verify_tf1(tf, hub, np, path, sm):
  problems = []
  expected = EXPECTED_LOAD_FAILURES.get(os.path.basename(path))
  for meta_graph in sm.meta_graphs:
    tags = set(meta_graph.meta_info_def.tags)
    try:
      _verify_tf1_graph(tf, hub, np, path, meta_graph, tags, problems)
    except Exception as e:  # pylint: disable=broad-except
      message = "%s: %s" % (type(e).__name__, e)
      if expected and expected[0] == tags and expected[1] in message:
        print("    expected failure (%s): %s" % (expected[2], message[:300]))
        expected = None
      else:
        problems.append("tags %s: %s" % (sorted(tags), message))
  if expected:
    problems.append("expected %s load failure did not happen" % expected[2])
  return problems


def _verify_tf1_graph(tf, hub, np, path, meta_graph, tags, problems):
  unsafe = sorted({n.op for n in meta_graph.graph_def.node} & UNSAFE_OPS)
  print("  tags %s: %d nodes%s" % (
      sorted(tags) or "{}", len(meta_graph.graph_def.node),
      ", unsafe ops %s (not run)" % unsafe if unsafe else ""))
  for sig_name, sig in sorted(meta_graph.signature_def.items()):
    print("    signature %r" % sig_name)
    for key, info in sorted(sig.inputs.items()):
      print("      in  %-20s %s" % (key, _fmt_info(tf, info)))
    for key, info in sorted(sig.outputs.items()):
      print("      out %-20s %s" % (key, _fmt_info(tf, info)))
  with tf.Graph().as_default():
    module = hub.Module(path, tags=tags, trainable="train" in tags)
    run_sig = "default" if "default" in meta_graph.signature_def else None
    outputs = None
    feed = {}
    if run_sig and not unsafe:
      sig = meta_graph.signature_def[run_sig]
      inputs = {}
      for key, info in sig.inputs.items():
        value = _synthetic_value(np, tf, info)
        placeholder = tf.compat.v1.placeholder(
            tf.dtypes.as_dtype(info.dtype),
            [None] * len(np.shape(value)) if value is not None else None)
        inputs[key] = placeholder
        feed[placeholder] = value
      outputs = module(inputs, signature=run_sig, as_dict=True)
    with tf.compat.v1.Session() as session:
      session.run([tf.compat.v1.global_variables_initializer(),
                   tf.compat.v1.tables_initializer()])
      if outputs:
        values = session.run(outputs, feed_dict=feed)
        for key, value in sorted(values.items()):
          if not np.all(np.isfinite(value)):
            problems.append("tags %s: output %s not finite" % (tags, key))
          print("    ran %r -> %s %s %s" % (run_sig, key, value.dtype,
                                            list(value.shape)))
    if "train" in tags:
      print("    regularization losses seen by a trainable consumer: %d" %
            len(tf.compat.v1.losses.get_regularization_losses()))


def _synthetic_args(tf, np, structure):
  """Concrete values for a function's input signature: TensorSpecs become tensors."""
  def value(spec):
    if not isinstance(spec, tf.TensorSpec):
      return spec
    shape = [2 if (i == 0 and d is None) else (4 if d is None else d)
             for i, d in enumerate(spec.shape.as_list() or [])] \
        if spec.shape.rank is not None else [2]
    if spec.dtype == tf.string:
      return tf.constant(np.resize(np.array([b"the cat sat", b"hub"],
                                            dtype=object), shape))
    if spec.dtype.is_floating:
      return tf.constant(np.random.RandomState(0).uniform(size=shape),
                         spec.dtype)
    if spec.dtype == tf.bool:
      return tf.zeros(shape, tf.bool)
    return tf.zeros(shape, spec.dtype)
  return tf.nest.map_structure(value, structure)


def _verify_tf2(tf, np, path, sm):
  problems = []
  graph = sm.meta_graphs[0].object_graph_def
  root = graph.nodes[0]
  children = {c.local_name: c.node_id for c in root.children}
  print("  TF2 SavedModel, tags %s, root attributes: %s" % (
      [list(m.meta_info_def.tags) for m in sm.meta_graphs],
      ", ".join(sorted(children))))
  obj = tf.saved_model.load(path)
  for attr in ("variables", "trainable_variables", "regularization_losses"):
    if hasattr(obj, attr):
      value = getattr(obj, attr)
      print("    %s: %d" % (attr, len(value)))
  outputs = []
  if "__call__" in children and hasattr(obj.__call__, "concrete_functions"):
    for function in obj.__call__.concrete_functions:
      args, kwargs = _synthetic_args(tf, np, function.structured_input_signature)
      out = obj(*args, **kwargs)
      print("    __call__(%s) -> %s" % (", ".join(
          ["%s" % list(a.shape) for a in args if hasattr(a, "shape")] +
          ["%s=%r" % kv for kv in sorted(kwargs.items())
           if not hasattr(kv[1], "shape")]),
          [list(t.shape) for t in tf.nest.flatten(out)]))
      outputs.extend(tf.nest.flatten(out))
  elif "__call__" in children:  # a bare concrete function
    x = tf.constant(np.random.RandomState(0).uniform(size=[2, 50]), tf.float32)
    outputs.append(obj(x))
  for name, function in sorted(obj.signatures.items()):
    _, kwargs = _synthetic_args(tf, np, function.structured_input_signature)
    out = function(**kwargs)
    print("    signature %r -> %s" % (name, sorted(out)))
    outputs.extend(tf.nest.flatten(out))
  for out in outputs:
    if out.dtype.is_floating and not np.all(np.isfinite(out.numpy())):
      problems.append("output not finite")
  if hasattr(obj, "regularization_losses"):
    losses = [float(f()) for f in obj.regularization_losses]
    print("    regularization losses: %s" % losses)
  return problems


def _verify_tf1_saved_model(tf, np, path, sm):
  """A plain TF1 SavedModel: load every tag set as TF Serving would, run its signatures."""
  problems = []
  for meta_graph in sm.meta_graphs:
    tags = list(meta_graph.meta_info_def.tags)
    unsafe = sorted({n.op for n in meta_graph.graph_def.node} & UNSAFE_OPS)
    print("  TF1 SavedModel tags %s: %d nodes%s" % (
        tags, len(meta_graph.graph_def.node),
        ", unsafe ops %s (not run)" % unsafe if unsafe else ""))
    with tf.Graph().as_default() as graph:
      with tf.compat.v1.Session(graph=graph) as session:
        tf.compat.v1.saved_model.loader.load(session, tags, path)
        if unsafe:
          continue
        for sig_name, sig in sorted(meta_graph.signature_def.items()):
          feed = {}
          for info in sig.inputs.values():
            if info.WhichOneof("encoding") == "name":
              feed[info.name] = _synthetic_value(np, tf, info)
          fetch = {k: v.name for k, v in sig.outputs.items()
                   if v.WhichOneof("encoding") == "name"}
          try:
            values = session.run(fetch, feed_dict=feed)
          except Exception as e:  # pylint: disable=broad-except
            print("    signature %r does not run on synthetic inputs: %s" % (
                sig_name, str(e).splitlines()[0][:200]))
            continue
          print("    ran %r -> %s" % (sig_name, sorted(values)))
  return problems


def read_saved_model_proto(path):
  from tensorflow.core.protobuf import saved_model_pb2  # pylint: disable=g-import-not-at-top
  sm = saved_model_pb2.SavedModel()
  binary = os.path.join(path, "saved_model.pb")
  if os.path.exists(binary):
    with open(binary, "rb") as f:
      sm.ParseFromString(f.read())
  else:
    from google.protobuf import text_format  # pylint: disable=g-import-not-at-top
    with open(os.path.join(path, "saved_model.pbtxt")) as f:
      text_format.Parse(f.read(), sm)
  return sm


def verify_main(paths):
  import numpy as np  # pylint: disable=g-import-not-at-top
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.get_logger().setLevel("ERROR")
  failures = 0
  for path in paths:
    print("%s (%d bytes)" % (os.path.basename(path), dir_size(path)),
          flush=True)
    try:
      sm = read_saved_model_proto(path)
      if os.path.exists(os.path.join(path, "tfhub_module.pb")):
        import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
        problems = _verify_tf1(tf, hub, np, path, sm)
      elif sm.meta_graphs[0].object_graph_def.nodes:
        problems = _verify_tf2(tf, np, path, sm)
      else:
        problems = _verify_tf1_saved_model(tf, np, path, sm)
    except Exception as e:  # pylint: disable=broad-except
      problems = ["%s: %s" % (type(e).__name__, e)]
    for problem in problems:
      print("  PROBLEM: %s" % problem)
    failures += bool(problems)
    sys.stdout.flush()
  return 1 if failures else 0


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def write_toolchain_json(out, versions_by_toolchain):
  record = {"build_command": "python tests/modules/build.py", "toolchains": {}}
  for name, versions in sorted(versions_by_toolchain.items()):
    toolchain = TOOLCHAINS[name]
    entry = {"python": versions["python"], "for": toolchain.about}
    for package in list(toolchain.pins) + toolchain.recorded:
      entry[package] = versions.get(package)
    if toolchain.fix:
      entry["toolchain_fix"] = (
          "tf-slim 1.1.0 on TF 2.15: tensorflow.python.layers.normalization "
          "loads keras.src.legacy_tf_layers.normalization instead of the "
          "missing tf_keras.legacy_tf_layers.normalization, and "
          "tensorflow.python.framework.ops.Tensor is aliased to "
          "tensorflow.python.framework.tensor.Tensor (see build.py)")
    record["toolchains"][name] = entry
  path = os.path.join(out, "TOOLCHAIN.json")
  content = json.dumps(record, indent=2, sort_keys=True) + "\n"
  log("writing %s" % path)
  with open(path, "w") as f:
    f.write(content)


def main(argv):
  parser = argparse.ArgumentParser(
      description=__doc__.split("\n\n")[0],
      formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument("--out", default=None,
                      help="directory for all the modules (default: %s, and "
                      "the example modules' folders in examples/)" %
                      DEFAULT_OUT)
  parser.add_argument("--venv", default=None,
                      help="venv of the %s toolchain (default: %s)" % (
                          TF1_HUB_TOOLCHAIN, DEFAULT_VENV))
  parser.add_argument("--python", default=None,
                      help="Python 3.11 used to create the venvs "
                      "(default: this interpreter, else python3.11)")
  parser.add_argument("--only", action="append", metavar="NAME",
                      help="build only this publisher (repeatable)")
  parser.add_argument("--jobs", type=int, default=2,
                      help="publishers run in parallel (default: 2)")
  parser.add_argument("--timeout", type=int, default=PUBLISHER_TIMEOUT,
                      help="seconds per publisher (default: %(default)s)")
  parser.add_argument("--no-verify", action="store_true",
                      help="skip loading the built modules")
  parser.add_argument("--venv-only", action="store_true",
                      help="only create (or check) the toolchain venvs")
  parser.add_argument("--_verify", nargs="+", help=argparse.SUPPRESS)
  args = parser.parse_args(argv[1:])

  if args._verify:  # pylint: disable=protected-access
    return verify_main(args._verify)  # pylint: disable=protected-access

  start = time.time()
  try:
    available = list_publishers()
    names = available
    if args.only:
      unknown = sorted(set(args.only) - set(available))
      if unknown:
        raise BuildError("unknown publisher(s) %s; available: %s" % (
            ", ".join(unknown), ", ".join(available)))
      names = [n for n in available if n in set(args.only)]
    by_toolchain = {}
    for name in names:
      by_toolchain.setdefault(publisher_toolchain(name), []).append(name)
    wanted = sorted(TOOLCHAINS) if args.venv_only or not args.only else \
        sorted(by_toolchain)
    out = os.path.abspath(args.out) if args.out else None
    targets = {name: target_folder(name, out) for name in names}
    pythons, versions = {}, {}
    for toolchain_name in wanted:
      toolchain = TOOLCHAINS[toolchain_name]
      venv = toolchain.venv
      if toolchain_name == TF1_HUB_TOOLCHAIN and args.venv:
        venv = os.path.abspath(os.path.expanduser(args.venv))
      versions[toolchain_name] = ensure_venv(toolchain, args.python, venv)
      pythons[toolchain_name] = venv_python(venv)
    if args.venv_only:
      log("toolchain venvs ready: %s" % ", ".join(wanted))
      return 0
    for target in targets.values():
      os.makedirs(os.path.dirname(target), exist_ok=True)

    log("building %d module(s) into %s with %d job(s)" % (
        len(names), out or "their committed folders", args.jobs))
    errors = {}
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
      futures = [pool.submit(build_one, pythons[toolchain_name], name,
                             targets[name], args.timeout)
                 for toolchain_name, group in sorted(by_toolchain.items())
                 for name in group]
      for future in concurrent.futures.as_completed(futures):
        name, seconds, error = future.result()
        if error:
          errors[name] = error
          log("FAILED %s after %.1f s: %s" % (name, seconds, error))
        else:
          log("built %-34s %8d bytes  %5.1f s" % (
              name, dir_size(targets[name]), seconds))

    for toolchain_name, group in sorted(by_toolchain.items()):
      built = [n for n in group if n not in errors]
      if not built or args.no_verify:
        continue
      log("loading %d module(s) with %s" % (len(built), toolchain_name))
      try:
        proc = subprocess.run(
            [pythons[toolchain_name], "-B", os.path.abspath(__file__),
             "--_verify"] + [targets[n] for n in built],
            timeout=VERIFY_TIMEOUT, env=subprocess_env())
      except subprocess.TimeoutExpired:
        raise BuildError("verification timed out after %d s" % VERIFY_TIMEOUT)
      if proc.returncode != 0:
        errors["(verification, %s)" % toolchain_name] = (
            "a module failed to load or run; see above")

    if not args.only:
      write_toolchain_json(out or DEFAULT_OUT, versions)
    if errors:
      raise BuildError("%d failure(s): %s" % (len(errors),
                                               ", ".join(sorted(errors))))
  except BuildError as e:
    print("[build] ERROR: %s" % e, file=sys.stderr, flush=True)
    return 1
  built = [n for n in names if n not in errors]
  log("done: %d module(s), %d bytes in %s, %.1f s" % (
      len(built), sum(dir_size(targets[n]) for n in built),
      out or "their committed folders", time.time() - start))
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv))
