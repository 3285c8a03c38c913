"""A sentence-feature module whose dropout ignores the tag set.

`is_training` reaches the module function, but neither dropout uses it:
`tf.layers.dropout` without `training=` never drops anything, and
`tf.nn.dropout` drops units in every graph, inference included.
Run: python dropout_always_on.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(is_training=False, dropout_rate=0.2):
  features = tf.placeholder(tf.float32, shape=[None, 300])
  regularizer = tf.keras.regularizers.l2(1e-5)
  hidden = tf.layers.dense(features, 256, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  hidden = tf.layers.dropout(hidden, rate=dropout_rate)
  embedding = tf.layers.dense(hidden, 128, kernel_regularizer=regularizer)
  embedding = tf.nn.dropout(embedding, rate=dropout_rate)
  hub.add_signature(inputs=features, outputs=dict(default=embedding))


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
