"""Dense module built with old-style ("ref") variables.

hub.create_module_spec builds module graphs with resource variables; this
publisher asks for VariableV2 variables (read through `<var>/read` Identity
ops) with `tf.variable_scope("", use_resource=False)`, as TF1 code did.
Regularized dense layers, an unfused batch norm on the 2-D hidden layer with
tf.layers' default momentum (0.99, exactly at the HUB205 limit; 1 - momentum
is stored as float32 0.01), and tf.layers.dropout(rate=0.3) driven by the tag
set.

Expected module findings: none
Must not trigger: HUB201, HUB202 (both variable forms must be followed from
kernel to regularization loss), HUB205 (0.99 is not above 0.99, float32
rounding notwithstanding), HUB203, HUB204, HUB206, HUB207, HUB208, and every
other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def l2_regularizer(weights):
  return 1e-4 * tf.nn.l2_loss(weights)


def module_fn(is_training=False):
  with tf.variable_scope("", use_resource=False):
    inputs = tf.placeholder(dtype=tf.float32, shape=[None, 50])
    hidden = tf.layers.dense(inputs, 20, use_bias=False,
                             kernel_regularizer=l2_regularizer)
    hidden = tf.layers.batch_normalization(hidden, training=is_training)
    hidden = tf.nn.relu(hidden)
    hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)
    logits = tf.layers.dense(hidden, 10, kernel_regularizer=l2_regularizer)
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
