"""Fine-tunes a small click-prediction tower and exports it as a hub module.

The tower's kernels carry L2 regularizers, but training also asks the FTRL
optimizer for L1 and L2 shrinkage, which is not exported with the module.
Run: python ftrl_wide_model.py EXPORT_DIR
"""
import sys

import numpy as np
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

NUM_FEATURES = 100


def module_fn():
  features = tf.placeholder(tf.float32, shape=[None, NUM_FEATURES])
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(features, 32, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  hub.add_signature(inputs=features, outputs=hidden)


def train_and_export(export_dir, features, labels, steps=100):
  spec = hub.create_module_spec(module_fn)
  with tf.Graph().as_default():
    tower = hub.Module(spec, trainable=True)
    logits = tf.layers.dense(tower(tf.constant(features)), 1,
                             kernel_regularizer=tf.keras.regularizers.l2(1e-4))
    loss = tf.losses.sigmoid_cross_entropy(tf.constant(labels), logits)
    loss += tf.losses.get_regularization_loss()
    optimizer = tf.train.FtrlOptimizer(
        learning_rate=0.05,
        l1_regularization_strength=0.001,
        l2_regularization_strength=0.01)
    train_op = optimizer.minimize(loss)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      for _ in range(steps):
        session.run(train_op)
      tower.export(export_dir, session)


if __name__ == "__main__":
  if len(sys.argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % sys.argv[0])
  rng = np.random.default_rng(0)
  train_and_export(sys.argv[1],
                   rng.normal(size=(256, NUM_FEATURES)).astype(np.float32),
                   rng.integers(0, 2, size=(256, 1)).astype(np.float32))
