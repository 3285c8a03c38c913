"""Dense classifier head with an L2 kernel regularizer on every layer.

Same shape as the seed example (50 -> 20 -> 10), but each tf.layers.dense gets
`kernel_regularizer=tf.keras.regularizers.l2(1e-4)`, so the exported
`regularization_losses` collection holds one loss per kernel.

Expected module findings: none
Must not trigger: HUB201, HUB202 (and every other HUB2xx rule)
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

WEIGHT_DECAY = 1e-4


def module_fn():
  inputs = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  regularizer = tf.keras.regularizers.l2(WEIGHT_DECAY)
  layer1 = tf.layers.dense(inputs, 20, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  layer2 = tf.layers.dense(layer1, 10, kernel_regularizer=regularizer)
  hub.add_signature(inputs=inputs,
                    outputs=dict(default=layer2, hidden_activations=layer1))


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
