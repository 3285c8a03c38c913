"""TF2 SavedModel that is not reusable: bare tf.Module with dropout.

A tf.Module with two dense layers written by hand and tf.nn.dropout(rate=0.2)
applied on every call. Its `__call__` has no `training` argument (so the
dropout is active at inference too), and the saved object has no
`variables`, `trainable_variables` or `regularization_losses` attributes, only
the variables under their attribute names.

Expected module findings (reusable-SavedModel checks through the object
graph): HUB201 (no `regularization_losses` although kernels exist), HUB202 on
`hidden_kernel` and `output_kernel` (named by attribute path), HUB204
(random dropout in the inference function), HUB207 (dropout but `__call__`
has no `training` argument)
Must not trigger: HUB203 (0.2 is in range), HUB209-HUB215
"""
import sys

import tensorflow as tf


class Classifier(tf.Module):

  def __init__(self, name=None):
    super().__init__(name=name)
    init = tf.keras.initializers.GlorotUniform(seed=0)
    self.hidden_kernel = tf.Variable(init([50, 20]), name="hidden/kernel")
    self.hidden_bias = tf.Variable(tf.zeros([20]), name="hidden/bias")
    self.output_kernel = tf.Variable(init([20, 10]), name="output/kernel")
    self.output_bias = tf.Variable(tf.zeros([10]), name="output/bias")

  @tf.function(input_signature=[tf.TensorSpec([None, 50], tf.float32)])
  def __call__(self, x):
    hidden = tf.nn.relu(tf.matmul(x, self.hidden_kernel) + self.hidden_bias)
    hidden = tf.nn.dropout(hidden, rate=0.2)
    return tf.matmul(hidden, self.output_kernel) + self.output_bias


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  tf.saved_model.save(Classifier(), argv[1])


if __name__ == "__main__":
  main(sys.argv)
