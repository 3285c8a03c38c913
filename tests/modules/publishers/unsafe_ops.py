"""Dense module that reads a file and calls back into Python at inference.

The publisher reads per-feature normalization statistics from an absolute
path with tf.io.read_file when the module runs (instead of baking them into
variables or shipping them as an asset) and clips the activations with a
numpy function through tf.py_func. A consumer loading this module runs a file
read on their machine and needs the publisher's Python code, which is not in
the module.

Expected module findings: HUB213 (ReadFile, PyFunc)
Must not trigger: HUB214 (the path is no asset), HUB201, HUB202, and every
other HUB2xx rule
"""
import sys

import numpy as np
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

STATS_FILE = "/data/features/stats.txt"


def clip_activations(x):
  return np.clip(x, -6.0, 6.0).astype(np.float32)


def module_fn():
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  stats = tf.strings.to_number(
      tf.strings.split([tf.io.read_file(STATS_FILE)]).values)
  normalized = features / (stats[:1] + 1e-6)
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(normalized, 20, kernel_regularizer=regularizer)
  hidden = tf.py_func(clip_activations, [hidden], tf.float32)
  hidden.set_shape([None, 20])
  logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  hub.add_signature(inputs=features, outputs=logits)


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  spec = hub.create_module_spec(module_fn)
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
