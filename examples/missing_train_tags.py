"""A module whose dropout follows is_training, but only one graph is exported.

`create_module_spec` gets no `tags_and_args`, so the module has only the
default (inference) graph and consumers cannot fine-tune with dropout on.
Run: python missing_train_tags.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(is_training=False, dropout_rate=0.2):
  features = tf.placeholder(tf.float32, shape=[None, 128])
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(features, 64, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  hidden = tf.layers.dropout(hidden, rate=dropout_rate, training=is_training)
  hub.add_signature(inputs=features, outputs=hidden)


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
