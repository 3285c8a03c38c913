"""Dense module using the pre-TF-1.13 `keep_prob` form of tf.nn.dropout.

Only the `train` graph applies `tf.nn.dropout(x, keep_prob=0.2)` (a dropout
rate of 0.8); the default graph has no dropout at all.

Expected module findings: HUB203 (rate 0.8 > 0.5, train graph)
Must not trigger: HUB204 (no dropout in the default graph), HUB207 (there is
a `train` tag set), and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(is_training=False):
  inputs = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  if is_training:
    hidden = tf.nn.dropout(hidden, keep_prob=0.2)
  logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  hub.add_signature(inputs=inputs, outputs=logits)


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  spec = hub.create_module_spec(
      module_fn,
      tags_and_args=[(set(), {"is_training": False}),
                     ({"train"}, {"is_training": True})])
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
