"""Dense module with a fixed random projection embedded as a graph constant.

The first layer multiplies by a [50, 3000] float32 random matrix created with
numpy and passed to tf.constant: 600 000 bytes of tensor_content inside
saved_model.pb instead of a (non-trainable) variable in the checkpoint.

Expected module findings: HUB215 (Const `projection`, 600 000 bytes; tests
may lower the threshold)
Must not trigger: HUB201, HUB202 (the trainable kernel is regularized; the
constant is no variable), and every other HUB2xx rule
"""
import sys

import numpy as np
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

PROJECTION_DIM = 3000


def module_fn():
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  rng = np.random.RandomState(1234)
  projection = tf.constant(
      rng.standard_normal((50, PROJECTION_DIM)).astype(np.float32) /
      np.sqrt(PROJECTION_DIM),
      name="projection")
  projected = tf.nn.relu(tf.matmul(features, projection))
  logits = tf.layers.dense(
      projected, 10, kernel_regularizer=tf.keras.regularizers.l2(1e-4))
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
