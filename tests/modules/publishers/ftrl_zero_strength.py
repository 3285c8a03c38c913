"""Module that trains inside its graph with FTRL but no optimizer regularization.

Like ftrl_in_graph, but `tf.train.FtrlOptimizer(0.1)` keeps the default
l1/l2 regularization strengths of 0.0: the ApplyFtrl op is there, with zero
strengths, which is harmless. Regularization comes from the kernel
regularizers.

Expected module findings: none
Must not trigger: HUB212 (strengths are zero), HUB201, HUB202, and every
other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(is_training=False):
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  regularizer = tf.keras.regularizers.l2(1e-4)
  logits = tf.layers.dense(features, 10, kernel_regularizer=regularizer)
  if is_training:
    labels = tf.placeholder(dtype=tf.int64, shape=[None], name="labels")
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    loss += tf.losses.get_regularization_loss()
    tf.train.FtrlOptimizer(0.1).minimize(loss, name="train_op")
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
    # Export from the train graph: it also holds the optimizer's slot variables.
    module = hub.Module(spec, tags={"train"}, trainable=True)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
