"""Module whose train graph has optimizer variables that were never exported.

The `train` graph builds an Adam training op, which adds slot variables
(`dense/kernel/Adam`, `dense/kernel/Adam_1`, ...) and `beta1_power` /
`beta2_power`. The publisher exports from `hub.Module(spec)`, i.e. from the
default-tag graph, whose session holds none of them: the exported checkpoint
lacks every variable that only the train graph has, so `hub.Module(path,
tags={"train"})` cannot restore. A real way to get HUB211 without damaging
any file.

Expected module findings: HUB211 (train graph variables missing from
variables/variables.index: dense/kernel/Adam, dense/kernel/Adam_1,
dense/bias/Adam, dense/bias/Adam_1, beta1_power, beta2_power)
Must not trigger: HUB212 (Adam is not a proximal optimizer), HUB201, HUB202,
and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(is_training=False):
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  logits = tf.layers.dense(
      features, 10, kernel_regularizer=tf.keras.regularizers.l2(1e-4))
  if is_training:
    labels = tf.placeholder(dtype=tf.int64, shape=[None], name="labels")
    loss = (tf.losses.sparse_softmax_cross_entropy(labels, logits) +
            tf.losses.get_regularization_loss())
    tf.train.AdamOptimizer(1e-3).minimize(loss)
  hub.add_signature(inputs=features, outputs=logits)


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  spec = hub.create_module_spec(
      module_fn,
      tags_and_args=[(set(), {"is_training": False}),
                     ({"train"}, {"is_training": True})],
      drop_collections=[tf.GraphKeys.LOSSES, tf.GraphKeys.TRAIN_OP])
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
