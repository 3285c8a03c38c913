"""Keras 2 model saved with tf.saved_model.save, no kernel regularizer at all.

Sequential Dense(20, relu) -> Dropout(0.3) -> Dense(10) in the Keras 2 of
TF 2.15 (`tf.keras`), no `kernel_regularizer=` anywhere, saved with
`tf.saved_model.save(model, path)`. Keras exports the reusable interface
(`variables`, `trainable_variables`, `regularization_losses`, `__call__` with
`training`), but its `regularization_losses` list is empty.

Expected module findings: HUB201 (two kernels, empty `regularization_losses`),
HUB202 on `dense/kernel` and `dense_1/kernel` (named by the Keras layer, never
by a function-internal node)
Must not trigger: HUB203 (0.3 is in range), HUB204 / HUB207 (the dropout is
chosen by `training`), HUB216, HUB209-HUB215
"""
import sys

import tensorflow as tf


def build_model():
  return tf.keras.Sequential([
      tf.keras.layers.InputLayer(input_shape=(50,)),
      tf.keras.layers.Dense(20, activation="relu"),
      tf.keras.layers.Dropout(0.3),
      tf.keras.layers.Dense(10),
  ])


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  tf.keras.utils.set_random_seed(0)
  model = build_model()
  model(tf.zeros([1, 50]), training=False)
  tf.saved_model.save(model, argv[1])


if __name__ == "__main__":
  main(sys.argv)
