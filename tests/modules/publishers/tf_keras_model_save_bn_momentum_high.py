"""Keras 2 through tf-keras on TF 2.21: batch norm with momentum 0.999.

`tf_keras` (Keras 2 as a package, TF 2.21) Sequential on 8x8x3 images:
Conv2D(8, L2) -> BatchNormalization(momentum=0.999) -> global average pool
-> Dense(10, L2), saved with `tf.saved_model.save`. The training trace runs
a fused batch norm whose `exponential_avg_factor` is 1 - 0.999; the op sits
in a layer function whose own node name is just `FusedBatchNormV3`.

Expected module findings: HUB205 (momentum 0.999, naming the Keras layer
`batch_normalization`, not the op `FusedBatchNormV3`)
Must not trigger: HUB206 (training mode only in `training=True` traces),
HUB207 (`__call__` has a `training` argument), HUB216, HUB201 / HUB202
"""
# hublint-toolchain: tf-2.21
import sys

import tensorflow as tf
import tf_keras


def build_model():
  regularizer = tf_keras.regularizers.l2(1e-4)
  return tf_keras.Sequential([
      tf_keras.layers.InputLayer(input_shape=(8, 8, 3)),
      tf_keras.layers.Conv2D(8, 3, kernel_regularizer=regularizer),
      tf_keras.layers.BatchNormalization(momentum=0.999),
      tf_keras.layers.GlobalAveragePooling2D(),
      tf_keras.layers.Dense(10, kernel_regularizer=regularizer),
  ])


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  tf_keras.utils.set_random_seed(0)
  model = build_model()
  model(tf.zeros([1, 8, 8, 3]), training=False)
  tf.saved_model.save(model, argv[1])


if __name__ == "__main__":
  main(sys.argv)
