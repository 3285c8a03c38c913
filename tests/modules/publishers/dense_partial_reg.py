"""Dense module where only the first layer is regularized.

The first tf.layers.dense has an L2 kernel regularizer written as a plain
function (`1e-4 * tf.nn.l2_loss(w)`), the output layer has none: the
`regularization_losses` collection is non-empty but misses `dense_1/kernel`.

Expected module findings: HUB202 (dense_1/kernel only)
Must not trigger: HUB201 (the collection is not empty), HUB203-HUB215
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def l2_regularizer(weights):
  return 1e-4 * tf.nn.l2_loss(weights)


def module_fn():
  inputs = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  layer1 = tf.layers.dense(inputs, 20, activation=tf.nn.relu,
                           kernel_regularizer=l2_regularizer)
  layer2 = tf.layers.dense(layer1, 10)  # Forgot the regularizer here.
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
