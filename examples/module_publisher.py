"""Publishes examples/module/: the seed example's mistakes, in code and in export.

A small text-feature head (16 -> 8 -> 4): two tf.layers.dense without
kernel_regularizer and a tf.nn.dropout applied unconditionally, exported with
the default tag set only.  `hublint examples/` reads this script (source pass)
and the module it exported (module pass, examples/module/), and both tell the
same story: no regularization travels with the kernels, and the dropout runs
at inference.  Run: python module_publisher.py EXPORT_DIR
(`python tests/modules/build.py --only example_module` runs it with the real
TF1 Hub toolchain and writes examples/module/).
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(dropout_rate=0.2):
  features = tf.placeholder(dtype=tf.float32, shape=[None, 16])
  hidden = tf.layers.dense(features, 8, activation=tf.nn.relu)
  hidden = tf.nn.dropout(hidden, rate=dropout_rate)
  logits = tf.layers.dense(hidden, 4)
  hub.add_signature(inputs=features,
                    outputs=dict(default=logits, hidden_activations=hidden))


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
