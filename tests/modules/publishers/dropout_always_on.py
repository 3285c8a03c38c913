"""Dense module with tf.nn.dropout applied unconditionally.

`tf.nn.dropout(x, rate=0.7)` sits between two regularized dense layers and the
module is exported with a single (empty) tag set: inference with this module
drops 70% of the hidden units at random.

Expected module findings: HUB203 (rate 0.7 > 0.5), HUB204 (random dropout in
the default-tag graph), HUB207 (dropout but no `train` tag set)
Must not trigger: HUB201, HUB202, HUB205, HUB206, HUB208-HUB215
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn():
  inputs = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  hidden = tf.nn.dropout(hidden, rate=0.7)
  logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  hub.add_signature(inputs=inputs, outputs=logits)


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
