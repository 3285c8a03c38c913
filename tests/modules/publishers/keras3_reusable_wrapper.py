"""Keras 3 model wrapped in a hand-made reusable tf.Module.

A Keras 3 Sequential Dense(6, relu, kernel_regularizer=l2(1e-4)) ->
Dense(4, kernel_regularizer=l2(1e-4)) inside a tf.Module that offers what the
reusable SavedModel API asks for: `__call__(x, training=False)` traced for
both values of `training`, `variables`, `trainable_variables`, and
`regularization_losses`: one zero-argument tf.function per layer computing
that layer's kernel regularizer. Saved with tf.saved_model.save (Keras 3's
`model.export()` would drop all but the inference function).

Expected module findings: none
Must not trigger: HUB201 / HUB202 (both kernels covered), HUB216 (the
interface is complete), HUB204 / HUB207 (no dropout), HUB209-HUB215
"""
# hublint-toolchain: tf-2.21
import sys

import keras
import tensorflow as tf


class Reusable(tf.Module):
  # tf.Module offers `variables` / `trainable_variables` as properties, which
  # tf.saved_model.save does not store: plain attributes shadow them.
  variables = None
  trainable_variables = None
  regularization_losses = None

  def __init__(self, model):
    super().__init__()
    self.model = model
    self.variables = [v.value for v in model.variables]
    self.trainable_variables = [v.value for v in model.trainable_variables]
    self.regularization_losses = [
        self._regularization_loss(layer) for layer in model.layers
        if getattr(layer, "kernel_regularizer", None) is not None
    ]

  @staticmethod
  def _regularization_loss(layer):
    return tf.function(lambda: layer.kernel_regularizer(layer.kernel.value),
                       input_signature=[])

  @tf.function
  def __call__(self, x, training=False):
    return self.model(x, training=training)


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  keras.utils.set_random_seed(0)
  regularizer = keras.regularizers.L2(1e-4)
  model = keras.Sequential([
      keras.Input(shape=(8,)),
      keras.layers.Dense(6, activation="relu", kernel_regularizer=regularizer),
      keras.layers.Dense(4, kernel_regularizer=regularizer),
  ])
  module = Reusable(model)
  spec = tf.TensorSpec([None, 8], tf.float32)
  for training in (False, True):
    module.__call__.get_concrete_function(spec, training=training)
  tf.saved_model.save(module, argv[1])


if __name__ == "__main__":
  main(sys.argv)
