"""A tf-slim text classifier head exported as a hub module.

`slim.dropout` takes a keep probability: keep_prob=0.3 drops 70% of the
units, a rate that suits few consumers' problems, and it is hard-coded.
Run: python dropout_rate_high.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim

tf.disable_v2_behavior()


def module_fn(is_training=False):
  tokens = tf.placeholder(tf.float32, shape=[None, 512])
  with slim.arg_scope([slim.fully_connected],
                      weights_regularizer=slim.l2_regularizer(1e-4)):
    net = slim.fully_connected(tokens, 256, scope="fc1")
    net = slim.dropout(net, keep_prob=0.3, is_training=is_training,
                       scope="dropout1")
    net = slim.fully_connected(net, 64, scope="fc2")
  hub.add_signature(inputs=tokens, outputs=dict(default=net))


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
