"""Wide-and-deep style module that trains inside the module graph.

The `train` graph also builds the publisher's training op: FTRL with L1 and L2
regularization strengths for the wide (linear) part and a proximal gradient
descent optimizer with L2 for the deep part. Those strengths live only in the
optimizer ops and are lost for consumers; the kernels also carry proper
regularization losses, so only the optimizer settings are at fault.

Expected module findings: HUB212 (ResourceApplyFtrl with l1 = l2 = 0.01,
ResourceApplyProximalGradientDescent with l2 = 0.001, train graph)
Must not trigger: HUB201, HUB202, HUB213 (optimizer ops are not unsafe), and
every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn(is_training=False):
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  regularizer = tf.keras.regularizers.l2(1e-4)
  with tf.variable_scope("wide"):
    wide_logits = tf.layers.dense(features, 10, kernel_regularizer=regularizer)
  with tf.variable_scope("deep"):
    hidden = tf.layers.dense(features, 20, activation=tf.nn.relu,
                             kernel_regularizer=regularizer)
    deep_logits = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  logits = wide_logits + deep_logits
  if is_training:
    labels = tf.placeholder(dtype=tf.int64, shape=[None], name="labels")
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    wide_optimizer = tf.train.FtrlOptimizer(
        0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.01)
    deep_optimizer = tf.train.ProximalGradientDescentOptimizer(
        0.05, l2_regularization_strength=0.001)
    tf.group(
        wide_optimizer.minimize(
            loss, var_list=tf.trainable_variables("wide")),
        deep_optimizer.minimize(
            loss, var_list=tf.trainable_variables("deep")),
        name="train_op")
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
