"""Keras 2 model saved with model.save(save_format="tf"), one kernel regularized.

Sequential Conv2D(4, 3x3, kernel_regularizer=l2(1e-4)) -> BatchNormalization
(momentum 0.9) -> Flatten -> Dense(3) without a regularizer, on 8x8x3 images,
in the Keras 2 of TF 2.15 (`tf.keras`), saved with
`model.save(path, save_format="tf")`. The exported `regularization_losses`
holds one function, reading the conv kernel only.

Expected module findings: HUB202 on the Dense kernel only (`dense/kernel`,
named by its Keras layer)
Must not trigger: HUB201 (`regularization_losses` is not empty), HUB202 on
`conv2d/kernel` (covered), HUB205 (0.9), HUB206 / HUB207 (batch norm chosen
by `training`), HUB216, HUB209-HUB215
"""
import sys

import tensorflow as tf


def build_model():
  return tf.keras.Sequential([
      tf.keras.layers.InputLayer(input_shape=(8, 8, 3)),
      tf.keras.layers.Conv2D(
          4, 3, kernel_regularizer=tf.keras.regularizers.l2(1e-4)),
      tf.keras.layers.BatchNormalization(momentum=0.9),
      tf.keras.layers.Flatten(),
      tf.keras.layers.Dense(3),  # Forgot the regularizer here.
  ])


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  tf.keras.utils.set_random_seed(0)
  model = build_model()
  model(tf.zeros([1, 8, 8, 3]), training=False)
  model.save(argv[1], save_format="tf")


if __name__ == "__main__":
  main(sys.argv)
