"""tf.Module whose `__call__(x, training=False)` drops out regardless of training.

A hand-written reusable SavedModel: one L2-regularized dense layer, then
`tf.nn.dropout(rate=0.25)` applied on every call although `__call__` takes a
`training` argument; `variables`, `trainable_variables` and
`regularization_losses` are set, and `__call__` is traced for
`training=True` and `training=False`.

Expected module findings: HUB204 (random dropout reachable from the
`training=False` trace)
Must not trigger: HUB207 (`__call__` has a `training` argument), HUB216 (the
interface is complete), HUB203 (0.25 is in range), HUB201 / HUB202
"""
import sys

import tensorflow as tf


class Classifier(tf.Module):
  # tf.Module computes `variables` and `trainable_variables` as properties, which
  # tf.saved_model.save does not keep: plain attributes make them part of the object.
  variables = None
  trainable_variables = None

  def __init__(self, name=None):
    super().__init__(name=name)
    init = tf.keras.initializers.GlorotUniform(seed=0)
    self.kernel = tf.Variable(init([50, 10]), name="dense/kernel")
    self.bias = tf.Variable(tf.zeros([10]), name="dense/bias")
    self.variables = [self.kernel, self.bias]
    self.trainable_variables = [self.kernel, self.bias]
    self.regularization_losses = [
        tf.function(lambda: 1e-4 * tf.nn.l2_loss(self.kernel),
                    input_signature=[])]

  @tf.function
  def __call__(self, x, training=False):
    del training  # the mistake: the dropout below ignores it
    hidden = tf.nn.dropout(x, rate=0.25, seed=1)
    return tf.matmul(hidden, self.kernel) + self.bias


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  module = Classifier()
  spec = tf.TensorSpec([None, 50], tf.float32)
  module.__call__.get_concrete_function(spec, training=True)
  module.__call__.get_concrete_function(spec, training=False)
  tf.saved_model.save(module, argv[1])


if __name__ == "__main__":
  main(sys.argv)
