"""A text-feature module that follows every piece of publisher advice.

Every kernel has an L2 regularizer, so the exported REGULARIZATION_LOSSES
collection covers it; dropout and batch norm follow `is_training`, which the
`train` tag set turns on; the dropout rate and batch-norm momentum are
arguments of the module function; the default signature takes any batch size.
Run: python clean_module.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

NUM_FEATURES = 64
L2_WEIGHT = 1e-4


def module_fn(is_training=False, dropout_rate=0.2, batchnorm_momentum=0.9):
  features = tf.placeholder(dtype=tf.float32, shape=[None, NUM_FEATURES])
  regularizer = tf.keras.regularizers.l2(L2_WEIGHT)
  hidden = tf.layers.dense(features, 128, kernel_regularizer=regularizer)
  hidden = tf.layers.batch_normalization(
      hidden, momentum=batchnorm_momentum, training=is_training)
  hidden = tf.nn.relu(hidden)
  hidden = tf.layers.dropout(hidden, rate=dropout_rate, training=is_training)
  embedding = tf.layers.dense(hidden, 32, kernel_regularizer=regularizer)
  hub.add_signature(inputs=features,
                    outputs=dict(default=embedding, hidden_activations=hidden))


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
