"""Dense module with tf.layers.dropout driven by the tag set.

`tf.layers.dropout(x, rate=0.3, training=is_training)` with
`tags_and_args=[(set(), {"is_training": False}), ({"train"}, {"is_training": True})]`:
the default graph has no random op on the data path, the `train` graph drops
30% of the hidden units.

Expected module findings: none
Must not trigger: HUB203 (0.3 is in range), HUB204, HUB207, and every other
HUB2xx rule
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
  hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)
  logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  hub.add_signature(inputs=inputs,
                    outputs=dict(default=logits, hidden_activations=hidden))


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
