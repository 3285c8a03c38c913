"""Module that exposes the training mode as a signature input.

Instead of tag sets, the publisher adds a boolean input
`is_training = tf.placeholder_with_default(False, [])` and passes it to
tf.layers.batch_normalization and tf.layers.dropout. A tensor `training`
makes TF1 control flow: the dropout (rate 0.3) and the training-mode batch
norm sit in the true branch of `cond` contexts (Switch / Merge), so the
default graph contains RandomUniform and batch-statistics (moments) ops,
but they only run when a consumer feeds is_training=True. (The 2-D input
makes tf.layers use the unfused batch norm.)

Expected module findings: HUB207 (dropout and batch norm, no `train` tag set)
Must not trigger: HUB204 and HUB206 (the random dropout and the training-mode
batch norm are behind a cond whose predicate defaults to False), HUB209 (a
PlaceholderWithDefault input is a placeholder), HUB203, HUB205 (momentum
0.9), and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn():
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  is_training = tf.placeholder_with_default(False, [], name="is_training")
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(features, 20, use_bias=False,
                           kernel_regularizer=regularizer)
  hidden = tf.layers.batch_normalization(hidden, momentum=0.9,
                                         training=is_training)
  hidden = tf.nn.relu(hidden)
  hidden = tf.layers.dropout(hidden, rate=0.3, training=is_training)
  logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  hub.add_signature(
      inputs={"default": features, "is_training": is_training},
      outputs=logits)


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
