"""A two-headed module whose signature has no `default` output.

Consumers that call `module(inputs)` ask for the `default` output, which
this module does not have.  Run: python signature_no_default.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn():
  features = tf.placeholder(tf.float32, shape=[None, 40])
  regularizer = tf.keras.regularizers.l2(1e-4)
  embedding = tf.layers.dense(features, 16, kernel_regularizer=regularizer)
  logits = tf.layers.dense(embedding, 5, kernel_regularizer=regularizer)
  hub.add_signature(inputs=features,
                    outputs=dict(embedding=embedding, logits=logits))


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
