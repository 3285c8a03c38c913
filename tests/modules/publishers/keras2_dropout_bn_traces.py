"""Keras 2 model with dropout and batch norm, saved with its training trace.

Keras 2.15 `tf.keras` Sequential: 50 -> Dense(20, L2) -> Dropout(0.4) ->
BatchNormalization(momentum=0.9) -> Dense(10, L2), saved with
`tf.saved_model.save`. Keras traces every layer's call for `training=True`
and `training=False`: the random dropout mask and the batch-statistics
normalization are only in the functions of the `training=True` traces, and
`__call__` takes a `training` argument.

Expected module findings: none (`hublint show` lists the dropout and the
training-mode batch norm under the training trace, not as "always active")
Must not trigger: HUB204 / HUB206 (the dropout and training-mode batch norm
are reachable only from `training=True` traces), HUB207 (`__call__` has a
`training` argument), HUB216 (a complete reusable SavedModel), HUB203
(0.4 is in range), HUB205 (0.9), HUB201 / HUB202
"""
import sys

import tensorflow as tf


def build_model():
  regularizer = tf.keras.regularizers.l2(1e-4)
  return tf.keras.Sequential([
      tf.keras.layers.InputLayer(input_shape=(50,)),
      tf.keras.layers.Dense(20, activation="relu",
                            kernel_regularizer=regularizer),
      tf.keras.layers.Dropout(0.4),
      tf.keras.layers.BatchNormalization(momentum=0.9),
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
