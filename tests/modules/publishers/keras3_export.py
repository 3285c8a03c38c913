"""Keras 3 `model.export()`: an inference-only SavedModel, not a reusable one.

A Keras 3 functional model 50 -> Dense(20, L2 kernel regularizer) ->
Dropout(0.3) -> BatchNormalization -> Dense(10, L2), exported with
`model.export(dir)` (TF 2.21, Keras 3). Export writes a `serve` endpoint and
a `serving_default` signature traced for inference only: no `__call__` with a
`training` argument, no `variables` / `trainable_variables` /
`regularization_losses` on the root object, no training trace (the dropout
and the batch-norm updates are not in the artifact at all).

Expected module findings: HUB216 (inference-only Keras 3 export: says what is
missing and what to publish instead)
Must not trigger: HUB201 / HUB202 telling the publisher to "pass
`kernel_regularizer=`" (the model has it; export drops it), HUB204, HUB206
(no dropout or training-mode batch norm at inference), HUB207 (there is no
training behaviour to tag)
"""
# hublint-toolchain: tf-2.21
import sys

import keras


def build_model():
  regularizer = keras.regularizers.L2(1e-4)
  inputs = keras.Input(shape=(50,), name="features")
  hidden = keras.layers.Dense(20, activation="relu",
                              kernel_regularizer=regularizer)(inputs)
  hidden = keras.layers.Dropout(0.3)(hidden)
  hidden = keras.layers.BatchNormalization()(hidden)
  outputs = keras.layers.Dense(10, kernel_regularizer=regularizer)(hidden)
  return keras.Model(inputs, outputs)


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  keras.utils.set_random_seed(0)
  model = build_model()
  model.export(argv[1])


if __name__ == "__main__":
  main(sys.argv)
