"""Reusable TF2 SavedModel: a small Keras classifier saved for TF Hub.

Dense(20, L2 kernel regularizer) -> Dropout(0.3) -> Dense(10, L2), saved with
tf.saved_model.save. Keras exports what the reusable SavedModel interface
asks for: `variables`, `trainable_variables`, `regularization_losses` and a
`__call__` traced with `training=True` and `training=False`.

Expected module findings: none
Must not trigger: the reusable-SavedModel checks (HUB201 / HUB204 / HUB207
through the object graph), and every other HUB2xx rule
"""
import sys

import tensorflow as tf


def build_model():
  regularizer = tf.keras.regularizers.l2(1e-4)
  return tf.keras.Sequential([
      tf.keras.layers.InputLayer(input_shape=(50,)),
      tf.keras.layers.Dense(20, activation="relu",
                            kernel_regularizer=regularizer),
      tf.keras.layers.Dropout(0.3),
      tf.keras.layers.Dense(10, kernel_regularizer=regularizer),
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
