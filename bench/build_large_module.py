#!/usr/bin/env python3
"""Build a LARGE TF1 Hub module for hublint's module-pass benchmark.

Usage:
  python bench/build_large_module.py OUT_DIR [--venv DIR] [--timeout SECONDS]

Wraps tf-slim's inception_v3 (tf_slim.nets, 1000 classes, aux logits) in a
module_fn with the common image signature (`images` float32 [None,299,299,3],
`default` = pre-logits feature vector [None,2048], `logits`), exported with a
default and a `train` tag set: ~24M parameters (~100 MB of variables),
thousands of nodes per graph, tf-slim's fused batch norm at decay 0.9997,
dropout (keep_prob 0.8) in the train graph.

tf-slim's inception_v3_arg_scope puts the batch-norm moving statistics into a
`moving_vars` collection, which hub.create_module_spec rejects, so it is
dropped with `drop_collections=`.

Run with any Python: unless it already runs inside the toolchain venv built
by tests/modules/build.py (default ~/.cache/hublint/tf-toolchain), it makes
sure that venv exists and re-runs itself there. OUT_DIR must not be inside
the repository (the module is ~100 MB); it is replaced if it exists.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_VENV = os.path.join(os.path.expanduser("~"), ".cache", "hublint",
                            "tf-toolchain")
IMAGE_SIZE = 299
NUM_CLASSES = 1000
# Collections that tf-slim's inception_v3 creates and hub does not support.
DROP_COLLECTIONS = ["moving_vars"]


def module_fn(is_training=False):
  import tensorflow.compat.v1 as tf  # pylint: disable=g-import-not-at-top
  import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
  from tf_slim.nets import inception_v3  # pylint: disable=g-import-not-at-top
  import tf_slim as slim  # pylint: disable=g-import-not-at-top

  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  with slim.arg_scope(inception_v3.inception_v3_arg_scope()):
    logits, end_points = inception_v3.inception_v3(
        images, num_classes=NUM_CLASSES, is_training=is_training)
  features = tf.squeeze(end_points["PreLogits"], [1, 2],
                        name="feature_vector")
  hub.add_signature(inputs={"images": images},
                    outputs={"default": features, "logits": logits})
  info = hub.ImageModuleInfo()
  info.default_image_size.height = IMAGE_SIZE
  info.default_image_size.width = IMAGE_SIZE
  hub.attach_image_module_info(info)


def build(out_dir):
  import tensorflow.compat.v1 as tf  # pylint: disable=g-import-not-at-top
  import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
  tf.disable_v2_behavior()

  start = time.time()
  spec = hub.create_module_spec(
      module_fn,
      tags_and_args=[(set(), {"is_training": False}),
                     ({"train"}, {"is_training": True})],
      drop_collections=DROP_COLLECTIONS)
  print("module spec (2 graphs) built in %.1f s" % (time.time() - start),
        flush=True)
  tmp_dir = out_dir.rstrip("/") + ".tmp"
  shutil.rmtree(tmp_dir, ignore_errors=True)
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(tmp_dir, session)
  shutil.rmtree(out_dir, ignore_errors=True)
  os.rename(tmp_dir, out_dir)
  elapsed = time.time() - start

  from tensorflow.core.protobuf import saved_model_pb2  # pylint: disable=g-import-not-at-top
  saved_model = saved_model_pb2.SavedModel()
  with open(os.path.join(out_dir, "saved_model.pb"), "rb") as f:
    saved_model.ParseFromString(f.read())
  sizes = {}
  for root, _, files in os.walk(out_dir):
    for name in files:
      path = os.path.join(root, name)
      sizes[os.path.relpath(path, out_dir)] = os.path.getsize(path)
  print("exported %s in %.1f s" % (out_dir, elapsed))
  for meta_graph in saved_model.meta_graphs:
    print("  tags %s: %d nodes" % (sorted(meta_graph.meta_info_def.tags),
                                   len(meta_graph.graph_def.node)))
  for path, size in sorted(sizes.items()):
    print("  %-45s %12d bytes" % (path, size))
  print("  total %d bytes" % sum(sizes.values()))


def main(argv):
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("out_dir")
  parser.add_argument("--venv", default=DEFAULT_VENV)
  parser.add_argument("--timeout", type=int, default=1800)
  args = parser.parse_args(argv[1:])
  out_dir = os.path.abspath(args.out_dir)
  venv = os.path.abspath(os.path.expanduser(args.venv))

  if os.path.realpath(sys.prefix) == os.path.realpath(venv):
    build(out_dir)
    return 0

  if os.path.realpath(out_dir).startswith(os.path.realpath(REPO) + os.sep):
    print("error: OUT_DIR must be outside the repository", file=sys.stderr)
    return 2
  sys.path.insert(0, os.path.join(REPO, "tests", "modules"))
  sys.dont_write_bytecode = True
  import build as toolchain  # pylint: disable=g-import-not-at-top
  try:
    # The TF1 Hub publisher toolchain (TF 2.15.1 + tensorflow-hub 0.15.0 + tf-slim), in ``venv``.
    toolchain.ensure_venv(toolchain.TOOLCHAINS[toolchain.TF1_HUB_TOOLCHAIN], None, venv)
  except toolchain.BuildError as e:
    print("error: %s" % e, file=sys.stderr)
    return 1
  print("running in %s" % venv, flush=True)
  try:
    return subprocess.run(
        [toolchain.venv_python(venv), "-B", os.path.abspath(__file__),
         out_dir, "--venv", venv],
        env=toolchain.subprocess_env(), timeout=args.timeout).returncode
  except subprocess.TimeoutExpired:
    print("error: timed out after %d s" % args.timeout, file=sys.stderr)
    return 1


if __name__ == "__main__":
  sys.exit(main(sys.argv))
