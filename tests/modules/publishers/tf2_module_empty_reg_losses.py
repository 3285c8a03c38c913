"""Hand-made reusable tf.Module whose `regularization_losses` is empty.

A tf.Module with one dense layer written by hand (`w` read by a MatMul, `b`),
`__call__(x, training=False)` traced for both values of `training`, and the
reusable SavedModel attributes set by hand: `variables`,
`trainable_variables`, and `regularization_losses = []`.

Expected module findings: HUB201 (a kernel, but `regularization_losses` is
empty), HUB202 on `w` (named by its object path)
Must not trigger: HUB216 (the interface is complete), HUB204 / HUB207 (no
dropout), HUB209-HUB215
"""
import sys

import tensorflow as tf


class Dense(tf.Module):
  # tf.Module offers `variables` / `trainable_variables` as properties, which
  # tf.saved_model.save does not store: plain attributes shadow them.
  variables = None
  trainable_variables = None
  regularization_losses = None

  def __init__(self):
    super().__init__()
    init = tf.keras.initializers.GlorotUniform(seed=0)
    self.w = tf.Variable(init([8, 4]), name="w")
    self.b = tf.Variable(tf.zeros([4]), name="b")
    self.variables = [self.w, self.b]
    self.trainable_variables = [self.w, self.b]
    self.regularization_losses = []

  @tf.function
  def __call__(self, x, training=False):
    del training  # Nothing here depends on it.
    return tf.matmul(x, self.w) + self.b


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  module = Dense()
  spec = tf.TensorSpec([None, 8], tf.float32)
  for training in (False, True):
    module.__call__.get_concrete_function(spec, training=training)
  tf.saved_model.save(module, argv[1])


if __name__ == "__main__":
  main(sys.argv)
